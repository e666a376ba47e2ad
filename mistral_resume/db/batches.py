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

"""Access to resume batches, their chunks and outcomes, inside Mistral's
transactions.

What the API reads is limited to what the caller may see (``visible``);
what the engines read and write is not: an engine works for every project,
on the executions a batch matched when its caller created it.
"""

import datetime

from mistral.db.sqlalchemy import base as db_base
from mistral.db.v2.sqlalchemy import models as mistral_models
from mistral import exceptions as exc
from mistral.services import security
from oslo_db.sqlalchemy import utils as db_utils
from oslo_utils import timeutils
import sqlalchemy as sa

from mistral_resume.db import api as records_api
from mistral_resume.db import models

APPLIED = 'applied'
REFUSED = 'refused'
ERROR = 'error'
OUTCOMES = (APPLIED, REFUSED, ERROR)
# Not yet worked on (a query value of the outcome filter; None stored).
PENDING = 'pending'

SORT_KEYS = ('created_at', 'id', 'request_id', 'user_id', 'total')

_WF_EX = mistral_models.WorkflowExecution
_TASK_EX = mistral_models.TaskExecution


def _now():
    return timeutils.utcnow()


def _lease_end(seconds):
    return _now() + datetime.timedelta(seconds=seconds)


# Matching (API side, as the caller).

def _failed_task_filter(query, path):
    """Executions whose failure is at the task of that name or path.

    A failed sub-workflow task puts its parent task in ERROR, so the first
    segment of a dotted path is in ERROR in the top execution; the last one
    must be in ERROR somewhere in the execution's tree. Which failure a
    resume point names exactly is the resume's own business: it refuses,
    with requirements, what does not fit.
    """
    segments = path.split('.')
    query = query.filter(sa.exists().where(sa.and_(
        _TASK_EX.workflow_execution_id == _WF_EX.id,
        _TASK_EX.name == segments[0],
        _TASK_EX.state == 'ERROR',
    )))
    if len(segments) > 1:
        sub = sa.orm.aliased(_WF_EX)
        query = query.filter(sa.exists().where(sa.and_(
            sub.root_execution_id == _WF_EX.id,
            _TASK_EX.workflow_execution_id == sub.id,
            _TASK_EX.name == segments[-1],
            _TASK_EX.state == 'ERROR',
        )))
    return query


def match_executions(batch_filter, limit):
    """(id, project_id) of the top executions a filter matches, oldest first.

    Only executions the caller may see (see records_api.visible); at most
    ``limit`` of them.
    """
    columns = (_WF_EX.id, _WF_EX.project_id)
    query = records_api.visible(
        _WF_EX, db_base.model_query(_WF_EX, columns=columns))
    # A sub-workflow execution is resumed through its parent's task.
    query = query.filter(_WF_EX.task_execution_id.is_(None))
    query = query.filter(_WF_EX.state.in_(
        [batch_filter['state']] if batch_filter.get('state')
        else ['ERROR', 'PAUSED']))
    if batch_filter.get('workflow_name') is not None:
        query = query.filter(
            _WF_EX.workflow_name == batch_filter['workflow_name'],
            _WF_EX.workflow_namespace == batch_filter.get(
                'workflow_namespace', ''))
    if batch_filter.get('execution_ids'):
        query = query.filter(_WF_EX.id.in_(batch_filter['execution_ids']))
    if batch_filter.get('created_at_from'):
        query = query.filter(
            _WF_EX.created_at >= batch_filter['created_at_from'])
    if batch_filter.get('created_at_to'):
        query = query.filter(
            _WF_EX.created_at <= batch_filter['created_at_to'])
    if batch_filter.get('failed_task'):
        query = _failed_task_filter(query, batch_filter['failed_task'])
    query = query.order_by(_WF_EX.created_at, _WF_EX.id).limit(limit)
    return [(row[0], row[1]) for row in query.all()]


# Batches (API side, as the caller).

@db_base.session_aware()
def create_batch(values, executions, chunk_size, lease_seconds,
                 session=None):
    """Store a batch, its chunks and one pending outcome per execution.

    ``executions``: (id, project_id) in the order matched. Every chunk
    starts unclaimed with a lease of ``lease_seconds``: an engine must claim
    it by then, or another engine hands it out again.
    """
    batch = models.ResumeBatch()
    batch.update(dict(values, total=len(executions)))
    session.add(batch)
    session.flush()
    chunk_count = (len(executions) + chunk_size - 1) // chunk_size
    lease = _lease_end(lease_seconds)
    session.add_all(
        models.BatchChunk(batch_id=batch.id, number=number,
                          lease_expires_at=lease, attempts=0, done=False)
        for number in range(chunk_count))
    session.add_all(
        models.BatchOutcome(batch_id=batch.id, execution_id=ex_id,
                            project_id=project_id, position=position,
                            chunk=position // chunk_size)
        for position, (ex_id, project_id) in enumerate(executions))
    session.flush()
    return batch, chunk_count


def _batches():
    return records_api.visible(models.ResumeBatch)


def get_batch(batch_id):
    batch = _batches().filter(models.ResumeBatch.id == batch_id).first()
    if batch is None:
        raise exc.DBEntityNotFoundError(
            'Resume batch not found [id=%s]' % batch_id)
    return batch


def find_by_request_id(request_id):
    # The request_id is unique per project: the caller's own project, even
    # for an admin.
    return db_base.model_query(models.ResumeBatch).filter(
        models.ResumeBatch.project_id == security.get_project_id(),
        models.ResumeBatch.request_id == request_id
    ).first()


def list_batches(marker=None, limit=None, sort_keys=('created_at',),
                 sort_dirs=('desc',)):
    sort_keys = list(sort_keys)
    sort_dirs = list(sort_dirs)
    if 'id' not in sort_keys:
        # A total order, so that a marker pages without gaps or repeats.
        sort_keys.append('id')
        sort_dirs.append(sort_dirs[-1] if sort_dirs else 'desc')
    marker_obj = get_batch(marker) if marker else None
    return db_utils.paginate_query(
        _batches(), models.ResumeBatch, limit, sort_keys,
        marker=marker_obj, sort_dirs=sort_dirs
    ).all()


def progress(batch_ids):
    """{batch_id: {outcome or None: count, 'updated_at': latest}}"""
    found = {b: {'updated_at': None} for b in batch_ids}
    if not batch_ids:
        return found
    rows = db_base.model_query(
        models.BatchOutcome,
        columns=(models.BatchOutcome.batch_id, models.BatchOutcome.outcome,
                 sa.func.count(), sa.func.max(models.BatchOutcome.updated_at))
    ).filter(
        models.BatchOutcome.batch_id.in_(list(batch_ids))
    ).group_by(
        models.BatchOutcome.batch_id, models.BatchOutcome.outcome
    ).all()
    for batch_id, outcome, count, updated_at in rows:
        entry = found[batch_id]
        entry[outcome] = count
        if updated_at and (entry['updated_at'] is None or
                           updated_at > entry['updated_at']):
            entry['updated_at'] = updated_at
    return found


def list_outcomes(batch_id, marker=None, limit=None, outcome=None):
    """A batch's outcomes in the order matched.

    After the ``marker`` execution, if given; ``outcome``: only those (one
    of OUTCOMES, or PENDING).
    """
    query = db_base.model_query(models.BatchOutcome).filter(
        models.BatchOutcome.batch_id == batch_id)
    if outcome is not None:
        query = query.filter(models.BatchOutcome.outcome == (
            None if outcome == PENDING else outcome))
    if marker:
        position = db_base.model_query(
            models.BatchOutcome, columns=(models.BatchOutcome.position,)
        ).filter(
            models.BatchOutcome.batch_id == batch_id,
            models.BatchOutcome.execution_id == marker
        ).scalar()
        if position is None:
            raise exc.DBEntityNotFoundError(
                'Execution %s is not in resume batch %s (marker).'
                % (marker, batch_id))
        query = query.filter(models.BatchOutcome.position > position)
    query = query.order_by(models.BatchOutcome.position)
    if limit:
        query = query.limit(limit)
    return query.all()


# Chunks and outcomes (engine side, for every project).

def load_batch(batch_id):
    return db_base.model_query(models.ResumeBatch).filter(
        models.ResumeBatch.id == batch_id).first()


def _chunk(batch_id, number):
    return db_base.model_query(models.BatchChunk).filter(
        models.BatchChunk.batch_id == batch_id,
        models.BatchChunk.number == number,
        models.BatchChunk.done.is_(False))


def claim_chunk(batch_id, number, owner, lease_seconds):
    """Take the chunk if nobody holds it; True if taken.

    Nobody holds it when it was handed out and not claimed since, or when
    its holder's lease expired. One conditional UPDATE: of two engines
    claiming at once, one wins.
    """
    now = _now()
    return _chunk(batch_id, number).filter(sa.or_(
        models.BatchChunk.owner.is_(None),
        models.BatchChunk.lease_expires_at < now
    )).update({
        'owner': owner,
        'lease_expires_at': now + datetime.timedelta(seconds=lease_seconds),
        'attempts': models.BatchChunk.attempts + 1,
    }, synchronize_session=False) == 1


def renew_lease(batch_id, number, owner, lease_seconds):
    """Keep holding the chunk; False if it was handed to another engine."""
    return _chunk(batch_id, number).filter(
        models.BatchChunk.owner == owner
    ).update({'lease_expires_at': _lease_end(lease_seconds)},
             synchronize_session=False) == 1


def finish_chunk(batch_id, number, owner):
    return _chunk(batch_id, number).filter(
        models.BatchChunk.owner == owner
    ).update({'done': True}, synchronize_session=False) == 1


def expired_chunks(limit):
    """(batch_id, number) of unfinished chunks whose lease ended."""
    return [tuple(row) for row in db_base.model_query(
        models.BatchChunk,
        columns=(models.BatchChunk.batch_id, models.BatchChunk.number)
    ).filter(
        models.BatchChunk.done.is_(False),
        models.BatchChunk.lease_expires_at < _now()
    ).order_by(models.BatchChunk.lease_expires_at).limit(limit).all()]


def release_expired(batch_id, number, lease_seconds):
    """Hand an expired chunk out again; True for the one engine that did.

    The chunk then has no owner and a fresh lease: the engine that takes
    the new cast claims it, and if none does in time it expires again.
    """
    return _chunk(batch_id, number).filter(
        models.BatchChunk.lease_expires_at < _now()
    ).update({'owner': None,
              'lease_expires_at': _lease_end(lease_seconds)},
             synchronize_session=False) == 1


def pending_outcomes(batch_id, number):
    """(execution_id, project_id) of the chunk not yet worked on."""
    return [tuple(row) for row in db_base.model_query(
        models.BatchOutcome,
        columns=(models.BatchOutcome.execution_id,
                 models.BatchOutcome.project_id)
    ).filter(
        models.BatchOutcome.batch_id == batch_id,
        models.BatchOutcome.chunk == number,
        models.BatchOutcome.outcome.is_(None)
    ).order_by(models.BatchOutcome.position).all()]


def write_outcome(batch_id, execution_id, values, engine):
    """Record what became of an execution, unless already recorded.

    The first outcome stays: an engine that took over a chunk may work on
    an execution again, and finds the first resume by its request_id.
    """
    values = dict(values, engine=engine, updated_at=_now())
    return db_base.model_query(models.BatchOutcome).filter(
        models.BatchOutcome.batch_id == batch_id,
        models.BatchOutcome.execution_id == execution_id,
        models.BatchOutcome.outcome.is_(None)
    ).update(values, synchronize_session=False) == 1
