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

"""Find a task execution by its name, as an operator names it.

``find_latest(client, execution_id, "deploy.create_replicas")``: the
latest run of a task of the execution, or of a sub-workflow reached by a
dotted path (each segment but the last a task that runs a sub-workflow,
followed into the sub-workflows its latest run started). Through Mistral's
own API (task and execution lists), so it works against any Mistral the
client can reach.
"""

from mistralclient import exceptions


def _latest(runs, name, where):
    """The latest of runs; several tied for latest is ambiguous."""
    if not runs:
        raise exceptions.IllegalArgumentException(
            'No task %s ran in %s.' % (name, where))
    latest = max(r.created_at for r in runs)
    tied = sorted((r for r in runs if r.created_at == latest),
                  key=lambda r: r.id)
    if len(tied) > 1:
        # Iterations of a with-items sub-workflow, or runs within the same
        # second (Mistral's timestamps are whole seconds): only the id
        # tells them apart.
        raise exceptions.IllegalArgumentException(
            'Task %s has %d latest runs in %s (AMBIGUOUS_TASK); give one of '
            'these task execution IDs instead: %s.'
            % (name, len(tied), where, ', '.join(r.id for r in tied)))
    return tied[0]


def find_latest(mistral_client, execution_id, path):
    """The ID of the latest run of the task at ``path`` in the execution."""
    segments = path.split('.')
    if not all(segments):
        raise exceptions.IllegalArgumentException(
            '%r is not a task name or dotted path (parent_task.inner_task).'
            % path)
    execution_ids = [execution_id]
    where = 'execution %s' % execution_id
    for depth, segment in enumerate(segments):
        # Filtered by Mistral, not here: a list stops at [api] max_limit.
        runs = [t for ex_id in execution_ids
                for t in mistral_client.tasks.list(
                    workflow_execution_id=ex_id, name=segment)]
        task = _latest(runs, '.'.join(segments[:depth + 1]), where)
        if depth == len(segments) - 1:
            return task.id
        execution_ids = [ex.id for ex in
                         mistral_client.executions.list(task=task.id)]
        where = 'the sub-workflow of %s' % '.'.join(segments[:depth + 1])
        if not execution_ids:
            raise exceptions.IllegalArgumentException(
                'Task %s started no sub-workflow, so %s names nothing.'
                % ('.'.join(segments[:depth + 1]), path))
