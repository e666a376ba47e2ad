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

"""Resume batches: the batch, its chunks (with their lease), its outcomes,
and the batch id on resume records.

Revision ID: 002
Revises: 001
Create Date: 2026-12-02 00:00:00
"""

from alembic import op
from mistral.db.sqlalchemy import types as st
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

# revision identifiers, used by Alembic.
revision = '002'
down_revision = '001'


def _precise_datetime():
    return sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade():
    op.create_table(
        'mistral_resume_batches',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('created_at', _precise_datetime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('project_id', sa.String(80), nullable=True),
        sa.Column('user_id', sa.String(128), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('request_id', sa.String(255), nullable=True),
        sa.Column('filter', st.JsonDictType(), nullable=False),
        sa.Column('points', st.JsonListType(), nullable=False),
        sa.Column('env', st.JsonLongDictType(), nullable=True),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.UniqueConstraint('project_id', 'request_id'),
    )
    op.create_index('mistral_resume_batches_project_created',
                    'mistral_resume_batches', ['project_id', 'created_at'])

    op.create_table(
        'mistral_resume_batch_chunks',
        sa.Column('batch_id', sa.String(36), primary_key=True),
        sa.Column('number', sa.Integer(), primary_key=True,
                  autoincrement=False),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=True),
        sa.Column('owner', sa.String(255), nullable=True),
        sa.Column('lease_expires_at', _precise_datetime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('done', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['mistral_resume_batches.id'],
                                ondelete='CASCADE'),
    )
    op.create_index('mistral_resume_batch_chunks_lease',
                    'mistral_resume_batch_chunks',
                    ['done', 'lease_expires_at'])

    op.create_table(
        'mistral_resume_batch_outcomes',
        sa.Column('batch_id', sa.String(36), primary_key=True),
        sa.Column('execution_id', sa.String(36), primary_key=True),
        sa.Column('created_at', sa.DateTime(), nullable=True),
        sa.Column('updated_at', _precise_datetime(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('chunk', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.String(80), nullable=True),
        sa.Column('outcome', sa.String(10), nullable=True),
        sa.Column('resume_id', sa.String(36), nullable=True),
        sa.Column('requirements', st.JsonListType(), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('engine', sa.String(255), nullable=True),
        sa.ForeignKeyConstraint(['batch_id'], ['mistral_resume_batches.id'],
                                ondelete='CASCADE'),
        sa.UniqueConstraint('batch_id', 'position'),
    )
    op.create_index('mistral_resume_batch_outcomes_chunk',
                    'mistral_resume_batch_outcomes', ['batch_id', 'chunk'])

    # Batch mode: SQLite rebuilds the table, the others alter it in place.
    with op.batch_alter_table('mistral_resume_records') as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.String(36),
                                      nullable=True))
        batch_op.create_index('ix_mistral_resume_records_batch_id',
                              ['batch_id'])


def downgrade():
    with op.batch_alter_table('mistral_resume_records') as batch_op:
        batch_op.drop_index('ix_mistral_resume_records_batch_id')
        batch_op.drop_column('batch_id')
    op.drop_index('mistral_resume_batch_outcomes_chunk',
                  table_name='mistral_resume_batch_outcomes')
    op.drop_table('mistral_resume_batch_outcomes')
    op.drop_index('mistral_resume_batch_chunks_lease',
                  table_name='mistral_resume_batch_chunks')
    op.drop_table('mistral_resume_batch_chunks')
    op.drop_index('mistral_resume_batches_project_created',
                  table_name='mistral_resume_batches')
    op.drop_table('mistral_resume_batches')
