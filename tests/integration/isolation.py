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


"""Project isolation over real Keystone tokens (a mixin of the deployment
test class, which owns the deployment and its users).

Project A's member owns the executions; project B's member tries every
endpoint of ours on them, over HTTP, through python-mistralclient and
through the ``mistral-resume`` command line (password auth, OS_AUTH_URL):
each answers 404 and nothing changes. The admin sees everything. A policy
file takes effect. And B cannot reach A's executions through links it sets
itself (a forged ``root_execution_id``).
"""

import json
import os
import subprocess
import sys
import time
import uuid

from mistralclient.api import base as mistral_base
from mistralclient.api import client as mistral_client
from testtools import content

from mistral_resume.client import resumes as resume_client
from tests.integration import summary

SECRET = 'a-secret-%s' % uuid.uuid4().hex
OPERATOR_ONLY = {'resumes:create': 'role:resume_operator and '
                                   'rule:admin_or_owner'}
CLI = [sys.executable, '-m', 'mistral_resume.client.shell']


class ProjectIsolationTests(object):

    # Helpers.

    def start_as(self, api, workflow, params=None, **wf_input):
        body = {'workflow_name': workflow, 'input': json.dumps(wf_input)}
        if params is not None:
            body['params'] = json.dumps(params)
        resp = api.post('/executions', body)
        self.assertEqual(201, resp.status_code, resp.text)
        return resp.json()['id']

    def settled_as(self, api, execution_id, state):
        execution = api.await_settled(execution_id, 60)
        self.assertEqual(state, execution['state'], execution['state_info'])
        return execution

    def cross(self, what, resp, figures):
        """A request of another project: 404, and none of A's data."""
        figures['tried'] += 1
        leaked = resp.status_code != 404 or SECRET in resp.text
        if leaked:
            figures['leaks'] += 1
        self.assertEqual(404, resp.status_code, '%s: %s' % (what, resp.text))
        self.assertNotIn(SECRET, resp.text, what)

    def mistral_client(self, user):
        return mistral_client.client(mistral_url=self.api.api_url,
                                     session=user.session)

    def cli(self, user, *args):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_') and k != 'MISTRAL_URL'}
        env.update(user.os_environ(), OS_MISTRAL_URL=self.api.api_url)
        return subprocess.run(CLI + list(args), env=env, capture_output=True,
                              text=True, timeout=60,
                              stdin=subprocess.DEVNULL)

    def report(self, name, figures):
        line = ('%s: cross-project requests tried=%d leaks=%d'
                % (name, figures['tried'], figures['leaks']))
        summary.record('figure', line)

    # Tests.

    def test_other_project_gets_404_and_changes_nothing(self):
        # A's executions: one resumed (a record), one failed and untouched.
        done = self.start_as(self.api, 'it_chain', {'env': {'s': SECRET}})
        self.settled_as(self.api, done, 'ERROR')
        record = self.assertCreated(self.api.resume(
            done, points=[{'task': 'build', 'context': {'n': 1}}]))
        self.await_success(done)
        failed = self.start_as(self.api, 'it_chain', {'env': {'s': SECRET}})
        self.settled_as(self.api, failed, 'ERROR')
        build = self.api.tasks(failed)['build']
        done_build = self.api.tasks(done)['build']
        before = self.execution_rows(failed)

        figures = {'tried': 0, 'leaks': 0}
        http, url = self.api_b.http, self.api_b.api_url
        rerun = {'points': [{'task': 'build', 'context': {'n': 2}}]}
        requests_of_b = [
            ('GET resume_requirements', 'GET',
             '/executions/%s/resume_requirements' % failed, None),
            ('POST resumes', 'POST', '/executions/%s/resumes' % failed,
             rerun),
            ('POST resumes dry run', 'POST',
             '/executions/%s/resumes' % failed, dict(rerun, dry_run=True)),
            ('POST plain resume', 'POST',
             '/executions/%s/resumes' % failed, {}),
            ('POST continue', 'POST', '/executions/%s/resumes' % failed,
             {'points': [{'task': 'build', 'mode': 'continue',
                          'published': {'items': {}}}]}),
            ('GET resumes of a failed execution', 'GET',
             '/executions/%s/resumes' % failed, None),
            ('GET resumes of a resumed execution', 'GET',
             '/executions/%s/resumes' % done, None),
            ('GET a resume record', 'GET', '/resumes/%s' % record['id'],
             None),
            ('GET a task context', 'GET', '/tasks/%s/context' % build['id'],
             None),
            ('GET a resumed task context', 'GET',
             '/tasks/%s/context' % done_build['id'], None),
            # Mistral's own, for reference.
            ('GET the execution', 'GET', '/executions/%s' % failed, None),
        ]
        for what, method, path, body in requests_of_b:
            resp = http.request(method, url + path, json=body, timeout=60)
            self.cross(what, resp, figures)

        # python-mistralclient, with B's keystoneauth1 session.
        manager = resume_client.get_manager(self.mistral_client(
            self.keystone.user_b))
        for what, call in [
                ('client requirements', lambda: manager.requirements(failed)),
                ('client create', lambda: manager.create(
                    failed, points=[resume_client.point(
                        'build', context={'n': 2})])),
                ('client list', lambda: manager.list(done)),
                ('client get', lambda: manager.get(record['id'])),
                ('client task context',
                 lambda: manager.task_context(build['id']))]:
            figures['tried'] += 1
            try:
                call()
            except mistral_base.APIException as e:
                self.assertEqual(404, e.error_code, what)
                self.assertNotIn(SECRET, str(e), what)
            else:
                figures['leaks'] += 1
                self.fail('%s: answered for project B' % what)

        # The command line, with B's password (and A's, which works).
        for args in [('execution-resume-requirements', failed),
                     ('execution-resume', failed, '--rerun',
                      'build={"n": 2}'),
                     ('execution-resume-list', done),
                     ('execution-resume-show', record['id']),
                     ('task-context', build['id'])]:
            figures['tried'] += 1
            proc = self.cli(self.keystone.user_b, *args)
            if proc.returncode == 0 or SECRET in proc.stdout + proc.stderr:
                figures['leaks'] += 1
            self.assertNotEqual(0, proc.returncode, (args, proc.stdout))
            self.assertIn('not found', (proc.stderr + proc.stdout).lower(),
                          args)
            self.assertNotIn(SECRET, proc.stdout + proc.stderr)
        mine = self.cli(self.keystone.user_a, 'execution-resume-requirements',
                        failed, '-f', 'json')
        self.assertEqual(0, mine.returncode, mine.stderr)
        self.assertIn('"build"', mine.stdout)

        # Nothing changed; B's list has none of A's executions.
        self.assertEqual(before, self.execution_rows(failed))
        self.assertEqual(0, self.records_in_db(failed))
        listed = {e['id'] for e in self.api_b.get('/executions')[
            'executions']}
        self.assertEqual(set(), listed & {failed, done})
        self.assertEqual(0, figures['leaks'])
        self.report('other project', figures)
        self.addDetail('isolation', content.text_content(
            'tried=%(tried)d leaks=%(leaks)d' % figures))

    def test_admin_sees_every_project(self):
        ex_id = self.start_as(self.api, 'it_chain', {'env': {'s': SECRET}})
        self.settled_as(self.api, ex_id, 'ERROR')
        build = self.api.tasks(ex_id)['build']
        record = self.assertCreated(self.api.resume(
            ex_id, points=[{'task': 'build', 'context': {'n': 1}}]))
        self.await_success(ex_id)
        admin = self.api_admin
        self.assertEqual(ex_id, admin.get(
            '/executions/%s/resume_requirements' % ex_id)['execution_id'])
        self.assertEqual([record['id']], [
            r['id'] for r in admin.resumes(ex_id)])
        self.assertEqual(record['id'],
                         admin.get('/resumes/%s' % record['id'])['id'])
        self.assertEqual(SECRET, admin.get(
            '/tasks/%s/context' % build['id'])['env']['s'])
        self.assertEqual(self.keystone.project_a, record['project_id'])

    def test_policy_file_restricts_resumes_create_to_a_role(self):
        ex_id = self.start_as(self.api, 'it_chain')
        self.settled_as(self.api, ex_id, 'ERROR')
        before = self.execution_rows(ex_id)
        point = {'task': 'build', 'context': {'n': 1}}
        self.deployment.write_policy(OPERATOR_ONLY)
        try:
            # oslo.policy reads the file again when its mtime changes.
            for body in ({'points': [point]},
                         {'points': [point], 'dry_run': True}):
                resp = self.await_status(403, self.api, ex_id, body)
                self.assertTrue(resp.json()['faultstring'])
            self.assertEqual(before, self.execution_rows(ex_id))
            # Reading is not restricted; the operator of A may resume.
            self.assertTrue(self.api.requirements(ex_id)['resumable'])
            record = self.assertCreated(self.api_operator.resume(
                ex_id, points=[point]))
            self.assertEqual(self.keystone.project_a, record['project_id'])
        finally:
            self.deployment.write_policy({})
        self.await_success(ex_id)
        # The defaults again: A's member passes the policy (and learns that
        # there is nothing left to resume).
        self.await_status(409, self.api, ex_id,
                          {'points': [point], 'dry_run': True})

    def await_status(self, status, api, ex_id, body, timeout=30):
        """The answer once the API read the policy file (it checks mtime)."""
        deadline = time.monotonic() + timeout
        while True:
            resp = api.resume(ex_id, **body)
            if resp.status_code == status or time.monotonic() > deadline:
                self.assertEqual(status, resp.status_code, resp.text)
                return resp
            time.sleep(0.2)

    # Links set by a caller: refused by our POST /v2/executions (404, as
    # for anything else of another project); executions that carry them
    # anyway are ignored by the analysis (tests/api/test_isolation.py).

    def executions_of(self, api):
        return sorted(e['id'] for e in api.get('/executions')['executions'])

    def test_forged_root_execution_id_does_not_reveal_its_env(self):
        a_ex = self.start_as(self.api, 'it_chain', {'env': {'s': SECRET}})
        self.settled_as(self.api, a_ex, 'ERROR')
        before = self.executions_of(self.api_b)
        resp = self.api_b.post('/executions', {
            'workflow_name': 'it_chain', 'input': '{}',
            'params': json.dumps({'root_execution_id': a_ex,
                                  'env': {'mine': 'b'}})})
        figures = {'tried': 1, 'leaks': int(
            resp.status_code != 404 or SECRET in resp.text)}
        self.report('forged root_execution_id', figures)
        self.assertEqual(404, resp.status_code, resp.text)
        self.assertNotIn(SECRET, resp.text)
        self.assertEqual(before, self.executions_of(self.api_b))

    def test_forged_root_execution_id_is_no_graft(self):
        # A's execution runs a sub-workflow, so its tree is more than
        # itself; B's executions claim A's as their root, one of them A's
        # task as its parent too.
        a_ex = self.start_as(self.api, 'it_parent', {'env': {'s': SECRET}})
        self.settled_as(self.api, a_ex, 'ERROR')
        deploy = self.api.tasks(a_ex)['deploy']
        [child] = self.api.sub_executions(deploy['id'])
        a_failed = self.api.tasks(child['id'])['create_replicas']
        before = self.executions_of(self.api_b)
        answers = []
        for params in ({'root_execution_id': a_ex},
                       {'root_execution_id': a_ex,
                        'task_execution_id': deploy['id']}):
            body = {'workflow_name': 'it_chain', 'input': '{}',
                    'params': json.dumps(params)}
            answers.append(self.api_b.post('/executions', body))
        requirements = self.api.requirements(a_ex)
        self.report('forged root/parent (graft)', {
            'tried': len(answers),
            'leaks': sum(r.status_code != 404 or SECRET in r.text
                         for r in answers)})
        for resp in answers:
            self.assertEqual(404, resp.status_code, resp.text)
            self.assertNotIn(SECRET, resp.text)
        self.assertEqual(before, self.executions_of(self.api_b))
        self.assertEqual([a_failed['id']], [
            f['task_execution_id'] for f in requirements['failures']])
        self.assertCreated(self.api.resume(
            a_ex, points=[{'task': 'deploy.create_replicas',
                           'context': {'replicas': 2}}]))
        self.assertEqual({'announced': 2},
                         self.api.output(self.await_success(a_ex)))
