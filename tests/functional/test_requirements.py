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

from tests import base
from tests import workflows


class TestSingleFailure(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(self.wf_id)

    def test_requirements_of_plain_failure(self):
        view = self.requirements(self.wf_id)
        self.assertEqual('ERROR', view['state'])
        self.assertTrue(view['resumable'])
        self.assertFalse(view['plain_resume'])
        self.assertEqual(['UNRESOLVED_FAILURE'],
                         self.codes(view))
        failure, = view['failures']
        self.assertEqual('t2', failure['task'])
        self.assertEqual(['y', 'z'], failure['publish'])
        self.assertEqual(['t3'], failure['next_tasks'])
        self.assertFalse(failure['error_handled'])

    def test_dry_run_rerun(self):
        out = self.resume(self.wf_id, dry_run=True,
                          points=[{'task': 't2', 'context': {'x': 'ok'}}])
        self.assertEqual('dry_run', out['status'])
        point, = out['record']['points']
        self.assertEqual('rerun', point['mode'])
        self.assertEqual(self.task(self.wf_id, 't2')['id'],
                         point['task_execution_id'])

    def test_rerun_with_context(self):
        out = self.resume(self.wf_id,
                          points=[{'task': 't2', 'context': {'x': 'ok'}}])
        self.assertEqual('created', out['status'], out)
        self.await_workflow_success(self.wf_id)
        t3 = self.task(self.wf_id, 't3')
        self.assertEqual('ok', t3['in_context']['y'])
        self.assertEqual('ok', t3['in_context']['x'])
        self.assertEqual({'out': 'ok'}, t3['published'])

    def test_continue(self):
        out = self.resume(self.wf_id, points=[
            {'task': 't2', 'mode': 'continue',
             'published': {'y': 'given', 'z': 3}}])
        self.assertEqual('created', out['status'], out)
        self.await_workflow_success(self.wf_id)
        t3 = self.task(self.wf_id, 't3')
        self.assertEqual('given', t3['in_context']['y'])
        self.assertEqual({'out': 'given'}, t3['published'])
