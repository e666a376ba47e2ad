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

"""Alembic environment of mistral-resume.

Our version table is separate from Mistral's ``alembic_version``, so both
histories live side by side in one database and neither tool sees the
other's revisions. An existing connection can be handed in through
``config.attributes['connection']`` (the embedded server and the tests do,
so an in-memory SQLite database is migrated in place).
"""

from alembic import context
import sqlalchemy as sa

from mistral_resume.db import migration
from mistral_resume.db import models

config = context.config
target_metadata = models.ResumeModelBase.metadata


def _configure(**kwargs):
    context.configure(
        target_metadata=target_metadata,
        version_table=migration.VERSION_TABLE,
        # SQLite cannot ALTER constraints: batch mode rebuilds its tables.
        render_as_batch=True,
        **kwargs
    )


def run_migrations_offline():
    _configure(url=config.get_main_option('sqlalchemy.url'),
               literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get('connection')
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return

    engine = sa.create_engine(config.get_main_option('sqlalchemy.url'),
                              poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
