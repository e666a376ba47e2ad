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

"""Schema management: our alembic branch, and Mistral's schema on SQLite."""

import os

from alembic import command as alembic_cmd
from alembic import config as alembic_cfg
from alembic.runtime import migration as alembic_migration
from alembic import script as alembic_script
from oslo_config import cfg
from oslo_log import log as logging
import sqlalchemy as sa

LOG = logging.getLogger(__name__)

VERSION_TABLE = 'mistral_resume_alembic_version'

_HERE = os.path.dirname(__file__)


def alembic_config(url=None, connection=None):
    config = alembic_cfg.Config(os.path.join(_HERE, 'alembic.ini'))
    config.set_main_option(
        'script_location',
        'mistral_resume.db.migration:alembic_migrations'
    )
    config.set_main_option(
        'sqlalchemy.url',
        (url or cfg.CONF.database.connection).replace('%', '%%')
    )
    if connection is not None:
        config.attributes['connection'] = connection
    return config


def upgrade(engine, revision='head'):
    """Bring our tables to ``revision`` on the given SQLAlchemy engine."""
    with engine.begin() as connection:
        alembic_cmd.upgrade(alembic_config(connection=connection), revision)


def ensure_mistral_schema(engine):
    """Create Mistral's own schema where it does not exist yet.

    Mistral's migrations cannot run on SQLite (migration 002 alters
    constraints), so, as Mistral's own tests do, the schema is created from
    its models and stamped at its alembic head, which keeps
    mistral-db-manage usable on that database later. An existing schema is
    left untouched: nothing is lost on a restart.
    """
    from mistral.db.v2 import api as db_api

    if sa.inspect(engine).has_table('workflow_executions_v2'):
        return False

    LOG.info('Creating the Mistral schema from its models.')
    db_api.setup_db()

    # Stamped without Mistral's env.py, which would reconfigure (and so
    # disable) the process's logging through logging.fileConfig.
    config = alembic_cfg.Config()
    config.set_main_option(
        'script_location',
        'mistral.db.sqlalchemy.migration:alembic_migrations'
    )
    script = alembic_script.ScriptDirectory.from_config(config)
    with engine.begin() as connection:
        migration_ctx = alembic_migration.MigrationContext.configure(
            connection
        )
        migration_ctx.stamp(script, script.get_current_head())
    return True
