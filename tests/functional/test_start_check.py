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

"""The start check: what a committed resume must start, started once.

``[resume] test_drop_post_commit`` drops the work Mistral does after a
resume's commit, as the death of its engine right after the commit does.
The check is kept from running early by a long ``start_check_delay``, and
made due by the test, so that every state it sees is deterministic.
"""

from mistral.db.v2 import api as db_api
from mistral.scheduler import base as sched_base
from mistral_lib import actions as ml_actions
from mistral_lib import utils as mistral_utils

from mistral_resume.engine import start_check
from tests import base
from tests import workflows

# t2 re-runs; t3 then stays RUNNING until the test completes its action.
HELD_AFTER = """
version: '2.0'
held_after:
  input:
    - x: null
  tasks:
    t2:
      action: test.check value=<% $.x %>
      on-success: t3
    t3:
      action: std.async_noop
"""


class StartCheckTestCase(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.override_config('start_check_delay', 600, 'resume')

    def checks(self):
        with db_api.transaction():
            return [c.id for c in db_api.get_delayed_calls()
                    if c.target_method_name == start_check.CHECK_PATH]

    def make_checks_due(self):
        ids = self.checks()
        self.assertNotEqual([], ids)
        with db_api.transaction():
            for call_id in ids:
                db_api.update_delayed_call(
                    call_id, {'execution_time': mistral_utils.utc_now_sec()})

    def await_no_check(self):
        self._await(lambda: not self.checks())

    def actions(self, wf_id):
        return {t['name']: t['actions'] for t in self.tasks(wf_id)}

    def failed_chain(self):
        wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(wf_id)
        return wf_id

    def resume_dropped(self, wf_id, point):
        """A resume whose engine "dies" right after its commit."""
        self.override_config('test_drop_post_commit', True, 'resume')
        outcome = self.resume(wf_id, points=[point])
        self.override_config('test_drop_post_commit', False, 'resume')
        self.assertEqual('created', outcome['status'], outcome)
        return outcome

    def test_rerun_lost_is_started_by_the_check(self):
        wf_id = self.failed_chain()
        self.resume_dropped(wf_id, {'task': 't2', 'context': {'x': 'ok'}})

        # Committed, and nothing started it: the state an engine's death
        # right after the commit leaves.
        self.assertEqual('RUNNING', self.execution(wf_id).state)
        self.assertEqual('WAITING', self.task(wf_id, 't2')['state'])
        self.assertEqual(1, len(self.checks()))

        self.make_checks_due()
        self.await_workflow_success(wf_id)
        # t2: the first run and the re-run; t3 once.
        self.assertEqual({'t1': 1, 't2': 2, 't3': 1}, self.actions(wf_id))
        self.assertEqual('ok', self.task(wf_id, 't3')['published']['out'])
        # The check's own starts were checked, then cancelled.
        self.await_no_check()

    def test_rerun_lost_in_a_sub_workflow_is_started_by_the_check(self):
        wf_id = self.start(workflows.NESTED, name='top')
        self.await_workflow_error(wf_id)
        mid_id, = self.children(wf_id)
        low_id, = self.children(mid_id)
        self.await_workflow_error(low_id)
        self.resume_dropped(wf_id, {'task': 'a.b.c', 'context': {'x': 'ok'}})
        self.assertEqual('WAITING', self.task(low_id, 'c')['state'])

        self.make_checks_due()
        self.await_workflow_success(wf_id)
        # Found two levels down, and started there once.
        self.assertEqual({'c': 2}, self.actions(low_id))
        self.assertEqual({'out': 'ok'}, self.task(wf_id, 'done')['published'])
        self.await_no_check()

    def test_continue_lost_is_started_by_the_check(self):
        wf_id = self.failed_chain()
        self.resume_dropped(wf_id, {'task': 't2', 'mode': 'continue',
                                    'published': {'y': 'given', 'z': 2}})
        self.assertEqual('IDLE', self.task(wf_id, 't3')['state'])

        self.make_checks_due()
        self.await_workflow_success(wf_id)
        self.assertEqual({'t1': 1, 't2': 1, 't3': 1}, self.actions(wf_id))
        self.assertEqual('given', self.task(wf_id, 't3')['published']['out'])
        self.await_no_check()

    def test_normal_start_cancels_the_check(self):
        wf_id = self.failed_chain()
        outcome = self.resume(wf_id, points=[{'task': 't2',
                                              'context': {'x': 'ok'}}])
        self.assertEqual('created', outcome['status'], outcome)
        self.await_workflow_success(wf_id)
        self.await_no_check()
        self.assertEqual({'t1': 1, 't2': 2, 't3': 1}, self.actions(wf_id))

    def test_check_after_a_normal_start_starts_nothing(self):
        # The check runs although everything started (as when the engine
        # died after its casts but before the check was cancelled): it
        # must not start anything a second time.
        wf_id = self.start(HELD_AFTER)
        self.await_workflow_error(wf_id)
        t2_id = self.task(wf_id, 't2')['id']
        outcome = self.resume(wf_id, points=[{'task': 't2',
                                              'context': {'x': 'ok'}}])
        self._await(lambda: self.tasks(wf_id, 't3') and
                    self.task(wf_id, 't3')['actions'] == 1)
        self.await_no_check()

        start_check.check(execution_id=wf_id,
                          record_id=outcome['record']['id'],
                          resumes=1, reruns={t2_id: True})
        # The follow-up it schedules is cancelled once its own post-commit
        # work is done.
        self.await_no_check()

        action_id = self._running_action(wf_id, 't3')
        self.engine.on_action_complete(action_id,
                                       ml_actions.Result(data='done'))
        self.await_workflow_success(wf_id)
        self.assertEqual({'t2': 2, 't3': 1}, self.actions(wf_id))
        self.assertEqual(2, len(self.tasks(wf_id)))

    def _running_action(self, wf_id, name):
        with db_api.transaction():
            found = [a.id for t in db_api.get_task_executions(
                workflow_execution_id=wf_id, name=name)
                for a in t.executions if a.state == 'RUNNING']
        self.assertEqual(1, len(found))
        return found[0]

    def test_paused_since_then_resumed_again(self):
        # The lost re-run's execution is paused before the check runs: the
        # check leaves it to whoever resumes it; that resume re-runs t2,
        # which then runs once, not twice.
        wf_id = self.failed_chain()
        self.resume_dropped(wf_id, {'task': 't2', 'context': {'x': 'ok'}})
        self.engine.pause_workflow(wf_id)
        self.make_checks_due()
        self.await_no_check()
        self.assertEqual('PAUSED', self.execution(wf_id).state)
        self.assertEqual('ERROR', self.task(wf_id, 't2')['state'])

        outcome = self.resume(wf_id, points=[{'task': 't2',
                                              'context': {'x': 'ok'}}])
        self.assertEqual('created', outcome['status'], outcome)
        self.await_workflow_success(wf_id)
        self.assertEqual({'t1': 1, 't2': 2, 't3': 1}, self.actions(wf_id))

    def test_resumed_again_since(self):
        # Two resumes lost one after the other (the execution was paused
        # in between): the first one's check finds the second and leaves
        # the start to the second one's check, so t2 runs once.
        wf_id = self.failed_chain()
        first = self.resume_dropped(wf_id, {'task': 't2',
                                            'context': {'x': 'bad'}})
        self.engine.pause_workflow(wf_id)
        self.make_checks_due()
        self.await_no_check()
        self.resume_dropped(wf_id, {'task': 't2', 'context': {'x': 'ok'}})
        self.assertEqual(1, len(self.checks()))

        # The first resume's check, late: it starts nothing and schedules
        # nothing.
        start_check.check(execution_id=wf_id,
                          record_id=first['record']['id'], resumes=1,
                          reruns={self.task(wf_id, 't2')['id']: True})
        self.assertEqual('WAITING', self.task(wf_id, 't2')['state'])
        self.assertEqual(1, len(self.checks()))

        self.make_checks_due()
        self.await_workflow_success(wf_id)
        self.assertEqual({'t1': 1, 't2': 2, 't3': 1}, self.actions(wf_id))
        self.assertEqual('ok', self.task(wf_id, 't3')['published']['out'])

    def test_rerun_and_continue_before_a_join(self):
        # As the integration test of an engine's death, in-process.
        wf_id = self.start(workflows.ENGINE_DEATH)
        self.await_workflow_error(wf_id)
        self.override_config('test_drop_post_commit', True, 'resume')
        outcome = self.resume(wf_id, points=[
            {'task': 'b', 'context': {'x': 1}},
            {'task': 'c', 'mode': 'continue', 'published': {'cv': 'given'}}])
        self.override_config('test_drop_post_commit', False, 'resume')
        self.assertEqual('created', outcome['status'], outcome)

        self.make_checks_due()
        self.await_workflow_success(wf_id)
        # b failed on its input (no action), then ran once; c continued.
        self.assertEqual({'start': 1, 'b': 1, 'c': 0, 'done': 1},
                         self.actions(wf_id))
        self.assertEqual([1, 'given'],
                         self.task(wf_id, 'done')['published']['both'])
        self.await_no_check()


class DefaultSchedulerStartCheckTestCase(base.EngineTestCase):
    """The same on Mistral's ``default`` scheduler (scheduled_jobs_v2)."""

    def setUp(self):
        # Read when the engine starts its scheduler (in super().setUp());
        # Mistral caches the implementation for the process: the tests
        # after these get the legacy one back.
        self.override_config('scheduler_type', 'default')
        self.patch(sched_base, '_SCHEDULER_IMPL', None)
        super().setUp()
        self.override_config('start_check_delay', 1, 'resume')

    def checks(self):
        with db_api.transaction():
            return [j.id for j in db_api.get_scheduled_jobs()
                    if j.func_name == start_check.CHECK_PATH]

    def test_rerun_lost_is_started_by_the_check(self):
        wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(wf_id)
        self.override_config('test_drop_post_commit', True, 'resume')
        outcome = self.resume(wf_id, points=[{'task': 't2',
                                              'context': {'x': 'ok'}}])
        self.override_config('test_drop_post_commit', False, 'resume')
        self.assertEqual('created', outcome['status'], outcome)

        self.await_workflow_success(wf_id)
        self.assertEqual(
            {'t1': 1, 't2': 2, 't3': 1},
            {t['name']: t['actions'] for t in self.tasks(wf_id)})
        self._await(lambda: not self.checks())
