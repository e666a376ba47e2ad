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

"""The resume endpoints of the contract (doc/source/api.rst)."""

from mistral import context
from mistral.db.v2 import api as db_api
import pecan
from pecan import rest

from mistral_resume.api import util
from mistral_resume import config
from mistral_resume.db import api as records_api
from mistral_resume.engine import rpc_client
from mistral_resume.engine import service
from mistral_resume import policies


def _authorize(action, execution_id):
    """404 for an execution the caller cannot see, then the policy check.

    Both before any RPC. Mistral's RPC client rebuilds only
    MistralException subclasses from a remote error, and its not-found
    error is a MistralError: over the fake transport it would come back as
    a 500. Reading it here first answers 404 as Mistral's own API does, on
    every transport; and the rule is checked against the execution's own
    project and user (policies.execution_target). The caller has checked
    the id.
    """
    with db_api.transaction(read_only=True):
        wf_ex = db_api.get_workflow_execution(execution_id)
        policies.authorizer(action, context.ctx())(wf_ex)


def _analysis_here():
    """Whether this process answers read-only analyses itself.

    The same service code an engine runs, on the committed state of the
    same database, in a read-only transaction that also checks the caller:
    no RPC round trip (doc/source/architecture.rst, "Where the analysis
    runs").
    """
    return config.CONF.resume.analysis_in_api


# How create_resume's outcomes answer over HTTP.
_STATUS = {
    service.CREATED: 201,
    service.EXISTING: 200,
    service.DRY_RUN: 200,
}


class RequirementsController(rest.RestController):
    """GET /v2/executions/{id}/resume_requirements"""

    @pecan.expose('json')
    @util.json_errors
    def get_all(self, execution_id):
        util.check_id(execution_id, 'execution')
        if _analysis_here():
            return service.resume_requirements(
                execution_id, policies.authorizer('resume_requirements:get',
                                                  context.ctx()))
        _authorize('resume_requirements:get', execution_id)
        return rpc_client.get_client().resume_requirements(execution_id)


class ExecutionResumesController(rest.RestController):
    """POST and GET /v2/executions/{id}/resumes"""

    @pecan.expose()
    def _route(self, args, request=None):
        util.keep_body_from_pecan(request or pecan.request)
        return super()._route(args, request)

    @pecan.expose('json')
    @util.json_errors
    def post(self, execution_id):
        util.check_id(execution_id, 'execution')
        body = util.json_body()
        # Malformed bodies are refused here, before any RPC; the engine
        # checks again, since other clients may call it.
        resume_request = service.parse_request(body)
        if resume_request.dry_run and _analysis_here():
            outcome = service.create_resume(
                execution_id, body,
                authorize=policies.authorizer('resumes:create',
                                              context.ctx()))
        else:
            _authorize('resumes:create', execution_id)
            outcome = rpc_client.get_client().create_resume(execution_id,
                                                            body)
        if outcome['status'] == service.UNMET:
            return util.fault(409, outcome['faultstring'],
                              requirements=outcome['requirements'])
        pecan.response.status = _STATUS[outcome['status']]
        return outcome['record']

    @pecan.expose('json')
    @util.json_errors
    def get_all(self, execution_id, **query):
        # Query parameters come as keywords: pecan counts named optional
        # arguments as path segments and would answer 404.
        util.check_id(execution_id, 'execution')
        paging = util.paging(query, records_api.SORT_KEYS)
        authorize = policies.authorizer('resumes:list', context.ctx())
        return {'resumes': service.list_records(execution_id, authorize,
                                                **paging)}


class ResumesController(rest.RestController):
    """GET /v2/resumes/{resume_id}"""

    @pecan.expose('json')
    @util.json_errors
    def get_one(self, resume_id):
        util.check_id(resume_id, 'resume')
        return service.get_record(
            resume_id, policies.authorizer('resumes:get', context.ctx()))
