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

"""Operators' per-project and per-user rules take effect.

Every rule is checked against the execution it is about: its project and
the user who started it. A rule ``project_id:%(project_id)s`` then lets in
the execution's project only (even an admin of another project is
refused), and ``user_id:%(user_id)s`` the user who started it.
"""

import os
import tempfile

from mistral.api import access_control as acl

from tests.api import test_authorization as auth
from tests import base
from tests import workflows

OWNER = auth.OWNER
OTHER = auth.OTHER

POLICY = """
"resume_requirements:get": "project_id:%(project_id)s"
"resumes:create": "project_id:%(project_id)s"
"resumes:list": "project_id:%(project_id)s"
"resumes:get": "project_id:%(project_id)s"
"tasks:context": "user_id:%(user_id)s"
"""


class TestPolicyTarget(base.ApiTestCase):

    call = auth.TestProjectIsolation.call

    def setUp(self):
        super().setUp()
        self.start_definitions(workflows.CHAIN)
        self.override_config('auth_enable', True, group='pecan')
        self.addCleanup(setattr, acl, '_ENFORCER', None)
        # Started by a user of the owner's project, with authentication
        # on: Mistral records who started it.
        res = self.call('POST', '/v2/executions', auth.caller(OWNER),
                        {'workflow_name': 'chain'})
        self.assertEqual(201, res.status_int, res.body)
        self._restore_context()
        self.wf_id = res.json['id']
        self.await_workflow_error(self.wf_id)
        self.t2 = self.task(self.wf_id, 't2')
        res = self.call('POST', '/v2/executions/%s/resumes' % self.wf_id,
                        auth.caller(OWNER),
                        {'points': [{'task': 't2'}], 'request_id': 'r1'})
        self.assertEqual(201, res.status_int, res.body)
        self.record_id = res.json['id']
        self.await_workflow_error(self.wf_id)
        self._restore_context()

        fd, path = tempfile.mkstemp(suffix='.yaml')
        with os.fdopen(fd, 'w') as f:
            f.write(POLICY)
        self.addCleanup(os.remove, path)
        self.override_config('policy_file', path, group='oslo_policy')
        acl._ENFORCER = None

    def statuses(self, headers):
        ex = '/v2/executions/%s' % self.wf_id
        requests = {
            'resume_requirements:get': ('GET', ex + '/resume_requirements',
                                        None),
            # The same request_id: answered with the first record, so
            # that an allowed call changes nothing either.
            'resumes:create': ('POST', ex + '/resumes',
                               {'points': [{'task': 't2'}],
                                'request_id': 'r1'}),
            'resumes:list': ('GET', ex + '/resumes', None),
            'resumes:get': ('GET', '/v2/resumes/%s' % self.record_id, None),
            'tasks:context': ('GET', '/v2/tasks/%s/context' % self.t2['id'],
                              None),
        }
        answers = {}
        for rule, (method, url, body) in requests.items():
            answers[rule] = self.call(method, url, headers, body).status_int
            self._restore_context()
        return answers

    def test_project_rule_refuses_an_admin_of_another_project(self):
        self.assertEqual(
            dict.fromkeys(('resume_requirements:get', 'resumes:create',
                           'resumes:list', 'resumes:get', 'tasks:context'),
                          403),
            self.statuses(auth.caller(OTHER, 'admin')))

    def test_user_rule_lets_in_the_user_who_started_it(self):
        self.assertEqual(
            {'resume_requirements:get': 200, 'resumes:create': 200,
             'resumes:list': 200, 'resumes:get': 200, 'tasks:context': 200},
            self.statuses(auth.caller(OWNER)))
        colleague = dict(auth.caller(OWNER), **{'X-User-Id': 'colleague'})
        self.assertEqual(
            {'resume_requirements:get': 200, 'resumes:create': 200,
             'resumes:list': 200, 'resumes:get': 200, 'tasks:context': 403},
            self.statuses(colleague))
