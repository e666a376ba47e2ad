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

"""Apply a planned resume inside the engine's transaction.

Runs under the lock of the resumed execution, after the analysis passed on
the state read under that lock. Everything it does goes through Mistral's
own engine objects (Workflow, Task, the dispatcher), so Mistral's
notifications, scheduling and integrity checks behave as for its rerun.
Nothing here starts an action directly: commands are dispatched and run
after commit, on whichever engine takes them.
"""

import time

from mistral import context as auth_ctx
from mistral.db.sqlalchemy import base as db_base
from mistral.db.v2 import api as db_api
from mistral.engine import dispatcher
from mistral.engine import task_handler
from mistral.engine import workflow_handler
from mistral.engine import workflows
from mistral.lang import parser as spec_parser
from mistral.services import workflows as wf_service
from mistral.workflow import base as wf_base
from mistral.workflow import commands
from mistral.workflow import states
from oslo_log import log as logging

from mistral_resume import config
from mistral_resume.core import request as request_mod
from mistral_resume.engine import leftovers
from mistral_resume import patches

LOG = logging.getLogger(__name__)


class ExecutionChanged(Exception):
    """A compare-and-swap lost against a concurrent engine operation."""


def apply(wf_ex, analysis, resume_request, record_id):
    """Apply every planned point of the analysis, or raise (all or none)."""
    # Upstream rules: env may change only while IDLE, PAUSED or ERROR, and
    # it lives on the top execution.
    wf_service.update_workflow_execution_env(wf_ex, resume_request.env)

    if not analysis.planned:
        paused = [db_api.get_workflow_execution(node.id)
                  for node in analysis.root.walk()
                  if node.state == states.PAUSED]
        _resume_starting_idle_once(
            paused, lambda: workflow_handler.resume_workflow(wf_ex))
        return

    # Read before the points change anything: applying them marks tasks
    # processed and creates new IDLE tasks (see _paused_work).
    paused = _paused_work(analysis.root,
                          {r.id for p in analysis.planned
                           for r in [p.run] + p.inner})

    for number, planned in enumerate(analysis.planned, 1):
        if planned.point.mode == request_mod.CONTINUE:
            _continue(db_api.get_task_execution(planned.run.id),
                      planned.point, record_id, resume_request)
        else:
            # A sub-workflow task without a new context: the failures
            # inside.
            for run in planned.inner or [planned.run]:
                _rerun(db_api.get_task_execution(run.id), planned.point,
                       record_id)
        _test_delay(wf_ex, number, len(analysis.planned))

    _resume_paused_work(paused)
    _follow_held_back(analysis.held_back)


def _test_delay(wf_ex, number, total):
    """The fault-injection window of [resume] test_apply_delay.

    The point's changes are flushed first, so that the database holds them
    uncommitted while the engine waits: a test that kills the engine here
    proves they are rolled back with the rest.
    """
    delay = config.CONF.resume.test_apply_delay
    if not delay:
        return
    db_base._get_thread_local_session().flush()
    LOG.warning('test_apply_delay: resume of execution %s holds after point '
                '%d of %d for %s s, uncommitted.', wf_ex.id, number, total,
                delay)
    time.sleep(delay)


def _rerun(task_ex, point, record_id):
    wf = workflows.Workflow(wf_ex=task_ex.workflow_execution)
    task = task_handler.build_task_from_execution(wf.wf_spec, task_ex)
    leftovers.supersede_running_actions(task_ex, record_id)
    leftovers.release_leaked_locks(task_ex)
    leftovers.cancel_stale_timeouts(task_ex)

    # Workflow.rerun rather than workflow_handler.rerun_workflow: the latter
    # silently does nothing on a PAUSED workflow (Mistral 23.0.0), which is
    # exactly the state "on-error: - pause" leaves behind.
    wf.rerun(task, reset=point.reset)

    # Until an engine starts the task (after commit), Mistral still sees it
    # in ERROR: a join refreshed in between (say, after another point of
    # this resume completed the join's other branch) took it for a branch
    # that failed, failed the join and with it the workflow, before the
    # re-run even started (seen). WAITING, as Mistral's own re-run of a
    # join does, until the engine sets it RUNNING; the integrity checker
    # leaves WAITING tasks alone.
    if not task.set_state(states.WAITING,
                          'Waiting to be re-run by resume %s.' % record_id):
        raise ExecutionChanged(
            'Task execution %s changed state while being re-run.'
            % task_ex.id
        )
    task_ex = task.task_ex

    # Rerun wipes the task's runtime context, so the change is stored after
    # it; the patched _update_inbound_context keeps it when the task runs
    # and completes.
    override = {'resume_id': record_id}
    if point.context is not None:
        override['context'] = point.context
        override['context_mode'] = point.context_mode
        task_ex.in_context = patches.overridden_context(task_ex.in_context,
                                                        override)
    runtime_context = dict(task_ex.runtime_context or {})
    runtime_context[patches.OVERRIDE_KEY] = override
    task_ex.runtime_context = runtime_context

    _schedule_integrity_checks(task_ex.workflow_execution)


def _continue(task_ex, point, record_id, resume_request):
    wf_ex = task_ex.workflow_execution
    wf = workflows.Workflow(wf_ex=wf_ex)
    # What the failed run left in flight must not complete the task again
    # (a late action result) or fail it (a pending timeout).
    leftovers.supersede_running_actions(task_ex, record_id)
    leftovers.cancel_stale_timeouts(task_ex)
    # Sets this workflow and every parent RUNNING, as Mistral's rerun does.
    wf._recursive_rerun()

    task = task_handler.build_task_from_execution(wf.wf_spec, task_ex)
    by = resume_request_user()
    state_info = 'Completed by resume %s%s%s.' % (
        record_id,
        ' (user %s)' % by if by else '',
        ': %s' % resume_request.reason if resume_request.reason else ''
    )
    # ERROR -> SUCCESS is no valid transition in Mistral's states module,
    # and Task.complete() ignores completed tasks; Task.set_state is the
    # compare-and-swap that both rest on. False: another engine got there.
    if not task.set_state(states.SUCCESS, state_info, processed=False):
        raise ExecutionChanged(
            'Task execution %s changed state while being continued.'
            % task_ex.id
        )

    task_ex = task.task_ex
    task_ex.published = dict(point.published)
    _publish_globals(wf_ex, wf.wf_spec, task_ex, point.published)

    _follow_transitions(wf_ex, wf_base.get_controller(wf_ex, wf.wf_spec),
                        task)
    _schedule_integrity_checks(wf_ex)


def _follow_transitions(wf_ex, wf_ctrl, task):
    """What Task.complete() does once a task has completed (23.0.0).

    Its transitions are recorded and dispatched, then the joins that
    already wait on it are refreshed now that it counts for them: nothing
    else would refresh them (task_handler._check_affected_tasks).
    """
    cmds = wf_ctrl.continue_workflow(task_ex=task.task_ex)
    _record_transitions(task.task_ex, cmds)
    task.register_workflow_completion_check()
    dispatcher.dispatch_workflow_commands(wf_ex, cmds)
    task_handler._check_affected_tasks(task)


def _record_transitions(task_ex, cmds):
    """What Task.complete() records once it followed a task's transitions.

    (engine/tasks.py, 23.0.0): the next tasks, whether the error was
    handled, processed. Joins read the next tasks of their inbound tasks.
    """
    task_ex.next_tasks = [
        (c.task_spec.get_name(),
         c.triggered_by[0]['event'] if c.triggered_by else None)
        for c in cmds if not commands.is_engine_command(c)
    ]
    task_ex.has_next_tasks = bool(task_ex.next_tasks)
    task_ex.error_handled = (task_ex.state == states.ERROR and
                             any(c.handles_error for c in cmds))
    task_ex.processed = True


def _follow_held_back(held_back):
    """Follow the transitions of tasks that ended while stopped.

    The analysis (under this lock, in this transaction) found them; see
    core.held_back. Once the points set their execution RUNNING again,
    each is continued as Task.complete() would have, had the execution
    been RUNNING then. Recording its next tasks makes it count for the
    joins it leads to, and keeps any later resume from following them a
    second time.
    """
    for held in held_back:
        task_ex = db_api.get_task_execution(held.run.id)
        wf_ex = task_ex.workflow_execution
        if wf_ex.state != states.RUNNING:
            continue
        if task_ex.state != held.run.state or task_ex.next_tasks:
            raise ExecutionChanged(
                'Task execution %s changed while its transitions were being '
                'followed.' % task_ex.id
            )
        wf_ctrl = wf_base.get_controller(wf_ex)
        _follow_transitions(wf_ex, wf_ctrl,
                            task_handler.build_task_from_execution(
                                wf_ctrl.wf_spec, task_ex))


def _publish_globals(wf_ex, wf_spec, task_ex, published):
    """Supplied values the task's publish clause declares global."""
    publish = wf_spec.get_task(task_ex.name).get_publish(states.SUCCESS)
    global_names = set((publish.get_global() or {}) if publish else ())
    if global_names & set(published):
        context = dict(wf_ex.context or {})
        context.update({k: v for k, v in published.items()
                        if k in global_names})
        wf_ex.context = context


def _paused_work(root, point_ids):
    """What a pause held back in the PAUSED executions of the tree.

    Mistral's resume (Workflow.resume, 23.0.0) goes on from the tasks that
    completed while paused (kept with processed=False), from IDLE tasks and
    from the command backlog, and it resumes paused sub-workflows first.
    Applying a point breaks the first two signals: Workflow.rerun marks
    every completed task of its execution processed (_continue_workflow)
    without starting their next tasks, which then never ran while the
    workflow still succeeded; and a "continue" point creates its next tasks
    IDLE, which a later continue_workflow() started a second time (both
    verified). So they are read here, before any point is applied.

    :param root: the analysed execution tree (read under the lock).
    :return: (execution id, pending task ids, IDLE task ids) for each
        PAUSED execution, sub-workflows before their parents.
    """
    entries = []
    # Reversed pre-order: every sub-workflow before its parents.
    for node in reversed(list(root.walk())):
        if node.state != states.PAUSED:
            continue
        wf_ex = db_api.get_workflow_execution(node.id)
        pending = {t.id for t in wf_ex.task_executions
                   if states.is_completed(t.state) and not t.processed and
                   t.id not in point_ids}
        idle = {t.id for t in wf_ex.task_executions
                if t.state == states.IDLE}
        entries.append((wf_ex.id, pending, idle))
    return entries


def _resume_paused_work(entries):
    """Go on with what the pause held back, once the points are applied."""
    for wf_ex_id, pending, idle in entries:
        wf_ex = db_api.get_workflow_execution(wf_ex_id)
        if wf_ex.state == states.PAUSED:
            # No point lies in or below it (a point sets its execution and
            # every parent RUNNING): Mistral's own resume, as upstream
            # resumes the paused sub-workflows of a resumed execution.
            _resume_starting_idle_once(
                [wf_ex], workflows.Workflow(wf_ex=wf_ex).resume)
        elif wf_ex.state == states.RUNNING:
            _continue_held_back(wf_ex, pending, idle)


def _continue_held_back(wf_ex, pending, idle):
    """Workflow.resume's continuation, from the tasks read before.

    No completion check is forced here: the re-run tasks are WAITING until
    an engine starts them (see _rerun), the execution goes on. IDLE tasks
    are started only when claimed (_claim_idle).
    """
    wf_ctrl = wf_base.get_controller(wf_ex)
    cmds = []
    for t_ex in wf_ex.task_executions:
        if t_ex.id in pending:
            cmds.extend(wf_ctrl.continue_workflow(task_ex=t_ex))
            t_ex.processed = True
        elif t_ex.id in idle and _claim_idle(wf_ctrl.wf_spec, t_ex):
            cmds.append(commands.RunExistingTask(wf_ex, wf_ctrl.wf_spec,
                                                 t_ex))
    # As in Workflow._continue_workflow: the pause itself is over.
    cmds = [c for c in cmds if not isinstance(c, commands.PauseWorkflow)]
    backlog = (wf_ex.runtime_context or {}).get(dispatcher.BACKLOG_KEY)
    if cmds or backlog:
        dispatcher.dispatch_workflow_commands(wf_ex, cmds)


def _resume_starting_idle_once(wf_exs, resume):
    """Mistral's own resume of PAUSED executions, each IDLE task run once.

    Workflow.resume starts every IDLE task (RunExistingTask, from
    WorkflowController._find_next_commands) while Mistral's own start of
    it may still be on its way: see _claim_idle. The IDLE tasks are claimed
    first, so that its resume no longer sees them, and started here.
    """
    claimed = [(wf_ex, _claim_idle_tasks(wf_ex)) for wf_ex in wf_exs]
    resume()
    for wf_ex, task_exs in claimed:
        if task_exs:
            # Kept in the backlog if the execution is paused again.
            wf_spec = spec_parser.get_workflow_spec_by_execution_id(
                wf_ex.id)
            dispatcher.dispatch_workflow_commands(wf_ex, [
                commands.RunExistingTask(wf_ex, wf_spec, t_ex)
                for t_ex in task_exs])


def _claim_idle_tasks(wf_ex):
    wf_spec = spec_parser.get_workflow_spec_by_execution_id(wf_ex.id)
    return [t_ex for t_ex in wf_ex.task_executions
            if _claim_idle(wf_spec, t_ex)]


def _claim_idle(wf_spec, t_ex):
    """Whether this resume, and no other start, runs the IDLE task.

    A task created while its execution was being paused (an on-error
    handler before "pause") still has Mistral's own start on its way: the
    start_task cast of its creation (dispatcher._process_commands, 23.0.0).
    Both that start and ours would run it: Mistral's _run_new starts a task
    that is still IDLE, and the _run_existing of our RunExistingTask starts
    it whatever its state but SUCCESS, a RUNNING one a second time. So the
    start is decided here, by a compare-and-swap IDLE -> RUNNING committed
    with the resume: won, Mistral's start finds the task RUNNING and does
    nothing (or, reading it concurrently, loses its own compare-and-swap
    and returns before scheduling any action); lost, Mistral's start got
    there first and ours is not sent. A task IDLE by pause-before has no
    start on its way and is claimed the same way.
    """
    if t_ex.state != states.IDLE:
        return False
    task = task_handler.build_task_from_execution(wf_spec, t_ex)
    return bool(task.set_state(states.RUNNING, None))


def _schedule_integrity_checks(wf_ex):
    workflow_handler._schedule_check_and_fix_integrity(wf_ex)


def resume_request_user():
    if not auth_ctx.has_ctx():
        return None
    return auth_ctx.ctx().user_name or auth_ctx.ctx().user_id
