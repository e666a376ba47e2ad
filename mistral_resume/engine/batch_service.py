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

"""Resume batches as the API hands them to the engines, and shows them.

The API matches the executions (what the caller may see), stores the batch
with one pending outcome per execution in one transaction, and announces
its chunks to the engines (engine/batches.py does the work). It changes no
execution itself. A dry run asks the engines, chunk by chunk, what each
execution's resume would do.
"""

import concurrent.futures

from mistral import context as auth_ctx
from mistral.db import utils as db_utils
from mistral.db.v2 import api as db_api
from mistral import exceptions as exc
from mistral.services import security
from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_log import log as logging

from mistral_resume.core import batch_request
from mistral_resume.core import request as request_mod
from mistral_resume.db import batches as db
from mistral_resume.engine import batches as engine_batches
from mistral_resume.engine import rpc_client
from mistral_resume.engine import service

LOG = logging.getLogger(__name__)

CONF = cfg.CONF

# What create_batch answers: the words of one execution's resume.
CREATED = service.CREATED
EXISTING = service.EXISTING
DRY_RUN = service.DRY_RUN

RUNNING = 'RUNNING'
DONE = 'DONE'

_OUTCOME_FIELDS = ('execution_id', 'outcome', 'resume_id', 'requirements',
                   'message')

# Engines asked at once during a dry run.
DRY_RUN_CALLS = 4


def parse_request(body):
    try:
        return batch_request.parse(body,
                                   CONF.engine.execution_field_size_limit_kb,
                                   CONF.resume.batch_max_executions)
    except request_mod.InvalidRequest as e:
        raise exc.InputException(str(e))


def _match(request):
    matched = db.match_executions(request.filter, request.max_executions + 1)
    if len(matched) > request.max_executions:
        raise exc.InputException(
            'The filter matches more than %d executions (max_executions); '
            'nothing was resumed. Narrow the filter, or raise '
            'max_executions.' % request.max_executions)
    return matched


def _timestamp(value):
    return value.isoformat() + 'Z' if value else None


def outcome_view(row):
    return {'execution_id': row.execution_id, 'outcome': row.outcome,
            'resume_id': row.resume_id,
            'requirements': list(row.requirements or []),
            'message': row.message}


def batch_view(batch, progress, outcomes=None):
    pending = progress.get(None, 0)
    view = {
        'id': batch.id,
        'project_id': batch.project_id,
        'user_id': batch.user_id,
        'created_at': _timestamp(batch.created_at),
        'updated_at': _timestamp(progress.get('updated_at')),
        'reason': batch.reason,
        'request_id': batch.request_id,
        'dry_run': False,
        'state': RUNNING if pending else DONE,
        'filter': dict(batch.filter or {}),
        'points': list(batch.points or []),
        'env': dict(batch.env) if batch.env else None,
        'total': batch.total,
        'applied': progress.get(db.APPLIED, 0),
        'refused': progress.get(db.REFUSED, 0),
        'errors': progress.get(db.ERROR, 0),
    }
    if outcomes is not None:
        view['outcomes'] = [outcome_view(o) for o in outcomes]
    return view


def _stored_view(batch):
    return batch_view(batch, db.progress([batch.id])[batch.id])


@db_utils.retry_on_db_error
def _store(request):
    ctx = auth_ctx.ctx() if auth_ctx.has_ctx() else None
    with db_api.transaction():
        if request.request_id:
            existing = db.find_by_request_id(request.request_id)
            if existing is not None:
                return EXISTING, _stored_view(existing), 0
        matched = _match(request)
        values = {
            # Mistral's notion of the caller's project, as its rows have it
            # (its default project when authentication is off).
            'project_id': security.get_project_id(),
            'user_id': ctx.user_id if ctx else None,
            'reason': request.resume.reason,
            'request_id': request.request_id,
            'filter': batch_request.filter_to_dict(request.filter),
            'points': [p.to_dict() for p in request.resume.points],
            'env': request.resume.env,
        }
        batch, chunks = db.create_batch(values, matched,
                                        CONF.resume.batch_chunk_size,
                                        CONF.resume.batch_lease)
        return CREATED, _stored_view(batch), chunks


def store(request):
    """Match and store a batch; (status, view, chunk count).

    A batch with the request_id of an earlier one of the project is that
    batch (EXISTING), also when two such requests race.
    """
    try:
        return _store(request)
    except db_exc.DBDuplicateEntry:
        first = existing(request.request_id)
        if first is None:
            raise
        return EXISTING, first, 0


def existing(request_id):
    """The caller's project's batch of that request_id, or None."""
    with db_api.transaction(read_only=True):
        batch = db.find_by_request_id(request_id)
        return _stored_view(batch) if batch is not None else None


def dispatch(batch_id, chunks):
    """Announce a stored batch's chunks to the engines.

    A cast that cannot be sent is not lost work: the chunk's first lease
    ends and an engine hands it out again.
    """
    client = rpc_client.get_client()
    for number in range(chunks):
        try:
            client.run_batch_chunk(batch_id, number)
        except Exception as e:
            LOG.warning('Could not announce chunk %d of resume batch %s (%s);'
                        ' an engine takes it when its lease ends.',
                        number, batch_id, e)


def create(request):
    status, view, chunks = store(request)
    if status == CREATED:
        dispatch(view['id'], chunks)
        LOG.info('Resume batch %s: %d execution(s) in %d chunk(s).',
                 view['id'], view['total'], chunks)
    return status, view


def dry_run(request):
    """Every matched execution's outcome if the batch ran now; no change."""
    with db_api.transaction(read_only=True):
        matched = _match(request)
    ids = [ex_id for ex_id, _ in matched]
    body = engine_batches.execution_body(
        {'id': None, 'points': [p.to_dict() for p in request.resume.points],
         'env': request.resume.env, 'reason': request.resume.reason},
        dry_run=True)
    size = CONF.resume.batch_chunk_size
    chunks = [ids[i:i + size] for i in range(0, len(ids), size)]
    ctx = auth_ctx.ctx()

    def ask(chunk):
        auth_ctx.set_ctx(ctx)
        try:
            return rpc_client.get_client().dry_run_batch(chunk[0], chunk,
                                                         body)
        finally:
            auth_ctx.set_ctx(None)

    with concurrent.futures.ThreadPoolExecutor(DRY_RUN_CALLS) as pool:
        answers = list(pool.map(ask, chunks))
    outcomes = [o for answer in answers for o in answer]
    counts = {}
    for o in outcomes:
        counts[o['outcome']] = counts.get(o['outcome'], 0) + 1
    return {
        'id': None, 'project_id': security.get_project_id(),
        'user_id': ctx.user_id,
        'created_at': None, 'updated_at': None,
        'reason': request.resume.reason, 'request_id': request.request_id,
        'dry_run': True, 'state': DONE,
        'filter': batch_request.filter_to_dict(request.filter),
        'points': [p.to_dict() for p in request.resume.points],
        'env': request.resume.env, 'total': len(outcomes),
        'applied': counts.get(db.APPLIED, 0),
        'refused': counts.get(db.REFUSED, 0),
        'errors': counts.get(db.ERROR, 0),
        'outcomes': [{k: o.get(k) for k in _OUTCOME_FIELDS}
                     for o in outcomes],
    }


def get_batch(batch_id, marker=None, limit=None, outcome=None):
    with db_api.transaction(read_only=True):
        batch = db.get_batch(batch_id)
        outcomes = db.list_outcomes(batch_id, marker, limit, outcome)
        return batch_view(batch, db.progress([batch_id])[batch_id],
                          outcomes)


def list_batches(**paging):
    with db_api.transaction(read_only=True):
        batches = db.list_batches(**paging)
        progress = db.progress([b.id for b in batches])
        return [batch_view(b, progress[b.id]) for b in batches]
