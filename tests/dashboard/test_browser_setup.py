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

"""Where Chromium cannot be had, the browser tests skip, except in CI;
the live server keeps quiet about what is no test's failure."""

import io
import os
import socket
import unittest
from unittest import mock

from django.core.servers import basehttp
from django.db import utils as db_utils
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


class TestLiveServer(oslo_base.BaseTestCase):

    def setUp(self):
        super(TestLiveServer, self).setUp()
        self.server = browser.LiveServer(('127.0.0.1', 0),
                                         basehttp.WSGIRequestHandler)
        self.addCleanup(self.server.server_close)

    def _printed(self, error):
        stderr = io.StringIO()
        with mock.patch('sys.stderr', stderr):
            try:
                raise error
            except Exception:
                self.server.handle_error(None, ('127.0.0.1', 1))
        return stderr.getvalue()

    def test_idle_or_reset_connections_are_not_printed(self):
        self.assertEqual('', self._printed(TimeoutError('timed out')))
        self.assertEqual('', self._printed(ConnectionResetError()))

    def test_other_errors_are_printed(self):
        self.assertIn('ValueError: broken view',
                      self._printed(ValueError('broken view')))

    def test_a_connection_no_longer_shared_still_closes_the_request(self):
        request, peer = socket.socketpair()
        self.addCleanup(peer.close)
        unshared = db_utils.DatabaseError('created in another thread')
        with mock.patch.object(basehttp.connections, 'close_all',
                               side_effect=unshared):
            self.server.close_request(request)
        self.assertEqual(-1, request.fileno())
