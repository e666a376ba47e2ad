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

"""Our alembic branch on SQLite (batch mode): up, down and up again.

PostgreSQL runs the same migrations in the integration tests
(mistral-resume-db-manage upgrade head).
"""

import os

from alembic import command as alembic_cmd
import fixtures
from oslotest import base as oslo_base
import sqlalchemy as sa

from mistral_resume.db import migration

BATCH_TABLES = {'mistral_resume_batches', 'mistral_resume_batch_chunks',
                'mistral_resume_batch_outcomes'}


class TestMigrations(oslo_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'db.sqlite')
        self.url = 'sqlite:///%s' % path
        self.engine = sa.create_engine(self.url)
        self.addCleanup(self.engine.dispose)
        # Our tables come after Mistral's (records refer to its executions).
        with self.engine.begin() as connection:
            connection.execute(sa.text(
                'CREATE TABLE workflow_executions_v2 '
                '(id VARCHAR(36) PRIMARY KEY)'))

    def upgrade(self, revision='head'):
        with self.engine.begin() as connection:
            alembic_cmd.upgrade(
                migration.alembic_config(self.url, connection), revision)

    def downgrade(self, revision):
        with self.engine.begin() as connection:
            alembic_cmd.downgrade(
                migration.alembic_config(self.url, connection), revision)

    def columns(self, table):
        return {c['name'] for c in sa.inspect(self.engine).get_columns(table)}

    def test_batches_up_down_up_keeps_the_records(self):
        self.upgrade('001')
        with self.engine.begin() as connection:
            connection.execute(sa.text(
                "INSERT INTO mistral_resume_records (id, execution_id, "
                "execution_state_before, points, warnings, requirements) "
                "VALUES ('r1', 'e1', 'ERROR', '[]', '[]', '[]')"))

        self.upgrade()
        self.assertTrue(BATCH_TABLES.issubset(
            sa.inspect(self.engine).get_table_names()))
        self.assertIn('batch_id', self.columns('mistral_resume_records'))
        self.assertIn('lease_expires_at',
                      self.columns('mistral_resume_batch_chunks'))

        self.downgrade('001')
        self.assertFalse(BATCH_TABLES & set(
            sa.inspect(self.engine).get_table_names()))
        self.assertNotIn('batch_id', self.columns('mistral_resume_records'))

        self.upgrade()
        with self.engine.connect() as connection:
            self.assertEqual([('r1', None)], connection.execute(sa.text(
                'SELECT id, batch_id FROM mistral_resume_records')).all())
