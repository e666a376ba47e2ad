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

"""mistral-resume-server: mistral-server with mistral-resume in it.

``mistral-resume-server --server api,engine,...`` takes the options of
``mistral-server`` and starts the same services, except that the API serves
our root controller (unless ``[pecan] root`` says otherwise) and the engine
also serves the resume endpoint. ``mistral-resume-server --embedded`` runs
everything in one process instead (see mistral_resume.cmd.embedded).
"""

# Holds the warnings that importing Mistral's stack prints, for the log of
# the embedded server: before anything else is imported (standard library
# only).
from mistral_resume.cmd import console  # noqa

# Must be the first Mistral import: it selects oslo.service's threading
# backend, which the services need. Almost any other Mistral module would
# select the eventlet backend on import, and the choice cannot be undone.
import mistral.cmd  # noqa

import os
import sys
import threading

from mistral.cmd import launch
from mistral.services import periodic
from oslo_config import cfg

from mistral_resume.api import service as api_service
from mistral_resume.cmd import embedded
from mistral_resume.engine import server as engine_server
from mistral_resume import patches

CONF = cfg.CONF

EMBEDDED_OPT = cfg.BoolOpt(
    'embedded',
    default=False,
    help='Run API, engine, executor and notifier in this one process, over '
         'an in-memory transport and a SQLite database in [resume] data_dir '
         '(unless configured otherwise), instead of the --server '
         'processes.'
)


def launch_engine():
    # Checked here, in the launcher, and not only when the engine starts:
    # Mistral's launcher prints a RuntimeError as one "ERROR:" line and
    # exits, where oslo.service would restart a failing engine for ever.
    patches.check_mistral()
    launch.launch_process(engine_server.get_oslo_service())


def launch_api():
    # As Mistral's launch_api, with our listen backlog.
    server = api_service.wsgi_service()
    launch.launch_process(server, workers=server.workers)


def _exit_soon(code):
    """End the master process EXIT_GRACE s from now if it is still there.

    Mistral's API service starts the cron-trigger periodic tasks (a
    non-daemon thread group) in the master process when it is built, and
    nothing stops them: once cotyledon's master has stopped its workers on
    SIGTERM, they alone would keep it alive until the graceful shutdown
    timeout's SIGALRM killed it, with exit code 1. They are stopped first;
    anything else that lingers is abandoned here.
    """
    if code is None:
        code = 0
    elif not isinstance(code, int):
        # sys.exit("message") prints it and exits 1.
        code = 1
    timer = threading.Timer(embedded.EXIT_GRACE, os._exit, args=(code,))
    timer.daemon = True
    timer.start()


def main():
    # Registered in both modes so that --help shows them and either parser
    # accepts them; without --embedded, the embedded-only ones are refused
    # below.
    CONF.register_cli_opt(EMBEDDED_OPT)
    CONF.register_cli_opts(embedded.CLI_OPTS)

    argv = sys.argv[1:]
    if console.wants_embedded(argv):
        return embedded.main(argv)

    # set_default, not set_override: [pecan] root stays the operator's
    # choice in the configuration file.
    CONF.set_default('root', embedded.ROOT_CONTROLLER, group='pecan')

    # Mistral's launcher builds its services from a fixed table of launch
    # functions and offers no other hook; its installed code stays as it
    # is, the table of this process is pointed at our engine server and
    # our API service.
    launch.LAUNCH_OPTIONS['engine'] = launch_engine
    launch.LAUNCH_OPTIONS['api'] = launch_api

    refused = embedded.embedded_only_args(argv)
    if refused:
        sys.stderr.write('ERROR: %s: only with --embedded; a --server '
                         'process takes its port and database from its '
                         'configuration file ([api] port, [database] '
                         'connection).\n' % ', '.join(refused))
        return 1

    code = 0
    try:
        return launch.main()
    except SystemExit as e:
        # How cotyledon's master ends, after a SIGTERM too (its workers
        # never return here: they end in multiprocessing's bootstrap).
        code = e.code
        raise
    finally:
        periodic.stop_all_periodic_tasks()
        _exit_soon(code)


if __name__ == '__main__':
    sys.exit(main())
