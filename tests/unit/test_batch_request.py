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

import datetime
import uuid

from oslotest import base as oslo_base

from mistral_resume.core import batch_request
from mistral_resume.core import request as request_mod

A = str(uuid.uuid4())
B = str(uuid.uuid4())


class TestBatchRequest(oslo_base.BaseTestCase):

    def test_filter_is_normalized(self):
        parsed = batch_request.parse({
            'filter': {'workflow_name': 'deploy', 'state': 'ERROR',
                       'failed_task': ' call_vendor ',
                       'created_at_from': '2026-12-01T10:00:00+02:00',
                       'created_at_to': '2026-12-01T09:30:00Z',
                       'execution_ids': [A.upper(), B, A]},
            'points': [{'task': 'call_vendor'}], 'reason': 'outage'})

        self.assertEqual({
            'workflow_name': 'deploy', 'workflow_namespace': '',
            'state': 'ERROR', 'failed_task': 'call_vendor',
            'created_at_from': datetime.datetime(2026, 12, 1, 8, 0),
            'created_at_to': datetime.datetime(2026, 12, 1, 9, 30),
            # Each once, in the order given.
            'execution_ids': [A, B]}, parsed.filter)
        self.assertEqual('2026-12-01T08:00:00Z', batch_request.filter_to_dict(
            parsed.filter)['created_at_from'])
        self.assertEqual(batch_request.DEFAULT_MAX_EXECUTIONS,
                         parsed.max_executions)
        self.assertEqual('outage', parsed.resume.reason)

    def test_the_resume_part_is_one_executions_request(self):
        parsed = batch_request.parse({
            'filter': {'execution_ids': [A]}, 'request_id': 'r',
            'points': [{'task': 't', 'mode': 'continue',
                        'published': {'v': 1}}], 'dry_run': True})
        self.assertEqual(('r', True), (parsed.request_id, parsed.dry_run))
        body = parsed.execution_body(request_id='key')
        self.assertEqual('key', body['request_id'])
        self.assertIs(False, body['dry_run'])
        # What a batch asks of each execution parses as one request.
        again = request_mod.parse(body)
        self.assertEqual([{'v': 1}], [p.published for p in again.points])

    def test_max_executions_default_is_capped_by_the_deployment(self):
        self.assertEqual(10, batch_request.parse(
            {'filter': {'workflow_name': 'w'}}, max_limit=10).max_executions)

    def test_refusals(self):
        for body, says in (
                ({'filter': {'workflow_namespace': 'n', 'execution_ids': [A]}},
                 'goes with "workflow_name"'),
                ({'filter': {'workflow_name': 3}}, 'must be a string'),
                ({'filter': {'workflow_name': 'w', 'failed_task': ' '}},
                 'must not be blank'),
                ({'filter': {'execution_ids': A}}, 'must be a list'),
                ({'filter': {'execution_ids': [A, 7]}}, 'not an execution'),
                ({'filter': {'execution_ids': [A, B]}, 'max_executions': 1},
                 'more than max_executions'),
        ):
            e = self.assertRaises(request_mod.InvalidRequest,
                                  batch_request.parse, body)
            self.assertIn(says, str(e))
