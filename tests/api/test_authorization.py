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

"""Project isolation and policies with Mistral's authentication on.

No Keystone server is needed: keystonemiddleware, when it has validated a
token, passes the caller on as X-Identity-Status/X-Project-Id/X-Roles
headers, which Mistral's own auth hook and context hook read. The app is
built without the middleware and requests carry those headers, so every
check from there on is Mistral's and ours, unchanged.
"""

import json
import os
import tempfile
import uuid

from mistral.api import access_control as acl
from mistral.services import security

from tests import base
from tests import workflows

OWNER = security.DEFAULT_PROJECT_ID
OTHER = '99-88-33'


def caller(project, roles='member'):
    return {'X-Identity-Status': 'Confirmed', 'X-Project-Id': project,
            'X-User-Id': 'user-of-%s' % project, 'X-Roles': roles}


class TestProjectIsolation(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(self.wf_id)
        self.t2 = self.task(self.wf_id, 't2')
        # From here on requests are authenticated (see the module's doc).
        self.override_config('auth_enable', True, group='pecan')
        self.addCleanup(setattr, acl, '_ENFORCER', None)

    def call(self, method, url, headers, body=None):
        return self.app.request(
            url, method=method, headers=dict(headers, **{
                'Content-Type': 'application/json'}),
            body=None if body is None else json.dumps(body).encode(),
            expect_errors=True)

    def endpoints(self, record_id):
        ex = '/v2/executions/%s' % self.wf_id
        return [
            ('GET', ex + '/resume_requirements', None),
            ('POST', ex + '/resumes', {'points': [{'task': 't2'}],
                                       'dry_run': True}),
            ('GET', ex + '/resumes', None),
            ('GET', '/v2/resumes/%s' % record_id, None),
            ('GET', '/v2/tasks/%s/context' % self.t2['id'], None),
        ]

    def test_other_project_sees_nothing_admin_sees_all(self):
        created = self.call(
            'POST', '/v2/executions/%s/resumes' % self.wf_id, caller(OWNER),
            {'points': [{'task': 't2', 'context': {'x': 'bad'}}]})
        self.assertEqual(201, created.status_int, created.body)
        record = created.json
        self.assertEqual(OWNER, record['project_id'])
        self.assertEqual('user-of-%s' % OWNER, record['user_id'])
        self.await_workflow_error(self.wf_id)

        for method, url, body in self.endpoints(record['id']):
            self.assertEqual(
                200, self.call(method, url, caller(OWNER), body).status_int,
                url)
            res = self.call(method, url, caller(OTHER), body)
            self.assertEqual(404, res.status_int, '%s %s' % (url, res.body))
            self.assertEqual(
                200,
                self.call(method, url, caller(OTHER, 'admin'),
                          body).status_int, url)

        # The other project's attempt changed nothing.
        listed = self.call('GET', '/v2/executions/%s/resumes' % self.wf_id,
                           caller(OWNER)).json['resumes']
        self.assertEqual([record['id']], [r['id'] for r in listed])

    def test_unauthenticated_is_refused(self):
        res = self.call('GET', '/v2/executions/%s/resume_requirements'
                        % self.wf_id, {})
        self.assertEqual(401, res.status_int)

    def test_policy_file_overrides_the_defaults(self):
        fd, path = tempfile.mkstemp(suffix='.yaml')
        with os.fdopen(fd, 'w') as f:
            f.write('"resumes:create": "role:resumer"\n'
                    '"tasks:context": "!"\n')
        self.addCleanup(os.remove, path)
        self.override_config('policy_file', path, group='oslo_policy')
        acl._ENFORCER = None

        url = '/v2/executions/%s/resumes' % self.wf_id
        body = {'points': [{'task': 't2'}], 'dry_run': True}
        self.assertEqual(403, self.call('POST', url, caller(OWNER),
                                        body).status_int)
        self.assertEqual(200, self.call('POST', url,
                                        caller(OWNER, 'member,resumer'),
                                        body).status_int)
        self.assertEqual(
            403, self.call('GET', '/v2/tasks/%s/context' % self.t2['id'],
                           caller(OWNER, 'admin')).status_int)
        # Rules the file does not name keep their defaults.
        self.assertEqual(
            200, self.call('GET', '/v2/executions/%s/resume_requirements'
                           % self.wf_id, caller(OWNER)).status_int)
        self.assertEqual(404, self.call(
            'GET', '/v2/resumes/%s' % uuid.uuid4(), caller(OWNER)
        ).status_int)
