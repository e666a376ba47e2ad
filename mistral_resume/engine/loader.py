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
executions and one for their task executions (light columns only), and
the inbound context later only for the runs that need it.
"""

from mistral.db.sqlalchemy import base as db_base
from mistral.db.v2.sqlalchemy import models
from mistral.lang import parser as spec_parser
from mistral.workflow import states

from mistral_resume.core import model
from mistral_resume.db import tree

_TASK_COLUMNS = (
    models.TaskExecution.id,
    models.TaskExecution.name,
    models.TaskExecution.state,
    models.TaskExecution.state_info,
    models.TaskExecution.error_handled,
    models.TaskExecution.spec,
    models.TaskExecution.created_at,
    models.TaskExecution.runtime_context,
    models.TaskExecution.published,
    models.TaskExecution.workflow_execution_id,
    models.TaskExecution.processed,
    models.TaskExecution.has_next_tasks,
)


def _columns_query(columns):
    """A query of some columns of task executions, compiled each time.

    Mistral's JSON column types do not declare ``cache_ok``: SQLAlchemy
    cannot put a statement selecting them by column into its compiled
    cache, and warns at each such query. Saying so on the query keeps the
    console quiet without touching Mistral's types.
    """
    return db_base.model_query(
        models.TaskExecution, columns=columns
    ).execution_options(compiled_cache=None)


def _in_context(run):
    row = _columns_query((models.TaskExecution.in_context,)).filter(
        models.TaskExecution.id == run.id).first()
    return dict(row[0] or {}) if row else {}


def _triggered_by(runtime_context):
    return [t.get('task_id') for t in
            (runtime_context or {}).get('triggered_by') or ()
            if isinstance(t, dict) and t.get('task_id')]


def _tree(wf_ex):
    """wf_ex and the sub-workflow executions below it, with their runs.

    :return: (executions, parents first; runs by execution id)
    """
    executions = [wf_ex]
    runs = _task_runs([wf_ex.id])
    level = [wf_ex]
    seen = {wf_ex.id}
    while level:
        started_by = [(r.id, r.spec) for ex in level
                      for r in runs.get(ex.id, ())]
        level = [ex for ex in tree.sub_executions(wf_ex.project_id,
                                                  started_by)
                 if ex.id not in seen]
        if level:
            seen.update(ex.id for ex in level)
            executions.extend(level)
            runs.update(_task_runs([ex.id for ex in level]))
    return executions, runs


def _task_runs(execution_ids):
    rows = _columns_query(_TASK_COLUMNS).filter(
        models.TaskExecution.workflow_execution_id.in_(execution_ids)
    ).all()
    by_execution = {}
    for row in rows:
        run = model.TaskRun(
            id=row.id, name=row.name, state=row.state, spec=row.spec,
            state_info=row.state_info, error_handled=row.error_handled,
            created_at=row.created_at,
            triggered_by=_triggered_by(row.runtime_context),
            published=row.published,
            processed=row.processed,
            has_next_tasks=row.has_next_tasks,
        )
        by_execution.setdefault(row.workflow_execution_id, []).append(run)
    return by_execution


def load(wf_ex):
    """Build the ExecutionNode tree rooted at a workflow execution.

    Runs inside the caller's transaction; ``wf_ex`` was fetched (and, to
    apply, locked) by the caller. Paths are relative to ``wf_ex``.
    """
    top = tree.top(wf_ex)
    env = tree.env(wf_ex, top)
    executions, runs = _tree(wf_ex)

    nodes = {}
    for ex in executions:
        nodes[ex.id] = model.ExecutionNode(
            id=ex.id, state=ex.state, state_info=ex.state_info,
            wf_spec=spec_parser.get_workflow_spec_by_execution_id(ex.id),
            runs=runs.get(ex.id, []),
            workflow_name=ex.workflow_name,
            input=ex.input, context=ex.context, env=env,
            context_loader=_in_context,
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
