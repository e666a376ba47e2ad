from tests.functional import test_apply as ta

WF = """
version: '2.0'
pause_branches:
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
    f:
      action: test.check value=<% $.x %>
      on-success: f2
      on-error:
        - pause
    f2:
      action: std.noop
"""


class T(ta.ApplyTestCase):
    def _go(self, points):
        wf_id = self.start(WF)
        self.await_workflow_paused(wf_id)
        self.await_task_done(wf_id, 's')
        print('s', self.task(wf_id, 's')['state'])
        out = self.resume(wf_id, points=points)
        print(out['status'], out.get('requirements'), out.get('record', {}).get('warnings'))
        try:
            self.await_workflow_success(wf_id, timeout=8)
        finally:
            print('STATE', self.execution(wf_id).state, [(t['name'], t['state']) for t in self.tasks(wf_id)])

    def test_rerun(self):
        self._go([{'task': 'f', 'context': {'x': 'ok'}}])

    def test_continue(self):
        self._go([{'task': 'f', 'mode': 'continue'}])


from mistral.db.v2 import api as db_api
from mistral.workflow import base as wf_base
from mistral_resume.engine import applier

_orig = applier._pick_up_paused_work


def _debug(wf_ex):
    wf_ex2 = db_api.get_workflow_execution(wf_ex.id)
    print('PICKUP state', wf_ex2.state, [(t.name, t.state, t.processed) for t in wf_ex2.task_executions])
    if wf_ex2.state == 'RUNNING':
        print('CMDS', wf_base.get_controller(wf_ex2).continue_workflow())
    return _orig(wf_ex)


applier._pick_up_paused_work = _debug
