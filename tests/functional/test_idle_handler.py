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

"""A resume that arrives while an on-error handler is still IDLE.

`on-error: [log, pause]` creates `log` IDLE and casts its start (Mistral's
start_task RPC, first_run) in the same transaction that pauses the
execution. A named resume read before that start is delivered finds `log`
IDLE and starts it too. Both starts are held here at the engine's RPC
endpoint and delivered in the order each test chooses; `log` must run
exactly once whatever the order.
"""

from mistral.db.v2 import api as db_api
from mistral.workflow import states
from mistral_lib import actions as ml_actions

from tests import base
from tests.functional import start_gate

WF = """
version: '2.0'
wf:
  input: [v]
  tasks:
    t:
      action: test.check value=<% $.v %>
      publish:
        r: <% task().result %>
      on-success: [after]
      on-error: [log, pause]
    log:
      action: std.async_noop
    after:
      action: std.echo output=<% $.r %>
      publish:
        out: <% task().result %>
"""


PAUSED_BY_USER = """
version: '2.0'
wf:
  input: [v]
  tasks:
    a:
      action: std.noop
      on-success: [log]
    log:
      action: std.async_noop
"""


class IdleHandlerTest(base.EngineTestCase):

    def _resume_while_idle(self, body, mistral_first, definition=WF,
                           pause=False):
        gate = start_gate.StartGate(self, 'log')
        wf_id = self.start(definition, wf_input={'v': 'bad'})
        # Mistral's own start of `log`, cast when it was created.
        self._await(lambda: len(gate.held) == 1)
        self.assertTrue(gate.held[0].first_run)
        if pause:
            self.engine.pause_workflow(wf_id)
        self.await_state(wf_id, states.PAUSED)
        self.assertEqual(states.IDLE, self.task(wf_id, 'log')['state'])

        out = self.resume(wf_id, **body)
        self.assertEqual('created', out['status'], out)
        # The start the resume dispatched for the IDLE handler.
        self._await(lambda: len(gate.held) == 2)
        own, resumed = gate.held
        for entry in (own, resumed) if mistral_first else (resumed, own):
            gate.deliver(entry)

        self._await(lambda: self._log_actions(wf_id))
        for action_id in self._log_actions(wf_id):
            self.engine.on_action_complete(action_id,
                                           ml_actions.Result(data='logged'))
        self.await_state(wf_id, states.SUCCESS)
        log = self.task(wf_id, 'log')
        self.assertEqual((states.SUCCESS, 1), (log['state'], log['actions']))
        return wf_id

    def _log_actions(self, wf_id):
        with db_api.transaction():
            return [a.id for t in db_api.get_task_executions(
                workflow_execution_id=wf_id, name='log')
                for a in t.action_executions if a.state == states.RUNNING]

    def test_rerun_mistral_start_first(self):
        wf_id = self._resume_while_idle(
            {'points': [{'task': 't', 'context': {'v': 'ok'}}]}, True)
        self.assertEqual({'out': 'ok'}, self.task(wf_id, 'after')['published'])

    def test_rerun_resume_start_first(self):
        self._resume_while_idle(
            {'points': [{'task': 't', 'context': {'v': 'ok'}}]}, False)

    def test_continue_mistral_start_first(self):
        wf_id = self._resume_while_idle(
            {'points': [{'task': 't', 'mode': 'continue',
                         'published': {'r': 'given'}}]}, True)
        self.assertEqual({'out': 'given'},
                         self.task(wf_id, 'after')['published'])

    def test_plain_resume_after_user_pause_mistral_start_first(self):
        # Mistral's own resume starts IDLE tasks too.
        self._resume_while_idle({}, True, PAUSED_BY_USER, pause=True)

    def test_handler_ends_before_the_rerun_starts(self):
        # The re-run task is ERROR, its error handled, until its start
        # reaches an engine: the handler ending in between must not end the
        # execution.
        t_gate = start_gate.StartGate(self, 't')
        log_gate = start_gate.StartGate(self, 'log')
        wf_id = self.start(WF, wf_input={'v': 'bad'})
        self._await(lambda: t_gate.held)
        t_gate.deliver(t_gate.held[0])
        self.await_state(wf_id, states.PAUSED)
        self._await(lambda: log_gate.held)

        out = self.resume(wf_id, points=[{'task': 't',
                                          'context': {'v': 'ok'}}])
        self.assertEqual('created', out['status'], out)
        # The rerun's start of `t` stays held while `log` runs and ends.
        self._await(lambda: len(t_gate.held) == 2)
        log_gate.deliver(log_gate.held[0])
        log_gate.open()
        self._await(lambda: self._log_actions(wf_id))
        self.engine.on_action_complete(self._log_actions(wf_id)[0],
                                       ml_actions.Result(data='logged'))
        self.assertEqual(states.RUNNING, self.execution(wf_id).state)

        t_gate.open()
        self.await_state(wf_id, states.SUCCESS)
        self.assertEqual({'out': 'ok'}, self.task(wf_id, 'after')['published'])
        self.assertEqual(1, self.task(wf_id, 'log')['actions'])
