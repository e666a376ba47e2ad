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

"""Resolve the task a resume point names into the run it stands for.

A point names a task of the top workflow (``t2``), a task inside a
sub-workflow by dotted path from the top (``parent.inner``, any depth), or
a task execution by its id. Anything else is an unmet requirement.
"""

import re

from mistral_resume.core import failures as failures_mod
from mistral_resume.core import quoting
from mistral_resume.core import requirements as req

_UUID = re.compile(r'^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?'
                   r'[0-9a-f]{12}\Z', re.IGNORECASE)


def resolve(root, failures, name):
    """Return (run, None) for a failure, or (None, requirement)."""
    if _UUID.match(name):
        run = failures.get(name.lower())
        if run is None:
            return None, req.unknown_task(
                name, root.workflow_name,
                reason='There is no task execution %s in execution %s or '
                       'its sub-workflows.' % (quoting.quote(name), root.id)
            )
        return _judge(failures, run.path, [run])

    node = root
    segments = name.split('.')
    for depth, segment in enumerate(segments):
        path = '.'.join(segments[:depth + 1])
        if not node.has_task(segment):
            return None, req.unknown_task(
                name, node.workflow_name,
                reason='There is no task %s in workflow %s%s.' % (
                    quoting.quote(segment), node.workflow_name,
                    '' if depth == 0 else
                    ' (reached by %s)' % '.'.join(segments[:depth])
                ),
                candidates=_sub_workflow_paths(root, segments[-1], name)
            )
        last = depth == len(segments) - 1
        # A path through a task that runs no sub-workflow names nothing,
        # whether or not that task ran: UNKNOWN_TASK, not NOT_STARTED (the
        # name can never become a task of this execution).
        if not last and not node.task_spec(segment).get_workflow_name():
            return None, req.unknown_task(
                name, node.workflow_name,
                reason='Task %s of workflow %s does not run a '
                       'sub-workflow, so %s names nothing.'
                       % (path, node.workflow_name, quoting.quote(name))
            )
        runs = node.runs_of(segment)
        if not runs:
            return None, req.not_started(segment, path, node.workflow_name)
        if last:
            return _judge(failures, path, runs)

        parents = [r for r in runs if r.children]
        if not parents:
            return None, req.not_started(segments[depth + 1],
                                         '.'.join(segments[:depth + 2]),
                                         node.workflow_name)
        children = [c for r in parents for c in r.children]
        failed = [c for c in children if c.parent_run and
                  failures.is_failure(c.parent_run) and
                  failures.has_failures(c)]
        if len(failed) > 1:
            # Several sub-workflows hold failures (iterations of a
            # with-items workflow task, or parallel runs of the task): the
            # rest of the path decides. Ambiguous only if it matches a
            # failure in more than one of them, and then the candidates are
            # those inner failures, not their parent run (the same task
            # execution for every iteration).
            rest = '.'.join(segments[depth + 1:])
            found = [run for run in (resolve(child, failures, rest)[0]
                                     for child in failed)
                     if run is not None]
            if len(found) == 1:
                return found[0], None
            if found:
                return None, req.ambiguous_task(segments[-1], name, found)
        # Follow the (last) sub-workflow holding a failure; without one,
        # the latest run's sub-workflow: one no later run superseded (runs
        # tied on Mistral's whole-second timestamps may sort a superseded
        # one last).
        current = [c for c in children
                   if not failures.is_superseded(c.parent_run)]
        node = (failed or current or children)[-1]
    raise AssertionError('unreachable')


def _sub_workflow_paths(root, task_name, given):
    """Dotted paths of the tasks called task_name in root's sub-workflows.

    Only sub-workflows that ran are known here (their definitions come
    with their executions), which covers every task a resume can name.
    """
    paths = []
    for node in root.walk():
        if node is root or not node.has_task(task_name):
            continue
        path = node.path_prefix + task_name
        if path != given and path not in paths:
            paths.append(path)
    return paths


def _judge(failures, path, runs):
    """Among the runs a name matched, find the one failure it means."""
    failed = [r for r in runs if failures.is_failure(r)]
    if len(failed) == 1:
        return failed[0], None
    if failed:
        return None, req.ambiguous_task(failed[0].name, path, failed)

    # The latest run is one no later run superseded. Not simply the last
    # by time: Mistral stamps runs in whole seconds and the query has no
    # other order, so a loop's failed first run can tie with (and sort
    # after) the run that replaced it.
    current = [r for r in runs if not failures.is_superseded(r)] or runs
    latest = current[-1]
    if latest.state in failures_mod.SUCCEEDED_STATES:
        return None, req.already_succeeded(latest)
    if failures_mod.is_join_cascade(latest):
        return None, req.not_failed(latest, why=(
            'Task %s (task execution %s) is a join that failed only because '
            'an upstream branch failed (%s); resume from the upstream task '
            'instead.' % (latest.path, latest.id, latest.state_info)
        ))
    if failures.is_superseded(latest):
        return None, req.not_failed(latest, why=(
            'Task execution %s of %s failed but a later run of the same '
            'task (or of the sub-workflow task that started it) replaced '
            'it; name the later run instead.'
            % (latest.id, latest.path)
        ))
    return None, req.not_failed(latest)
