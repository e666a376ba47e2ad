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

"""Resume batches in the engines: chunks, leases and outcomes.

A chunk reaches an engine as a cast on the resume topic, so the broker
spreads a batch's chunks over every engine. The engine claims the chunk
(a lease in the database), resumes its executions one by one through the
single-execution path (service.create_resume: own lock, own transaction,
own record) and writes each outcome as it finishes, renewing the lease.

Exactly once: each execution's resume carries an idempotency key made of
the batch and the execution (``execution_request_id``). Whoever works on
an execution again (an engine that took over a chunk whose engine died
after a resume committed but before its outcome was written) finds the
first record by that key instead of applying anything.

Every engine also looks, every ``batch_claim_interval``, for chunks whose
lease ended and hands them out again (``ChunkClaimer``): a chunk of a dead
engine is taken over within ``batch_lease + batch_claim_interval``.
"""

import os
import threading

from mistral import context as auth_ctx
from mistral.db.v2 import api as db_api
from mistral import exceptions as exc
from oslo_config import cfg
from oslo_log import log as logging

from mistral_resume.db import batches as db
from mistral_resume.engine import service

LOG = logging.getLogger(__name__)

CONF = cfg.CONF

# Expired chunks handed out again per look, at most.
CLAIM_BATCH = 100


def execution_request_id(batch_id, execution_id):
    """The idempotency key of one execution's resume within a batch."""
    return 'batch:%s:%s' % (batch_id, execution_id)


def engine_name():
    """Who holds a lease: the engine's host and process.

    The process too, since several engines may run on one host with the
    same [engine] host.
    """
    return '%s:%d' % (CONF.engine.host, os.getpid())


def execution_body(batch, execution_id=None, dry_run=False):
    """The single-execution resume request that a batch makes."""
    body = {'points': list(batch['points'] or []), 'dry_run': dry_run}
    for key in ('env', 'reason'):
        if batch.get(key) is not None:
            body[key] = batch[key]
    if execution_id is not None:
        body['request_id'] = execution_request_id(batch['id'], execution_id)
    return body


def _outcome(answer):
    """An outcome row's values from create_resume's answer."""
    if answer['status'] in (service.CREATED, service.EXISTING,
                            service.DRY_RUN):
        return {'outcome': db.APPLIED,
                'resume_id': answer['record'].get('id'),
                'requirements': [], 'message': None}
    return {'outcome': db.REFUSED, 'resume_id': None,
            'requirements': answer['requirements'],
            'message': answer['faultstring']}


def _error(message):
    return {'outcome': db.ERROR, 'resume_id': None, 'requirements': [],
            'message': message}


def resume_one(execution_id, body, batch_id=None):
    """One execution's resume; its outcome, whatever happens.

    A failure of this one execution (it was deleted meanwhile, say) is its
    outcome and does not stop the batch; create_resume rolled back
    whatever it had begun.
    """
    try:
        return _outcome(service.create_resume(execution_id, body,
                                              batch_id=batch_id))
    except exc.DBEntityNotFoundError:
        return _error('Execution %s no longer exists (or is no longer '
                      'visible to the batch\'s project).' % execution_id)
    except (exc.MistralException, exc.MistralError) as e:
        LOG.warning('Resume of execution %s in batch %s failed: %s',
                    execution_id, batch_id, e)
        return _error(str(e))


def _context(batch, project_id):
    """The caller of a batch's resume: the batch's user.

    In the project of the execution, so that what the resume creates
    belongs to that project and nothing of another project is seen.
    """
    return auth_ctx.MistralContext(user_id=batch['user_id'],
                                   project_id=project_id, is_admin=False)


def _snapshot(batch):
    return {k: getattr(batch, k)
            for k in ('id', 'user_id', 'points', 'env', 'reason')}


def run_chunk(batch_id, number):
    """Work on one chunk, unless another engine holds it."""
    owner = engine_name()
    lease = CONF.resume.batch_lease
    with db_api.transaction():
        if not db.claim_chunk(batch_id, number, owner, lease):
            LOG.info('Chunk %d of resume batch %s is held by another engine '
                     'or finished; skipped.', number, batch_id)
            return
        batch = _snapshot(db.load_batch(batch_id))
        todo = db.pending_outcomes(batch_id, number)
    LOG.info('Working on chunk %d of resume batch %s: %d execution(s).',
             number, batch_id, len(todo))

    saved_ctx = auth_ctx.ctx() if auth_ctx.has_ctx() else None
    try:
        for execution_id, project_id in todo:
            auth_ctx.set_ctx(_context(batch, project_id))
            values = resume_one(execution_id,
                                execution_body(batch, execution_id),
                                batch_id=batch_id)
            with db_api.transaction():
                db.write_outcome(batch_id, execution_id, values, owner)
                held = db.renew_lease(batch_id, number, owner, lease)
            if not held:
                # Our lease ended and another engine took the chunk over:
                # it goes on from the first execution without an outcome.
                LOG.warning('Chunk %d of resume batch %s was handed to '
                            'another engine; stopping here.',
                            number, batch_id)
                return
    finally:
        auth_ctx.set_ctx(saved_ctx)

    with db_api.transaction():
        db.finish_chunk(batch_id, number, owner)
    LOG.info('Finished chunk %d of resume batch %s.', number, batch_id)


def dry_run(execution_ids, body):
    """What a batch would do to each execution, in the caller's context."""
    body = dict(body, dry_run=True)
    body.pop('request_id', None)
    return [dict(resume_one(execution_id, body), execution_id=execution_id)
            for execution_id in execution_ids]


def reclaim_expired(dispatch):
    """Hand out again every chunk whose lease ended; return how many.

    ``dispatch(batch_id, number)`` announces a chunk to the engines.
    """
    with db_api.transaction():
        expired = db.expired_chunks(CLAIM_BATCH)
    handed_out = 0
    for batch_id, number in expired:
        with db_api.transaction():
            released = db.release_expired(batch_id, number,
                                          CONF.resume.batch_lease)
        if released:
            # Another engine may have done it first: only the one whose
            # update matched announces it.
            LOG.warning('Chunk %d of resume batch %s: lease expired, '
                        'handed out again.', number, batch_id)
            dispatch(batch_id, number)
            handed_out += 1
    return handed_out


class ChunkClaimer(object):
    """A thread that hands out expired chunks every claim interval."""

    def __init__(self, dispatch, interval=None):
        self._dispatch = dispatch
        self._interval = interval or CONF.resume.batch_claim_interval
        self._stopped = threading.Event()
        self._thread = None

    def start(self):
        self._stopped.clear()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='resume-batch-claimer')
        self._thread.start()

    def stop(self, timeout=10):
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self):
        while not self._stopped.wait(self._interval):
            try:
                reclaim_expired(self._dispatch)
            except Exception:
                # The database may be away for a while; the next look
                # tries again.
                LOG.exception('Could not look for expired chunks of resume '
                              'batches.')
