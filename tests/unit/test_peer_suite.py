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


"""The peer suite's own checks (tests/peer): what makes it fail."""

from oslotest import base as oslo_base

from tests.peer import __main__ as peer


class TestPeerSuite(oslo_base.BaseTestCase):

    def test_expected_outcomes_cover_every_module(self):
        expected = peer.read_expected()
        modules = {t.rsplit('.', 2)[0] for t in expected}
        self.assertEqual(set(peer.MODULES), modules)
        self.assertEqual({'pass', 'skip'}, set(expected.values()))

    def test_every_difference_is_reported(self):
        expected = {'a.T.test_1': 'pass', 'a.T.test_2': 'skip',
                    'a.T.test_3': 'pass'}
        outcomes = {'a.T.test_1': 'pass', 'a.T.test_2': 'pass',
                    'a.T.test_4': 'fail'}
        found = peer.differences(expected, outcomes,
                                 {'a.T.test_4': 'Traceback: boom'})
        self.assertEqual(3, len(found), found)
        self.assertIn('a.T.test_2: expected skip, got pass', found[0])
        self.assertIn('a.T.test_3: expected pass, got absent', found[1])
        self.assertIn('a.T.test_4: expected absent, got fail', found[2])
        self.assertIn('boom', found[2])
        self.assertEqual([], peer.differences(expected, dict(expected), {}))

    def test_patched_functions_are_found_in_mistral(self):
        from mistral_resume import patches
        patches.apply()
        found = {key for _, _, key in peer._patched_attributes()}
        self.assertIn('mistral.engine.tasks.Task._update_inbound_context',
                      found)
        self.assertIn('mistral.db.sqlalchemy.sqlite_lock.acquire_lock',
                      found)
