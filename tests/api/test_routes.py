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

import uuid

from mistral_resume.engine import rpc_client
from tests import base
from tests import workflows


class TestRoutes(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(self.wf_id)
        self.t2 = self.task(self.wf_id, 't2')

    def test_stock_endpoints_still_answer(self):
        self.assertEqual(self.wf_id,
                         self.get('/v2/executions/%s' % self.wf_id).json['id'])
        task = self.get('/v2/tasks/%s' % self.t2['id']).json
        self.assertEqual('t2', task['name'])
        self.assertNotIn('in_context', task)
        self.get('/v2/workflows')

    def test_task_context(self):
        body = self.get('/v2/tasks/%s/context' % self.t2['id']).json
        self.assertEqual('t2', body['name'])
        self.assertEqual(self.t2['in_context'], body['in_context'])
        self.assertEqual(['x'], body['references'])
        self.assertEqual(['y', 'z'], body['publish'])

    def test_task_context_errors(self):
        self.get('/v2/tasks/%s/context' % uuid.uuid4(), status=404)
        body = self.get('/v2/tasks/not-a-uuid/context', status=400).json
        self.assertIn('not a UUID', body['faultstring'])

    def test_unknown_execution_is_404(self):
        missing = uuid.uuid4()
        self.get('/v2/executions/%s/resume_requirements' % missing,
                 status=404)
        res = self.post_json('/v2/executions/%s/resumes' % missing,
                             {'points': [{'task': 't2'}]})
        self.assertEqual(404, res.status_int)
        self.assertIn('not found', res.json['faultstring'])
        self.get('/v2/executions/%s/resumes' % missing, status=404)
        self.get('/v2/executions/nope/resume_requirements', status=400)

    def test_requirements(self):
        body = self.get('/v2/executions/%s/resume_requirements'
                        % self.wf_id).json
        self.assertEqual('UNRESOLVED_FAILURE',
                         body['requirements'][0]['code'])

    def test_post_resume_statuses(self):
        url = '/v2/executions/%s/resumes' % self.wf_id
        res = self.post_json(url, {'points': 'x'})
        self.assertEqual(400, res.status_int)
        res = self.post_json(url, {'points': [{'task': 'nope'}]})
        self.assertEqual(409, res.status_int)
        self.assertEqual('UNKNOWN_TASK', res.json['requirements'][0]['code'])
        self.assertIn('UNKNOWN_TASK', res.json['faultstring'])
        res = self.post_json(url, {'points': [{'task': 't2'}],
                                   'dry_run': True})
        self.assertEqual(200, res.status_int, res.body)
        self.assertTrue(res.json['dry_run'])
        res = self.post_json(url, {'points': [
            {'task': 't2', 'context': {'x': 'ok'}}], 'request_id': 'r1'})
        self.assertEqual(201, res.status_int, res.body)
        record = res.json
        again = self.post_json(url, {'points': [{'task': 't2'}],
                                     'request_id': 'r1'})
        self.assertEqual(200, again.status_int)
        self.assertEqual(record['id'], again.json['id'])
        self.await_workflow_success(self.wf_id)
        listed = self.get(url).json['resumes']
        self.assertEqual([record['id']], [r['id'] for r in listed])
        self.assertEqual(record, self.get('/v2/resumes/%s'
                                          % record['id']).json)
        self.get('/v2/resumes/%s' % uuid.uuid4(), status=404)

    def post_raw(self, url, raw):
        try:
            return self.app.post(url, params=raw,
                                 content_type='application/json',
                                 expect_errors=True)
        finally:
            self._restore_context()

    def test_unreadable_bodies_are_400_with_a_faultstring(self):
        url = '/v2/executions/%s/resumes' % self.wf_id
        deep = b'{"points": ' + b'[' * 50000 + b']' * 50000 + b'}'
        for raw, says in (
                (deep, 'nested too deeply'),
                (b'\xff{}', 'not valid JSON'),
                (b'{"points": [{"task": "t2", "context": {"x": NaN}}]}',
                 'NaN is not a JSON value'),
                (b'{"env": {"x": -Infinity}}', 'Infinity')):
            res = self.post_raw(url, raw)
            self.assertEqual(400, res.status_int, res.body[:300])
            self.assertIn(says, res.json['faultstring'])
        # Pecan does not take the body's keys as arguments either.
        res = self.post_json(url, {'execution_id': str(uuid.uuid4())})
        self.assertEqual(400, res.status_int)
        self.assertIn("Unknown field(s) 'execution_id'",
                      res.json['faultstring'])
        self.assertEqual('ERROR', self.execution(self.wf_id).state)
        self.assertEqual([], self.get(url).json['resumes'])

    def test_no_engine_answering_is_504(self):
        # An API whose engines do not serve mistral-resume's topic.
        self.override_config('rpc_response_timeout', 1)
        self.override_config('topic', 'mistral_resume_nobody', 'resume')
        self.patch(rpc_client, '_CLIENT', None)

        res = self.post_json('/v2/executions/%s/resumes' % self.wf_id,
                             {'points': [{'task': 't2'}],
                              'request_id': 'r-504'})
        self.assertEqual(504, res.status_int, res.body)
        self.assertIn('may or may not have been applied',
                      res.json['faultstring'])
        self.assertIn('same request_id', res.json['faultstring'])
        # The read-only analyses are the API's own (the default)...
        res = self.get('/v2/executions/%s/resume_requirements' % self.wf_id)
        self.assertEqual(['t2'], [f['task'] for f in res.json['failures']])
        res = self.post_json('/v2/executions/%s/resumes' % self.wf_id,
                             {'points': [{'task': 't2'}], 'dry_run': True})
        self.assertEqual(200, res.status_int, res.body)
        # ...unless they are left to the engines.
        self.override_config('analysis_in_api', False, 'resume')
        res = self.get('/v2/executions/%s/resume_requirements' % self.wf_id,
                       status=504)
        self.assertIn('No engine answered resume_requirements',
                      res.json['faultstring'])
        res = self.post_json('/v2/executions/%s/resumes' % self.wf_id,
                             {'points': [{'task': 't2'}], 'dry_run': True})
        self.assertEqual(504, res.status_int, res.body)
        self.assertEqual('ERROR', self.execution(self.wf_id).state)
