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

"""Links between executions that another project forged.

Mistral 23 stores the ``root_execution_id`` and ``task_execution_id`` a
caller passes in an execution's ``params`` unchecked. Project B uses them
to claim a place in project A's tree: to read A's env through B's own task
(the task context endpoint), or to graft B's failing execution under A's
task so that A's analysis lists B's task and A's resume fails. Our
``POST /v2/executions`` refuses such links (TestLinksRefused); executions
that carry them anyway (started through the engine's RPC, or before
mistral-resume was installed) are made here through the engine, in B's
name. Every request about them goes over HTTP, as each project's caller
would send it (authentication on, see tests/api/test_authorization.py for
how callers are made).
"""

import json
import logging

import fixtures
from mistral.api import access_control as acl
from mistral import context as auth_context
from mistral.tests.unit.engine import base as engine_base
from testtools import content

from tests.api import test_authorization as auth
from tests import base

OWNER = auth.OWNER
OTHER = auth.OTHER
SECRET = 's3cret-of-the-owner'

# A's workflow: a sub-workflow, then t2 fails unless x is "ok".
OWNER_WORKFLOWS = """
version: '2.0'
owned:
  input:
    - x: null
  tasks:
    sub:
      workflow: owned_inner
      on-success: t2
    t2:
      action: test.check value=<% $.x %>
      publish:
        y: <% task().result %>
      on-success: t3
    t3:
      action: std.echo output=<% $.y %>
      publish:
        out: <% task().result %>
owned_inner:
  tasks:
    i1:
      action: std.noop
"""

# B's own workflow: its task fails, as A's t2 does.
OTHER_WORKFLOW = """
version: '2.0'
graft:
  tasks:
    b1:
      action: test.check value=bad
"""


class _TwoProjects(base.ApiTestCase):
    """A's failed execution, B's workflow, and the requests between them."""

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(OWNER_WORKFLOWS, env={'password': SECRET},
                                name='owned')
        self.await_workflow_error(self.wf_id)
        self.t2 = self.task(self.wf_id, 't2')
        self.sub = self.task(self.wf_id, 'sub')
        # The test itself reads both projects' executions.
        base.as_admin()
        self.ctx = auth_context.ctx()
        self.override_config('auth_enable', True, group='pecan')
        self.addCleanup(setattr, acl, '_ENFORCER', None)
        # Requests of project B about what is A's, and what B got back
        # that it must not have (each one a leak).
        self.tried = 0
        self.leaks = []
        self.addCleanup(self._report)
        self.as_owner = self._requirements(self.wf_id, OWNER)
        self.log = self.useFixture(fixtures.FakeLogger(
            name='mistral_resume.db.tree', level=logging.WARNING))

    def _report(self):
        self.addDetail('cross-project', content.text_content(
            '%d requests tried across projects, %d leaks: %s'
            % (self.tried, len(self.leaks), self.leaks)))

    def call(self, method, url, project, body=None, **headers):
        res = self.app.request(
            url, method=method,
            headers=dict(auth.caller(project), **dict(headers, **{
                'Content-Type': 'application/json'})),
            body=None if body is None else json.dumps(body).encode(),
            expect_errors=True)
        self._restore_context()
        return res

    def _requirements(self, wf_id, project):
        res = self.call('GET', '/v2/executions/%s/resume_requirements'
                        % wf_id, project)
        self.assertEqual(200, res.status_int, res.body)
        return res.json

    def other_workflow(self):
        res = self.app.request(
            '/v2/workflows', method='POST', body=OTHER_WORKFLOW.encode(),
            headers=dict(auth.caller(OTHER), **{
                'Content-Type': 'text/plain'}), expect_errors=True)
        self._restore_context()
        self.assertIn(res.status_int, (201, 409), res.body)

    def other_execution(self, **params):
        """Project B's own execution, with the params B chose.

        Started through the engine in B's name: the API refuses the
        links (see TestLinksRefused).
        """
        self.other_workflow()
        auth_context.set_ctx(engine_base.base.get_context(default=False))
        try:
            ex_id = self.engine.start_workflow('graft', wf_input={},
                                               **params).id
        finally:
            self._restore_context()
        self.await_workflow_error(ex_id)
        return ex_id

    def by_other(self, method, url, body=None):
        """A request of B's; whatever comes back must hold nothing of A's."""
        self.tried += 1
        res = self.call(method, url, OTHER, body)
        text = res.body.decode()
        sent = url + json.dumps(body)
        for secret in (SECRET, self.t2['id'], self.sub['id']):
            # A 404 may repeat the id B sent; anything else is A's.
            if secret in text and secret not in sent:
                self.leaks.append('%s %s: %s' % (method, url, secret))
        return res

    def assert_owner_unaffected(self):
        self.assertEqual(self.as_owner,
                         self._requirements(self.wf_id, OWNER))
        res = self.call('POST', '/v2/executions/%s/resumes' % self.wf_id,
                        OWNER, {'points': [{'task': 't2',
                                            'context': {'x': 'ok'}}]})
        self.assertEqual(201, res.status_int, res.body)
        self.await_workflow_success(self.wf_id)
        self.assertEqual({'out': 'ok'},
                         self.task(self.wf_id, 't3')['published'])

    def assert_owners_endpoints_hidden(self, other_id):
        ex = '/v2/executions/%s' % self.wf_id
        for method, url, body in (
                ('GET', ex + '/resume_requirements', None),
                ('POST', ex + '/resumes', {'points': [{'task': 't2'}]}),
                ('POST', ex + '/resumes', {'points': [{'task': 't2'}],
                                           'dry_run': True}),
                ('GET', ex + '/resumes', None),
                ('GET', '/v2/tasks/%s/context' % self.t2['id'], None)):
            res = self.by_other(method, url, body)
            self.assertEqual(404, res.status_int, '%s %s' % (url, res.body))
        # B's own execution answers, with B's tasks only.
        res = self.by_other('GET', '/v2/executions/%s/resume_requirements'
                            % other_id)
        self.assertEqual(200, res.status_int, res.body)
        self.assertEqual(['b1'], [f['task'] for f in res.json['failures']])
        b1 = self.task(other_id, 'b1')
        res = self.by_other('GET', '/v2/tasks/%s/context' % b1['id'])
        self.assertEqual(200, res.status_int, res.body)
        self.assertEqual({}, res.json['env'])

    def assert_own_resume_works(self, other_id):
        """B resumes its own execution: A's is not touched."""
        b1 = self.task(other_id, 'b1')
        url = '/v2/executions/%s/resumes' % other_id
        res = self.by_other('POST', url, {'points': [{'task': 'b1'}],
                                          'dry_run': True})
        self.assertEqual(200, res.status_int, res.body)
        self.assertEqual([b1['id']], [p['task_execution_id']
                                      for p in res.json['points']])
        res = self.by_other('POST', url, {'points': [{'task': 'b1'}]})
        self.assertEqual(201, res.status_int, res.body)
        self.await_workflow_error(other_id)
        self.assertEqual(2, self.task(other_id, 'b1')['actions'])

    def assert_own_resume_refused(self, other_id):
        """An execution grafted under A's task cannot be resumed.

        Mistral's rerun sets every parent execution RUNNING, following the
        parent link B set: into A's execution. Refused for anyone, an
        admin too, and nothing of A's changes.
        """
        url = '/v2/executions/%s/resumes' % other_id
        for roles in ('member', 'admin'):
            for dry_run in (True, False):
                self.tried += roles == 'member'
                res = self.call('POST', url, OTHER, {
                    'points': [{'task': 'b1'}], 'dry_run': dry_run},
                    **{'X-Roles': roles})
                self.assertEqual(409, res.status_int, res.body)
                entry, = res.json['requirements']
                self.assertEqual('EXECUTION_NOT_RESUMABLE', entry['code'])
                self.assertIn('no workflow task of its project',
                              entry['message'])
        res = self.by_other('GET', '/v2/executions/%s/resume_requirements'
                            % other_id)
        self.assertFalse(res.json['resumable'])
        self.assertEqual(1, self.task(other_id, 'b1')['actions'])


class TestForgedLinks(_TwoProjects):

    def test_forged_root_reads_no_env(self):
        # (1) B's execution claims A's execution as its root.
        other_id = self.other_execution(root_execution_id=self.wf_id)
        self.assert_owners_endpoints_hidden(other_id)
        self.assert_own_resume_works(other_id)
        self.assertEqual([], self.leaks)
        self.assert_owner_unaffected()

    def test_forged_parent_is_not_grafted(self):
        # (2) B's execution names A's failed task as the task that started
        # it, and A's execution as its root.
        other_id = self.other_execution(root_execution_id=self.wf_id,
                                        task_execution_id=self.t2['id'])
        self.assert_owners_endpoints_hidden(other_id)
        self.assert_own_resume_refused(other_id)
        self.assertEqual([], self.leaks)
        self.assert_owner_unaffected()

    def test_forged_sub_workflow_is_not_grafted(self):
        # (2) The same under A's sub-workflow task, where a sub-workflow
        # of A's own hangs.
        other_id = self.other_execution(root_execution_id=self.wf_id,
                                        task_execution_id=self.sub['id'])
        self.assert_owners_endpoints_hidden(other_id)
        self.assert_own_resume_refused(other_id)
        self.assertEqual([], self.leaks)
        self.assert_owner_unaffected()
        # Ignored, and said so once however often the tree is read.
        self._requirements(self.wf_id, OWNER)
        said = [line for line in self.log.output.splitlines()
                if "'%s'" % other_id in line]
        self.assertEqual(1, len(said), self.log.output)

    def test_forged_env_of_own_execution_is_its_own(self):
        # B may give its own execution an env; that one is what B reads.
        other_id = self.other_execution(root_execution_id=self.wf_id,
                                        env={'mine': 1})
        b1 = self.task(other_id, 'b1')
        res = self.by_other('GET', '/v2/tasks/%s/context' % b1['id'])
        self.assertEqual({'mine': 1}, res.json['env'])
        self.assertEqual([], self.leaks)


class TestLinksRefused(_TwoProjects):
    """POST /v2/executions refuses links to what the caller cannot see."""

    def other_executions(self):
        return sorted(e['id'] for e in self.call(
            'GET', '/v2/executions', OTHER).json['executions'])

    def create(self, params, project=OTHER):
        self.tried += project == OTHER
        return self.call('POST', '/v2/executions', project, {
            'workflow_name': 'graft', 'params': params})

    def test_links_across_projects_are_refused(self):
        self.other_workflow()
        before = self.other_executions()
        for params in ({'root_execution_id': self.wf_id},
                       {'task_execution_id': self.t2['id']},
                       {'root_execution_id': self.wf_id,
                        'task_execution_id': self.sub['id']}):
            res = self.create(params)
            self.assertEqual(404, res.status_int, res.body)
        for params in ({'root_execution_id': 7},
                       {'task_execution_id': ''}):
            res = self.create(params)
            self.assertEqual(400, res.status_int, res.body)
        self.assertEqual(before, self.other_executions())
        self.assert_owner_unaffected()

    def test_links_within_a_project_are_mistrals(self):
        self.other_workflow()
        first = self.create({})
        self.assertEqual(201, first.status_int, first.body)
        res = self.create({'root_execution_id': first.json['id']})
        self.assertEqual(201, res.status_int, res.body)
        self.await_workflow_error(res.json['id'])
        # An admin may link across projects, as Mistral lets it see all.
        res = self.call('POST', '/v2/executions', OTHER, {
            'workflow_name': 'graft',
            'params': {'root_execution_id': self.wf_id}},
            **{'X-Roles': 'admin'})
        self.assertEqual(201, res.status_int, res.body)
