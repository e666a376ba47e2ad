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

# Must be the first Mistral import: it selects oslo.service's threading
# backend, which the services need. Almost any other Mistral module would
# select the eventlet backend on import, and the choice cannot be undone.
import mistral.cmd  # noqa

import sys

from mistral.cmd import launch
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


def _wants_embedded(argv):
    # Decided before oslo.config parses anything: the two modes parse the
    # command line differently (the launcher reorders it itself).
    wanted = False
    for arg in argv:
        if arg in ('--embedded', '--noembedded'):
            wanted = arg == '--embedded'
    return wanted


def main():
    # Registered in both modes so that --help shows it and either parser
    # accepts it.
    CONF.register_cli_opt(EMBEDDED_OPT)

    argv = sys.argv[1:]
    if _wants_embedded(argv):
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

    return launch.main()


if __name__ == '__main__':
    sys.exit(main())
