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

"""The suite's timeout rule, on the dashboard's test classes."""

from oslotest import base as oslo_base

from tests import timeouts


class TestEveryDashboardTestClass(oslo_base.BaseTestCase):

    def test_every_test_class_has_the_timeout(self):
        classes = timeouts.test_classes('tests.dashboard')
        self.assertIn(TestEveryDashboardTestClass, classes)
        self.assertGreater(len(classes), 8)
        self.assertEqual([], timeouts.without_timeout(classes))
