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

"""Every test class has a timeout: the rule, and the way to meet it.

oslotest's BaseTestCase applies OS_TEST_TIMEOUT to each test, so that a
hung engine fails its test instead of holding the whole run. Classes that
must derive from another framework's TestCase (Horizon's, Django's) take
TimeoutMixin. Light imports only: the dashboard's process shares it.
"""

import importlib
import inspect
import os
import pkgutil
import unittest

import fixtures
from oslotest import base as oslo_base


class TimeoutMixin(object):
    """OS_TEST_TIMEOUT for a TestCase that is not on oslotest."""

    def setUp(self):
        super(TimeoutMixin, self).setUp()
        seconds = int(os.environ.get('OS_TEST_TIMEOUT') or 0)
        if seconds > 0:
            timeout = fixtures.Timeout(seconds, gentle=True)
            timeout.setUp()
            self.addCleanup(timeout.cleanUp)


def _modules(package, skip):
    root = os.path.dirname(importlib.import_module(package).__file__)
    for info in pkgutil.walk_packages([root], prefix=package + '.'):
        if info.name.startswith(skip):
            continue
        if info.name.rsplit('.', 1)[-1].startswith('test_'):
            yield importlib.import_module(info.name)


def test_classes(package, skip=()):
    """Our TestCase classes in the test modules of package."""
    return {
        cls for module in _modules(package, tuple(skip))
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, unittest.TestCase) and
        cls.__module__.startswith('tests.')
    }


def without_timeout(classes):
    return sorted('%s.%s' % (c.__module__, c.__qualname__)
                  for c in classes
                  if not issubclass(c, (oslo_base.BaseTestCase,
                                        TimeoutMixin)))
