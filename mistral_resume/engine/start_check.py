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

"""What a committed resume must start survives the engine that committed it.

A resume commits its changes in one transaction; Mistral's dispatcher sends
what starts the tasks (the ``start_task`` casts), and the rest of the
post-commit work (join refreshes, completion checks), only after that
commit, from the engine's memory (mistral.engine.post_tx_queue). An engine
that dies in between leaves the execution RUNNING with a re-run task in
ERROR, or a new task IDLE, forever: Mistral's integrity checker only looks
at RUNNING tasks.

So the resume's transaction also writes a *start check*: a job of
Mistral's database-backed scheduler (run by whichever engine is alive)
after ``[resume] start_check_delay`` seconds. Two things keep it from ever
starting a task twice:

* The job is deleted by the last post-commit operation of the resume, run
  only once every earlier one (the casts) ran. The check runs only when
  the engine died (or its post-commit work failed) before that.
* Even then it starts only what is provably not started, under the
  execution's lock: a re-run task whose ``started_at`` the resume cleared
  and Mistral has not set again (it sets it whenever a re-run task goes
  RUNNING, before any policy or input evaluation), still in the state the
  resume left it in; and IDLE tasks, started with Mistral's first-run
  start, which is a compare-and-swap on IDLE (a second start of a started
  task does nothing).

It does nothing when the execution is no longer RUNNING (paused,
cancelled, completed since: whoever goes on with it sees the failure
again) or when another resume of the execution was applied since (that
resume planned from the state it found, and has its own check).
"""

import functools
import time
import uuid

from mistral.db import utils as db_utils
from mistral.db.v2 import api as db_api
from mistral.db.v2.sqlalchemy import models as db_models
from mistral.engine import dispatcher
from mistral.engine import post_tx_queue
from mistral.engine import task_handler
from mistral.engine import workflow_handler
from mistral.lang import parser as spec_parser
from mistral.rpc import clients as rpc
from mistral.scheduler import base as sched_base
from mistral.workflow import base as wf_base
from mistral.workflow import commands
from mistral.workflow import states
from mistral_lib import utils
from oslo_config import cfg
from oslo_log import log as logging

from mistral_resume import config
from mistral_resume.core import request as request_mod
from mistral_resume.db import api as records
from mistral_resume.db import tree

LOG = logging.getLogger(__name__)

CHECK_PATH = 'mistral_resume.engine.start_check.check'

# States a re-run task is left in until its engine starts it: WAITING
# (applier._rerun), or ERROR or CANCELLED where Mistral's own rerun left it.
_NOT_STARTED = (states.WAITING, states.ERROR, states.CANCELLED)


def schedule(wf_ex, analysis, record_id):
    """Write the start check of a resume being applied (same transaction).

    Called once every point is applied, under the execution's lock.
    """
    reruns = {}
    for planned in analysis.planned:
        if planned.point.mode == request_mod.CONTINUE:
            continue
        for run in planned.inner or [planned.run]:
            task_ex = db_api.get_task_execution(run.id)
            if task_ex.state in _NOT_STARTED:
                # Mistral sets it again when the task goes RUNNING: the
                # one sign of a start that a failure right after cannot
                # hide (state and state_info may read the same again).
                task_ex.started_at = None
                reruns[task_ex.id] = planned.point.reset
    _schedule(wf_ex.id, record_id, records.count_records(wf_ex.id), reruns)
    _test_drop_post_commit(wf_ex)


def _schedule(execution_id, record_id, resumes, reruns):
    key = 'mistral_resume-start-check-%s' % uuid.uuid4()
    sched_base.get_system_scheduler().schedule(sched_base.SchedulerJob(
        run_after=config.CONF.resume.start_check_delay,
        func_name=CHECK_PATH,
        func_args={'execution_id': execution_id, 'record_id': record_id,
                   'resumes': resumes, 'reruns': reruns},
        key=key
    ))
    # Registered last: post_tx_queue runs its operations in order, so the
    # check is cancelled only once every operation before it ran; one that
    # failed (a cast the broker refused) keeps it.
    queue = _queue()
    failed = []
    for i, (func, args, in_tx) in enumerate(queue):
        queue[i] = (_watched(func, failed), args, in_tx)
    post_tx_queue.register_operation(_cancel, args=[key, failed],
                                     in_tx=True)


def _queue():
    # Mistral 23.0.0 engine/post_tx_queue.py: a thread-local list of
    # (function, arguments, in_tx); its runner logs and skips a failed
    # operation that is not transactional.
    return utils.get_thread_local(post_tx_queue._THREAD_LOCAL_NAME)


def _watched(func, failed):
    def run(*args):
        try:
            return func(*args)
        except Exception:
            failed.append(func)
            raise
    return run


def _cancel(key, failed):
    if failed:
        LOG.warning('Post-commit work of a resume failed: its start check '
                    '%s stays scheduled.', key)
        return
    if cfg.CONF.scheduler_type == 'legacy':
        db_api.delete_delayed_calls(key=key, processing=False)
    else:
        db_api.delete_scheduled_jobs(key=key, captured_at=None)


def _test_drop_post_commit(wf_ex):
    """The fault injection of [resume] test_drop_post_commit."""
    if not config.CONF.resume.test_drop_post_commit:
        return
    LOG.warning('test_drop_post_commit: the post-commit work of the resume '
                'of execution %s is dropped, as if its engine died right '
                'after the commit.', wf_ex.id)
    del _queue()[:]


def hold_after_commit(func):
    """The fault-injection window of [resume] test_post_commit_delay.

    Wraps the function whose transaction applies a resume, inside
    post_tx_queue.run: it returns once the transaction committed and before
    any post-commit operation starts, so that a test can kill the engine
    between the two.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        result = func(*args, **kwargs)
        delay = config.CONF.resume.test_post_commit_delay
        if delay and result.get('status') == 'created':
            LOG.warning('test_post_commit_delay: resume %s of execution %s '
                        'committed; its post-commit work waits %s s.',
                        result['record']['id'],
                        result['record']['execution_id'], delay)
            time.sleep(delay)
        return result
    return wrapper


@db_utils.retry_on_db_error
@post_tx_queue.run
def check(execution_id, record_id, resumes, reruns):
    """Start what the resume committed and its engine never started.

    Run by the scheduler on any engine. ``resumes``: how many resume
    records the execution had once this resume was applied; ``reruns``:
    {task execution id: reset} of the tasks it re-ran.
    """
    with db_api.transaction():
        wf_ex = db_api.load_workflow_execution(execution_id)
        if wf_ex is None:
            return
        wf_ex = db_api.acquire_lock(db_models.WorkflowExecution, wf_ex.id)
        if records.count_records(execution_id) != resumes:
            LOG.info('Start check of resume %s: execution %s was resumed '
                     'again since; nothing to start.', record_id,
                     execution_id)
            return
        if wf_ex.state == states.PAUSED:
            _back_to_failed(wf_ex, record_id, reruns)
        if wf_ex.state != states.RUNNING:
            LOG.info('Start check of resume %s: execution %s is %s now; '
                     'nothing to start.', record_id, execution_id,
                     wf_ex.state)
            return
        started = []
        for ex in _tree(wf_ex):
            if ex.state == states.RUNNING:
                started.extend(_start_pending(ex, reruns))
        if started:
            LOG.warning('Start check of resume %s: in execution %s, %s had '
                        'not started (the engine that applied the resume '
                        'died after its commit); started now.', record_id,
                        execution_id, ', '.join(sorted(started)))
        # What this check starts is post-commit work too: the same check
        # again, cancelled as soon as that work is done.
        _schedule(execution_id, record_id, resumes, reruns)


def _back_to_failed(wf_ex, record_id, reruns):
    """Re-run tasks that never started, of an execution paused since.

    Nothing starts them while the execution is paused, and Mistral's own
    resume would leave them WAITING for good; in ERROR again, as before the
    resume, they are failures that the next resume names (or refuses to
    leave behind).
    """
    for ex in _tree(wf_ex):
        wf_spec = spec_parser.get_workflow_spec_by_execution_id(ex.id)
        for t_ex in ex.task_executions:
            if (t_ex.id in reruns and t_ex.state == states.WAITING and
                    t_ex.started_at is None):
                task = task_handler.build_task_from_execution(wf_spec, t_ex)
                task.set_state(
                    states.ERROR,
                    'Its re-run by resume %s never started (the engine '
                    'that applied it stopped) and the execution was paused '
                    'since: resume it again.' % record_id)


def _tree(wf_ex):
    """The execution and its sub-executions, sub-workflows first.

    Followed down by the links the engine made itself (db/tree.py), as the
    resume that scheduled this check was: an execution of another project
    claiming a place in the tree is not touched.
    """
    found = [wf_ex]
    level = [wf_ex.id]
    seen = {wf_ex.id}
    while level:
        level = [row.id for row in tree.sub_executions(wf_ex.project_id,
                                                       level)
                 if row.id not in seen]
        seen.update(level)
        # Deleted meanwhile: nothing to start there.
        found.extend(ex for ex in map(db_api.load_workflow_execution, level)
                     if ex is not None)
    return list(reversed(found))


def _start_pending(wf_ex, reruns):
    """Start what is provably not started; return the names started."""
    wf_ctrl = wf_base.get_controller(wf_ex)
    started = []
    rerun_cmds = []
    waiting = False
    for t_ex in wf_ex.task_executions:
        if (t_ex.id in reruns and t_ex.state in _NOT_STARTED and
                t_ex.started_at is None):
            rerun_cmds.append(commands.RunExistingTask(
                wf_ex, wf_ctrl.wf_spec, t_ex, reruns[t_ex.id], rerun=True))
        elif t_ex.state == states.IDLE:
            _start_idle(wf_ctrl.wf_spec, t_ex)
            started.append(t_ex.name)
        elif t_ex.state == states.WAITING:
            # A join whose refresh was post-commit work: a refresh is what
            # Mistral itself repeats until the join can go on.
            task_handler._schedule_refresh_task_state(t_ex.id)
            waiting = True
    if rerun_cmds:
        # The command Workflow.rerun dispatched in the resume's
        # transaction, whose cast was lost.
        dispatcher.dispatch_workflow_commands(wf_ex, rerun_cmds)
        started.extend(c.task_ex.name for c in rerun_cmds)
    elif not started and not waiting:
        # A completion check may have been lost with the rest: Mistral's
        # own, which does nothing while tasks still run.
        post_tx_queue.register_operation(
            workflow_handler.check_and_complete, args=[wf_ex.id],
            in_tx=True)
    return started


def _start_idle(wf_spec, t_ex):
    """Mistral's first start of a task (dispatcher, 23.0.0).

    A first run starts an IDLE task only (Task._run_new, a compare-and-swap
    on IDLE): if the lost cast did reach an engine after all, one of the
    two starts does nothing.
    """
    def _start():
        rpc.get_engine_client().start_task(
            wf_spec=wf_spec,
            task_ex_id=t_ex.id,
            first_run=True,
            waiting=False,
            triggered_by=(t_ex.runtime_context or {}).get('triggered_by'),
            rerun=False,
            reset=False
        )
    post_tx_queue.register_operation(_start)
