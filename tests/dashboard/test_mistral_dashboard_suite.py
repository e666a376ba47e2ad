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

"""mistral-dashboard's own test suite, under our settings (the plugin
enabled): what it tests of its pages still holds with our tables set on
its views."""

import importlib
import pkgutil

import mistraldashboard


def _test_modules():
    for info in pkgutil.iter_modules(mistraldashboard.__path__):
        name = 'mistraldashboard.%s.tests' % info.name
        if info.ispkg and importlib.util.find_spec(name) is not None:
            yield name


def load_tests(loader, standard_tests, pattern):
    modules = sorted(_test_modules())
    # Seven panels have tests in mistral-dashboard 23; fewer means that
    # the suite moved, not that it passed.
    assert len(modules) >= 7, modules
    for name in modules:
        standard_tests.addTests(loader.loadTestsFromName(name))
    return standard_tests
