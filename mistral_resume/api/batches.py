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

"""POST and GET /v2/resume_batches, GET /v2/resume_batches/{id}"""

from mistral import context
from mistral import exceptions as exc
import pecan
from pecan import rest

from mistral_resume.api import util
from mistral_resume.db import batches as db
from mistral_resume.engine import batch_service
from mistral_resume import policies

_STATUS = {
    batch_service.CREATED: 202,
    batch_service.EXISTING: 200,
}

_OUTCOME_FILTERS = db.OUTCOMES + (db.PENDING,)


def _outcome_query(query):
    """marker, limit and outcome: the paging of a batch's outcomes."""
    unknown = sorted(k for k in query if k not in ('marker', 'limit',
                                                   'outcome'))
    if unknown:
        raise exc.InputException('Unknown query parameter(s) %s; use: '
                                 'marker, limit, outcome.'
                                 % ', '.join(unknown))
    paging = util.paging({k: query[k] for k in ('marker', 'limit')
                          if k in query}, ('created_at',))
    outcome = query.get('outcome') or None
    if outcome is not None and outcome not in _OUTCOME_FILTERS:
        raise exc.InputException('outcome takes one of: %s.'
                                 % ', '.join(_OUTCOME_FILTERS))
    return {'marker': paging['marker'], 'limit': paging['limit'],
            'outcome': outcome}


class ResumeBatchesController(rest.RestController):

    @pecan.expose()
    def _route(self, args, request=None):
        util.keep_body_from_pecan(request or pecan.request)
        return super()._route(args, request)

    @pecan.expose('json')
    @util.json_errors
    def post(self):
        policies.enforce('resume_batches:create', context.ctx())
        request = batch_service.parse_request(util.json_body())
        # The same request_id answers its first batch, dry run or not, as
        # one execution's resume does.
        existing = (batch_service.existing(request.request_id)
                    if request.request_id else None)
        if existing is not None:
            pecan.response.status = 200
            return existing
        if request.dry_run:
            pecan.response.status = 200
            return batch_service.dry_run(request)
        status, view = batch_service.create(request)
        pecan.response.status = _STATUS[status]
        return view

    @pecan.expose('json')
    @util.json_errors
    def get_all(self, **query):
        policies.enforce('resume_batches:list', context.ctx())
        paging = util.paging(query, db.SORT_KEYS)
        return {'resume_batches': batch_service.list_batches(**paging)}

    @pecan.expose('json')
    @util.json_errors
    def get_one(self, batch_id, **query):
        util.check_id(batch_id, 'resume batch')
        paging = _outcome_query(query)
        view = batch_service.get_batch(batch_id, **paging)
        policies.enforce('resume_batches:get', context.ctx(),
                         policies.owner_target(view))
        return view
