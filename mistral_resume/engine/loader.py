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

"""Load an execution tree from Mistral's database into the core's objects.

The tree is the one db/tree.py trusts: sub-workflow executions are found
from the task executions that started them, level by level, never by the
``root_execution_id`` a caller may have set. The cost is linear in the
number of task executions: per level of nesting, one query for the
executions and one for their task executions, light columns only. JSON
columns come as stored text and are decoded when the analysis first reads
them (model.Deferred): most runs are never asked for their spec, published
variables or runtime context. Workflow specs are parsed once per distinct
text (engine/specs.py), and the inbound context is read later, only for
the runs that need it.
"""

from mistral.workflow import states
import sqlalchemy as sa

from mistral_resume.core import model
from mistral_resume.db import stored
from mistral_resume.db import tree
from mistral_resume.engine import specs

_RUN_COLUMNS = ('id', 'name', 'state', 'state_info', 'error_handled',
                'created_at', 'workflow_execution_id', 'spec',
                'runtime_context', 'published', 'processed',
                'has_next_tasks')

_EXECUTION_COLUMNS = ('id', 'state', 'state_info', 'workflow_name',
                      'task_execution_id', 'accepted', 'created_at', 'spec',
                      'input', 'context')


def _in_context(run):
    return dict(stored.value(stored.TASKS, 'in_context', run.id) or {})


def _triggered_by(runtime_context_text):
    runtime_context = stored.decode(runtime_context_text)
    return [t.get('task_id') for t in
            (runtime_context or {}).get('triggered_by') or ()
            if isinstance(t, dict) and t.get('task_id')]


def _once(read):
    values = []

    def read_once(arg):
        if not values:
            values.append(read(arg))
        return values[0]
    return read_once


def _deferred(text, decode=stored.decode):
    return model.Deferred(decode, text) if text is not None else None


def _executions(execution_ids):
    ex = stored.WORKFLOWS.c
    return stored.rows(sa.select(*[ex[c] for c in _EXECUTION_COLUMNS])
                       .where(ex.id.in_(execution_ids)))


def _tree(wf_ex):
    """wf_ex and the sub-workflow executions below it, with their runs.

    :return: (execution rows, parents first; their parsed specs by id;
        runs by execution id)
    """
    executions = _executions([wf_ex.id])
    runs = _task_runs([wf_ex.id])
    parsed = {}
    level = executions
    seen = {wf_ex.id}
    while level:
        for ex in level:
            parsed[ex.id] = specs.parsed(ex.spec)
        # Engine-made runs carry their task spec from the workflow's: no
        # workflow task in any spec of the level, no sub-workflow to look
        # for (a flat workflow's analysis saves the query).
        if not any(parsed[ex.id].workflow_tasks for ex in level):
            break
        level = [ex for ex in tree.sub_executions(
            wf_ex.project_id, [ex.id for ex in level], _EXECUTION_COLUMNS)
            if ex.id not in seen]
        if level:
            seen.update(ex.id for ex in level)
            executions.extend(level)
            runs.update(_task_runs([ex.id for ex in level]))
    return executions, parsed, runs


def _task_runs(execution_ids):
    task = stored.TASKS.c
    rows = stored.rows(
        sa.select(*[task[c] for c in _RUN_COLUMNS])
        .where(task.workflow_execution_id.in_(execution_ids))
    )
    by_execution = {}
    # Tuples unpacked in _RUN_COLUMNS order: named access to 10,000s of
    # rows cost as much as the query.
    for (run_id, name, state, state_info, error_handled, created_at,
         execution_id, spec, runtime_context, published, processed,
         has_next_tasks) in rows:
        run = model.TaskRun(
            id=run_id, name=name, state=state, spec=_deferred(spec),
            state_info=state_info, error_handled=error_handled,
            created_at=created_at,
            triggered_by=_deferred(runtime_context, _triggered_by),
            published=_deferred(published),
            processed=processed, has_next_tasks=has_next_tasks,
        )
        by_execution.setdefault(execution_id, []).append(run)
    return by_execution


def load(wf_ex):
    """Build the ExecutionNode tree rooted at a workflow execution.

    Runs inside the caller's transaction; ``wf_ex`` was fetched (and, to
    apply, locked) by the caller. Paths are relative to ``wf_ex``.
    """
    top = tree.top(wf_ex)
    # Read when an analysis first needs it (a "continue" evaluating its
    # transitions), once for the whole tree.
    env = model.Deferred(_once(lambda top_ex: tree.env(wf_ex, top_ex)), top)
    executions, parsed, runs = _tree(wf_ex)

    nodes = {}
    for ex in executions:
        nodes[ex.id] = model.ExecutionNode(
            id=ex.id, state=ex.state, state_info=ex.state_info,
            wf_spec=parsed[ex.id].spec,
            runs=runs.get(ex.id, []),
            workflow_name=ex.workflow_name,
            input=_deferred(ex.input), context=_deferred(ex.context),
            env=env, context_loader=_in_context,
        )

    run_index = {r.id: (node, r) for node in nodes.values()
                 for r in node.runs}
    for ex in executions[1:]:
        parent = run_index.get(ex.task_execution_id)
        if parent is not None and not _replaced(ex):
            parent[0].attach_child(parent[1], nodes[ex.id])
    # Where the chain up stopped at a link that is not trusted.
    nodes[wf_ex.id].untrusted_parent = top.task_execution_id
    return nodes[wf_ex.id]


def _replaced(ex):
    """A finished sub-workflow that a rerun of its task replaced.

    Mistral marks a finished execution accepted, and un-accepts the old
    ones when their task re-runs with reset (engine/tasks.py, 23.0.0):
    its failures are history, not failures to resume from.
    """
    return states.is_completed(ex.state) and not ex.accepted
