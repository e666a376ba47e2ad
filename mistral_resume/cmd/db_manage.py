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

"""mistral-resume-db-manage: migrations of mistral-resume's own tables.

``mistral-resume-db-manage [--config-file F] upgrade [REV] | downgrade REV |
current | stamp REV`` runs our alembic history against Mistral's database
(``[database] connection``), in its own version table, beside Mistral's.
Mistral's schema stays mistral-db-manage's business: run
``mistral-db-manage upgrade head`` first, then this.
"""

# Selects oslo.service's threading backend, as in every entry point of
# mistral-resume; see mistral_resume/cmd/server.py.
import mistral.cmd  # noqa

import sys

from alembic import command as alembic_cmd
from alembic import util as alembic_util
# Registers [database] with Mistral's default connection.
from mistral.db.sqlalchemy import base  # noqa
from oslo_config import cfg
from oslo_log import log as logging
import sqlalchemy as sa

from mistral_resume.db import migration

CONF = cfg.CONF

# Our first migration references Mistral's executions.
MISTRAL_TABLE = 'workflow_executions_v2'


def _check_mistral_schema():
    engine = sa.create_engine(CONF.database.connection,
                              poolclass=sa.pool.NullPool)
    try:
        has_mistral_schema = sa.inspect(engine).has_table(MISTRAL_TABLE)
    finally:
        engine.dispose()
    if not has_mistral_schema:
        raise SystemExit(
            "ERROR: no Mistral schema in this database (table %s is "
            "missing); run 'mistral-db-manage upgrade head' first."
            % MISTRAL_TABLE
        )


def do_upgrade(config):
    if not CONF.command.sql:
        _check_mistral_schema()
    alembic_cmd.upgrade(config, CONF.command.revision or 'head',
                        sql=CONF.command.sql)


def do_downgrade(config):
    alembic_cmd.downgrade(config, CONF.command.revision,
                          sql=CONF.command.sql)


def do_stamp(config):
    alembic_cmd.stamp(config, CONF.command.revision, sql=CONF.command.sql)


def do_current(config):
    alembic_cmd.current(config, verbose=CONF.command.verbose)


def add_command_parsers(subparsers):
    parser = subparsers.add_parser(
        'upgrade', help='Upgrade our tables to REVISION (default: head).')
    parser.add_argument('revision', nargs='?')
    parser.add_argument('--sql', action='store_true',
                        help='Print the SQL instead of running it.')
    parser.set_defaults(func=do_upgrade)

    parser = subparsers.add_parser(
        'downgrade', help='Downgrade our tables to REVISION ("base": none).')
    parser.add_argument('revision')
    parser.add_argument('--sql', action='store_true',
                        help='Print the SQL instead of running it.')
    parser.set_defaults(func=do_downgrade)

    parser = subparsers.add_parser(
        'current', help='Show the revision of our tables.')
    parser.add_argument('--verbose', action='store_true')
    parser.set_defaults(func=do_current)

    parser = subparsers.add_parser(
        'stamp', help='Record REVISION as current without running anything.')
    parser.add_argument('revision')
    parser.add_argument('--sql', action='store_true',
                        help='Print the SQL instead of running it.')
    parser.set_defaults(func=do_stamp)


COMMAND_OPT = cfg.SubCommandOpt(
    'command',
    title='Commands',
    help='Available commands',
    handler=add_command_parsers
)


def main(argv=None):
    CONF.register_cli_opt(COMMAND_OPT)
    logging.register_options(CONF)
    # As mistral-db-manage: the same configuration files, found the same way.
    CONF(args=argv, project='mistral', prog='mistral-resume-db-manage')
    logging.setup(CONF, 'mistral-resume-db-manage')

    try:
        CONF.command.func(migration.alembic_config())
    except alembic_util.CommandError as e:
        sys.stderr.write('ERROR: %s\n' % e)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
