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

from mistral_resume.core import graph
from mistral_resume.core import references
from mistral_resume.db import tree


def task_context(task_id, authorize=None):
    """The body of GET /v2/tasks/{id}/context (raises 404 if not visible).

    :param authorize: called with the task's workflow execution before
        anything is read from it; raises if the caller may not.
    """
    with db_api.transaction(read_only=True):
        task_ex = db_api.get_task_execution(task_id)
        wf_ex = task_ex.workflow_execution
        if authorize is not None:
            authorize(wf_ex)
        return {
            'task_execution_id': task_ex.id,
            'name': task_ex.name,
            'state': task_ex.state,
            'workflow_execution_id': task_ex.workflow_execution_id,
            'in_context': dict(task_ex.in_context or {}),
            'published': dict(task_ex.published or {}),
            # Not wf_ex.root_execution: a caller may have set that link.
            'env': tree.env(wf_ex),
            'workflow_input': dict(wf_ex.input or {}),
            'publish': graph.publish_names(
                spec_parser.get_task_spec(task_ex.spec)),
            'references': references.task_references(task_ex.spec or {}),
        }
