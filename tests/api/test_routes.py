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

from tests import base
from tests.functional import test_requirements as wfs


class TestRoutes(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(wfs.CHAIN)
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
