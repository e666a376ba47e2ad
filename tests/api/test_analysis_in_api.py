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

"""The read-only analyses answered by the API process ([resume]
analysis_in_api): the same answers as an engine's, never a stale one."""

from mistral.db.v2 import api as db_api

from tests import base
from tests import workflows

# A fan-out whose sub-workflows all store the same spec text: items other
# than "ok" fail in the child's second step.
FANOUT = """
version: '2.0'
fan:
  input:
    - items: [bad, ok, bad]
  tasks:
    each:
      with-items: item in <% $.items %>
      workflow: fan_child x=<% $.item %>
fan_child:
  input:
    - x: null
  tasks:
    first:
      action: std.noop
      on-success: second
    second:
      action: test.check value=<% $.x %>
      publish:
        y: 1
"""


def _set_publish(execution_id, task, publish):
    """Change the publish clause of a task in an execution's stored spec.

    Mistral never does: it stands for any change of the stored text
    between two reads, which a spec cache keyed on anything but that text
    would not see.
    """
    with db_api.transaction():
        wf_ex = db_api.get_workflow_execution(execution_id)
        spec = dict(wf_ex.spec)
        tasks = dict(spec['tasks'])
        tasks[task] = dict(tasks[task], publish=publish)
        spec['tasks'] = tasks
        wf_ex.spec = spec


class TestAnalysisInApi(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(self.wf_id)
        self.t2 = self.task(self.wf_id, 't2')

    def requirements_url(self, wf_id=None):
        return '/v2/executions/%s/resume_requirements' % (wf_id or self.wf_id)

    def dry_run(self, *points, wf_id=None):
        res = self.post_json('/v2/executions/%s/resumes'
                             % (wf_id or self.wf_id),
                             {'points': list(points), 'dry_run': True})
        return res.status_int, res.json

    def test_same_answers_as_an_engine(self):
        calls = (
            lambda: self.get(self.requirements_url()).json,
            lambda: self.dry_run({'task': 't2', 'mode': 'continue',
                                  'published': {'y': 1, 'z': 2}}),
            lambda: self.dry_run({'task': 't2', 'context': {'x': 'ok'}}),
            lambda: self.dry_run({'task': 't1'}),
        )
        here = [call() for call in calls]
        self.override_config('analysis_in_api', False, 'resume')
        there = [call() for call in calls]
        self.assertEqual(there, here)
        self.assertEqual(200, here[1][0])
        self.assertEqual(409, here[3][0])
        # Dry runs leave no record.
        self.assertEqual([], self.get('/v2/executions/%s/resumes'
                                      % self.wf_id).json['resumes'])

    def test_state_committed_by_an_engine_is_read_next(self):
        before = self.get(self.requirements_url()).json
        self.assertEqual(['t2'], [f['task'] for f in before['failures']])
        self.assertTrue(before['resumable'])

        res = self.post_json('/v2/executions/%s/resumes' % self.wf_id,
                             {'points': [{'task': 't2', 'mode': 'continue',
                                          'published': {'y': 'v', 'z': 2}}]})
        self.assertEqual(201, res.status_int, res.body)
        self.await_workflow_success(self.wf_id)

        after = self.get(self.requirements_url()).json
        self.assertEqual('SUCCESS', after['state'])
        self.assertFalse(after['resumable'])
        self.assertEqual([], after['failures'])
        self.assertEqual(['EXECUTION_NOT_RESUMABLE'],
                         [r['code'] for r in after['requirements']])
        status, body = self.dry_run({'task': 't2'})
        self.assertEqual(409, status)
        self.assertIn('ALREADY_SUCCEEDED',
                      [r['code'] for r in body['requirements']])

    def test_changed_spec_is_read_again(self):
        failure, = self.get(self.requirements_url()).json['failures']
        self.assertEqual(['y', 'z'], failure['publish'])

        _set_publish(self.wf_id, 't2', {'w': 1})

        failure, = self.get(self.requirements_url()).json['failures']
        self.assertEqual(['w'], failure['publish'])
        status, body = self.dry_run({'task': 't2', 'mode': 'continue',
                                     'published': {'y': 1}})
        self.assertEqual(409, status)
        entry, = body['requirements']
        self.assertEqual(['w'], entry['variables'])

    def test_sub_workflows_sharing_a_spec_are_read_apart(self):
        fan_id = self.start(FANOUT)
        self.await_workflow_error(fan_id)
        failures = self.get(self.requirements_url(fan_id)).json['failures']
        self.assertEqual(['each.second', 'each.second'],
                         [f['path'] for f in failures])
        self.assertEqual([['y'], ['y']], [f['publish'] for f in failures])

        # One of the failed children's stored spec changes.
        with db_api.transaction():
            changed = db_api.get_task_execution(
                failures[0]['task_execution_id']).workflow_execution_id
        _set_publish(changed, 'second', {'v': 1})

        failures = self.get(self.requirements_url(fan_id)).json['failures']
        self.assertEqual(
            sorted([['v'], ['y']]), sorted(f['publish'] for f in failures))
