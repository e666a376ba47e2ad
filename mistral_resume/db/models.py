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

    # Mistral stores whole seconds; the audit trail is listed newest first
    # and several resumes can land within one second, so ours keep
    # microseconds (MySQL needs fsp=6 for that).
    created_at = sa.Column(
        sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'),
        default=timeutils.utcnow
    )
