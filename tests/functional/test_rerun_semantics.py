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

"""A re-run ends as if the task had run as the operator said.

Where stock Mistral 23 re-runs wrongly (issue 11): inside a cycle, with
with-items and concurrency, with task policies, and when a result of the
superseded run arrives late. Actions that must finish in a given order are
held by the test (test.held) and released once the engine reached the
state the case needs, so every case is deterministic.
"""

import collections
import threading

from mistral.db.v2 import api as db_api
from mistral.engine import default_engine
from mistral.engine import policies
from mistral.engine import task_handler
from mistral.workflow import states

from tests import base
from tests import workflows


class HeldCheck(base.CheckAction):
    """test.check that first waits while the test holds its key."""

    gates = {}
    started = collections.Counter()
    lock = threading.Lock()

    def __init__(self, value=None, key=None):
        super().__init__(value)
        self.key = key

    def run(self, context):
        gate = self.gates.get(self.key)
        with self.lock:
            self.started[self.key] += 1
        if gate is not None:
            gate.wait(base.TIMEOUT)
        return super().run(context)


# A task looping on itself; it fails at the iteration whose i is fail_at
# (given as input, or in the env).
CYCLE = """
version: '2.0'
cycle:
  input:
    - fail_at: -1
  tasks:
    init:
      action: std.noop
      publish:
        i: 0
      on-success: step
    step:
      action: test.check value=<% $.i != $.fail_at and $.i != env().get('fail_at') %>
      publish:
        i: <% $.i + 1 %>
      on-success:
        - step: <% $.i < 4 %>
        - done: <% $.i >= 4 %>
    done:
      action: std.echo output=<% $.i %>
      publish:
        last: <% task().result %>
"""  # noqa: E501

# Items 2 and 4 fail until bad is changed.
WITH_ITEMS = """
version: '2.0'
items:
  input:
    - bad: [2, 4]
  tasks:
    t1:
      with-items: x in <% range(1, 6) %>
      concurrency: 2
      action: test.held key=<% $.x %> value=<% switch($.x in $.bad => 'bad', true => $.x) %>
      publish:
        r: <% task().result %>
"""  # noqa: E501

# Fails while publishing when div is 0.
WITH_ITEMS_PUBLISH = """
version: '2.0'
items_publish:
  input:
    - div: 0
  tasks:
    t1:
      with-items: x in <% range(1, 4) %>
      action: std.echo output=<% $.x %>
      publish:
        r: <% task().result.sum() / $.div %>
"""

# Fails while evaluating its input when zero is 0, in its action when ok is
# false.
WAIT_BEFORE = """
version: '2.0'
wait_before:
  input:
    - zero: 0
    - ok: true
  tasks:
    t1:
      wait-before: 1
      action: test.check value=<% $.ok and 1 / $.zero %>
      publish:
        r: <% task().result %>
"""

WAIT_AFTER = WAIT_BEFORE.replace('wait_before', 'wait_after').replace(
    'wait-before', 'wait-after')

RETRY = """
version: '2.0'
retry:
  input:
    - x: bad
  tasks:
    t1:
      retry:
        count: 2
        delay: 0
      action: test.check value=<% $.x %>
      publish:
        r: <% task().result %>
"""

# continue-on is evaluated on every iteration, a failed one too: false
# breaks the loop. UNTIL is replaced by the expression.
RETRY_CONTINUE_ON = RETRY.replace(
    '        delay: 0\n',
    '        delay: 0\n        continue-on: <% task().result UNTIL %>\n')

PAUSE_BEFORE = """
version: '2.0'
pause_before:
  input:
    - x: bad
  tasks:
    t1:
      pause-before: <% $.x != 'bad' %>
      action: test.check value=<% $.x %>
      publish:
        r: <% task().result %>
"""

# fail-on fails the task after its action succeeded; safe-rerun is only
# about redelivered actions, and must not change a re-run.
FAIL_ON = """
version: '2.0'
fail_on:
  input:
    - x: fail
  tasks:
    t1:
      fail-on: <% $.x = 'fail' %>
      safe-rerun: true
      action: std.echo output=<% $.x %>
      publish:
        r: <% task().result %>
"""

# The first run is held past its timeout; its late result is an error.
TIMEOUT = """
version: '2.0'
timeout:
  input:
    - x: bad
    - key: stale
    - timeout: 1
  tasks:
    t1:
      timeout: <% $.timeout %>
      action: test.held key=<% $.key %> value=<% $.x %>
      publish:
        r: <% task().result %>
"""


# Item 2 of the first round is held past the timeout.
WITH_ITEMS_TIMEOUT = """
version: '2.0'
items_timeout:
  input:
    - round: 0
    - timeout: 1
  tasks:
    t1:
      with-items: x in <% range(1, 4) %>
      timeout: <% $.timeout %>
      action: test.held key=<% $.round * 10 + $.x %> value=<% $.x %>
      publish:
        r: <% task().result %>
"""


class RerunSemanticsTestCase(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.register_action_class('test.held', HeldCheck)
        HeldCheck.gates.clear()
        HeldCheck.started.clear()
        self.addCleanup(self.release_all)

    def hold(self, key):
        HeldCheck.gates[key] = threading.Event()

    def release(self, key):
        HeldCheck.gates.pop(key).set()

    def release_all(self):
        while HeldCheck.gates:
            HeldCheck.gates.popitem()[1].set()

    def await_started(self, key, count=1):
        self._await(lambda: HeldCheck.started[key] >= count)

    def created(self, wf_id, **body):
        out = self.resume(wf_id, **body)
        self.assertEqual('created', out['status'], out)
        return out['record']

    def actions(self, task_ex_id):
        """(index, state, accepted, id) of a task's action executions."""
        with db_api.transaction():
            return sorted(
                (a.runtime_context.get('index'), a.state, a.accepted, a.id)
                for a in db_api.get_action_executions(
                    task_execution_id=task_ex_id)
            )

    def await_settled(self, wf_id):
        """Wait until the execution is completed; return it."""
        self._await(lambda: states.is_completed(self.execution(wf_id).state))
        return self.execution(wf_id)

    def assertNothingLeft(self, wf_id):
        """No task is left waiting, delayed, running or idle."""
        self.assertEqual(
            [], [(t['name'], t['state']) for t in self.tasks(wf_id)
                 if not states.is_completed(t['state'])])


class TestRerunInCycle(RerunSemanticsTestCase):

    def _steps(self, wf_id):
        return [(t['in_context'].get('i'), t['state'])
                for t in self.tasks(wf_id, 'step')]

    def _failed(self, **start):
        wf_id = self.start(CYCLE, **start)
        self.await_workflow_error(wf_id)
        self.assertEqual([(0, 'SUCCESS'), (1, 'SUCCESS'), (2, 'ERROR')],
                         self._steps(wf_id))
        return wf_id

    def _assert_went_on_from_the_failed_iteration(self, wf_id, failed_id):
        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        # The failed iteration ran again with its own i, then the loop went
        # on: no earlier iteration ran a second time.
        self.assertEqual([(0, 'SUCCESS'), (1, 'SUCCESS'), (2, 'SUCCESS'),
                          (3, 'SUCCESS')], self._steps(wf_id))
        steps = self.tasks(wf_id, 'step')
        self.assertEqual(failed_id, steps[2]['id'])
        self.assertEqual(2, steps[2]['actions'])
        self.assertEqual({'i': 3}, steps[2]['published'])
        self.assertEqual({'last': 4}, self.task(wf_id, 'done')['published'])
        self.assertNothingLeft(wf_id)

    def test_rerun_with_context_starts_from_the_iteration(self):
        wf_id = self._failed(wf_input={'fail_at': 2})
        failed = self.tasks(wf_id, 'step')[2]
        self.created(wf_id, points=[
            {'task': failed['id'],
             'context': {'fail_at': -1}}])
        self._assert_went_on_from_the_failed_iteration(wf_id, failed['id'])
        step = self.tasks(wf_id, 'step')[2]
        self.assertEqual(dict(failed['in_context'], fail_at=-1),
                         step['in_context'])

    def test_rerun_without_context_keeps_the_iteration(self):
        wf_id = self._failed(env={'fail_at': 2})
        failed = self.tasks(wf_id, 'step')[2]
        self.created(wf_id, points=[{'task': failed['id']}],
                     env={'fail_at': -1})
        self._assert_went_on_from_the_failed_iteration(wf_id, failed['id'])
        self.assertEqual(failed['in_context'],
                         self.tasks(wf_id, 'step')[2]['in_context'])


class TestWithItemsConcurrency(RerunSemanticsTestCase):

    def _failed(self):
        wf_id = self.start(WITH_ITEMS)
        self.await_workflow_error(wf_id)
        t1 = self.task(wf_id, 't1')
        self.assertEqual(5, t1['actions'])
        return wf_id, t1['id']

    def _new_actions(self, t1_id, old):
        return [a for a in self.actions(t1_id) if a[3] not in old]

    def _rerun_holding_item_2(self, wf_id, t1_id, reset, expected_new):
        old = {a[3] for a in self.actions(t1_id)}
        # Item 2 is held until the engine scheduled as many actions as the
        # re-run needs: the slots freed by the other items are then taken
        # while item 2 is still running, which is what went wrong.
        self.hold(2)
        self.created(wf_id, points=[
            {'task': 't1', 'reset': reset, 'context': {'bad': []}}])
        self.await_started(2)
        self._await(lambda: len(self._new_actions(t1_id, old)) >=
                    min(expected_new, 3))
        self.release(2)

        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        self.assertNothingLeft(wf_id)
        return self._new_actions(t1_id, old)

    def test_reset_runs_each_item_exactly_once(self):
        wf_id, t1_id = self._failed()
        new = self._rerun_holding_item_2(wf_id, t1_id, True, 5)

        self.assertEqual([0, 1, 2, 3, 4], sorted(a[0] for a in new))
        self.assertTrue(all(a[1:3] == ('SUCCESS', True) for a in new), new)
        self.assertEqual({'r': [1, 2, 3, 4, 5]},
                         self.task(wf_id, 't1')['published'])
        # Every item's action ran once in the re-run (and once before).
        self.assertEqual(2, HeldCheck.started[2])
        self.assertEqual(2, HeldCheck.started[5])

    def test_no_reset_runs_the_failed_items_exactly_once(self):
        wf_id, t1_id = self._failed()
        new = self._rerun_holding_item_2(wf_id, t1_id, False, 2)

        self.assertEqual([(1, 'SUCCESS', True), (3, 'SUCCESS', True)],
                         [a[:3] for a in new])
        self.assertEqual({'r': [1, 2, 3, 4, 5]},
                         self.task(wf_id, 't1')['published'])
        self.assertEqual(1, HeldCheck.started[1])
        self.assertEqual(2, HeldCheck.started[2])


class TestWithItemsPublish(RerunSemanticsTestCase):

    def test_rerun_after_a_failed_publish(self):
        wf_id = self.start(WITH_ITEMS_PUBLISH)
        self.await_workflow_error(wf_id)
        self.created(wf_id, points=[{'task': 't1', 'context': {'div': 2}}])
        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        self.assertEqual({'r': 3}, self.task(wf_id, 't1')['published'])
        self.assertNothingLeft(wf_id)


class TestRerunBeforeItStarts(RerunSemanticsTestCase):

    def setUp(self):
        super().setUp()
        # The engine's start of chosen tasks is held, and the joins'
        # refreshes are recorded, to order them.
        self.held_starts = {}
        self.refreshed = []
        start_task = default_engine.DefaultEngine.start_task
        refresh = task_handler._refresh_task_state

        def held_start_task(engine, task_ex_id, *args, **kwargs):
            gate = self.held_starts.get(task_ex_id)
            if gate is not None:
                gate.wait(base.TIMEOUT)
            return start_task(engine, task_ex_id, *args, **kwargs)

        def recorded_refresh(task_ex_id):
            try:
                return refresh(task_ex_id)
            finally:
                self.refreshed.append(task_ex_id)

        self.patch(default_engine.DefaultEngine, 'start_task',
                   held_start_task)
        self.patch(task_handler, '_refresh_task_state', recorded_refresh)
        self.addCleanup(lambda: [g.set() for g in self.held_starts.values()])

    def test_join_refreshed_before_the_rerun_starts(self):
        wf_id = self.start(workflows.PARALLEL)
        self.await_workflow_error(wf_id)
        self.await_task_done(wf_id, 'b1')
        self.await_task_done(wf_id, 'b2')
        b1_id = self.task(wf_id, 'b1')['id']
        self.held_starts[b1_id] = threading.Event()

        self.created(wf_id, points=[
            {'task': 'b1', 'context': {'v1': 'one'}},
            {'task': 'b2', 'mode': 'continue', 'published': {'r2': 'two'}}])
        # The continued b2 created the join; it is refreshed while b1 has
        # not started again yet.
        self._await(lambda: self.tasks(wf_id, 'done') and
                    self.task(wf_id, 'done')['id'] in self.refreshed)
        self.assertEqual(states.WAITING, self.task(wf_id, 'done')['state'])
        self.held_starts.pop(b1_id).set()

        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        self.assertEqual({'out': ['one', 'two']},
                         self.task(wf_id, 'done')['published'])
        self.assertNothingLeft(wf_id)


class TestPoliciesOnRerun(RerunSemanticsTestCase):

    def _rerun_fixes(self, definition, wf_input, context, actions):
        wf_id = self.start(definition, wf_input)
        self.await_workflow_error(wf_id)
        self.created(wf_id, points=[{'task': 't1', 'context': context}])
        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        t1 = self.task(wf_id, 't1')
        self.assertEqual(actions, t1['actions'])
        self.assertNothingLeft(wf_id)
        return t1

    def test_wait_before_failure_in_input(self):
        t1 = self._rerun_fixes(WAIT_BEFORE, {'zero': 0}, {'zero': 1}, 1)
        self.assertEqual({'r': 1}, t1['published'])

    def test_wait_before_failure_in_action(self):
        t1 = self._rerun_fixes(WAIT_BEFORE, {'zero': 1, 'ok': False},
                               {'ok': True}, 2)
        self.assertEqual({'r': 1}, t1['published'])

    def test_wait_after_failure_in_input(self):
        t1 = self._rerun_fixes(WAIT_AFTER, {'zero': 0}, {'zero': 1}, 1)
        self.assertEqual({'r': 1}, t1['published'])

    def test_wait_after_failure_in_action(self):
        t1 = self._rerun_fixes(WAIT_AFTER, {'zero': 1, 'ok': False},
                               {'ok': True}, 2)
        self.assertEqual({'r': 1}, t1['published'])

    def test_retry_fixed(self):
        # Three runs before (the first and two retries), one after.
        t1 = self._rerun_fixes(RETRY, {}, {'x': 'ok'}, 4)
        self.assertEqual({'r': 'ok'}, t1['published'])

    def test_retry_counts_again_on_a_rerun(self):
        wf_id = self.start(RETRY)
        self.await_workflow_error(wf_id)
        self.created(wf_id, points=[{'task': 't1'}])
        ex = self.await_settled(wf_id)
        self.assertEqual(states.ERROR, ex.state)
        # The re-run was retried twice too, then failed for good.
        self.assertEqual(6, self.task(wf_id, 't1')['actions'])
        self.assertNothingLeft(wf_id)

    def _continue_on(self, until, first_run_actions):
        wf_id = self.start(RETRY_CONTINUE_ON.replace('UNTIL', until))
        self.await_workflow_error(wf_id)
        self.assertEqual(first_run_actions,
                         self.task(wf_id, 't1')['actions'])
        self.created(wf_id,
                     points=[{'task': 't1', 'context': {'x': 'again'}}])
        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        t1 = self.task(wf_id, 't1')
        self.assertEqual({'r': 'again'}, t1['published'])
        self.assertNothingLeft(wf_id)
        return t1['actions'] - first_run_actions

    def test_retry_continue_on_applies_to_the_rerun(self):
        # The failed run's error is not "again": not retried. The re-run's
        # result is: retried twice, as a first run with it would be.
        self.assertEqual(3, self._continue_on('= "again"', 1))

    def test_retry_continue_on_counts_again_on_a_rerun(self):
        # The failed run was retried until its count ran out (the count
        # stays stored on the task); the re-run counts from zero.
        self.assertEqual(3, self._continue_on('!= "done"', 3))

    def test_fail_on_and_safe_rerun(self):
        wf_id = self.start(FAIL_ON)
        self.await_workflow_error(wf_id)
        self.assertIn("fail-on", self.task(wf_id, 't1')['state_info'])
        self.created(wf_id, points=[{'task': 't1', 'context': {'x': 'ok'}}])
        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        t1 = self.task(wf_id, 't1')
        self.assertEqual(({'r': 'ok'}, 2), (t1['published'], t1['actions']))

    def test_fail_on_applies_to_the_rerun(self):
        wf_id = self.start(FAIL_ON)
        self.await_workflow_error(wf_id)
        self.created(wf_id, points=[{'task': 't1'}])
        ex = self.await_settled(wf_id)
        self.assertEqual(states.ERROR, ex.state)
        t1 = self.task(wf_id, 't1')
        self.assertIn("fail-on", t1['state_info'])
        self.assertEqual(2, t1['actions'])
        self.assertNothingLeft(wf_id)

    def test_pause_before_applies_to_the_rerun(self):
        wf_id = self.start(PAUSE_BEFORE)
        self.await_workflow_error(wf_id)
        self.created(wf_id, points=[{'task': 't1', 'context': {'x': 'ok'}}])
        # As a first run with x ok would: paused before the task.
        self.await_workflow_paused(wf_id)
        self.assertEqual(states.IDLE, self.task(wf_id, 't1')['state'])
        self.created(wf_id)
        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        self.assertEqual({'r': 'ok'}, self.task(wf_id, 't1')['published'])
        self.assertNothingLeft(wf_id)


class TestStaleResult(RerunSemanticsTestCase):

    def setUp(self):
        super().setUp()
        # Results the engine was given (whatever it did with them), to know
        # when the stale one has been dealt with.
        self.delivered = []
        original = default_engine.DefaultEngine.on_action_complete

        def on_action_complete(engine, action_ex_id, *args, **kwargs):
            try:
                return original(engine, action_ex_id, *args, **kwargs)
            finally:
                self.delivered.append(action_ex_id)

        self.patch(default_engine.DefaultEngine, 'on_action_complete',
                   on_action_complete)

    def test_late_result_of_the_timed_out_run_is_ignored(self):
        self.hold('stale')
        wf_id = self.start(TIMEOUT)
        self.await_workflow_error(wf_id)
        t1 = self.task(wf_id, 't1')
        self.assertIn('timed out', t1['state_info'])
        (stale,) = self.actions(t1['id'])
        self.assertEqual(states.RUNNING, stale[1])

        # The re-run is held too, so that the stale result arrives while it
        # runs.
        self.hold('fresh')
        self.created(wf_id, points=[
            {'task': 't1',
             'context': {'x': 'ok', 'key': 'fresh', 'timeout': 0}}])
        self.await_started('fresh')
        self.release('stale')
        self._await(lambda: stale[3] in self.delivered)
        self.assertEqual(states.RUNNING, self.task(wf_id, 't1')['state'])
        self.release('fresh')

        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        t1 = self.task(wf_id, 't1')
        self.assertEqual({'r': 'ok'}, t1['published'])
        # The superseded action was cancelled by the resume, and its late
        # result refused.
        self.assertEqual(
            [(states.CANCELLED, False), (states.SUCCESS, True)],
            sorted(a[1:3] for a in self.actions(t1['id'])))

    def _timeout_calls(self):
        with db_api.transaction():
            return {c.id for c in db_api.get_delayed_calls(
                target_method_name=policies._FAIL_IF_INCOMPLETE_TASK_PATH)}

    def test_timeout_of_the_failed_run_does_not_end_the_rerun(self):
        # The first run fails at once; its timeout is still pending.
        wf_id = self.start(TIMEOUT, {'key': 'none', 'timeout': 2})
        self.await_workflow_error(wf_id)
        stale_timeouts = self._timeout_calls()
        self.assertEqual(1, len(stale_timeouts))

        self.hold('fresh')
        self.created(wf_id, points=[
            {'task': 't1',
             'context': {'x': 'ok', 'key': 'fresh', 'timeout': 60}}])
        self.await_started('fresh')
        # Once the first run's timeout is gone (fired, or cancelled), the
        # re-run, which has a timeout of its own, still runs.
        self._await(lambda: not stale_timeouts & self._timeout_calls())
        self.assertEqual(states.RUNNING, self.task(wf_id, 't1')['state'])
        self.release('fresh')

        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        self.assertEqual({'r': 'ok'}, self.task(wf_id, 't1')['published'])

    def test_late_result_of_a_timed_out_iteration_is_ignored(self):
        self.hold(2)
        wf_id = self.start(WITH_ITEMS_TIMEOUT)
        self.await_workflow_error(wf_id)
        t1_id = self.task(wf_id, 't1')['id']
        # Item 2, and those the executor had not finished yet, still run.
        stale = [a for a in self.actions(t1_id) if a[1] == 'RUNNING']
        self.assertIn(1, [a[0] for a in stale])
        self.assertNotIn(0, [a[0] for a in stale])

        # Only the iterations that never finished run again.
        self.hold(12)
        self.created(wf_id, points=[
            {'task': 't1', 'reset': False,
             'context': {'round': 1, 'timeout': 0}}])
        self.await_started(12)
        self.release(2)
        self._await(lambda: all(a[3] in self.delivered for a in stale))
        self.assertEqual(states.RUNNING, self.task(wf_id, 't1')['state'])
        self.release(12)

        ex = self.await_settled(wf_id)
        self.assertEqual(states.SUCCESS, ex.state, ex.state_info)
        self.assertEqual({'r': [1, 2, 3]}, self.task(wf_id, 't1')['published'])
        actions = [a[:3] for a in self.actions(t1_id)]
        self.assertEqual(
            [(a[0], 'CANCELLED', False) for a in stale],
            [a for a in actions if a[1] == 'CANCELLED'])
        self.assertEqual([(0, 'SUCCESS', True), (1, 'SUCCESS', True),
                          (2, 'SUCCESS', True)],
                         [a for a in actions if a[1] != 'CANCELLED'])
        self.assertEqual(0, HeldCheck.started[11])
