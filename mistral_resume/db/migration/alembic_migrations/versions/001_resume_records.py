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

"""Create the resume records table.

Revision ID: 001
Revises: None
Create Date: 2026-11-28 00:00:00
"""

from alembic import op
from mistral.db.sqlalchemy import types as st
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '001'
down_revision = None


def upgrade():
    op.create_table(
        'mistral_resume_records',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('created_at',
                  sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'),
                  nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('execution_id', sa.String(36), nullable=False),
        sa.Column('project_id', sa.String(80), nullable=True),
        sa.Column('user_id', sa.String(128), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('request_id', sa.String(255), nullable=True),
        sa.Column('execution_state_before', sa.String(20), nullable=False),
        sa.Column('points', st.JsonListType(), nullable=False),
        sa.Column('env', st.JsonLongDictType(), nullable=True),
        sa.Column('warnings', st.JsonListType(), nullable=False),
        sa.Column('requirements', st.JsonListType(), nullable=False),
        # Records go with their execution when Mistral's expiration policy
        # deletes it, as Mistral's own child tables do.
        sa.ForeignKeyConstraint(
            ['execution_id'], ['workflow_executions_v2.id'],
            ondelete='CASCADE'
        ),
        sa.UniqueConstraint('execution_id', 'request_id'),
    )
    op.create_index(
        'mistral_resume_records_execution_created',
        'mistral_resume_records',
        ['execution_id', 'created_at']
    )


def downgrade():
    op.drop_index('mistral_resume_records_execution_created',
                  table_name='mistral_resume_records')
    op.drop_table('mistral_resume_records')
