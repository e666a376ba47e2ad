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

"""Drive a matrix row through Mistral's engine and read its end state.

Steps (a row's ``before`` and ``after``) are tuples:

- ``('state', S)``: wait until the top execution is in state S;
- ``('done', path)``: wait until the task's executions are all completed;
- ``('release', path)``: complete the task's held action (std.async_noop)
  successfully, as its external system would: the order of parallel
  branches is set by the test, never by timing;
- ``('actions_done', path)``: wait until every action of the task has
  finished (a timed-out action still running in the executor);
- ``('idle', path)``: wait until the task is IDLE with Mistral's own start
  of it held (tests.functional.start_gate, set up as the row starts): the
  resume arrives before that start;
- ``('deliver', path)``: deliver the held start of the task, then let
  every later start of it through: Mistral's start reaches the engine
  before the resume's;
- ``('upload', yaml)``: update the workflow definitions;
- ``('resume',)``: a plain resume (a resume without points, or stock's
  ``PUT /v2/executions/{id}`` with state RUNNING).
"""

import json
import re

from mistral.db.v2 import api as db_api
from mistral.services import workflows as wf_service
from mistral.workflow import states
from mistral_lib import actions as ml_actions

from tests.functional.matrix import model
from tests.functional import start_gate

_DONE = (states.SUCCESS, states.ERROR, states.SKIPPED, states.CANCELLED)
_SETTLED = (states.SUCCESS, states.ERROR, states.CANCELLED, states.PAUSED)
# Tasks that go on by themselves. A WAITING join left in a stopped
# execution does not (the end state reports it as unfinished); an IDLE task
# does unless the execution is PAUSED (its start is on its way: an on-error
# handler next to "fail").
_MOVING = (states.RUNNING, states.RUNNING_DELAYED)

RESUME = 'resume'
STOCK = 'stock'


def _template(expected, end):
    """The End whose fields say what to read of an end state."""
    for candidate in (expected, end):
        if isinstance(candidate, model.End):
            return candidate
    return model.End(None, {}, None)


class MatrixRunner(object):
    """Mixed into tests.base.ApiTestCase."""

    # The execution tree.

    def _tree(self, wf_id):
        """(path, task execution) of every task of the tree, oldest first."""
        found = []

        def walk(wf_ex, prefix):
            for t in sorted(wf_ex.task_executions,
                            key=lambda t: (t.created_at, t.id)):
                path = prefix + t.name
                found.append((path, t))
                for child in db_api.get_workflow_executions(
                        task_execution_id=t.id,
                        sort_keys=['created_at'], sort_dirs=['asc']):
                    walk(child, path + '.')

        walk(db_api.get_workflow_execution(wf_id), '')
        return found

    def task_ex_id(self, wf_id, path):
        """The id of the task's only failed (else latest) execution."""
        with db_api.transaction():
            found = [t for p, t in self._tree(wf_id) if p == path]
            failed = [t for t in found if t.state == states.ERROR]
            return (failed or found)[-1].id

    def settled(self, wf_id):
        with db_api.transaction():
            wf_ex = db_api.get_workflow_execution(wf_id)
            moving = _MOVING if wf_ex.state == states.PAUSED else (
                _MOVING + (states.IDLE,))
            return wf_ex.state in _SETTLED and not any(
                t.state in moving for _, t in self._tree(wf_id))

    def stuck(self, wf_id, expected):
        """The execution is stuck in the expected RUNNING end state.

        Nothing is left that would move it: no action runs and nothing is
        scheduled but Mistral's periodic integrity check.
        """
        if self.observe(wf_id, expected) != expected.as_dict():
            return False
        with db_api.transaction():
            return not self._held_any(wf_id) and not [
                c for c in db_api.get_delayed_calls()
                if not c.target_method_name.endswith(
                    '_check_and_fix_integrity')]

    def _held_any(self, wf_id):
        return [a.id for _, t in self._tree(wf_id)
                for a in t.action_executions if a.state == states.RUNNING]

    def observe(self, wf_id, expected):
        """The end state, in the shape of End.as_dict()."""
        with db_api.transaction():
            wf_ex = db_api.get_workflow_execution(wf_id)
            runs, iterations, published = {}, {}, {}
            errors, unfinished = set(), []
            for path, t in self._tree(wf_id):
                runs[path] = runs.get(path, 0) + len(t.executions)
                iterations[path] = iterations.get(path, 0) + 1
                published.setdefault(path, []).append(dict(t.published or {}))
                if t.state == states.ERROR:
                    errors.add(path)
                if t.state not in _DONE:
                    unfinished.append('%s is %s' % (path, t.state))
            out = {
                'state': wf_ex.state,
                'runs': runs,
                'iterations': {p: n for p, n in iterations.items() if n != 1},
                'errors': sorted(errors),
                # A task that ran several times: what each run published,
                # in a stable order (creation times tie within a second).
                'published': {
                    p: (published[p][0] if len(published[p]) == 1 else
                        sorted(published[p], key=lambda d: json.dumps(
                            d, sort_keys=True)))
                    for p in expected.published if p in published},
                'unfinished': unfinished,
            }
            if expected.output is not None:
                out['output'] = dict(wf_ex.output or {})
            return out

    # Driving a row.

    def drive(self, row):
        """Start the row's execution and bring it to its failure."""
        names = self.start_definitions(row.definition)
        self.gates = {
            step[1]: start_gate.StartGate(self, step[1].split('.')[-1])
            for step in row.before if step[0] == 'idle'}
        params = {'env': row.env} if row.env else {}
        name = row.start or names[0]
        if isinstance(name, tuple):
            name, params['task_name'] = name
        wf_id = self.engine.start_workflow(
            name, wf_input=row.wf_input or {}, **params).id
        self.steps(row.before, wf_id, RESUME)
        self._await(lambda: self.settled(wf_id))
        self.assertEqual(row.fails, self.execution(wf_id).state,
                         self.execution(wf_id).state_info)
        return wf_id

    def steps(self, steps, wf_id, mode):
        for step in steps:
            getattr(self, '_step_' + step[0])(wf_id, mode, *step[1:])

    def _step_state(self, wf_id, mode, state):
        self.await_workflow_state(wf_id, state)

    def _step_done(self, wf_id, mode, path):
        self._await(lambda: self._tasks_done(wf_id, path))

    def _tasks_done(self, wf_id, path):
        with db_api.transaction():
            found = [t for p, t in self._tree(wf_id) if p == path]
            return found and all(t.state in _DONE for t in found)

    def _step_release(self, wf_id, mode, path, runs=1):
        """Complete the newest held action, once the task has ``runs``."""
        self._await(lambda: len(self._actions(wf_id, path)) >= runs and
                    self._held(wf_id, path))
        self.engine.on_action_complete(self._held(wf_id, path)[-1],
                                       ml_actions.Result(data=path))
        self._step_done(wf_id, mode, path)

    def _step_release_stale(self, wf_id, mode, path):
        """Complete the oldest action (a superseded run's) late.

        Once the re-run's action is held. A resume has cancelled it, and
        Mistral refuses a result for a completed action (the call fails);
        stock leaves it running and takes the result.
        """
        self._await(lambda: len(self._actions(wf_id, path)) >= 2 and
                    self._held(wf_id, path))
        stale = self._actions(wf_id, path)[0][1]
        try:
            self.engine.on_action_complete(stale,
                                           ml_actions.Result(data='stale'))
        except ValueError as e:
            # RegularAction.complete (Mistral 23.0.0), over the RPC.
            if mode != RESUME or 'already completed' not in str(e):
                raise

    def _actions(self, wf_id, path):
        with db_api.transaction():
            return [(a.state, a.id) for p, t in self._tree(wf_id)
                    if p == path for a in sorted(
                        t.action_executions,
                        key=lambda a: (a.created_at, a.id))]

    def _held(self, wf_id, path):
        return [i for state, i in self._actions(wf_id, path)
                if state == states.RUNNING]

    def _step_actions_done(self, wf_id, mode, path):
        self._await(lambda: not self._held(wf_id, path))

    def _step_idle(self, wf_id, mode, path):
        self._await(lambda: self.gates[path].held)
        self.assertEqual([states.IDLE], [
            state for p, _, state, _ in self.snapshot(wf_id)[1]
            if p == path])

    def _step_deliver(self, wf_id, mode, path):
        gate = self.gates[path]
        gate.deliver(gate.held[0])
        gate.open()

    def _step_upload(self, wf_id, mode, definition):
        wf_service.update_workflows(model.workflow(definition))

    def _step_resume(self, wf_id, mode):
        if mode == RESUME:
            out = self.resume(wf_id)
            self.assertEqual('created', out['status'], out)
        else:
            self.app.put_json('/v2/executions/%s' % wf_id,
                              {'state': 'RUNNING'})
            self._restore_context()

    # The two ways to resume.

    def resume_body(self, row, wf_id):
        body = json.loads(json.dumps(row.resume))
        for point in body.get('points', ()):
            if point['task'].startswith('@'):
                point['task'] = self.task_ex_id(wf_id, point['task'][1:])
        return body

    def snapshot(self, wf_id):
        with db_api.transaction():
            return (db_api.get_workflow_execution(wf_id).state,
                    [(p, t.id, t.state, len(t.executions))
                     for p, t in self._tree(wf_id)])

    def _target(self, wf_id, path):
        """State and runs of the task a stock rerun names.

        Every task's, for a plain resume.
        """
        return [entry for entry in self.snapshot(wf_id)[1]
                if path is None or entry[0] == path]

    def run_resume(self, row):
        """Resume as the row says; return what the test compares."""
        wf_id = self.drive(row)
        before = self.snapshot(wf_id)
        out = self.resume(wf_id, **self.resume_body(row, wf_id))
        if out['status'] == 'unmet':
            # A refusal changes nothing, synchronously.
            self.assertEqual(before, self.snapshot(wf_id))
            return self.codes(out)
        self.assertEqual('created', out['status'], out)
        self.assertEqual(len(row.warnings), len(out['record']['warnings']),
                         out['record']['warnings'])
        # One warning per task named, in any order.
        self.assertEqual(sorted(row.warnings), sorted(
            name for name in row.warnings
            for warning in out['record']['warnings']
            if re.search(r'\btask %s\b' % re.escape(name),
                         warning.lower())))
        return self.ended(row.after, wf_id, RESUME,
                          _template(row.expected, row.end))

    def run_stock(self, row):
        """Rerun with stock Mistral's PUT /v2/tasks/{id}."""
        stock = row.stock
        wf_id = self.drive(row)
        before = self.snapshot(wf_id)
        task_id = stock.task and self.task_ex_id(wf_id, stock.task)
        target = self._target(wf_id, stock.task)
        body = {'state': 'RUNNING', 'reset': stock.reset}
        if stock.env:
            body['env'] = json.dumps(stock.env)
        url = '/v2/tasks/%s' % task_id
        if stock.task is None:
            url = '/v2/executions/%s' % wf_id
            body.pop('reset')
        answer = self.app.put_json(url, body, expect_errors=True)
        self._restore_context()
        if answer.status_int != 200:
            self.assertEqual(before, self.snapshot(wf_id))
            return answer.status_int, answer.json['faultstring']
        if self.snapshot(wf_id)[0] == before[0] and self._target(
                wf_id, stock.task) == target:
            # Accepted, yet the execution and the task stay as they were
            # (Mistral's rerun returns early on a PAUSED execution, its
            # resume on an ERROR one): nothing will happen.
            return 'unchanged'
        return self.ended(stock.after or row.after, wf_id, STOCK,
                          _template(stock.end, row.end))

    def ended(self, after, wf_id, mode, expected):
        self.steps(after, wf_id, mode)
        if expected.state == states.RUNNING:
            self._await(lambda: self.stuck(wf_id, expected),
                        fail_message='not stuck as expected: %r',
                        fail_message_formatter=lambda m: m % (
                            self.observe(wf_id, expected),))
        else:
            self._await(lambda: self.settled(wf_id))
        return self.observe(wf_id, expected)
