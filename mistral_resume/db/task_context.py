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

"""The context a task saw: what the operator needs to work out a delta."""

from mistral.db.v2 import api as db_api
from mistral.lang import parser as spec_parser
import sqlalchemy as sa

from mistral_resume.core import graph
from mistral_resume.core import references
from mistral_resume.db import stored
from mistral_resume.db import tree

_TASK_TEXTS = ('in_context', 'published', 'spec')
_EXECUTION_TEXTS = ('params', 'input', 'context')


def _read(task_id):
    """The task's columns and its execution's, in one query.

    Its visibility (404) is Mistral's own, from ``get_task_execution``;
    the rest comes as stored text: the ORM objects cost a query per
    deferred column and one for the relationship.
    """
    db_api.get_task_execution(task_id, fields=['id'])
    task, ex = stored.TASKS.c, stored.WORKFLOWS.c
    row, = stored.rows(
        sa.select(task.id, task.name, task.state,
                  *[task[c] for c in _TASK_TEXTS],
                  *[ex[c].label('ex_' + c) for c in
                    stored.Execution.FIELDS + _EXECUTION_TEXTS])
        .join_from(stored.TASKS, stored.WORKFLOWS,
                   task.workflow_execution_id == ex.id)
        .where(task.id == task_id))
    wf_ex = stored.Execution(
        {c: getattr(row, 'ex_' + c) for c in stored.Execution.FIELDS},
        {c: getattr(row, 'ex_' + c) for c in _EXECUTION_TEXTS})
    return row, wf_ex


def task_context(task_id, authorize=None):
    """The body of GET /v2/tasks/{id}/context (raises 404 if not visible).

    :param authorize: called with the task's workflow execution before
        anything is read from it; raises if the caller may not.
    """
    with db_api.transaction(read_only=True):
        row, wf_ex = _read(task_id)
        if authorize is not None:
            authorize(wf_ex)
        spec = stored.decode(row.spec) or {}
        return {
            'task_execution_id': row.id,
            'name': row.name,
            'state': row.state,
            'workflow_execution_id': wf_ex.id,
            'in_context': dict(stored.decode(row.in_context) or {}),
            'published': dict(stored.decode(row.published) or {}),
            # Not the stored root_execution_id: a caller may have set it.
            'env': tree.env(wf_ex),
            'workflow_input': dict(wf_ex.input or {}),
            'publish': graph.publish_names(spec_parser.get_task_spec(spec)),
            'references': references.task_references(spec),
        }
