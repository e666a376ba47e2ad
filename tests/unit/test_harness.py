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

from oslotest import base as oslo_base

from tests import timeouts


class TestEveryTestClass(oslo_base.BaseTestCase):

    def test_every_test_class_has_the_timeout(self):
        # oslotest's BaseTestCase applies OS_TEST_TIMEOUT to each test: a
        # hung engine fails its test instead of holding the whole run.
        # The dashboard's classes need Django set up: its own run checks
        # them (tests/dashboard/test_harness.py).
        classes = timeouts.test_classes('tests', skip=['tests.dashboard'])
        self.assertIn(TestEveryTestClass, classes)
        self.assertGreater(len(classes), 40)
        self.assertEqual([], timeouts.without_timeout(classes))
