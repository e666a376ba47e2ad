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

"""The resume API for Python programs, in python-mistralclient's style.

::

    from mistralclient.api import client
    from mistral_resume.client import resumes

    mistral = client.client(mistral_url='http://127.0.0.1:8989/v2')
    manager = resumes.get_manager(mistral)   # also mistral.resumes from now

    manager.requirements(execution_id)
    try:
        record = manager.create(execution_id, points=[
            {'task': 'build', 'context': {'item_count': 3}}])
    except resumes.RequirementsUnmet as e:
        for requirement in e.requirements:
            print(requirement['code'], requirement['message'])

What comes back follows mistralclient: each answer is a ``Resource``
(attributes for the top-level fields, ``to_dict()`` for all of it), and
what the answer nests (points, failures, requirements, contexts) stays
plain JSON data, lists and dicts, exactly as the contract spells it. The
requirements of a refused resume are plain dicts too, the same as those
in ``ResumeRequirements.requirements``, so a program handles them alike.

Errors are mistralclient's ``APIException`` with the HTTP code in
``error_code`` (400, 404, ...) and the server's faultstring as the message;
a 409 is its subclass ``RequirementsUnmet``.
"""

from keystoneauth1 import exceptions as ks_exceptions
from mistralclient.api import base
from oslo_serialization import jsonutils

from mistral_resume.core import request as contract

# The contract's modes (core/request.py), for the client's users.
RERUN = contract.RERUN
CONTINUE = contract.CONTINUE


class Resume(base.Resource):
    """A resume record (or, for a dry run, the record it would be)."""
    resource_name = 'Resume'


class ResumeRequirements(base.Resource):
    """What resuming an execution takes, as it stands now."""
    resource_name = 'ResumeRequirements'


class TaskContext(base.Resource):
    """The context a task execution saw."""
    resource_name = 'TaskContext'


class RequirementsUnmet(base.APIException):
    """409: the resume cannot go ahead; nothing was changed.

    ``requirements`` lists every unmet requirement, each a dict with at
    least ``code``, ``message``, ``task``, ``task_execution_id``, ``state``
    and ``path``; ``error_message`` (and ``str()``) is the server's
    paragraph naming them all.
    """

    def __init__(self, error_message=None, requirements=None):
        super(RequirementsUnmet, self).__init__(409, error_message)
        self.requirements = list(requirements or [])


def _comma_list(value):
    if value is None or isinstance(value, str):
        return value
    return ','.join(value)


def point(task, mode=RERUN, context=None, context_mode=None,
          published=None, reset=None):
    """A resume point for ``create``, leaving unset what is not given.

    Fields left out take the server's defaults (``rerun``, ``merge``,
    ``reset: true``); ``published`` goes with ``continue`` only.
    """
    data = {'task': task, 'mode': mode}
    for key, value in (('context', context), ('context_mode', context_mode),
                       ('published', published), ('reset', reset)):
        if value is not None:
            data[key] = value
    return data


class ResumeManager(base.ResourceManager):
    resource_class = Resume

    def requirements(self, execution_id):
        """GET /executions/{id}/resume_requirements"""
        self._ensure_not_empty(execution_id=execution_id)
        return ResumeRequirements(
            self,
            self._get_json('/executions/%s/resume_requirements'
                           % execution_id)
        )

    def create(self, execution_id, points=None, env=None, reason=None,
               request_id=None, dry_run=False):
        """POST /executions/{id}/resumes

        :param points: resume points, dicts as the contract has them (see
            ``point()``); none for a plain resume of a paused execution.
        :returns: the ``Resume`` record: the new one, the first one again
            for a repeated ``request_id``, or for ``dry_run`` the one that
            would be created.
        :raises RequirementsUnmet: the resume cannot go ahead (409).
        """
        self._ensure_not_empty(execution_id=execution_id)
        body = {'points': list(points or [])}
        if env is not None:
            body['env'] = env
        if reason is not None:
            body['reason'] = reason
        if request_id is not None:
            body['request_id'] = request_id
        if dry_run:
            body['dry_run'] = True

        url = '/executions/%s/resumes' % execution_id
        try:
            resp = self.http_client.post(url, jsonutils.dumps(body))
        except ks_exceptions.HttpError as ex:
            self._raise_api_exception(ex.response)
        # 201 for a new record; 200 for a dry run or a repeated request_id
        # (the contract's idempotent answer), which is no error either.
        if resp.status_code not in (200, 201):
            self._raise_api_exception(resp)
        return Resume(self, base.get_json(resp))

    def list(self, execution_id, marker=None, limit=None, sort_keys=None,
             sort_dirs=None):
        """GET /executions/{id}/resumes: the audit trail, newest first.

        ``sort_keys``/``sort_dirs`` take a comma-separated string or a
        list; the server's default is ``created_at`` ``desc``.
        """
        self._ensure_not_empty(execution_id=execution_id)
        query = self._build_query_params(
            marker=marker, limit=limit,
            sort_keys=_comma_list(sort_keys),
            sort_dirs=_comma_list(sort_dirs)
        )
        return self._list('/executions/%s/resumes%s' % (execution_id, query),
                          response_key='resumes')

    def get(self, resume_id):
        """GET /resumes/{id}"""
        self._ensure_not_empty(resume_id=resume_id)
        return self._get('/resumes/%s' % resume_id)

    def task_context(self, task_execution_id):
        """GET /tasks/{id}/context"""
        self._ensure_not_empty(task_execution_id=task_execution_id)
        return TaskContext(
            self, self._get_json('/tasks/%s/context' % task_execution_id)
        )

    def _get_json(self, url):
        try:
            resp = self.http_client.get(url)
        except ks_exceptions.HttpError as ex:
            self._raise_api_exception(ex.response)
        if resp.status_code != 200:
            self._raise_api_exception(resp)
        return base.get_json(resp)

    @staticmethod
    def _raise_api_exception(resp):
        if resp.status_code == 409:
            try:
                body = base.get_json(resp)
            except ValueError:
                body = None
            # Only the contract's 409 carries requirements; any other
            # conflict (a proxy's, say) stays a plain APIException.
            if isinstance(body, dict) and 'requirements' in body:
                raise RequirementsUnmet(body.get('faultstring'),
                                        body['requirements'])
        base.ResourceManager._raise_api_exception(resp)


def get_manager(mistral_client):
    """The ResumeManager of a mistralclient ``Client``.

    Built on the client's own HTTP client (its URL, session and
    authentication), once, and kept as ``mistral_client.resumes`` so that
    code holding the client can use it like the client's own managers.
    """
    manager = getattr(mistral_client, 'resumes', None)
    if not isinstance(manager, ResumeManager):
        executions = mistral_client.executions
        manager = ResumeManager(executions.http_client,
                                executions.enforce_raw_definitions)
        mistral_client.resumes = manager
    return manager
