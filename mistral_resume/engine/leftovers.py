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

"""What a failed run of a task leaves behind that would spoil its re-run.

Called by the applier for each task it re-runs, in the resume's
transaction, before Mistral's Workflow.rerun.
"""

from mistral.db.sqlalchemy import base as db_base
from mistral.db.v2.sqlalchemy import models as mistral_models
from mistral.engine import policies
from mistral.workflow import states
from oslo_log import log as logging
import sqlalchemy as sa

LOG = logging.getLogger(__name__)

# Named locks Mistral 23.0.0 takes per task execution id:
# task_handler.continue_task ('continue-task-<id>': wait-before and retry
# go on through it), WithItemsTask.on_action_complete ('with-items-<id>')
# and task_handler._refresh_task_state ('<id>': joins and waits).
_TASK_LOCK_NAMES = ('continue-task-%s', 'with-items-%s', '%s')


def supersede_running_actions(task_ex, record_id):
    """Retire the action executions the failed run still has in flight.

    A task fails while its action still runs when its timeout policy fires
    (the executor waits for the action's thread and reports its outcome
    later) or when it is failed from outside. Mistral 23.0.0 takes that late
    result as the result of whatever run the task is in by then
    (action_handler.on_action_complete, then the task's on_action_complete),
    so it ended a re-run in ERROR with the stale action's error; and a
    with-items task counted such an iteration as running, so that it was
    never run again. Cancelled here, the action is completed for Mistral:
    a late result for it is refused (RegularAction.complete raises on a
    completed action, and the engine's transaction that would have applied
    it rolls back), and with-items runs its iteration again.

    Sub-workflow executions are left alone: cancelling one is a workflow
    operation of its own.
    """
    superseded = [a for a in task_ex.action_executions
                  if not states.is_completed(a.state)]
    for action_ex in superseded:
        action_ex.state = states.CANCELLED
        action_ex.state_info = ('Superseded by resume %s: its result is '
                                'ignored.' % record_id)
        action_ex.accepted = False
    if superseded:
        LOG.info('Resume %s: action executions %s of task execution %s '
                 'were still running; they are cancelled.', record_id,
                 [a.id for a in superseded], task_ex.id)


def release_leaked_locks(task_ex):
    """Delete the task's named locks that a failure left committed.

    Mistral's db_api.named_lock (23.0.0) deletes its row only when the
    block ends without an exception. When the block raises a
    MistralException that the engine handles by failing the task (an input
    expression that cannot be evaluated after wait-before or a retry delay,
    a publish that fails in a with-items task), the transaction commits with
    the row in place, and the next attempt to take the lock, the re-run's,
    fails on the unique name: its scheduled job is lost and the task stays
    DELAYED or RUNNING for good. A committed row is always such a leftover:
    a held lock is an insert of a transaction that has not ended, which this
    transaction does not see.
    """
    deleted = _delete_named_locks(
        [pattern % task_ex.id for pattern in _TASK_LOCK_NAMES])
    if deleted:
        LOG.info('Deleted %s named lock(s) left behind by the failed run of '
                 'task execution %s.', deleted, task_ex.id)


def cancel_stale_timeouts(task_ex):
    """Cancel the timeout the failed run scheduled, if it is still pending.

    Mistral 23.0.0's timeout policy (policies.TimeoutPolicy) schedules
    _fail_task_if_incomplete(task_ex_id) when a run starts; the job knows
    the task execution only, not the run. A run that failed before its
    timeout leaves the job pending, and when it fires it fails whatever run
    the task is in: the re-run ended "Task timed out" long before its own
    timeout (verified). The re-run schedules its own timeout as a first run
    does. A job an engine has already taken (being run now) is left to it:
    it finds the task still in ERROR until the re-run starts, after this
    transaction.
    """
    cancelled = _delete_scheduler_jobs(
        policies._FAIL_IF_INCOMPLETE_TASK_PATH, task_ex.id)
    if cancelled:
        LOG.info('Cancelled %s pending timeout(s) of the failed run of task '
                 'execution %s.', cancelled, task_ex.id)


@db_base.session_aware()
def _delete_scheduler_jobs(func_name, task_ex_id, session=None):
    # Both of Mistral's schedulers keep their jobs in the database: the
    # legacy one (the default) as delayed calls, the other as scheduled
    # jobs (its in-memory copy is skipped when its row is gone). Arguments
    # are JSON text: filtered here, among the pending jobs of one function.
    count = 0
    for model, name, args, pending in (
            (mistral_models.DelayedCall, 'target_method_name',
             'method_arguments',
             sa.not_(mistral_models.DelayedCall.processing)),
            (mistral_models.ScheduledJob, 'func_name', 'func_args',
             mistral_models.ScheduledJob.captured_at.is_(None))):
        jobs = session.query(model).filter(
            getattr(model, name) == func_name, pending).all()
        for job in jobs:
            if (getattr(job, args) or {}).get('task_ex_id') == task_ex_id:
                session.delete(job)
                count += 1
    return count


@db_base.session_aware()
def _delete_named_locks(names, session=None):
    # As Mistral's own delete_named_lock: a statement, after a flush.
    session.flush()
    table = mistral_models.NamedLock.__table__
    return session.execute(
        table.delete().where(table.c.name.in_(names))
    ).rowcount
