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

"""The test suite's own rules, checked on every test class."""

import importlib
import inspect
import os
import pkgutil
import unittest

from oslotest import base as oslo_base

import tests


def _test_modules():
    root = os.path.dirname(tests.__file__)
    for info in pkgutil.walk_packages([root], prefix='tests.'):
        if info.name.rsplit('.', 1)[-1].startswith('test_'):
            yield importlib.import_module(info.name)


class TestEveryTestClass(oslo_base.BaseTestCase):

    def test_every_test_class_has_the_timeout(self):
        # oslotest's BaseTestCase applies OS_TEST_TIMEOUT to each test: a
        # hung engine fails its test instead of holding the whole run.
        classes = {
            cls for module in _test_modules()
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, unittest.TestCase) and
            cls.__module__.startswith('tests.')
        }
        self.assertIn(TestEveryTestClass, classes)
        self.assertGreater(len(classes), 40)
        without = sorted('%s.%s' % (c.__module__, c.__qualname__)
                         for c in classes
                         if not issubclass(c, oslo_base.BaseTestCase))
        self.assertEqual([], without)
