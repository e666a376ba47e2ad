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

"""/v2/resume_batches: refused bodies, policies and project isolation."""

import json
import os
import tempfile
import uuid

from mistral.api import access_control as acl
from mistral.services import security

from tests import base
from tests import workflows

URL = '/v2/resume_batches'
POINTS = [{'task': 't2', 'context': {'x': 'ok'}}]

OWNER = security.DEFAULT_PROJECT_ID
OTHER = '99-88-33'


def caller(project, roles='member'):
    return {'X-Identity-Status': 'Confirmed', 'X-Project-Id': project,
            'X-User-Id': 'user-of-%s' % project, 'X-Roles': roles,
            'Content-Type': 'application/json'}


class TestBadRequests(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.start_definitions(workflows.CHAIN)
        self.ids = [self.engine.start_workflow('chain', wf_input={}).id
                    for _ in range(2)]
        for ex_id in self.ids:
            self.await_workflow_error(ex_id)

    def assertBad(self, body, says):
        res = self.post_json(URL, body)
        self.assertEqual(400, res.status_int, res.body)
        self.assertIn(says, res.json['faultstring'])

    def test_bad_bodies_are_400_and_change_nothing(self):
        chain = {'workflow_name': 'chain'}
        for body, says in (
                ([], 'must be a JSON object'),
                ({'points': POINTS}, 'needs "filter"'),
                ({'filter': {}, 'points': POINTS}, 'must name a workflow'),
                ({'filter': {'state': 'ERROR'}}, 'must name a workflow'),
                ({'filter': {'execution_ids': []}}, 'must name a workflow'),
                ({'filter': 'chain'}, '"filter" must be an object'),
                ({'filter': dict(chain, colour='red')},
                 "Unknown field(s) 'colour'"),
                ({'filter': dict(chain, state='RUNNING')},
                 'must be one of ERROR, PAUSED'),
                ({'filter': {'execution_ids': ['nope']}}, 'not an execution'),
                ({'filter': {'execution_ids': self.ids},
                  'max_executions': 1}, 'more than max_executions (1)'),
                ({'filter': dict(chain, created_at_from='yesterday')},
                 'not an ISO 8601 time'),
                ({'filter': dict(chain, created_at_from='2026-02-01',
                                 created_at_to='2026-01-01')},
                 'later than'),
                ({'filter': chain, 'max_executions': 0}, 'positive'),
                ({'filter': chain, 'max_executions': True}, 'positive'),
                ({'filter': chain, 'max_executions': 10 ** 9},
                 'batch_max_executions'),
                ({'filter': chain, 'extra': 1}, "Unknown field(s) 'extra'"),
                # The resume part is checked as for one execution.
                ({'filter': chain, 'points': [{'task': 't2',
                                               'mode': 'skip'}]},
                 "Unknown mode 'skip'"),
                ({'filter': chain, 'points': [{'task': 't2',
                                               'published': {}}]},
                 'goes with mode "continue"'),
                ({'filter': chain, 'env': []}, '"env"'),
        ):
            self.assertBad(body, says)
        self.assertEqual([], self.get(URL).json['resume_batches'])

    def test_more_matches_than_max_executions_is_400(self):
        self.assertBad({'filter': {'workflow_name': 'chain'},
                        'points': POINTS, 'max_executions': 1},
                       'matches more than 1 executions')
        self.assertBad({'filter': {'workflow_name': 'chain'},
                        'points': POINTS, 'max_executions': 1,
                        'dry_run': True},
                       'matches more than 1 executions')
        self.assertEqual([], self.get(URL).json['resume_batches'])
        for ex_id in self.ids:
            self.assertEqual('ERROR', self.execution(ex_id).state)

    def test_unreadable_body_and_query(self):
        res = self.app.post(URL, params=b'{"filter": ', expect_errors=True,
                            content_type='application/json')
        self._restore_context()
        self.assertEqual(400, res.status_int)
        self.assertIn('not valid JSON', res.json['faultstring'])
        self.get('%s/%s' % (URL, uuid.uuid4()), status=404)
        self.get('%s/nope' % URL, status=400)
        batch = self.post_json(URL, {'filter': {'workflow_name': 'chain'},
                                     'points': POINTS}).json
        for query, says in (('outcome=maybe', 'outcome takes one of'),
                            ('limit=0', 'limit must be positive'),
                            ('marker=nope', 'not a UUID'),
                            ('colour=red', 'Unknown query parameter')):
            body = self.get('%s/%s?%s' % (URL, batch['id'], query),
                            status=400).json
            self.assertIn(says, body['faultstring'])
        self.get('%s/%s?marker=%s' % (URL, batch['id'], uuid.uuid4()),
                 status=404)
        self.get('%s?sort_keys=colour' % URL, status=400)


class TestBatchIsolation(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(self.wf_id)
        self.override_config('auth_enable', True, group='pecan')
        self.addCleanup(setattr, acl, '_ENFORCER', None)

    def call(self, method, url, headers, body=None):
        try:
            return self.app.request(
                url, method=method, headers=headers, expect_errors=True,
                body=None if body is None else json.dumps(body).encode())
        finally:
            self._restore_context()

    def body(self, **extra):
        return dict({'filter': {'execution_ids': [self.wf_id]},
                     'points': POINTS}, **extra)

    def test_other_projects_match_nothing_and_see_nothing(self):
        # Another project names the execution: it is not matched.
        dry = self.call('POST', URL, caller(OTHER),
                        self.body(dry_run=True))
        self.assertEqual(200, dry.status_int, dry.body)
        self.assertEqual(0, dry.json['total'])
        theirs = self.call('POST', URL, caller(OTHER), self.body())
        self.assertEqual(202, theirs.status_int, theirs.body)
        self.assertEqual((0, 'DONE'), (theirs.json['total'],
                                       theirs.json['state']))

        mine = self.call('POST', URL, caller(OWNER), self.body())
        self.assertEqual(202, mine.status_int, mine.body)
        self.assertEqual((OWNER, 'user-of-%s' % OWNER, 1), (
            mine.json['project_id'], mine.json['user_id'],
            mine.json['total']))
        self.await_workflow_success(self.wf_id)

        one = '%s/%s' % (URL, mine.json['id'])
        self.assertEqual(200, self.call('GET', one, caller(OWNER)).status_int)
        self.assertEqual(404, self.call('GET', one, caller(OTHER)).status_int)
        self.assertEqual(
            200, self.call('GET', one, caller(OTHER, 'admin')).status_int)
        listed = self.call('GET', URL, caller(OTHER)).json['resume_batches']
        self.assertEqual([theirs.json['id']], [b['id'] for b in listed])
        # The owner's record of the resume names the batch.
        [record] = self.call('GET', '/v2/executions/%s/resumes' % self.wf_id,
                             caller(OWNER)).json['resumes']
        self.assertEqual(mine.json['id'], record['batch_id'])

    def test_request_id_is_per_project(self):
        body = self.body(dry_run=False, request_id='outage')
        theirs = self.call('POST', URL, caller(OTHER), body)
        mine = self.call('POST', URL, caller(OWNER), body)
        self.assertEqual((202, 202), (theirs.status_int, mine.status_int))
        self.assertNotEqual(theirs.json['id'], mine.json['id'])
        again = self.call('POST', URL, caller(OWNER), body)
        self.assertEqual((200, mine.json['id']),
                         (again.status_int, again.json['id']))

    def test_policies(self):
        fd, path = tempfile.mkstemp(suffix='.yaml')
        with os.fdopen(fd, 'w') as f:
            f.write('"resume_batches:create": "role:resumer"\n'
                    '"resume_batches:list": "!"\n'
                    '"resume_batches:get": "user_id:%(user_id)s"\n')
        self.addCleanup(os.remove, path)
        self.override_config('policy_file', path, group='oslo_policy')
        acl._ENFORCER = None

        self.assertEqual(403, self.call('POST', URL, caller(OWNER),
                                        self.body()).status_int)
        created = self.call('POST', URL, caller(OWNER, 'member,resumer'),
                            self.body())
        self.assertEqual(202, created.status_int, created.body)
        self.assertEqual(403, self.call('GET', URL,
                                        caller(OWNER, 'admin')).status_int)
        one = '%s/%s' % (URL, created.json['id'])
        self.assertEqual(200, self.call('GET', one, caller(OWNER)).status_int)
        # Same project, another user: the rule reads the batch's user.
        someone_else = dict(caller(OWNER), **{'X-User-Id': 'someone'})
        self.assertEqual(403, self.call('GET', one, someone_else).status_int)
        self.await_workflow_success(self.wf_id)
