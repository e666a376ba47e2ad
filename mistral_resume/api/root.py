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

"""Our Pecan root: every Mistral endpoint, plus ours under /v2.

Selected with Mistral's own option, ``[pecan] root =
mistral_resume.api.root.RootController``; Mistral's controllers are
subclassed, never changed, so their routes answer exactly as before.
"""

# Mistral's controllers import its action modules, which import its DB API
# half-initialized unless the DB API was imported first (a circular import
# in Mistral 23.0.0); Mistral's own app does that before loading its root.
from mistral.db.v2 import api as _db_api  # noqa: F401  # isort:skip

import inspect

from mistral.api.controllers import root as mistral_root
from mistral.api.controllers.v2 import execution
from mistral.api.controllers.v2 import resources
from mistral.api.controllers.v2 import root as mistral_v2
from mistral.api.controllers.v2 import task
from mistral.utils import rest_utils
from wsmeext import pecan as wsme_pecan

from mistral_resume.api import batches
from mistral_resume.api import links
from mistral_resume.api import resumes
from mistral_resume.api import task_context


# Mistral's own handler of POST /v2/executions, below its decorators (which
# ours repeat): it reads nothing from the request but its argument.
_create_execution = inspect.unwrap(execution.ExecutionsController.post)


class ExecutionsController(execution.ExecutionsController):
    resume_requirements = resumes.RequirementsController()
    resumes = resumes.ExecutionResumesController()

    @rest_utils.wrap_wsme_controller_exception
    @wsme_pecan.wsexpose(
        resources.Execution,
        body=resources.Execution,
        status_code=201
    )
    def post(self, wf_ex):
        """Mistral's create, refusing links the caller cannot see."""
        links.check_params(wf_ex.to_dict().get('params'))
        return _create_execution(self, wf_ex)


class TasksController(task.TasksController):
    context = task_context.TaskContextController()


class V2Controller(mistral_v2.Controller):
    executions = ExecutionsController()
    tasks = TasksController()
    resumes = resumes.ResumesController()
    resume_batches = batches.ResumeBatchesController()


class RootController(mistral_root.RootController):
    v2 = V2Controller()
