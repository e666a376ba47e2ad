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

"""GET /v2/tasks/{id}/context"""

from mistral import context
import pecan
from pecan import rest

from mistral_resume.api import util
from mistral_resume.db import task_context
from mistral_resume import policies


class TaskContextController(rest.RestController):

    @pecan.expose('json')
    @util.json_errors
    def get_all(self, task_id):
        util.check_id(task_id, 'task execution')
        return task_context.task_context(
            task_id, policies.authorizer('tasks:context', context.ctx()))
