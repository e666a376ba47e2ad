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

"""Resumes applied to real executions in the in-process engine.

Each test drives a workflow into PAUSED or ERROR, resumes it and checks what
the engine did afterwards: final states, what tasks published and the
inbound context the next tasks saw.
"""

from unittest import mock

from mistral.db.v2 import api as db_api
from mistral.engine import workflow_handler
from mistral.services import workflows as wf_service
from mistral.workflow import states

from mistral_resume.db import api as records_api
from mistral_resume import patches
from tests import base
from tests import workflows


# t2 reads a variable that an upstream task published: Mistral rebuilds
# t2's in_context from t1 when the task re-runs.
UPSTREAM = """
version: '2.0'
upstream:
  tasks:
    t1:
      action: std.noop
      publish:
        x: bad
      on-success: t2
    t2:
      action: test.check value=<% $.x %>
      publish:
        y: <% task().result %>
      on-success: t3
    t3:
      action: std.echo output=<% $.x %>
      publish:
        out: <% task().result %>
"""

BRANCHES = """
version: '2.0'
branches:
  input:
    - x: null
  tasks:
    start:
      action: std.noop
      on-success:
        - t2
        - p
    p:
      action: std.noop
      publish:
        pv: 1
      on-success: j
    t2:
      action: test.check value=<% $.x %>
      publish:
        go: <% task().result = 'go' %>
        label: <% task().result %>
      on-success:
        - t3: <% $.go %>
        - t4: <% not $.go %>
    t3:
      action: std.echo output=<% $.label %>
      publish:
        t3out: <% task().result %>
      on-success: j
    t4:
      action: std.noop
    j:
      join: all
      action: std.echo output=<% [$.pv, $.t3out] %>
      publish:
        jout: <% task().result %>
"""


ON_ERROR_PAUSE = """
version: '2.0'
pausing:
  input:
    - x: null
  tasks:
    t1:
      action: test.check value=<% $.x %>
      publish:
        y: <% task().result %>
      on-success: t2
      on-error:
        - pause
    t2:
      action: std.echo output=<% $.y %>
      publish:
        out: <% task().result %>
"""

SLEEPY = """
version: '2.0'
sleepy:
  tasks:
    s:
      action: std.sleep seconds=1
      publish:
        slept: true
      on-success: t2
    t2:
      action: std.echo output=<% $.slept %>
      publish:
        out: <% task().result %>
"""

# f pauses the workflow while s still sleeps; s completes during the pause.
PAUSE_ONE_BRANCH = """
version: '2.0'
pause_one_branch:
  input:
    - x: null
  tasks:
    start:
      action: std.noop
      on-success:
        - s
        - f
    s:
      action: std.sleep seconds=1
      publish:
        slept: true
      on-success: s2
    s2:
      action: std.echo output=<% $.slept %>
      publish:
        s2out: <% task().result %>
    f:
      action: test.check value=<% $.x %>
      publish:
        y: <% task().result %>
      on-success: f2
      on-error:
        - pause
    f2:
      action: std.echo output=<% $.y %>
      publish:
        f2out: <% task().result %>
"""

# A failed branch next to a running sub-workflow, then a manual pause.
PAUSED_SUB_WORKFLOW = """
version: '2.0'
with_sleeper:
  input:
    - x: null
  tasks:
    start:
      action: std.noop
      on-success:
        - sub
        - f
    sub:
      workflow: sleeper
      on-success: after_sub
    after_sub:
      action: std.noop
    f:
      action: test.check value=<% $.x %>

sleeper:
  tasks:
    s:
      action: std.sleep seconds=1
      on-success: s2
    s2:
      action: std.noop
"""

WITH_ITEMS = """
version: '2.0'
items:
  input:
    - vals: []
  tasks:
    t1:
      with-items: v in <% $.vals %>
      action: test.check value=<% $.v %>
      publish:
        r: <% task().result %>
      on-success: t2
    t2:
      action: std.echo output=<% $.r %>
      publish:
        out: <% task().result %>
"""

WITH_ITEMS_CONCURRENCY = """
version: '2.0'
items_concurrency:
  input:
    - vals: []
  tasks:
    t1:
      with-items: v in <% $.vals %>
      concurrency: 2
      action: test.check value=<% $.v %>
      publish:
        r: <% task().result %>
"""

REVERSE = """
version: '2.0'
rev:
  type: reverse
  input:
    - x: null
  tasks:
    r1:
      action: std.noop
      publish:
        a: 1
    r2:
      action: test.check value=<% $.x %>
      publish:
        y: <% task().result %>
      requires: [r1]
    final:
      action: std.echo output=<% $.y %>
      publish:
        out: <% task().result %>
      requires: [r2]
"""

ENV_CHECK = """
version: '2.0'
env_check:
  tasks:
    t1:
      action: test.check value=<% env().k %>
      publish:
        y: <% task().result %>
"""


def _dunder(context):
    return {k: v for k, v in context.items() if k.startswith('__')}


class ApplyTestCase(base.EngineTestCase):

    def created(self, wf_id, **body):
        out = self.resume(wf_id, **body)
        self.assertEqual('created', out['status'], out)
        return out['record']

    def count_records(self, wf_id=None):
        with db_api.transaction():
            return records_api.count_records(wf_id)

    def engine_idle(self):
        """Whether the engine has no work left that could change anything.

        Mistral records the work it decides on in the transaction that
        decides it: a task or action it starts is RUNNING, a delayed step
        is a scheduled job. With none of them left (integrity checks aside:
        they change nothing in an execution that is not RUNNING), nothing
        more happens without a new request.
        """
        with db_api.transaction():
            running = (
                db_api.get_task_executions(state=states.RUNNING) +
                db_api.get_task_executions(state=states.WAITING) +
                db_api.get_action_executions(state=states.RUNNING))
            jobs = [j for j in db_api.get_scheduled_jobs()
                    if j.func_name !=
                    workflow_handler._CHECK_AND_FIX_INTEGRITY_PATH]
            return not running and not jobs

    def settled(self, wf_id, state):
        """The execution is in a state, and stays in it: the engine is idle.

        A real signal rather than a while of waiting: once the engine has
        nothing left to do, the state is final until the next request.
        """
        self._await(self.engine_idle)
        self.assertEqual(state, self.execution(wf_id).state)


class TestRerun(ApplyTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(self.wf_id)

    def test_rerun_with_context_merge(self):
        before = self.task(self.wf_id, 't2')
        record = self.created(self.wf_id, points=[
            {'task': 't2', 'context': {'x': 'ok'}}])
        self.await_workflow_success(self.wf_id)

        t2 = self.task(self.wf_id, 't2')
        self.assertEqual(before['id'], t2['id'])
        self.assertEqual('SUCCESS', t2['state'])
        self.assertEqual({'y': 'ok', 'z': 2}, t2['published'])
        self.assertEqual('ok', t2['in_context']['x'])
        # Merged: what t1 published is still there.
        self.assertEqual(1, t2['in_context']['a'])
        self.assertEqual(
            {'context': {'x': 'ok'}, 'context_mode': 'merge',
             'resume_id': record['id']},
            t2['runtime_context'][patches.OVERRIDE_KEY]
        )

        t3 = self.task(self.wf_id, 't3')
        self.assertEqual('SUCCESS', t3['state'])
        self.assertEqual('ok', t3['in_context']['x'])
        self.assertEqual('ok', t3['in_context']['y'])
        self.assertEqual(1, t3['in_context']['a'])
        self.assertEqual({'out': 'ok'}, t3['published'])

    def test_rerun_with_context_replace(self):
        before = self.task(self.wf_id, 't2')
        self.assertEqual(1, before['in_context']['a'])
        self.assertTrue(_dunder(before['in_context']))

        record = self.created(self.wf_id, points=[
            {'task': 't2', 'context': {'x': 'ok'},
             'context_mode': 'replace'}])
        self.await_workflow_success(self.wf_id)

        t2 = self.task(self.wf_id, 't2')
        self.assertEqual('SUCCESS', t2['state'])
        self.assertEqual(
            {'context': {'x': 'ok'}, 'context_mode': 'replace',
             'resume_id': record['id']},
            t2['runtime_context'][patches.OVERRIDE_KEY]
        )
        # Only the given key and Mistral's own "__" keys.
        self.assertEqual({'x'}, {k for k in t2['in_context']
                                 if not k.startswith('__')})
        for key in _dunder(before['in_context']):
            self.assertIn(key, t2['in_context'])

        t3 = self.task(self.wf_id, 't3')
        self.assertEqual('SUCCESS', t3['state'])
        self.assertNotIn('a', t3['in_context'])
        self.assertEqual('ok', t3['in_context']['x'])
        self.assertEqual('ok', t3['in_context']['y'])
        self.assertEqual({'out': 'ok'}, t3['published'])

    def test_rerun_again_after_it_failed_again(self):
        first = self.created(self.wf_id, points=[
            {'task': 't2', 'context': {'x': 'bad'}}])
        self.await_workflow_error(self.wf_id)
        t2 = self.task(self.wf_id, 't2')
        self.assertEqual('ERROR', t2['state'])
        self.assertEqual('bad', t2['in_context']['x'])
        self.assertEqual(2, t2['actions'])
        self.assertEqual([], self.tasks(self.wf_id, 't3'))

        second = self.created(self.wf_id, points=[
            {'task': 't2', 'context': {'x': 'ok'}}])
        self.assertNotEqual(first['id'], second['id'])
        self.assertEqual('ERROR', second['execution_state_before'])
        self.await_workflow_success(self.wf_id)

        t2 = self.task(self.wf_id, 't2')
        self.assertEqual(3, t2['actions'])
        self.assertEqual({'y': 'ok', 'z': 2}, t2['published'])
        self.assertEqual(second['id'],
                         t2['runtime_context'][patches.OVERRIDE_KEY]
                         ['resume_id'])
        self.assertEqual({'out': 'ok'}, self.task(self.wf_id, 't3')
                         ['published'])
        self.assertEqual(2, self.count_records(self.wf_id))

    def test_rerun_without_context_fails_again(self):
        # A rerun with nothing changed fails the same way, and the task
        # carries no context override.
        self.created(self.wf_id, points=[{'task': 't2'}])
        self.await_workflow_error(self.wf_id)
        t2 = self.task(self.wf_id, 't2')
        self.assertEqual(2, t2['actions'])
        self.assertNotIn('x', t2['in_context'])
        self.assertNotIn('context',
                         t2['runtime_context'][patches.OVERRIDE_KEY])

    def test_all_or_nothing(self):
        before = self.tasks(self.wf_id)
        out = self.resume(self.wf_id, points=[
            {'task': 't2', 'context': {'x': 'ok'}},
            {'task': 't1', 'mode': 'continue', 'published': {'a': 2}},
            {'task': 'nope'}])
        self.assertEqual('unmet', out['status'])
        self.assertEqual(['ALREADY_SUCCEEDED', 'UNKNOWN_TASK'],
                         self.codes(out))

        self.settled(self.wf_id, 'ERROR')
        self.assertEqual(before, self.tasks(self.wf_id))
        self.assertEqual(0, self.count_records())

    def test_request_id_is_idempotent(self):
        body = {
            'points': [{'task': 't2', 'context': {'x': 'bad'}}],
            'request_id': 'req-1',
            'reason': 'try again',
            'env': {'k': 'v'},
        }
        t2_id = self.task(self.wf_id, 't2')['id']
        record = self.created(self.wf_id, **body)
        # The rerun fails again: the execution could be resumed again.
        self.await_workflow_error(self.wf_id)
        self.await_task_done(self.wf_id, 't2')
        self.assertEqual(2, self.task(self.wf_id, 't2')['actions'])

        again = self.resume(self.wf_id, **body)
        self.assertEqual('existing', again['status'], again)
        self.assertEqual(record, again['record'])
        # Nothing more happened: no second rerun, no second record.
        self.settled(self.wf_id, 'ERROR')
        self.assertEqual(2, self.task(self.wf_id, 't2')['actions'])
        self.assertEqual(1, self.count_records(self.wf_id))

        # The audit record.
        self.assertEqual(self.wf_id, record['execution_id'])
        self.assertEqual('ERROR', record['execution_state_before'])
        self.assertEqual('req-1', record['request_id'])
        self.assertEqual('try again', record['reason'])
        self.assertEqual({'k': 'v'}, record['env'])
        self.assertFalse(record['dry_run'])
        self.assertTrue(record['created_at'])
        self.assertEqual([], record['requirements'])
        point, = record['points']
        self.assertEqual('t2', point['task'])
        self.assertEqual(t2_id, point['task_execution_id'])
        self.assertEqual('rerun', point['mode'])
        self.assertEqual('merge', point['context_mode'])
        self.assertEqual({'x': 'bad'}, point['context'])
        self.assertIsNone(point['published'])
        self.assertTrue(point['reset'])
        with db_api.transaction():
            wf_ex = db_api.get_workflow_execution(self.wf_id)
            self.assertEqual(wf_ex.project_id, record['project_id'])
        self.assertIsNotNone(record['user_id'])

        # Another request id is another resume.
        self.created(self.wf_id, request_id='req-2', points=[
            {'task': 't2', 'context': {'x': 'ok'}}])
        self.await_workflow_success(self.wf_id)
        self.assertEqual(3, self.task(self.wf_id, 't2')['actions'])
        self.assertEqual(2, self.count_records(self.wf_id))

    def test_env_is_updated(self):
        self.created(self.wf_id, env={'k': 'v'}, points=[
            {'task': 't2', 'context': {'x': 'ok'}}])
        self.await_workflow_success(self.wf_id)
        self.assertEqual('v', self.execution(self.wf_id).params['env']['k'])

    def test_already_succeeded_is_refused_in_the_engine(self):
        self.created(self.wf_id, points=[
            {'task': 't2', 'context': {'x': 'ok'}}])
        self.await_workflow_success(self.wf_id)
        t2 = self.task(self.wf_id, 't2')

        out = self.resume(self.wf_id, points=[{'task': 't2'}])
        self.assertEqual('unmet', out['status'])
        self.assertEqual(['ALREADY_SUCCEEDED', 'EXECUTION_NOT_RESUMABLE'],
                         self.codes(out))
        # Upstream's engine would set the workflow RUNNING and leave it
        # stuck there; the refusal changes nothing.
        self.settled(self.wf_id, 'SUCCESS')
        self.assertEqual(t2, self.task(self.wf_id, 't2'))
        self.assertEqual(1, self.count_records(self.wf_id))


class TestContinue(ApplyTestCase):

    def test_continue_chain(self):
        wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(wf_id)
        record = self.created(wf_id, reason='done by hand', points=[
            {'task': 't2', 'mode': 'continue',
             'published': {'y': 'given', 'z': 2}}])
        self.await_workflow_success(wf_id)

        t2 = self.task(wf_id, 't2')
        self.assertEqual('SUCCESS', t2['state'])
        self.assertEqual({'y': 'given', 'z': 2}, t2['published'])
        self.assertFalse(t2['error_handled'])
        self.assertEqual(1, t2['actions'])
        self.assertIn('Completed by resume %s' % record['id'],
                      t2['state_info'])
        self.assertIn('done by hand', t2['state_info'])

        t3 = self.task(wf_id, 't3')
        self.assertEqual('given', t3['in_context']['y'])
        self.assertEqual(1, t3['in_context']['a'])
        self.assertEqual({'out': 'given'}, t3['published'])

    def test_continue_conditions_and_join(self):
        wf_id = self.start(BRANCHES)
        self.await_workflow_error(wf_id)
        self.assertEqual('ERROR', self.task(wf_id, 't2')['state'])
        # Mistral failed the join on behalf of t2's branch.
        j_before = self.task(wf_id, 'j')
        self.assertEqual('ERROR', j_before['state'])
        self.assertIn('Failed by tasks', j_before['state_info'])

        record = self.created(wf_id, points=[
            {'task': 't2', 'mode': 'continue',
             'published': {'go': True, 'label': 'given'}}])
        self.assertEqual(['t3'], record['points'][0]['next_tasks'])
        self.await_workflow_success(wf_id)

        t2 = self.task(wf_id, 't2')
        self.assertEqual({'go': True, 'label': 'given'}, t2['published'])
        self.assertIn('Completed by resume %s' % record['id'],
                      t2['state_info'])

        t3 = self.task(wf_id, 't3')
        self.assertEqual('SUCCESS', t3['state'])
        self.assertEqual('given', t3['in_context']['label'])
        self.assertIs(True, t3['in_context']['go'])
        self.assertEqual({'t3out': 'given'}, t3['published'])
        # The condition on t4 read the supplied go: true.
        self.assertEqual([], self.tasks(wf_id, 't4'))

        j = self.task(wf_id, 'j')
        self.assertEqual(j_before['id'], j['id'])
        self.assertEqual('SUCCESS', j['state'])
        self.assertEqual(1, j['in_context']['pv'])
        self.assertEqual('given', j['in_context']['label'])
        self.assertEqual({'jout': [1, 'given']}, j['published'])

    def test_continue_takes_the_other_branch(self):
        wf_id = self.start(BRANCHES)
        self.await_workflow_error(wf_id)
        record = self.created(wf_id, points=[
            {'task': 't2', 'mode': 'continue',
             'published': {'go': False, 'label': 'given'}}])
        self.assertEqual(['t4'], record['points'][0]['next_tasks'])
        self._await(lambda: self.tasks(wf_id, 't4') and
                    self.task(wf_id, 't4')['state'] == 'SUCCESS')
        self.assertEqual([], self.tasks(wf_id, 't3'))
        self.assertEqual(False, self.task(wf_id, 't4')['in_context']['go'])


class TestParallelBranches(ApplyTestCase):

    def _failed(self):
        wf_id = self.start(workflows.PARALLEL)
        self.await_workflow_error(wf_id)
        self.await_task_done(wf_id, 'b1')
        self.await_task_done(wf_id, 'b2')
        return wf_id

    def test_nothing_applied_when_a_point_loses_a_race(self):
        wf_id = self._failed()
        before = self.tasks(wf_id)
        b2_id = self.task(wf_id, 'b2')['id']
        original = db_api.update_task_execution_state

        def update_state(id, cur_state, state):
            if id == b2_id:
                # Another engine changed b2 first: the compare-and-swap of
                # the "continue" point finds nothing to update.
                return None
            return original(id=id, cur_state=cur_state, state=state)

        points = [
            {'task': 'b1', 'context': {'v1': 'one'}},
            {'task': 'b2', 'mode': 'continue', 'published': {'r2': 'two'}}]
        with mock.patch.object(db_api, 'update_task_execution_state',
                               update_state):
            out = self.resume(wf_id, points=points)
        self.assertEqual('unmet', out['status'], out)
        self.assertEqual(['EXECUTION_CHANGED'], self.codes(out))

        # The rerun of b1, applied before b2 failed, was rolled back too:
        # no state change, no action started, no record.
        self.settled(wf_id, 'ERROR')
        self.assertEqual(before, self.tasks(wf_id))
        self.assertEqual(0, self.count_records())

        # Retried, it goes through.
        self.created(wf_id, points=points)
        self.await_workflow_success(wf_id)

    def test_rerun_one_continue_the_other(self):
        wf_id = self._failed()
        self.assertEqual('ERROR', self.task(wf_id, 'b1')['state'])
        self.assertEqual('ERROR', self.task(wf_id, 'b2')['state'])

        # Either one alone is refused: the other branch is unresolved.
        out = self.resume(wf_id, points=[
            {'task': 'b1', 'context': {'v1': 'one'}}])
        self.assertEqual(['UNRESOLVED_FAILURE'], self.codes(out))

        self.created(wf_id, points=[
            {'task': 'b1', 'context': {'v1': 'one'}},
            {'task': 'b2', 'mode': 'continue', 'published': {'r2': 'two'}}])
        self.await_workflow_success(wf_id)

        self.assertEqual({'r1': 'one'}, self.task(wf_id, 'b1')['published'])
        self.assertEqual({'r2': 'two'}, self.task(wf_id, 'b2')['published'])
        done = self.task(wf_id, 'done')
        self.assertEqual('SUCCESS', done['state'])
        self.assertEqual('one', done['in_context']['r1'])
        self.assertEqual('two', done['in_context']['r2'])
        self.assertEqual({'out': ['one', 'two']}, done['published'])


class TestPaused(ApplyTestCase):

    def _paused_by_on_error(self):
        wf_id = self.start(ON_ERROR_PAUSE)
        self.await_workflow_paused(wf_id)
        t1 = self.task(wf_id, 't1')
        self.assertEqual('ERROR', t1['state'])
        self.assertTrue(t1['error_handled'])
        return wf_id

    def test_on_error_pause_rerun(self):
        wf_id = self._paused_by_on_error()
        record = self.created(wf_id, points=[
            {'task': 't1', 'context': {'x': 'ok'}}])
        self.assertEqual('PAUSED', record['execution_state_before'])
        self.await_workflow_success(wf_id)

        t1 = self.task(wf_id, 't1')
        self.assertEqual('SUCCESS', t1['state'])
        self.assertEqual({'y': 'ok'}, t1['published'])
        t2 = self.task(wf_id, 't2')
        self.assertEqual('ok', t2['in_context']['y'])
        self.assertEqual({'out': 'ok'}, t2['published'])

    def test_on_error_pause_continue(self):
        wf_id = self._paused_by_on_error()
        self.created(wf_id, points=[
            {'task': 't1', 'mode': 'continue', 'published': {'y': 'given'}}])
        self.await_workflow_success(wf_id)

        t1 = self.task(wf_id, 't1')
        self.assertEqual('SUCCESS', t1['state'])
        self.assertFalse(t1['error_handled'])
        self.assertEqual({'out': 'given'},
                         self.task(wf_id, 't2')['published'])

    def test_on_error_pause_plain_resume_is_refused(self):
        wf_id = self._paused_by_on_error()
        t1 = self.task(wf_id, 't1')
        out = self.resume(wf_id)
        self.assertEqual(['RESUME_POINT_REQUIRED'], self.codes(out))
        entry, = out['requirements']
        self.assertEqual(('t1', t1['id']),
                         (entry['task'], entry['task_execution_id']))
        self.assertEqual([t1['id']], [c['task_execution_id']
                                      for c in entry['candidates']])
        self.assertIn('PUT /v2/executions/%s' % wf_id, entry['message'])
        # Nothing changed, nothing recorded.
        self.assertEqual('PAUSED', self.execution(wf_id).state)
        self.assertEqual([t1], self.tasks(wf_id))
        self.assertEqual(0, self.count_records())

    def test_on_error_pause_upstream_resume_still_works(self):
        # What the refusal points to: Mistral's own resume, unchanged. The
        # failed task stays in ERROR and its on-success task never runs,
        # yet the workflow succeeds.
        wf_id = self._paused_by_on_error()
        self.engine.resume_workflow(wf_id)
        self.await_workflow_success(wf_id)
        self.assertEqual('ERROR', self.task(wf_id, 't1')['state'])
        self.settled(wf_id, 'SUCCESS')
        self.assertEqual([], self.tasks(wf_id, 't2'))

    def _paused_one_branch(self):
        wf_id = self.start(PAUSE_ONE_BRANCH)
        self.await_workflow_paused(wf_id)
        # s completes while the workflow is paused: its successor waits.
        self.await_task_done(wf_id, 's')
        self.assertEqual('SUCCESS', self.task(wf_id, 's')['state'])
        self.assertEqual([], self.tasks(wf_id, 's2'))
        return wf_id

    def test_rerun_goes_on_with_a_branch_done_while_paused(self):
        wf_id = self._paused_one_branch()
        self.created(wf_id, points=[{'task': 'f', 'context': {'x': 'ok'}}])
        self.await_workflow_success(wf_id)
        # Mistral's rerun marks s processed without starting s2; the resume
        # must still start it.
        s2 = self.task(wf_id, 's2')
        self.assertEqual({'s2out': True}, s2['published'])
        self.assertEqual({'f2out': 'ok'}, self.task(wf_id, 'f2')['published'])

    def test_continue_goes_on_with_a_branch_done_while_paused(self):
        wf_id = self._paused_one_branch()
        self.created(wf_id, points=[
            {'task': 'f', 'mode': 'continue', 'published': {'y': 'given'}}])
        self.await_workflow_success(wf_id)
        self.assertEqual({'s2out': True},
                         self.task(wf_id, 's2')['published'])
        f2 = self.task(wf_id, 'f2')
        self.assertEqual({'f2out': 'given'}, f2['published'])
        # Started once, not again as an IDLE task of the paused workflow.
        self.settled(wf_id, 'SUCCESS')
        self.assertEqual(1, self.task(wf_id, 'f2')['actions'])
        self.assertEqual(1, self.task(wf_id, 's2')['actions'])

    def test_rerun_resumes_a_paused_sub_workflow(self):
        wf_id = self.start(PAUSED_SUB_WORKFLOW, name='with_sleeper')
        self._await(lambda: self.tasks(wf_id, 'f') and
                    self.task(wf_id, 'f')['state'] == 'ERROR')
        # The sub-workflow still runs, so the execution is not in ERROR yet.
        self.assertEqual('RUNNING', self.execution(wf_id).state)
        self.engine.pause_workflow(wf_id)
        self.await_workflow_paused(wf_id)
        sub_id, = self.children(wf_id)
        self.assertEqual('PAUSED', self.execution(sub_id).state)
        self.await_task_done(sub_id, 's')

        self.created(wf_id, points=[{'task': 'f', 'context': {'x': 'ok'}}])
        self.await_workflow_success(wf_id)
        self.assertEqual('SUCCESS', self.execution(sub_id).state)
        self.assertEqual('SUCCESS', self.task(sub_id, 's2')['state'])
        self.assertEqual('SUCCESS', self.task(wf_id, 'after_sub')['state'])
        self.assertEqual('SUCCESS', self.task(wf_id, 'f')['state'])

    def test_manual_pause_plain_resume(self):
        wf_id = self.start(SLEEPY)
        self._await(lambda: self.tasks(wf_id, 's') and
                    self.task(wf_id, 's')['state'] == 'RUNNING')
        self.engine.pause_workflow(wf_id)
        self.await_workflow_paused(wf_id)
        # The action finishes while the workflow is paused; nothing goes on.
        self.await_task_done(wf_id, 's')
        self.settled(wf_id, 'PAUSED')
        self.assertEqual([], self.tasks(wf_id, 't2'))

        out = self.resume(wf_id)
        self.assertEqual('created', out['status'], out)
        self.assertEqual([], out['record']['warnings'])
        self.await_workflow_success(wf_id)
        self.assertEqual({'out': True}, self.task(wf_id, 't2')['published'])


class TestWithItems(ApplyTestCase):

    def _failed(self):
        wf_id = self.start(WITH_ITEMS, {'vals': ['a', 'bad', 'c']})
        self.await_workflow_error(wf_id)
        t1 = self.task(wf_id, 't1')
        self.assertEqual('ERROR', t1['state'])
        self.assertEqual(3, t1['actions'])
        return wf_id

    def _actions(self, task_ex_id):
        with db_api.transaction():
            return sorted(
                (a.runtime_context['index'], a.state, a.accepted)
                for a in db_api.get_action_executions(
                    task_execution_id=task_ex_id)
            )

    def test_rerun_failed_iterations_only(self):
        wf_id = self._failed()
        t1_id = self.task(wf_id, 't1')['id']
        self.created(wf_id, points=[
            {'task': 't1', 'reset': False,
             'context': {'vals': ['a', 'ok', 'c']}}])
        self.await_workflow_success(wf_id)

        t1 = self.task(wf_id, 't1')
        # Only the failed iteration ran again.
        self.assertEqual(4, t1['actions'])
        self.assertEqual([(0, 'SUCCESS', True), (1, 'ERROR', False),
                          (1, 'SUCCESS', True), (2, 'SUCCESS', True)],
                         self._actions(t1_id))
        self.assertEqual({'r': ['a', 'ok', 'c']}, t1['published'])
        self.assertEqual({'out': ['a', 'ok', 'c']},
                         self.task(wf_id, 't2')['published'])

    def test_rerun_failed_iterations_with_concurrency(self):
        wf_id = self.start(WITH_ITEMS_CONCURRENCY,
                           {'vals': ['a', 'bad', 'c', 'd', 'bad', 'f']})
        self.await_workflow_error(wf_id)
        t1 = self.task(wf_id, 't1')
        self.assertEqual(6, t1['actions'])

        self.created(wf_id, points=[
            {'task': 't1', 'reset': False,
             'context': {'vals': ['a', 'ok', 'c', 'd', 'ok2', 'f']}}])
        self.await_workflow_success(wf_id)

        t1 = self.task(wf_id, 't1')
        self.assertEqual(8, t1['actions'])
        self.assertEqual([(1, 'ERROR', False), (4, 'ERROR', False)],
                         [a for a in self._actions(t1['id']) if not a[2]])
        self.assertEqual({'r': ['a', 'ok', 'c', 'd', 'ok2', 'f']},
                         t1['published'])

    def test_rerun_all_iterations(self):
        wf_id = self._failed()
        self.created(wf_id, points=[
            {'task': 't1', 'context': {'vals': ['d', 'e', 'f']}}])
        self.await_workflow_success(wf_id)
        t1 = self.task(wf_id, 't1')
        self.assertEqual(6, t1['actions'])
        self.assertEqual({'r': ['d', 'e', 'f']}, t1['published'])


class TestSubWorkflows(ApplyTestCase):

    def _failed(self):
        wf_id = self.start(workflows.NESTED, name='top')
        self.await_workflow_error(wf_id)
        mid_id, = self.children(wf_id)
        low_id, = self.children(mid_id)
        self.await_workflow_error(low_id)
        return wf_id, mid_id, low_id

    def test_rerun_two_levels_down(self):
        wf_id, mid_id, low_id = self._failed()
        record = self.created(wf_id, points=[
            {'task': 'a.b.c', 'context': {'x': 'ok'}}])
        point, = record['points']
        self.assertEqual(self.task(low_id, 'c')['id'],
                         point['task_execution_id'])
        self.await_workflow_success(wf_id)

        self.assertEqual('SUCCESS', self.execution(low_id).state)
        self.assertEqual('SUCCESS', self.execution(mid_id).state)
        self.assertEqual({'low_out': 'ok'}, self.task(low_id, 'c')
                         ['published'])
        self.assertEqual({'mid_out': 'ok'}, self.task(mid_id, 'b')
                         ['published'])
        self.assertEqual({'top_out': 'ok'}, self.task(wf_id, 'a')
                         ['published'])
        self.assertEqual({'out': 'ok'}, self.task(wf_id, 'done')
                         ['published'])
        # No new sub-workflow executions: the failed ones went on.
        self.assertEqual([mid_id], self.children(wf_id))
        self.assertEqual([low_id], self.children(mid_id))

    def test_continue_two_levels_down(self):
        wf_id, mid_id, low_id = self._failed()
        self.created(wf_id, points=[
            {'task': 'a.b.c', 'mode': 'continue',
             'published': {'low_out': 'given'}}])
        self.await_workflow_success(wf_id)

        self.assertEqual('SUCCESS', self.execution(low_id).state)
        self.assertEqual('SUCCESS', self.execution(mid_id).state)
        self.assertEqual({'low_out': 'given'},
                         self.execution(low_id).output)
        self.assertEqual({'out': 'given'}, self.task(wf_id, 'done')
                         ['published'])

    def test_rerun_of_the_sub_workflow_task_reruns_the_failure_inside(self):
        wf_id, mid_id, low_id = self._failed()
        record = self.created(wf_id, points=[{'task': 'a'}])
        point, = record['points']
        self.assertEqual([{'task': 'c', 'path': 'a.b.c',
                           'task_execution_id': self.task(low_id, 'c')['id']}],
                         point['reruns'])
        self._await(lambda: self.task(low_id, 'c')['actions'] == 2)
        # The same task re-ran in place (and failed again: x is still
        # null); no sub-workflow was started anew.
        self.await_workflow_error(wf_id)
        self.assertEqual([mid_id], self.children(wf_id))
        self.assertEqual([low_id], self.children(mid_id))

    def test_rerun_of_the_sub_workflow_task_with_a_context_restarts_it(self):
        wf_id, mid_id, low_id = self._failed()
        record = self.created(wf_id, points=[
            {'task': 'a', 'context': {'x': 'bad'}}])
        self.assertNotIn('reruns', record['points'][0])
        self.await_workflow_error(wf_id)
        new_mid_id, = [c for c in self.children(wf_id) if c != mid_id]
        new_low_id, = self.children(new_mid_id)
        # The replaced sub-workflows' failure is history: one failure, in
        # the new ones.
        view = self.requirements(wf_id)
        self.assertEqual([(u'a.b.c', self.task(new_low_id, 'c')['id'])],
                         [(f['path'], f['task_execution_id'])
                          for f in view['failures']])

        self.created(wf_id, points=[{'task': 'a', 'context': {'x': 'ok'}}])
        self.await_workflow_success(wf_id)
        self.assertEqual({'out': 'ok'}, self.task(wf_id, 'done')
                         ['published'])


class TestReverse(ApplyTestCase):

    def _failed(self):
        wf_service.create_workflows(REVERSE)
        wf_ex = self.engine.start_workflow('rev', wf_input={},
                                           task_name='final')
        self.await_workflow_error(wf_ex.id)
        self.assertEqual('ERROR', self.task(wf_ex.id, 'r2')['state'])
        self.assertEqual([], self.tasks(wf_ex.id, 'final'))
        return wf_ex.id

    def test_rerun(self):
        wf_id = self._failed()
        self.created(wf_id, points=[{'task': 'r2', 'context': {'x': 'ok'}}])
        self.await_workflow_success(wf_id)
        self.assertEqual({'y': 'ok'}, self.task(wf_id, 'r2')['published'])
        final = self.task(wf_id, 'final')
        self.assertEqual('ok', final['in_context']['y'])
        self.assertEqual({'out': 'ok'}, final['published'])

    def test_continue(self):
        wf_id = self._failed()
        record = self.created(wf_id, points=[
            {'task': 'r2', 'mode': 'continue', 'published': {'y': 'given'}}])
        self.assertEqual(['final'], record['points'][0]['next_tasks'])
        self.await_workflow_success(wf_id)
        final = self.task(wf_id, 'final')
        self.assertEqual('given', final['in_context']['y'])
        self.assertEqual({'out': 'given'}, final['published'])


class TestUpstreamPublished(ApplyTestCase):

    def test_override_survives_in_context_rebuild(self):
        wf_id = self.start(UPSTREAM)
        self.await_workflow_error(wf_id)
        self.assertEqual('bad', self.task(wf_id, 't2')['in_context']['x'])

        self.created(wf_id, points=[{'task': 't2', 'context': {'x': 'ok'}}])
        self.await_workflow_success(wf_id)

        t2 = self.task(wf_id, 't2')
        self.assertEqual('ok', t2['in_context']['x'])
        self.assertEqual({'y': 'ok'}, t2['published'])
        t3 = self.task(wf_id, 't3')
        self.assertEqual('ok', t3['in_context']['x'])
        self.assertEqual({'out': 'ok'}, t3['published'])
        # t1 keeps what it published.
        self.assertEqual({'x': 'bad'}, self.task(wf_id, 't1')['published'])


class TestEnv(ApplyTestCase):

    def test_env_fixes_the_task(self):
        wf_id = self.start(ENV_CHECK, env={'k': 'bad', 'other': 1})
        self.await_workflow_error(wf_id)
        self.created(wf_id, env={'k': 'v'}, points=[{'task': 't1'}])
        self.await_workflow_success(wf_id)
        self.assertEqual({'k': 'v', 'other': 1},
                         self.execution(wf_id).params['env'])
        self.assertEqual({'y': 'v'}, self.task(wf_id, 't1')['published'])
