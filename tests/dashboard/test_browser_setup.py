# Copyright 2026 - mistral-resume authors
#
#    Licensed under the Apache License, Version 2.0 (the "License");
#    you may not use this file except in compliance with the License.
#    You may obtain a copy of the License at
#
#        http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS,
#    WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
#    See the License for the specific language governing permissions and
#    limitations under the License.

"""Where Chromium cannot be had, the browser tests skip, except in CI."""

import os
import unittest
from unittest import mock

from oslotest import base as oslo_base

from tests.dashboard import browser


class TestRequireBrowser(oslo_base.BaseTestCase):

    def _without_browser(self, ci):
        env = dict(os.environ, CI=ci)
        return [mock.patch.object(browser.shutil, 'which', return_value=None),
                mock.patch.object(browser.os, 'geteuid', return_value=1000),
                mock.patch.dict(browser.os.environ, env)]

    def _require(self, ci):
        patches = self._without_browser(ci)
        for patch in patches:
            patch.start()
            self.addCleanup(patch.stop)
        browser.require_browser()

    def test_missing_browser_fails_in_ci(self):
        error = self.assertRaises(RuntimeError, self._require, 'true')
        self.assertIn('chromium chromium-driver', str(error))
        self.assertIn('needs root', str(error))

    def test_missing_browser_skips_elsewhere(self):
        self.assertRaises(unittest.SkipTest, self._require, '')
