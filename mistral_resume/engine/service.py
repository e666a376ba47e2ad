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

"""The resume service: what the engine does for each RPC call.

Every call is one short transaction, retried on deadlocks like Mistral's
own engine methods; a resume that applies runs under the execution's lock
and re-runs the analysis there, so a plan is never applied to a state it
was not computed for.
"""

from mistral import context as auth_ctx
from mistral.db import utils as db_utils
from mistral.db.v2 import api as db_api
from mistral.db.v2.sqlalchemy import models as db_models
from mistral.engine import post_tx_queue
from mistral import exceptions as exc
from oslo_config import cfg
from oslo_log import log as logging

from mistral_resume.core import analyzer
from mistral_resume.core import request as request_mod
from mistral_resume.core import requirements as req
from mistral_resume.db import api as records
from mistral_resume.db import stored
from mistral_resume.engine import applier
from mistral_resume.engine import collector
from mistral_resume.engine import evaluate
from mistral_resume.engine import loader
from mistral_resume.engine import start_check

LOG = logging.getLogger(__name__)

CONF = cfg.CONF

# What create_resume answers; the API maps each to an HTTP status.
CREATED = 'created'
EXISTING = 'existing'
DRY_RUN = 'dry_run'
UNMET = 'unmet'


def _analyze(wf_ex, resume_request):
    with collector.paused():
        root = loader.load(wf_ex)
        try:
            return analyzer.analyze(root, resume_request, evaluate.evaluate)
        except request_mod.InvalidRequest as e:
            raise exc.InputException(str(e))


def _noop(wf_ex):
    pass


@db_utils.retry_on_db_error
def resume_requirements(execution_id, authorize=_noop):
    """The requirements view; ``authorize(wf_ex)`` checks the caller.

    Read-only: the API process answers it itself ([resume]
    analysis_in_api), in the same transaction as its check of the caller.
    """
    with db_api.transaction(read_only=True):
        wf_ex = stored.Execution.visible(execution_id)
        authorize(wf_ex)
        analysis = _analyze(wf_ex, request_mod.ResumeRequest())
        return analyzer.requirements_view(analysis)


def parse_request(body):
    try:
        return request_mod.parse(
            body, CONF.engine.execution_field_size_limit_kb)
    except request_mod.InvalidRequest as e:
        raise exc.InputException(str(e))


def _record_values(wf_ex, resume_request, analysis, batch_id=None):
    ctx = auth_ctx.ctx() if auth_ctx.has_ctx() else None
    return {
        'execution_id': wf_ex.id,
        'project_id': wf_ex.project_id,
        'user_id': ctx.user_id if ctx else None,
        'reason': resume_request.reason,
        'request_id': resume_request.request_id,
        'execution_state_before': wf_ex.state,
        'points': [p.to_dict() for p in analysis.planned],
        'env': resume_request.env,
        'warnings': analysis.warnings,
        'requirements': analysis.requirements,
        'batch_id': batch_id,
    }


def record_view(values, record_id=None, created_at=None, dry_run=False):
    view = {
        'id': record_id,
        'created_at': created_at,
        'dry_run': dry_run,
    }
    view.update(values)
    return view


def stored_record_view(record):
    values = {k: getattr(record, k) for k in (
        'execution_id', 'project_id', 'user_id', 'reason', 'request_id',
        'execution_state_before', 'points', 'env', 'warnings',
        'requirements', 'batch_id')}
    values['points'] = list(values['points'] or [])
    values['warnings'] = list(values['warnings'] or [])
    values['requirements'] = list(values['requirements'] or [])
    values['env'] = dict(values['env']) if values['env'] else None
    return record_view(values, record.id,
                       record.created_at.isoformat() + 'Z')


def _lock(wf_ex):
    """Serialize resumes of one execution across every engine.

    The state is read again after the lock (acquire_lock expires the
    session first).
    """
    return db_api.acquire_lock(db_models.WorkflowExecution, wf_ex.id)


def _unmet(requirements):
    return {'status': UNMET, 'requirements': requirements,
            'faultstring': req.summary(requirements)}


def create_resume(execution_id, body, batch_id=None, authorize=_noop):
    """Check, and unless it is a dry run apply, a resume request.

    :param batch_id: the resume batch the request is part of (kept in the
        record).
    :param authorize: ``authorize(wf_ex)`` checks the caller where the API
        process answers a dry run itself; the engine is called after the
        API checked.
    """
    try:
        return _create_resume(execution_id, body, batch_id, authorize)
    except applier.ExecutionChanged as e:
        # The transaction was rolled back and the post-commit queue (the
        # RPC casts of dispatched commands) dropped with it.
        return _unmet([req.execution_changed(execution_id, str(e))])


@db_utils.retry_on_db_error
@post_tx_queue.run
@start_check.hold_after_commit
def _create_resume(execution_id, body, batch_id, authorize):
    resume_request = parse_request(body)

    # A dry run changes nothing: its transaction is rolled back.
    with db_api.transaction(read_only=resume_request.dry_run):
        wf_ex = (stored.Execution.visible(execution_id)
                 if resume_request.dry_run
                 else db_api.get_workflow_execution(execution_id))
        authorize(wf_ex)
        if not resume_request.dry_run:
            wf_ex = _lock(wf_ex)

        if resume_request.request_id:
            existing = records.find_by_request_id(
                wf_ex.id, resume_request.request_id
            )
            if existing is not None:
                return {'status': EXISTING,
                        'record': stored_record_view(existing)}

        analysis = _analyze(wf_ex, resume_request)
        values = _record_values(wf_ex, resume_request, analysis, batch_id)

        if not analysis.ok:
            return _unmet(analysis.requirements)

        if resume_request.dry_run:
            return {'status': DRY_RUN,
                    'record': record_view(values, dry_run=True)}

        record = records.create_record(values)
        applier.apply(wf_ex, analysis, resume_request, record.id)
        start_check.schedule(wf_ex, analysis, record.id)

        LOG.info('Resumed execution %s (resume %s, %d point(s)).',
                 wf_ex.id, record.id, len(analysis.planned))
        return {'status': CREATED, 'record': stored_record_view(record)}


def get_record(record_id, authorize=_noop):
    """A resume record; ``authorize(wf_ex)`` checks its execution."""
    with db_api.transaction(read_only=True):
        record = records.get_record(record_id)
        # Visible only with its execution (404 as Mistral answers).
        authorize(db_api.get_workflow_execution(record.execution_id))
        return stored_record_view(record)


def list_records(execution_id, authorize=_noop, **paging):
    with db_api.transaction(read_only=True):
        authorize(db_api.get_workflow_execution(execution_id))
        return [stored_record_view(r)
                for r in records.list_records(execution_id, **paging)]
