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

"""Links to other executions that a caller names when starting one.

Mistral 23.0.0 stores ``params.root_execution_id`` and
``params.task_execution_id`` of ``POST /v2/executions`` as given, and its
engine follows them without a project check: a workflow started that way
reads the linked root's env with ``env()``, and when it finishes Mistral
hands its result to the linked task. Our analysis ignores such links
(mistral_resume/db/tree.py); here they are refused before the execution
exists, unless the caller can see what they name, so that no project
reaches into another's through Mistral's own engine either.
"""

from mistral.db.v2 import api as db_api
from mistral import exceptions as exc

from mistral_resume.core import quoting

# Each link a caller may name, and how it is read as that caller (Mistral's
# reads are scoped to the caller's project; an admin sees all).
_LINKS = (
    ('root_execution_id', db_api.get_workflow_execution),
    ('task_execution_id', db_api.get_task_execution),
)


def check_params(params):
    """Refuse links to executions or tasks the caller cannot see.

    :raises InputException: a link that is not an id (400).
    :raises DBEntityNotFoundError: a link to something the caller cannot
        see, answered 404 as Mistral answers for ``source_execution_id``.
    """
    if not isinstance(params, dict):
        return  # Mistral's own answer, as before
    for key, read in _LINKS:
        value = params.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise exc.InputException(
                'params.%s must be an id, not %s.'
                % (key, quoting.quote(value)))
        read(value)
