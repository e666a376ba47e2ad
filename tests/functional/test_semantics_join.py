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

"""A join after a failed branch whose sibling finished late (issue 11, 1).

The sibling ``a`` of the failed branch completes either before ``c`` fails
or after the failure stopped the execution; each order is made by the
test, which completes the asynchronous actions holding both branches.
Completed while the execution was in ERROR, ``a`` never had its
transitions processed (Mistral computes none for a finished workflow):
the resume processes them, once, and the join runs with both branches'
variables.
"""

from mistral.db.v2 import api as db_api
from mistral_lib import actions as ml_actions

from tests import base
from tests import workflows


class JoinLateTestCase(base.EngineTestCase):

    def complete_action(self, wf_id, name, result=None, error=None):
        """Send the result of the asynchronous action holding a task."""
        found = []

        def running():
            found[:] = self._running_actions(wf_id, name)
            return bool(found)

        self._await(running)
        self.engine.on_action_complete(
            found[0], ml_actions.Result(data=result, error=error))
        self.await_task_done(wf_id, name)

    def _running_actions(self, wf_id, name):
        with db_api.transaction():
            return [a.id for t in db_api.get_task_executions(
                workflow_execution_id=wf_id, name=name)
                for a in t.executions if a.state == 'RUNNING']

    def failed_then_a(self):
        """c fails first; a completes while the execution is in ERROR."""
        wf_id = self.start(workflows.JOIN_LATE)
        self.complete_action(wf_id, 'gate_c', None)
        self.await_workflow_error(wf_id)
        self.assertEqual('ERROR', self.task(wf_id, 'c')['state'])
        self.complete_action(wf_id, 'a', 'A')
        self.assertEqual('SUCCESS', self.task(wf_id, 'a')['state'])
        self.assertEqual([], self.tasks(wf_id, 'done'))
        self.assertEqual('ERROR', self.execution(wf_id).state)
        return wf_id

    def a_then_failed(self):
        """a completes first (the join waits); then c fails."""
        wf_id = self.start(workflows.JOIN_LATE)
        self.complete_action(wf_id, 'a', 'A')
        self._await(lambda: self.tasks(wf_id, 'done'))
        self.complete_action(wf_id, 'gate_c', None)
        self.await_workflow_error(wf_id)
        self.assertEqual('ERROR', self.task(wf_id, 'c')['state'])
        return wf_id

    def assertJoinedOnce(self, wf_id, cv):
        self.await_workflow_success(wf_id)
        done = self.task(wf_id, 'done')
        self.assertEqual('SUCCESS', done['state'])
        self.assertEqual(1, done['actions'])
        self.assertEqual('A', done['in_context']['av'])
        self.assertEqual(cv, done['in_context']['cv'])
        self.assertEqual({'out': ['A', cv]}, done['published'])
        for task in self.tasks(wf_id):
            self.assertIn(task['state'], ('SUCCESS',), task)

    def rerun_c(self, wf_id):
        out = self.resume(wf_id, points=[
            {'task': 'c', 'context': {'zero': 1}}])
        self.assertEqual('created', out['status'], out)
        return out['record']

    def continue_c(self, wf_id):
        out = self.resume(wf_id, points=[
            {'task': 'c', 'mode': 'continue', 'published': {'cv': 7}}])
        self.assertEqual('created', out['status'], out)
        return out['record']


class TestSiblingAfterFailure(JoinLateTestCase):

    def test_rerun_runs_the_join_once(self):
        wf_id = self.failed_then_a()
        self.rerun_c(wf_id)
        self.assertJoinedOnce(wf_id, 1)
        self.assertEqual(1, self.task(wf_id, 'c')['published']['cv'])

    def test_continue_runs_the_join_once(self):
        wf_id = self.failed_then_a()
        self.continue_c(wf_id)
        self.assertJoinedOnce(wf_id, 7)

    def test_followed_once_across_two_resumes(self):
        wf_id = self.failed_then_a()
        # Without the fix in its context, c fails again: a's transitions
        # were followed by this resume (the join waits, then fails with
        # c), and are not followed a second time by the next one.
        self.resume(wf_id, points=[{'task': 'c'}])
        self._await(lambda: self.execution(wf_id).state == 'ERROR' and
                    self.task(wf_id, 'c')['state'] == 'ERROR' and
                    self.tasks(wf_id, 'done'))
        a_id = self.task(wf_id, 'a')['id']
        self.assertEqual([], [w for w in self.requirements(wf_id)['warnings']
                              if a_id in w])
        self.rerun_c(wf_id)
        self.assertJoinedOnce(wf_id, 1)

    def test_requirements_show_what_the_resume_starts(self):
        wf_id = self.failed_then_a()
        a_id = self.task(wf_id, 'a')['id']

        view = self.requirements(wf_id)
        held = [w for w in view['warnings'] if a_id in w]
        self.assertEqual(1, len(held), view['warnings'])
        self.assertIn('done', held[0])

        out = self.resume(wf_id, dry_run=True, points=[
            {'task': 'c', 'context': {'zero': 1}}])
        self.assertEqual('dry_run', out['status'], out)
        held = [w for w in out['record']['warnings'] if a_id in w]
        self.assertEqual(1, len(held), out['record']['warnings'])
        self.assertIn('done', held[0])

        # Nothing changed: the dry run processed nothing.
        self.assertEqual([], self.tasks(wf_id, 'done'))

        record = self.rerun_c(wf_id)
        self.assertEqual(out['record']['warnings'], record['warnings'])
        self.assertJoinedOnce(wf_id, 1)


class TestSiblingBeforeFailure(JoinLateTestCase):

    def test_rerun_runs_the_join_once(self):
        wf_id = self.a_then_failed()
        self.rerun_c(wf_id)
        self.assertJoinedOnce(wf_id, 1)

    def test_continue_runs_the_join_once(self):
        wf_id = self.a_then_failed()
        self.continue_c(wf_id)
        self.assertJoinedOnce(wf_id, 7)

    def test_nothing_held_back(self):
        wf_id = self.a_then_failed()
        a_id = self.task(wf_id, 'a')['id']
        view = self.requirements(wf_id)
        self.assertEqual([], [w for w in view['warnings'] if a_id in w])


# b fails after c's failure (on its input) stopped the execution at once:
# its on-error handler never ran, and b looks unhandled. Had the execution
# been RUNNING, notify would have handled it.
LATE_ERROR = """
version: '2.0'
late_error:
  input:
    - zero: 0
  tasks:
    start:
      action: std.noop
      on-success:
        - b
        - c
    b:
      action: std.async_noop
      on-error:
        - notify
    notify:
      action: std.echo output="notified"
      publish:
        notified: <% task().result %>
    c:
      action: std.echo output=<% 1 / $.zero %>
      publish:
        cv: <% task().result %>
"""


class TestLateFailureWithAHandler(JoinLateTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(LATE_ERROR)
        self.await_task_done(self.wf_id, 'c')
        self.await_workflow_error(self.wf_id)
        self.complete_action(self.wf_id, 'b', error='broken')
        b = self.task(self.wf_id, 'b')
        self.assertEqual('ERROR', b['state'])
        self.assertFalse(b['error_handled'])
        self.assertEqual([], self.tasks(self.wf_id, 'notify'))
        self.b_id = b['id']

    def test_its_handler_runs_without_naming_it(self):
        view = self.requirements(self.wf_id)
        # Only c needs a point: the resume follows b's on-error.
        self.assertEqual([('UNRESOLVED_FAILURE', 'c')],
                         [(r['code'], r['task'])
                          for r in view['requirements']])
        held, = [w for w in view['warnings'] if self.b_id in w]
        self.assertIn('notify', held)

        out = self.resume(self.wf_id, points=[
            {'task': 'c', 'context': {'zero': 1}}])
        self.assertEqual('created', out['status'], out)
        self.await_workflow_success(self.wf_id)
        notify = self.task(self.wf_id, 'notify')
        self.assertEqual({'notified': 'notified'}, notify['published'])
        self.assertEqual(1, notify['actions'])
        b = self.task(self.wf_id, 'b')
        self.assertEqual('ERROR', b['state'])
        self.assertTrue(b['error_handled'])

    def test_naming_it_reruns_it_instead(self):
        out = self.resume(self.wf_id, points=[
            {'task': 'c', 'context': {'zero': 1}}, {'task': 'b'}])
        self.assertEqual('created', out['status'], out)
        self.assertEqual([], [w for w in out['record']['warnings']
                              if self.b_id in w])
        self.complete_action(self.wf_id, 'b', result='fine')
        self.await_workflow_success(self.wf_id)
        self.assertEqual('SUCCESS', self.task(self.wf_id, 'b')['state'])
        self.assertEqual([], self.tasks(self.wf_id, 'notify'))


# The late task a leads to a join j whose other branch x finished in time:
# j already waits when a ends, and following a's transitions must refresh
# it, as Mistral refreshes a join when one of its inbound tasks completes.
JOIN_WAITING = """
version: '2.0'
join_waiting:
  input:
    - zero: 0
  tasks:
    start:
      action: std.noop
      on-success:
        - a
        - x
        - gate_c
    a:
      action: std.async_noop
      publish:
        av: <% task().result %>
      on-success:
        - j
    x:
      action: std.noop
      publish:
        xv: 1
      on-success:
        - j
    j:
      join: all
      action: std.echo output=<% [$.av, $.xv] %>
      publish:
        jout: <% task().result %>
    gate_c:
      action: std.async_noop
      on-success:
        - c
    c:
      action: std.echo output=<% 1 / $.zero %>
"""


class TestLateTaskIntoAWaitingJoin(JoinLateTestCase):

    def test_the_waiting_join_runs(self):
        wf_id = self.start(JOIN_WAITING)
        self._await(lambda: self.tasks(wf_id, 'j'))
        self.assertEqual('WAITING', self.task(wf_id, 'j')['state'])
        self.complete_action(wf_id, 'gate_c')
        self.await_workflow_error(wf_id)
        self.complete_action(wf_id, 'a', 'A')

        self.rerun_c(wf_id)
        self.await_workflow_success(wf_id)
        j = self.task(wf_id, 'j')
        self.assertEqual({'jout': ['A', 1]}, j['published'])
        self.assertEqual(1, j['actions'])
