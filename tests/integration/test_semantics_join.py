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

"""A join after a late sibling, resumed on a real deployment (issue 11, 1).

Two engines, an executor and an API over RabbitMQ and PostgreSQL. The
branches are held by std.async_noop actions, completed by the test through
Mistral's own ``PUT /v2/action_executions/{id}``: c fails (on its input)
first, and a completes while the execution is in ERROR. The resume, applied
by whichever engine takes it, follows a's transitions once: the join runs
with both branches' variables.
"""

import concurrent.futures
import time

import requests

from tests.integration import deployment
from tests import workflows

RUN_TIMEOUT = 60
POLL = 0.2


class JoinLateDeploymentTest(deployment.DeploymentTestCase):

    WORKFLOWS = workflows.JOIN_LATE

    # Helpers.

    def await_(self, predicate, what):
        deadline = time.monotonic() + RUN_TIMEOUT
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail('Still not %s after %s s.' % (what, RUN_TIMEOUT))
            time.sleep(POLL)

    def complete_action(self, execution_id, name, output):
        """Complete the async action holding a task, as an operator can."""
        def running_action():
            task = self.api.tasks(execution_id).get(name)
            if task is None:
                return None
            return [a for a in self.api.action_executions(task['id'])
                    if a['state'] == 'RUNNING']

        action, = self.await_(running_action, '%s running' % name)
        resp = requests.put(
            self.api.api_url + '/action_executions/%s' % action['id'],
            json={'state': 'SUCCESS', 'output': output}, timeout=30)
        self.assertEqual(200, resp.status_code, resp.text)
        self.await_(lambda: self.api.tasks(execution_id)[name]['state']
                    != 'RUNNING', '%s completed' % name)

    def failed_then_a(self):
        execution_id = self.api.start_execution('join_late')
        self.complete_action(execution_id, 'gate_c', {'gate': 'open'})
        execution = self.api.await_settled(execution_id, RUN_TIMEOUT)
        self.assertEqual('ERROR', execution['state'], execution)
        self.complete_action(execution_id, 'a', {'v': 'A'})
        tasks = self.api.tasks(execution_id)
        self.assertEqual('SUCCESS', tasks['a']['state'])
        self.assertEqual('ERROR', tasks['c']['state'])
        self.assertNotIn('done', tasks)
        self.assertEqual('ERROR', self.api.get(
            '/executions/%s' % execution_id)['state'])
        return execution_id, tasks

    def assertJoinedOnce(self, execution_id, cv):
        execution = self.api.await_settled(execution_id, RUN_TIMEOUT)
        self.assertEqual('SUCCESS', execution['state'],
                         execution['state_info'])
        listed = self.api.get('/executions/%s/tasks'
                              % execution_id)['tasks']
        self.assertEqual(['SUCCESS'] * len(listed),
                         [t['state'] for t in listed], listed)
        done = [t for t in listed if t['name'] == 'done']
        self.assertEqual(1, len(done), listed)
        self.assertEqual(1, len(self.api.action_executions(done[0]['id'])))
        self.assertEqual({'out': [{'v': 'A'}, cv]},
                         deployment.json.loads(done[0]['published']))

    # Tests.

    def test_rerun_runs_the_join_once(self):
        execution_id, tasks = self.failed_then_a()

        view = self.api.requirements(execution_id)
        held = [w for w in view['warnings'] if tasks['a']['id'] in w]
        self.assertEqual(1, len(held), view['warnings'])
        self.assertIn('done', held[0])

        resp = self.api.resume(execution_id, points=[
            {'task': 'c', 'context': {'zero': 1}}])
        self.assertEqual(201, resp.status_code, resp.text)
        self.assertEqual(held, [w for w in resp.json()['warnings']
                                if tasks['a']['id'] in w])
        self.assertJoinedOnce(execution_id, 1)

    def test_continue_runs_the_join_once(self):
        execution_id, _tasks = self.failed_then_a()
        resp = self.api.resume(execution_id, points=[
            {'task': 'c', 'mode': 'continue', 'published': {'cv': 7}}])
        self.assertEqual(201, resp.status_code, resp.text)
        self.assertJoinedOnce(execution_id, 7)

    def test_concurrent_resumes_follow_it_once(self):
        # Both engines serve the resume topic: two requests at once are
        # applied by whichever engines take them, one after the other under
        # the execution's lock. One goes ahead; the other finds the
        # execution RUNNING (or already resumed) and changes nothing.
        execution_id, _tasks = self.failed_then_a()
        body = {'points': [{'task': 'c', 'context': {'zero': 1}}]}
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(
                lambda _: self.api.resume(execution_id, **body), range(2)))
        statuses = sorted(a.status_code for a in answers)
        self.assertEqual([201, 409], statuses,
                         [a.text for a in answers])
        self.assertJoinedOnce(execution_id, 1)
        self.assertEqual(1, len(self.api.resumes(execution_id)))
