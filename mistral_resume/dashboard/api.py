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

"""The resume API for the dashboard's views, one call per function.

The client is mistral-dashboard's (memoized per request: the user's token,
the catalog's workflowv2 endpoint); the resume calls are
mistral_resume.client's manager on top of it. Answers are plain JSON data
(the contract's shapes), which the views turn into tables.
"""

from mistraldashboard import api as mistral_api

from mistral_resume.client import resumes

RequirementsUnmet = resumes.RequirementsUnmet


def _manager(request):
    return resumes.get_manager(mistral_api.mistralclient(request))


def requirements(request, execution_id):
    return _manager(request).requirements(execution_id).to_dict()


def resume(request, execution_id, points, env=None, reason=None,
           request_id=None, dry_run=False):
    """The resume record (or the plan of a dry run), as a dict.

    :raises RequirementsUnmet: 409, nothing was changed.
    """
    return _manager(request).create(execution_id, points=points, env=env,
                                    reason=reason, request_id=request_id,
                                    dry_run=dry_run).to_dict()


def history(request, execution_id):
    return [r.to_dict() for r in _manager(request).list(execution_id)]


def task_context(request, task_execution_id):
    return _manager(request).task_context(task_execution_id).to_dict()


def root_execution_id(request, execution_id):
    """The top execution of a sub-workflow's (resumes name the top one)."""
    execution = mistral_api.execution_get(request, execution_id)
    return getattr(execution, 'root_execution_id', None) or execution.id
