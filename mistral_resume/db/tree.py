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

"""Which executions belong together, by links the engine made itself.

Mistral 23 stores whatever ``root_execution_id`` and ``task_execution_id``
a caller passes in ``params`` when starting an execution, unchecked, and
its ORM relationships (``root_execution``, ``workflow_executions``) are
not filtered by project. So another project can start an execution that
claims to belong to yours. Neither link is trusted here as such: a tree is
an execution plus the sub-workflow executions started by its own workflow
tasks (``task_execution_id`` chains, followed down from the execution, or
up from it to the top), each checked to be in the execution's project.
Anything else that claims a place in the tree is ignored and logged once.

Queries filter by no project of the caller's: the project that counts is
the execution's own, also for an admin.
"""

import threading

from mistral.db.sqlalchemy import base as db_base
from mistral.db.v2.sqlalchemy import models
from oslo_log import log as logging
import sqlalchemy as sa

from mistral_resume.core import quoting
from mistral_resume.db import stored

LOG = logging.getLogger(__name__)

# Execution ids already logged as ignored: an analysis may be asked for
# many times, the log line is useful once. Bounded, so that an attacker
# creating executions cannot grow it without end.
_LOGGED = set()
_LOGGED_LOCK = threading.Lock()
_LOGGED_MAX = 10000


def _log_ignored(claimer_id, message, *args):
    with _LOGGED_LOCK:
        if claimer_id in _LOGGED:
            return
        if len(_LOGGED) >= _LOGGED_MAX:
            _LOGGED.clear()
        _LOGGED.add(claimer_id)
    LOG.warning(message, *args)


def _is_workflow_task(spec):
    return bool((spec or {}).get('workflow'))


def _is_workflow_task_text(spec_text, memo):
    # A fan-out's sub-workflows share their parent task's spec text.
    if spec_text not in memo:
        memo[spec_text] = _is_workflow_task(stored.decode(spec_text))
    return memo[spec_text]


def top(wf_ex):
    """The top of wf_ex's trusted chain: where its env lives.

    Up from wf_ex through the task execution that started it, as long as
    that task is a workflow task of an execution in wf_ex's project; the
    stored ``root_execution_id`` is not read.
    """
    project_id = wf_ex.project_id
    current = wf_ex
    seen = {wf_ex.id}
    while current.task_execution_id:
        tasks = stored.TASKS.c
        found = stored.rows(sa.select(
            tasks.workflow_execution_id, tasks.project_id, tasks.spec
        ).where(tasks.id == current.task_execution_id))
        task = found[0] if found else None
        parent = None
        if (task is not None and task.project_id == project_id and
                _is_workflow_task(stored.decode(task.spec)) and
                task.workflow_execution_id not in seen):
            parent = db_base.model_query(models.WorkflowExecution).filter(
                models.WorkflowExecution.id == task.workflow_execution_id
            ).first()
        if parent is None or parent.project_id != project_id:
            _log_ignored(
                current.id,
                'Execution %s names task execution %s as its parent, which '
                'is no workflow task of its project: ignored, the '
                'execution is taken as a top execution.',
                quoting.quote(current.id),
                quoting.quote(current.task_execution_id))
            break
        seen.add(parent.id)
        current = parent

    claimed = wf_ex.root_execution_id or wf_ex.id
    if claimed != current.id:
        _log_ignored(
            wf_ex.id,
            'Execution %s claims %s as its root execution, which did not '
            'start it: ignored, its top execution is %s.',
            quoting.quote(wf_ex.id), quoting.quote(claimed),
            quoting.quote(current.id))
    return current


def env(wf_ex, top_ex=None):
    """The env wf_ex runs with, read from its trusted top execution."""
    top_ex = top_ex or top(wf_ex)
    return dict((top_ex.params or {}).get('env') or {})


def sub_executions(project_id, execution_ids, columns=('id',)):
    """The executions started by workflow tasks of these, in project_id.

    :param execution_ids: executions already in the tree.
    :param columns: the columns of stored.WORKFLOWS to fetch (JSON as
        text); ``id`` and ``task_execution_id`` come too.
    :return: rows, oldest first.
    """
    if not execution_ids:
        return []
    ex, task = stored.WORKFLOWS.c, stored.TASKS.c
    wanted = list(dict.fromkeys(tuple(columns) +
                                ('id', 'task_execution_id', 'project_id')))
    # Joined on the task that started each one: the spec of those tasks
    # alone is decoded, not that of every task of the tree.
    found = stored.rows(
        sa.select(*[ex[c] for c in wanted],
                  task.spec.label('started_by_spec'))
        .join_from(stored.WORKFLOWS, stored.TASKS,
                   ex.task_execution_id == task.id)
        .where(task.workflow_execution_id.in_(execution_ids))
        .order_by(ex.created_at)
    )
    memo = {}
    trusted = []
    for row in found:
        if not _is_workflow_task_text(row.started_by_spec, memo):
            continue
        if row.project_id == project_id:
            trusted.append(row)
        else:
            _log_ignored(
                row.id,
                'Execution %s of another project names task execution %s '
                'as its parent: ignored, it is no part of that tree.',
                quoting.quote(row.id), quoting.quote(row.task_execution_id))
    return trusted
