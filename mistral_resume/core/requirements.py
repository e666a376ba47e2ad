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

"""Requirements: what must hold for a resume to go ahead.

An unmet requirement is data, not an exception: a code a program can act
on, the task it is about, and a sentence an operator understands without
the docs. The codes are the contract's (doc/source/requirements.rst).
"""

from mistral_resume.core import failures as failures_mod
from mistral_resume.core import quoting

EXECUTION_NOT_RESUMABLE = 'EXECUTION_NOT_RESUMABLE'
UNRESOLVED_FAILURE = 'UNRESOLVED_FAILURE'
RESUME_POINT_REQUIRED = 'RESUME_POINT_REQUIRED'
UNKNOWN_TASK = 'UNKNOWN_TASK'
NOT_STARTED = 'NOT_STARTED'
ALREADY_SUCCEEDED = 'ALREADY_SUCCEEDED'
NOT_FAILED = 'NOT_FAILED'
AMBIGUOUS_TASK = 'AMBIGUOUS_TASK'
MISSING_PUBLISHED = 'MISSING_PUBLISHED'
EXECUTION_CHANGED = 'EXECUTION_CHANGED'

CODES = (
    EXECUTION_NOT_RESUMABLE, UNRESOLVED_FAILURE, RESUME_POINT_REQUIRED,
    UNKNOWN_TASK, NOT_STARTED, ALREADY_SUCCEEDED, NOT_FAILED,
    AMBIGUOUS_TASK, MISSING_PUBLISHED, EXECUTION_CHANGED,
)


def _entry(code, message, task=None, task_execution_id=None, state=None,
           path=None, **extra):
    entry = {
        'code': code,
        'message': message,
        'task': task,
        'task_execution_id': task_execution_id,
        'state': state,
        'path': path or task,
    }
    entry.update(extra)
    return entry


def _run_fields(run):
    return {'task': run.name, 'task_execution_id': run.id,
            'state': run.state, 'path': run.path}


def candidate(run):
    """A failure as listed in 'candidates'."""
    # Handled here or by a parent sub-workflow task, as the failures list
    # of resume_requirements says: the run's own flag alone would call a
    # failure inside a sub-workflow whose task took on-error unhandled.
    return {'task': run.name, 'task_execution_id': run.id,
            'path': run.path, 'state': run.state,
            'error_handled': failures_mod.is_handled(run)}


def execution_not_resumable(execution):
    return _entry(
        EXECUTION_NOT_RESUMABLE,
        'Execution %s is %s; only a PAUSED or ERROR execution can be '
        'resumed.' % (execution.id, execution.state),
        state=execution.state
    )


def untrusted_parent(execution):
    return _entry(
        EXECUTION_NOT_RESUMABLE,
        'Execution %s (or one above it) names as the task that started it '
        'a task execution that is no workflow task of its project: a link '
        'its creator set, not one Mistral made. Resuming it would resume '
        'that other execution too, so it cannot be resumed.'
        % execution.id,
        state=execution.state
    )


def unresolved_failure(run):
    return _entry(
        UNRESOLVED_FAILURE,
        'Task %s (task execution %s) failed and no resume point covers it; '
        'name it with mode "rerun" or "continue".' % (run.path, run.id),
        **_run_fields(run)
    )


def resume_point_required(execution, failures):
    if failures:
        names = ', '.join(f.path for f in failures)
        # Upstream's PUT /v2/executions/{id} leaves an ERROR execution as
        # it is (workflow_handler.resume_workflow, 23.0.0): unlike after a
        # pause, there is no upstream plain resume to point to.
        message = (
            'Execution %s is in ERROR although every failure was handled by '
            'an on-error or on-complete transition; name the task to resume '
            'from (one of: %s) with mode "rerun" or "continue". Mistral '
            'itself cannot resume it without one either: its PUT '
            '/v2/executions/%s with state RUNNING leaves an ERROR execution '
            'as it is.' % (execution.id, names, execution.id)
        )
    else:
        message = (
            'Execution %s is in ERROR but no task failed that could be '
            're-run or continued (the workflow itself failed, for example '
            'by a "fail" command); there is nothing to resume from.'
            % execution.id
        )
    return _entry(
        RESUME_POINT_REQUIRED, message, state=execution.state,
        candidates=[candidate(f) for f in failures]
    )


def resume_point_required_after_pause(execution, failures):
    """A plain resume of an execution an on-error "pause" paused."""
    names = ', '.join('%s (task execution %s)' % (f.path, f.id)
                      for f in failures)
    return _entry(
        RESUME_POINT_REQUIRED,
        'Execution %s was paused by the on-error transition of failed task '
        '%s; a plain resume would leave that task in ERROR and skip its '
        'on-success tasks, so name it with mode "rerun" or "continue". To '
        'resume without it, as upstream Mistral does, use Mistral\'s own '
        'PUT /v2/executions/%s with state RUNNING.'
        % (execution.id, names, execution.id),
        candidates=[candidate(f) for f in failures],
        # One pausing task (the usual case) is the task of the entry.
        **(_run_fields(failures[0]) if len(failures) == 1 else
           {'state': execution.state})
    )


def unknown_task(name, workflow_name, reason=None, candidates=None):
    """``candidates``: dotted paths of tasks of that name in sub-workflows.

    The usual slip is naming a task of a sub-workflow by its bare name;
    the entry then says which paths would do, and carries them only when
    there are any.
    """
    message = (
        'There is no task %s in workflow %s.'
        % (quoting.quote(name), workflow_name)
        if reason is None else reason
    )
    extra = {}
    if candidates:
        if len(candidates) == 1:
            message += (' A task of that name runs inside a sub-workflow: '
                        'name it by its dotted path, %s.' % candidates[0])
        else:
            message += (' Tasks of that name run inside sub-workflows: name '
                        'one by its dotted path (%s).' % ', '.join(candidates))
        extra['candidates'] = list(candidates)
    return _entry(UNKNOWN_TASK, message, task=name, **extra)


def not_started(name, path, workflow_name):
    return _entry(
        NOT_STARTED,
        'Task %s of workflow %s never ran in this execution, so there is '
        'nothing to resume from it.' % (quoting.quote(path), workflow_name),
        task=name, path=path
    )


def already_succeeded(run):
    return _entry(
        ALREADY_SUCCEEDED,
        'Task %s (task execution %s) already finished in %s; resuming from '
        'a task that succeeded is refused.' % (run.path, run.id, run.state),
        **_run_fields(run)
    )


def not_failed(run, why=None):
    message = why or (
        'Task %s (task execution %s) is %s, not failed; only a failed task '
        'can be a resume point.' % (run.path, run.id, run.state)
    )
    return _entry(NOT_FAILED, message, **_run_fields(run))


def ambiguous_task(name, path, runs):
    return _entry(
        AMBIGUOUS_TASK,
        'Task %s failed %d times in this execution (%s); name one of them '
        'by its task execution id.'
        % (path, len(runs), ', '.join(r.id for r in runs)),
        task=name, path=path,
        candidates=[candidate(r) for r in runs]
    )


def missing_published(run, names):
    return _entry(
        MISSING_PUBLISHED,
        'Mode "continue" on task %s needs a value in "published" for every '
        'variable its publish clause declares; missing: %s.'
        % (run.path, ', '.join(names)),
        variables=list(names), **_run_fields(run)
    )


def execution_changed(execution_id, detail):
    return _entry(
        EXECUTION_CHANGED,
        'Execution %s changed while the resume was being applied (%s); '
        'nothing was applied, look at it again and retry.'
        % (execution_id, detail)
    )


def summary(requirements):
    """One readable paragraph naming every unmet requirement."""
    if not requirements:
        return ''
    return 'The resume cannot go ahead: %s' % ' '.join(
        '[%s] %s' % (r['code'], r['message']) for r in requirements
    )
