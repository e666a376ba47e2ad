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

"""The tables of mistral-resume.

They live in the Mistral database but on a declarative base of their own, so
Mistral's metadata (and its migrations and test clean-ups) never see them;
our alembic branch creates them (see mistral_resume/db/migration).
"""

from mistral.db.sqlalchemy import model_base as mistral_base
from mistral.db.sqlalchemy import types as st
from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import declarative_base

ResumeModelBase = declarative_base(cls=mistral_base._MistralModelBase)

# The foreign key target: Mistral's table, not a model of ours. It is named
# here so the migration and the model agree on it.
EXECUTIONS_TABLE = 'workflow_executions_v2'


class ResumeRecord(ResumeModelBase):
    """One resume request applied to a workflow execution (the audit trail).

    It also carries what the engine needs later on any engine process: the
    context overrides of rerun points are read back from here.
    """

    __tablename__ = 'mistral_resume_records'

    __table_args__ = (
        sa.UniqueConstraint('execution_id', 'request_id'),
        sa.Index('mistral_resume_records_execution_created',
                 'execution_id', 'created_at'),
    )

    id = mistral_base.id_column()
    execution_id = sa.Column(sa.String(36), nullable=False)
    project_id = sa.Column(sa.String(80), nullable=True)
    user_id = sa.Column(sa.String(128), nullable=True)
    reason = sa.Column(sa.Text(), nullable=True)
    request_id = sa.Column(sa.String(255), nullable=True)
    execution_state_before = sa.Column(sa.String(20), nullable=False)
    points = sa.Column(st.JsonListType(), nullable=False, default=list)
    env = sa.Column(st.JsonLongDictType(), nullable=True)
    warnings = sa.Column(st.JsonListType(), nullable=False, default=list)
    requirements = sa.Column(st.JsonListType(), nullable=False, default=list)
    # The resume batch this resume was part of, if any.
    batch_id = sa.Column(sa.String(36), nullable=True, index=True)

    # Mistral stores whole seconds; the audit trail is listed newest first
    # and several resumes can land within one second, so ours keep
    # microseconds (MySQL needs fsp=6 for that).
    created_at = sa.Column(
        sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'),
        default=timeutils.utcnow
    )


def _precise_datetime():
    """A timestamp with microseconds on every database (MySQL: fsp=6)."""
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


class ResumeBatch(ResumeModelBase):
    """One resume batch: the request, applied to every matched execution.

    Its state and counts are not stored: they are read from its outcomes,
    which engines write one by one, so no two engines ever update one row
    to say how far the batch got.
    """

    __tablename__ = 'mistral_resume_batches'

    __table_args__ = (
        # A request_id names one batch per project (the idempotency key).
        sa.UniqueConstraint('project_id', 'request_id'),
        sa.Index('mistral_resume_batches_project_created',
                 'project_id', 'created_at'),
    )

    id = mistral_base.id_column()
    project_id = sa.Column(sa.String(80), nullable=True)
    user_id = sa.Column(sa.String(128), nullable=True)
    reason = sa.Column(sa.Text(), nullable=True)
    request_id = sa.Column(sa.String(255), nullable=True)
    filter = sa.Column(st.JsonDictType(), nullable=False, default=dict)
    points = sa.Column(st.JsonListType(), nullable=False, default=list)
    env = sa.Column(st.JsonLongDictType(), nullable=True)
    total = sa.Column(sa.Integer(), nullable=False, default=0)
    created_at = sa.Column(_precise_datetime(), default=timeutils.utcnow)


class BatchChunk(ResumeModelBase):
    """A slice of a batch's executions, worked on by one engine at a time.

    The engine working on it holds a lease (``owner``, ``lease_expires_at``)
    that it renews after each execution. A chunk whose lease expired
    (its engine died, or the cast that announced it was lost) is handed out
    again by whichever engine notices first (engine/batches.py).
    """

    __tablename__ = 'mistral_resume_batch_chunks'

    __table_args__ = (
        sa.Index('mistral_resume_batch_chunks_lease', 'done',
                 'lease_expires_at'),
    )

    batch_id = sa.Column(
        sa.String(36),
        sa.ForeignKey('mistral_resume_batches.id', ondelete='CASCADE'),
        primary_key=True
    )
    number = sa.Column(sa.Integer(), primary_key=True, autoincrement=False)
    owner = sa.Column(sa.String(255), nullable=True)
    lease_expires_at = sa.Column(_precise_datetime(), nullable=False)
    attempts = sa.Column(sa.Integer(), nullable=False, default=0)
    done = sa.Column(sa.Boolean(), nullable=False, default=False)


class BatchOutcome(ResumeModelBase):
    """What became of one execution of a batch (pending while None).

    Not tied to the execution by a foreign key: the batch's history stays
    whole when Mistral's expiration policy deletes an execution.
    """

    __tablename__ = 'mistral_resume_batch_outcomes'

    __table_args__ = (
        sa.UniqueConstraint('batch_id', 'position'),
        sa.Index('mistral_resume_batch_outcomes_chunk', 'batch_id', 'chunk'),
    )

    batch_id = sa.Column(
        sa.String(36),
        sa.ForeignKey('mistral_resume_batches.id', ondelete='CASCADE'),
        primary_key=True
    )
    execution_id = sa.Column(sa.String(36), primary_key=True)
    # The order in which the filter matched it: outcomes are paged by it.
    position = sa.Column(sa.Integer(), nullable=False)
    chunk = sa.Column(sa.Integer(), nullable=False)
    project_id = sa.Column(sa.String(80), nullable=True)
    outcome = sa.Column(sa.String(10), nullable=True)
    resume_id = sa.Column(sa.String(36), nullable=True)
    requirements = sa.Column(st.JsonListType(), nullable=True)
    message = sa.Column(sa.Text(), nullable=True)
    # The engine that wrote the outcome (engine [engine] host).
    engine = sa.Column(sa.String(255), nullable=True)
    updated_at = sa.Column(_precise_datetime(), nullable=True)
