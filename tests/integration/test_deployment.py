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

"""Resumes on a real deployment: RabbitMQ, PostgreSQL, Keystone, 5 processes.

Authentication is on (keystonemiddleware against a real Keystone): every
test talks HTTP to the API process with a token of project A's member (the
tests of tests/integration/isolation.py with other users' tokens too); the
resume is applied by one of the two engine processes, the actions run in
the executor process. The tests share one deployment, set up once for the
class (it takes tens of seconds), and are all in this one class so that
one stestr worker owns it.
Each test starts its own executions, so they do not depend on each other's
order; the restart and fault tests leave the deployment running as they
found it (the fault test restarts both engines with a test-only delay, and
again without it).
"""

import collections
import concurrent.futures
import contextlib
import json
import os
import threading
import time
import uuid

import requests
from testtools import content

from tests.integration import deployment
from tests.integration import isolation

RUN_TIMEOUT = deployment.RUN_TIMEOUT

# Workflows of std actions only. std.test_dict fails when its size is not
# an integer: the input "bad" makes a task fail, a number fixes it.
WORKFLOWS = """
version: '2.0'

it_chain:
  input:
    - n: bad
  output:
    report: <% $.report %>
  tasks:
    prepare:
      action: std.echo
      input:
        output: ready
      publish:
        state: <% task().result %>
      on-success:
        - build
    build:
      action: std.test_dict
      input:
        size: <% $.n %>
        key_prefix: item-
        val: <% $.state %>
      publish:
        items: <% task().result %>
      on-success:
        - report
    report:
      action: std.echo
      input:
        output: <% $.items.keys().orderBy($) %>
      publish:
        report: <% task().result %>

it_branches:
  input:
    - a: 1
    - b: bad
  output:
    merged: <% $.merged %>
  tasks:
    start:
      action: std.noop
      on-success:
        - branch_a
        - branch_b
        - branch_c
    branch_a:
      action: std.test_dict
      input:
        size: <% $.a %>
        key_prefix: a-
      publish:
        a_items: <% task().result %>
      on-success:
        - merge
    branch_b:
      action: std.test_dict
      input:
        size: <% $.b %>
        key_prefix: b-
      publish:
        b_items: <% task().result %>
      on-success:
        - merge
    branch_c:
      action: std.fail
      publish:
        c_items: <% task().result %>
      on-success:
        - merge
    merge:
      join: all
      action: std.echo
      input:
        output: <% $.a_items.keys() + $.b_items.keys() + $.c_items.keys() %>
      publish:
        merged: <% task().result %>

it_pause:
  input:
    - n: bad
  output:
    settings: <% $.get('settings') %>
    finished: <% $.get('finished') %>
  tasks:
    configure:
      action: std.test_dict
      input:
        size: <% $.n %>
        key_prefix: setting-
        val: on
      publish:
        settings: <% task().result %>
      on-error:
        - pause
      on-success:
        - finish
    finish:
      action: std.echo
      input:
        output: <% $.settings.len() %>
      publish:
        finished: <% task().result %>

it_parent:
  input:
    - replicas: bad
  output:
    announced: <% $.announced %>
  tasks:
    deploy:
      workflow: it_child
      input:
        replicas: <% $.replicas %>
      publish:
        deployed: <% task().result.created %>
      on-success:
        - announce
    announce:
      action: std.echo
      input:
        output: <% $.deployed.len() %>
      publish:
        announced: <% task().result %>

it_child:
  input:
    - replicas
  output:
    created: <% $.created %>
  tasks:
    allocate:
      action: std.echo
      input:
        output: pool
      publish:
        pool: <% task().result %>
      on-success:
        - create_replicas
    create_replicas:
      action: std.test_dict
      input:
        size: <% $.replicas %>
        key_prefix: <% $.pool %>-
        val: running
      publish:
        created: <% task().result %>
"""

CONCURRENT_REQUESTS = 50
# Connection resets a request is sent again after (see send()).
RESET_RETRIES = 5
# Where the concurrency figures are appended, if set (they are also a
# detail of the test).
FIGURES_FILE = os.environ.get('MISTRAL_RESUME_IT_FIGURES')

# Seconds the engines hold each applied point of a resume in the fault test
# ([resume] test_apply_delay), and the longest wait for that window.
APPLY_DELAY = 3
WINDOW_TIMEOUT = 30
ENGINES = ('engine-1', 'engine-2')

# What a concurrent resume may be refused with, given what the state is
# when it gets the execution's lock: RUNNING or SUCCESS by then, or the
# failed task already re-run.
CONCURRENT_REFUSALS = {'EXECUTION_NOT_RESUMABLE', 'EXECUTION_CHANGED',
                       'UNRESOLVED_FAILURE', 'NOT_FAILED',
                       'ALREADY_SUCCEEDED', 'RESUME_POINT_REQUIRED'}


class MultiProcessDeploymentTest(isolation.ProjectIsolationTests,
                                 deployment.DeploymentTestCase):

    WORKFLOWS = WORKFLOWS
    KEYSTONE = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            url = cls.deployment.url
            cls.api_b = deployment.Api(url, cls.keystone.user_b)
            cls.api_admin = deployment.Api(url, cls.keystone.admin)
            cls.api_operator = deployment.Api(url, cls.keystone.operator_a)
            # Workflows are private to a project: B gets the same ones.
            cls.api_b.create_workflows(WORKFLOWS)
        except BaseException:
            cls._tear_down()
            raise

    # Helpers.

    def states(self, execution_id):
        return {name: t['state']
                for name, t in self.api.tasks(execution_id).items()}

    def actions(self, task):
        """The states of a task execution's action executions, sorted.

        (Not in creation order: the API gives created_at to the second.)
        """
        return sorted(a['state']
                      for a in self.api.action_executions(task['id']))

    def assertCreated(self, resp):
        self.assertEqual(201, resp.status_code, resp.text)
        return resp.json()

    def assertUnmet(self, resp, codes):
        self.assertEqual(409, resp.status_code, resp.text)
        body = resp.json()
        self.assertEqual(sorted(codes),
                         sorted(r['code'] for r in body['requirements']))
        self.assertTrue(body['faultstring'])
        return body

    def records_in_db(self, execution_id):
        return self.count_rows(
            'SELECT count(*) FROM mistral_resume_records '
            'WHERE execution_id = %s', execution_id)

    # Resume modes.

    def test_rerun_with_context(self):
        ex_id = self.start_failed('it_chain')
        self.assertEqual({'prepare': 'SUCCESS', 'build': 'ERROR'},
                         self.states(ex_id))
        build = self.api.tasks(ex_id)['build']

        requirements = self.api.requirements(ex_id)
        self.assertTrue(requirements['resumable'])
        self.assertEqual(['build'],
                         [f['task'] for f in requirements['failures']])
        self.assertEqual(['UNRESOLVED_FAILURE'],
                         [r['code'] for r in requirements['requirements']])
        context = self.api.get('/tasks/%s/context' % build['id'])
        self.assertEqual('ready', context['in_context']['state'])
        self.assertEqual('bad', context['workflow_input']['n'])

        # "state" is published by the upstream task: the changed value
        # must survive the re-run on whichever engine runs and completes it.
        point = {'task': 'build', 'context': {'n': 2, 'state': 'fixed'}}
        plan = self.api.resume(ex_id, points=[point], dry_run=True)
        self.assertEqual(200, plan.status_code, plan.text)
        self.assertEqual((True, None, []),
                         (plan.json()['dry_run'], plan.json()['id'],
                          plan.json()['requirements']))
        self.assertEqual('ERROR', self.api.get('/executions/%s'
                                               % ex_id)['state'])
        self.assertEqual(0, self.records_in_db(ex_id))

        record = self.assertCreated(self.api.resume(
            ex_id, points=[point], reason='n fixed'))
        self.assertEqual('ERROR', record['execution_state_before'])
        self.assertEqual('n fixed', record['reason'])
        self.assertEqual(
            [('build', build['id'], 'rerun', {'n': 2, 'state': 'fixed'})],
            [(p['task'], p['task_execution_id'], p['mode'], p['context'])
             for p in record['points']])

        execution = self.await_success(ex_id)
        self.assertEqual({'report': ['item-0', 'item-1']},
                         self.api.output(execution))
        tasks = self.api.tasks(ex_id)
        self.assertEqual({'prepare': 'SUCCESS', 'build': 'SUCCESS',
                          'report': 'SUCCESS'}, self.states(ex_id))
        self.assertEqual(build['id'], tasks['build']['id'])
        self.assertEqual({'items': {'item-0': 'fixed', 'item-1': 'fixed'}},
                         json.loads(tasks['build']['published']))
        self.assertEqual(['ERROR', 'SUCCESS'], self.actions(tasks['build']))
        self.assertEqual([record['id']],
                         [r['id'] for r in self.api.resumes(ex_id)])
        self.assertEqual(record, self.api.get('/resumes/%s' % record['id']))
        self.assertEqual(1, self.records_in_db(ex_id))

    def test_continue_with_published(self):
        ex_id = self.start_failed('it_chain')
        build = self.api.tasks(ex_id)['build']

        # Without the variable that "report" needs: refused, nothing done.
        body = self.assertUnmet(self.api.resume(
            ex_id, points=[{'task': 'build', 'mode': 'continue',
                            'published': {}}]), ['MISSING_PUBLISHED'])
        self.assertEqual(['items'], body['requirements'][0]['variables'])
        self.assertEqual('ERROR', self.api.get('/executions/%s'
                                               % ex_id)['state'])
        self.assertEqual([], self.api.resumes(ex_id))

        record = self.assertCreated(self.api.resume(
            ex_id, points=[{'task': 'build', 'mode': 'continue',
                            'published': {'items': {'x': 1, 'y': 2}}}],
            reason='built by hand'))
        self.assertEqual(['continue'], [p['mode'] for p in record['points']])

        execution = self.await_success(ex_id)
        self.assertEqual({'report': ['x', 'y']}, self.api.output(execution))
        tasks = self.api.tasks(ex_id)
        self.assertEqual('SUCCESS', tasks['build']['state'])
        self.assertIn('Completed by resume %s' % record['id'],
                      tasks['build']['state_info'])
        self.assertIn('built by hand', tasks['build']['state_info'])
        self.assertEqual({'items': {'x': 1, 'y': 2}},
                         json.loads(tasks['build']['published']))
        # Completed, not run again.
        self.assertEqual(['ERROR'], self.actions(build))
        self.assertEqual(1, self.records_in_db(ex_id))

    def test_two_failed_branches_rerun_one_continue_the_other(self):
        ex_id = self.start_failed('it_branches')
        states = self.states(ex_id)
        self.assertEqual(('SUCCESS', 'ERROR', 'ERROR'),
                         (states['branch_a'], states['branch_b'],
                          states['branch_c']))
        requirements = self.api.requirements(ex_id)
        self.assertEqual(['branch_b', 'branch_c'],
                         sorted(f['task'] for f in requirements['failures']))
        self.assertEqual(
            [('UNRESOLVED_FAILURE', 'branch_b'),
             ('UNRESOLVED_FAILURE', 'branch_c')],
            sorted((r['code'], r['task'])
                   for r in requirements['requirements']))

        # Naming one branch only: the other is reported, nothing is done.
        body = self.assertUnmet(self.api.resume(
            ex_id, points=[{'task': 'branch_b', 'context': {'b': 2}}]),
            ['UNRESOLVED_FAILURE'])
        self.assertEqual('branch_c', body['requirements'][0]['task'])
        self.assertEqual('ERROR', self.api.get('/executions/%s'
                                               % ex_id)['state'])
        self.assertEqual([], self.api.resumes(ex_id))

        self.assertCreated(self.api.resume(ex_id, points=[
            {'task': 'branch_b', 'context': {'b': 2}},
            {'task': 'branch_c', 'mode': 'continue',
             'published': {'c_items': {'c-manual': True}}},
        ]))

        execution = self.await_success(ex_id)
        self.assertEqual(['a-0', 'b-0', 'b-1', 'c-manual'],
                         sorted(self.api.output(execution)['merged']))
        tasks = self.api.tasks(ex_id)
        self.assertEqual('SUCCESS', tasks['merge']['state'])
        self.assertEqual(['ERROR', 'SUCCESS'], self.actions(tasks['branch_b']))
        self.assertEqual(['ERROR'], self.actions(tasks['branch_c']))
        self.assertEqual(1, len(self.actions(tasks['merge'])))
        self.assertEqual(1, self.records_in_db(ex_id))

    def test_on_error_pause_rerun(self):
        ex_id = self.start_failed('it_pause', state='PAUSED')
        self.assertEqual({'configure': 'ERROR'}, self.states(ex_id))
        self.assertEqual(['configure'], [
            f['task'] for f in self.api.requirements(ex_id)['failures']])

        record = self.assertCreated(self.api.resume(
            ex_id, points=[{'task': 'configure', 'context': {'n': 3}}]))
        self.assertEqual('PAUSED', record['execution_state_before'])

        execution = self.await_success(ex_id)
        self.assertEqual({'configure': 'SUCCESS', 'finish': 'SUCCESS'},
                         self.states(ex_id))
        output = self.api.output(execution)
        self.assertEqual(3, output['finished'])
        self.assertEqual(['setting-0', 'setting-1', 'setting-2'],
                         sorted(output['settings']))

    def test_sub_workflow_failure_by_dotted_path(self):
        ex_id = self.start_failed('it_parent')
        deploy = self.api.tasks(ex_id)['deploy']
        self.assertEqual('ERROR', deploy['state'])
        [child] = self.api.sub_executions(deploy['id'])
        self.assertEqual('ERROR', child['state'])
        failed = self.api.tasks(child['id'])['create_replicas']
        self.assertEqual('ERROR', failed['state'])
        self.assertIn('deploy.create_replicas', [
            f['path'] for f in self.api.requirements(ex_id)['failures']])

        record = self.assertCreated(self.api.resume(
            ex_id, points=[{'task': 'deploy.create_replicas',
                            'context': {'replicas': 2}}]))
        self.assertEqual([failed['id']],
                         [p['task_execution_id'] for p in record['points']])

        execution = self.await_success(ex_id)
        self.assertEqual({'announced': 2}, self.api.output(execution))
        self.assertEqual('SUCCESS', self.api.get('/executions/%s'
                                                 % child['id'])['state'])
        self.assertEqual(
            ['ERROR', 'SUCCESS'],
            self.actions(self.api.tasks(child['id'])['create_replicas']))
        self.assertEqual([record['id']],
                         [r['id'] for r in self.api.resumes(ex_id)])

    def test_refusals_keep_their_status_across_the_broker(self):
        # Checked in the engine process, answered by the API process.
        ex_id = self.start_failed('it_chain')
        resp = self.api.resume(ex_id, points=[{'task': 'build',
                                               'reset': False}])
        self.assertEqual(400, resp.status_code, resp.text)
        self.assertIn('with-items', resp.json()['faultstring'])
        self.assertUnmet(self.api.resume(ex_id, points=[{'task': 'nope'}]),
                         ['UNKNOWN_TASK', 'UNRESOLVED_FAILURE'])
        self.assertUnmet(self.api.resume(ex_id, points=[{'task': 'prepare'}]),
                         ['ALREADY_SUCCEEDED', 'UNRESOLVED_FAILURE'])
        self.assertEqual(0, self.records_in_db(ex_id))

        done = self.api.start_execution('it_chain', {'n': 1})
        self.await_success(done)
        self.assertFalse(self.api.requirements(done)['resumable'])
        self.assertUnmet(self.api.resume(done), ['EXECUTION_NOT_RESUMABLE'])

        unknown = str(uuid.uuid4())
        for resp in (self.api.resume(unknown),
                     self.api.http.get(self.api.api_url + '/resumes/' +
                                       unknown, timeout=10)):
            self.assertEqual(404, resp.status_code, resp.text)

    # Concurrency: many engines, many API threads, one execution.

    def _engine_calls(self):
        """create_resume calls each engine process has logged so far."""
        counts = {}
        for service in self.deployment.services:
            if service.kind == 'engine':
                with open(service.log_file) as f:
                    counts[service.name] = f.read().count(
                        "Received RPC request 'create_resume'")
        return counts

    def test_concurrent_resumes_apply_once(self):
        ex_id = self.start_failed('it_chain')
        build = self.api.tasks(ex_id)['build']
        self.assertEqual(['ERROR'], self.actions(build))
        calls_before = self._engine_calls()

        same_request_id = 'same-%s' % uuid.uuid4()
        bodies = []
        for i in range(CONCURRENT_REQUESTS):
            body = {'points': [{'task': 'build', 'context': {'n': 2}}],
                    'reason': 'request %d' % i}
            if i % 2 == 0:
                body['request_id'] = same_request_id
            bodies.append(body)

        barrier = threading.Barrier(CONCURRENT_REQUESTS)
        resets = collections.Counter()

        def send(body):
            barrier.wait(30)  # all at once
            for attempt in range(RESET_RETRIES + 1):
                try:
                    return self.api.resume(ex_id, **body)
                except requests.ConnectionError as e:
                    # Mistral's API server (cheroot) listens with a backlog
                    # of 5: under this burst some connections are reset
                    # before the server reads a request (a bare cheroot
                    # server does the same; a backlog of 128 does not).
                    # A client sends the request again, as here.
                    resets[type(e).__name__] += 1
                    last = e
                    time.sleep(0.1 * (attempt + 1))
            return last

        with concurrent.futures.ThreadPoolExecutor(
                CONCURRENT_REQUESTS) as pool:
            responses = list(pool.map(send, bodies))

        failed = [(b, r) for b, r in zip(bodies, responses)
                  if isinstance(r, Exception)]
        self.assertEqual([], failed, 'requests without an HTTP answer '
                         'after %d retries' % RESET_RETRIES)
        by_status = collections.defaultdict(list)
        for body, resp in zip(bodies, responses):
            by_status[resp.status_code].append((body, resp.json()))
        self.assertEqual({200, 201, 409} | set(by_status), {200, 201, 409},
                         {s: [r for _, r in v] for s, v in by_status.items()})

        # Exactly one applied ...
        self.assertEqual(1, len(by_status[201]), by_status[201])
        [(applied_body, record)] = by_status[201]
        # ... the same request again answers its record ...
        for body, same in by_status[200]:
            self.assertEqual(same_request_id, body.get('request_id'))
            self.assertEqual(same_request_id, record['request_id'])
            self.assertEqual(record, same)
        # ... and the others are refused with what is in the way.
        codes = collections.Counter()
        for body, refused in by_status[409]:
            self.assertTrue(refused['faultstring'])
            self.assertTrue(refused['requirements'], refused)
            for requirement in refused['requirements']:
                self.assertIn(requirement['code'], CONCURRENT_REFUSALS)
                self.assertTrue(requirement['message'])
                codes[requirement['code']] += 1
        if record['request_id'] == same_request_id:
            # Every other request of that id answered 200.
            self.assertEqual(CONCURRENT_REQUESTS // 2 - 1,
                             len(by_status[200]))

        execution = self.await_success(ex_id)
        self.assertEqual({'report': ['item-0', 'item-1']},
                         self.api.output(execution))
        # Nothing duplicated: one record, one new action execution, every
        # task once.
        self.assertEqual([record['id']],
                         [r['id'] for r in self.api.resumes(ex_id)])
        self.assertEqual(1, self.records_in_db(ex_id))
        self.assertEqual(['ERROR', 'SUCCESS'], self.actions(build))
        self.assertEqual(2, self.count_rows(
            'SELECT count(*) FROM action_executions_v2 '
            'WHERE task_execution_id = %s', build['id']))
        self.assertEqual(
            [('build', 1), ('prepare', 1), ('report', 1)],
            sorted(collections.Counter(
                t['name'] for t in self.api.get(
                    '/executions/%s/tasks' % ex_id)['tasks']).items()))

        # Both engines took resume calls off the topic (one per request
        # the API read).
        calls_after = self._engine_calls()
        served = {name: calls_after[name] - calls_before[name]
                  for name in calls_after}
        self.assertEqual(CONCURRENT_REQUESTS, sum(served.values()), served)
        self.assertTrue(all(served.values()), served)

        figures = ('sent=%d (+%d resent after a connection reset) '
                   'applied=%d same-record=%d rejected=%d codes=%s '
                   'engine-calls=%s' % (
                       CONCURRENT_REQUESTS, sum(resets.values()),
                       len(by_status[201]), len(by_status[200]),
                       len(by_status[409]), dict(codes), served))
        self.addDetail('concurrency', content.text_content(figures))
        if FIGURES_FILE:
            with open(FIGURES_FILE, 'a') as f:
                f.write(figures + '\n')

    # Fault: an engine dies half-way through applying a resume.

    def execution_rows(self, execution_id):
        """What the database holds of an execution and its resumes."""
        with contextlib.closing(self.tenant.connect()) as conn:
            with conn.cursor() as cur:
                cur.execute(
                    'SELECT id, state, state_info, updated_at, '
                    'context::text FROM workflow_executions_v2 '
                    'WHERE id = %s', (execution_id,))
                workflow = cur.fetchall()
                cur.execute(
                    'SELECT id, name, state, state_info, processed, '
                    'updated_at, in_context::text, published::text, '
                    'runtime_context::text FROM task_executions_v2 '
                    'WHERE workflow_execution_id = %s ORDER BY id',
                    (execution_id,))
                tasks = cur.fetchall()
                cur.execute(
                    'SELECT a.id, a.state, a.updated_at '
                    'FROM action_executions_v2 a JOIN task_executions_v2 t '
                    'ON a.task_execution_id = t.id '
                    'WHERE t.workflow_execution_id = %s ORDER BY a.id',
                    (execution_id,))
                actions = cur.fetchall()
        return {'workflow': workflow, 'tasks': tasks, 'actions': actions,
                'records': self.records_in_db(execution_id)}

    def await_apply_window(self, execution_id):
        """The engine holding the resume after its first point, by name."""
        line = ('resume of execution %s holds after point 1 of'
                % execution_id)
        deadline = time.monotonic() + WINDOW_TIMEOUT
        while time.monotonic() < deadline:
            for name in ENGINES:
                with open(self.deployment.service(name).log_file) as f:
                    if line in f.read():
                        return name
            time.sleep(0.05)
        self.fail('No engine reached the apply window in %s s'
                  % WINDOW_TIMEOUT)

    def test_engine_killed_while_applying(self):
        ex_id = self.start_failed('it_branches')
        before = self.execution_rows(ex_id)
        body = {'points': [
            {'task': 'branch_b', 'context': {'b': 2}},
            {'task': 'branch_c', 'mode': 'continue',
             'published': {'c_items': {'c-manual': True}}},
        ], 'request_id': 'fault-%s' % uuid.uuid4()}

        self.deployment.restart(ENGINES, [
            '[resume]', 'test_apply_delay = %s' % APPLY_DELAY])
        try:
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                first = pool.submit(self.api.resume, ex_id, **body)
                victim = self.await_apply_window(ex_id)
                killed_at = time.monotonic()
                self.deployment.service(victim).kill()

                # Its first point was flushed, not committed: all gone.
                self.assertEqual(before, self.execution_rows(ex_id))
                # The same request again: the other engine applies it.
                record = self.assertCreated(self.api.resume(ex_id, **body))
                retried_in = time.monotonic() - killed_at
                answer = first.result()
        finally:
            self.deployment.restart(ENGINES)

        # The first caller learns that the outcome is unknown to the API,
        # and what to do.
        self.assertEqual(504, answer.status_code, answer.text)
        self.assertIn('same request_id', answer.json()['faultstring'])
        self.assertEqual(body['request_id'], record['request_id'])
        self.assertEqual(['branch_b', 'branch_c'],
                         [p['task'] for p in record['points']])

        execution = self.await_success(ex_id)
        self.assertEqual(['a-0', 'b-0', 'b-1', 'c-manual'],
                         sorted(self.api.output(execution)['merged']))
        tasks = self.api.tasks(ex_id)
        # Applied once: one new action for the re-run branch, none for the
        # continued one, one record.
        self.assertEqual(['ERROR', 'SUCCESS'], self.actions(tasks['branch_b']))
        self.assertEqual(['ERROR'], self.actions(tasks['branch_c']))
        self.assertEqual(1, len(self.actions(tasks['merge'])))
        self.assertEqual([record['id']],
                         [r['id'] for r in self.api.resumes(ex_id)])
        self.assertEqual(1, self.records_in_db(ex_id))

        survivor = next(n for n in ENGINES if n != victim)
        figures = ('killed=%s (SIGKILL after point 1 of 2) '
                   'committed-before-retry=none retried-on=%s '
                   'retry-answered=201 in %.1f s first-caller=%d '
                   'records=1 final=SUCCESS'
                   % (victim, survivor, retried_in, answer.status_code))
        self.addDetail('fault', content.text_content(figures))
        if FIGURES_FILE:
            with open(FIGURES_FILE, 'a') as f:
                f.write(figures + '\n')

    def test_change_inside_the_apply_window_is_execution_changed(self):
        # Point 1 re-runs branch_b; while the engine holds after it (its
        # transaction open, the execution locked), another writer commits
        # a state change of branch_c, the task of point 2, as another
        # engine's compare-and-swap would (Mistral's engine does not lock
        # the execution to change a task's state). The continue point's
        # compare-and-swap then finds branch_c changed: the whole resume
        # is refused with EXECUTION_CHANGED and point 1 is rolled back.
        ex_id = self.start_failed('it_branches')
        branch_c = self.api.tasks(ex_id)['branch_c']
        before = self.execution_rows(ex_id)
        body = {'points': [
            {'task': 'branch_b', 'context': {'b': 2}},
            {'task': 'branch_c', 'mode': 'continue',
             'published': {'c_items': {'c-manual': True}}},
        ]}

        def set_branch_c(old, new):
            with contextlib.closing(self.tenant.connect()) as conn:
                with conn.cursor() as cur:
                    cur.execute('UPDATE task_executions_v2 SET state = %s '
                                'WHERE id = %s AND state = %s',
                                (new, branch_c['id'], old))
                    self.assertEqual(1, cur.rowcount)

        self.deployment.restart(ENGINES, [
            '[resume]', 'test_apply_delay = %s' % APPLY_DELAY])
        try:
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                first = pool.submit(self.api.resume, ex_id, **body)
                self.await_apply_window(ex_id)
                set_branch_c('ERROR', 'RUNNING')
                answer = first.result()
            body_409 = self.assertUnmet(answer, ['EXECUTION_CHANGED'])
            self.assertIn(branch_c['id'],
                          body_409['requirements'][0]['message'])
            # Nothing of point 1 remains; only the other writer's change.
            set_branch_c('RUNNING', 'ERROR')
            self.assertEqual(before, self.execution_rows(ex_id))
        finally:
            self.deployment.restart(ENGINES)

        # Retried once the execution is as it was: applied.
        self.assertCreated(self.api.resume(ex_id, **body))
        execution = self.await_success(ex_id)
        self.assertEqual(['a-0', 'b-0', 'b-1', 'c-manual'],
                         sorted(self.api.output(execution)['merged']))

    # Restart: nothing of a resume lives in a process.

    def test_resume_after_restarting_every_service(self):
        ex_id = self.start_failed('it_chain')
        build = self.api.tasks(ex_id)['build']

        self.deployment.stop()
        self.deployment.start()

        self.assertEqual('ERROR', self.api.get('/executions/%s'
                                               % ex_id)['state'])
        self.assertEqual(['build'], [
            f['task'] for f in self.api.requirements(ex_id)['failures']])
        self.assertCreated(self.api.resume(
            ex_id, points=[{'task': 'build', 'context': {'n': 1}}]))
        execution = self.await_success(ex_id)
        self.assertEqual({'report': ['item-0']}, self.api.output(execution))
        self.assertEqual(['ERROR', 'SUCCESS'], self.actions(build))
