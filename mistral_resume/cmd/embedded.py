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

"""The embedded server: Mistral and mistral-resume in one process.

API, engine (with the resume endpoint), executor and notifier run as
threads of one process and talk over oslo.messaging's in-memory ``fake:/``
transport; the database is a SQLite file in ``[resume] data_dir``. Nothing
else is needed (no broker, no database server), which makes it the way to
try the product, to demonstrate it and to test it end to end.

Every default below is a ``set_default``, so a configuration file can still
choose a real database, a broker, authentication or another address.

The executor and the notifier are *remote* ones reached over ``fake:/``
(Mistral's defaults), not ``local``: the engine then hands actions and
notifications over RPC exactly as in a multi-process deployment, so what
works here works there, and an action runs in the executor's worker pool
instead of holding an engine thread. The runtime notes measured no
difference in latency between the two.
"""

import mistral.cmd  # noqa

import fcntl
import json
import os
import signal
import sys
import threading
import time

from mistral import context as auth_ctx
from mistral.db.sqlalchemy import base as db_base
from mistral.db.v2 import api as db_api
from mistral.executors import executor_server
from mistral.notifiers import notification_server
from mistral.rpc import base as rpc
from mistral.services import action_manager
from mistral.services import workflows as wf_service
from mistral.utils import safe_yaml
from mistral import version
from oslo_config import cfg
from oslo_log import log as logging
import oslo_messaging
from oslo_messaging import opts as messaging_opts
import sqlalchemy as sa

import mistral_resume
from mistral_resume.api import service as resume_api_service
from mistral_resume.cmd import console
# Registers the [resume] options read here.
from mistral_resume import config  # noqa
from mistral_resume.db import migration
from mistral_resume.engine import server as engine_server

LOG = logging.getLogger(__name__)

CONF = cfg.CONF

ROOT_CONTROLLER = 'mistral_resume.api.root.RootController'
DB_FILE = 'mistral-resume.sqlite'
LOG_FILE = 'mistral-resume.log'
# Beside each file an embedded server must have to itself.
LOCK_SUFFIX = '.lock'

# Command-line options of the embedded server (mistral-resume-server
# --embedded, ./tools/serve), so that a second one needs no configuration
# file. dest keeps them apart from any [DEFAULT] option of the same name.
CLI_OPTS = [
    cfg.PortOpt(
        'port', dest='embedded_port', metavar='PORT',
        help='With --embedded: the API port (overrides [api] port, default '
             '8989; 0 binds a free port, reported in the "ready on" line).'
    ),
    cfg.StrOpt(
        'data-dir', dest='embedded_data_dir', metavar='DIR',
        help='With --embedded: the folder of the SQLite database and the log '
             'file (overrides [resume] data_dir, default '
             '~/.local/share/mistral-resume).'
    ),
]

# From the stop request to the end of the process, at most.
EXIT_DEADLINE = 8
# From the end of the stop to the end of the process, at most.
EXIT_GRACE = 3

# What mistral.config.parse_args adds to oslo.log's defaults.
_LOG_LEVELS = [
    'eventlet.wsgi.server=WARN',
    'oslo_service.periodic_task=INFO',
    'oslo_service.loopingcall=INFO',
    'mistral.services.periodic=INFO',
    'kazoo.client=WARN',
    'oslo_db=WARN',
]


def set_defaults():
    """Embedded defaults, before the configuration files are read."""
    # transport_url is registered by oslo.messaging only when a transport is
    # first built; register its options now so that a default can be set
    # and a configuration file can still name a real broker.
    for group, opts in messaging_opts.list_opts():
        if group is None:
            CONF.register_opts(opts)
    CONF.set_default('transport_url', 'fake:/')

    CONF.set_default('host', '127.0.0.1', group='api')
    CONF.set_default('port', 8989, group='api')
    # Without authentication the server must not listen beyond loopback
    # unless someone configures it so; both defaults go together.
    CONF.set_default('auth_enable', False, group='pecan')
    CONF.set_default('root', ROOT_CONTROLLER, group='pecan')
    CONF.set_default('enabled', False, group='cron_trigger')


def parse_args(argv):
    # As mistral.config.parse_args, except that only the configuration the
    # caller names is read (--config-file/--config-dir, or Mistral's
    # MISTRAL_CONFIG_FILE/MISTRAL_CONFIG_DIR): found on its own, the
    # /etc/mistral/mistral.conf of a real deployment would turn this
    # throw-away server into a member of that deployment (its broker, its
    # database) and load the examples into it.
    conf_f = os.environ.get('MISTRAL_CONFIG_FILE')
    conf_d = os.environ.get('MISTRAL_CONFIG_DIR')

    logging.set_defaults(
        default_log_levels=logging.get_default_log_levels() + _LOG_LEVELS
    )
    logging.register_options(CONF)

    CONF(
        args=argv,
        project='mistral',
        prog='mistral-resume-server',
        version=version.version_string,
        default_config_files=[conf_f] if conf_f else [],
        default_config_dirs=[conf_d] if conf_d else [],
    )


def _user_set(name, group=None):
    location = CONF.get_location(name, group)
    return location is not None and location.location not in (
        cfg.Locations.opt_default, cfg.Locations.set_default
    )


def prepare_data_dir():
    data_dir = os.path.abspath(os.path.expanduser(CONF.resume.data_dir))
    # The database holds workflow inputs and results (credentials, often).
    os.makedirs(data_dir, mode=0o700, exist_ok=True)

    if not _user_set('connection', 'database'):
        CONF.set_default(
            'connection',
            'sqlite:///' + os.path.join(data_dir, DB_FILE),
            group='database'
        )

    if not CONF.log_file:
        CONF.set_default('log_file', LOG_FILE)
        if not CONF.log_dir:
            CONF.set_default('log_dir', data_dir)

    return data_dir


def embedded_only_args(argv):
    """The embedded-only options given on a command line."""
    flags = set()
    for opt in CLI_OPTS:
        flags.update(('--' + opt.name, '--' + opt.name.replace('-', '_')))
    return sorted({arg.split('=', 1)[0] for arg in argv} & flags)


def apply_cli_opts():
    # Overrides: the command line wins over any configuration file.
    if CONF.embedded_port is not None:
        CONF.set_override('port', CONF.embedded_port, group='api')
    if CONF.embedded_data_dir is not None:
        CONF.set_override('data_dir', CONF.embedded_data_dir, group='resume')


def shared_files():
    """The files this server must have to itself: its SQLite file and log.

    Mistral's named locks are in-process semaphores on SQLite, so two
    processes sharing the database would corrupt executions rather than
    fail; two sharing a log would interleave it. A server with its own
    database and log shares nothing, whatever its data_dir.
    """
    files = []
    url = sa.engine.make_url(CONF.database.connection)
    if url.get_backend_name() == 'sqlite' and url.database not in (
            None, '', ':memory:'):
        files.append(url.database)
    if not CONF.log_config_append:
        files.append(log_path())
    return [os.path.realpath(os.path.expanduser(f)) for f in files]


class Holder(object):
    """Exclusive use of the shared files, for the life of the process.

    Each file has a lock file beside it (flock, released by the kernel
    whatever way the process ends) that also says who holds it, so that a
    second server can name the first.
    """

    def __init__(self, files):
        self.files = files
        self._locks = []
        try:
            for path in files:
                self._locks.append(self._lock(path))
        except BaseException:
            self.release()
            raise
        self.describe()

    @staticmethod
    def _lock(path):
        lock_file = open(path + LOCK_SUFFIX, 'a+')
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock_file.seek(0)
            holder = _read_holder(lock_file.read())
            lock_file.close()
            raise RuntimeError(
                'Another mistral-resume embedded server (%s) uses %s; stop '
                'it, or start this one with another --data-dir (or its own '
                '[database] connection and log file).' % (holder, path))
        return lock_file

    def describe(self, url=None):
        """Write who holds the files: this process, and its URL once known."""
        holder = json.dumps({'pid': os.getpid(), 'url': url})
        for lock_file in self._locks:
            lock_file.seek(0)
            lock_file.truncate()
            lock_file.write(holder)
            lock_file.flush()

    def release(self):
        for lock_file in self._locks:
            lock_file.close()
        self._locks = []


def _read_holder(text):
    try:
        holder = json.loads(text)
        pid = holder['pid']
    except (ValueError, KeyError, TypeError):
        return 'PID unknown'
    url = holder.get('url')
    return 'PID %s, %s' % (pid, url) if url else 'PID %s, starting' % pid


def log_path():
    if CONF.log_config_append:
        return 'as configured in %s' % CONF.log_config_append
    if CONF.log_dir:
        return os.path.join(CONF.log_dir, CONF.log_file)
    return CONF.log_file


def database_url():
    return sa.engine.make_url(CONF.database.connection).render_as_string(
        hide_password=True
    )


def _admin_context():
    # Start-up work runs outside any request; Mistral's own administrative
    # threads (heartbeats, expiration policy) use this same context.
    return auth_ctx.MistralContext(
        user_id=None,
        project_id=None,
        auth_token=None,
        is_admin=True
    )


def prepare_database():
    engine = db_base.get_engine()

    created = migration.ensure_mistral_schema(engine)
    migration.upgrade(engine)

    # What "mistral-db-manage populate" does. Only on a new database: on an
    # existing one it would delete and recreate the system workflows (new
    # ids) at every start, and an operator upgrading Mistral runs it anyway.
    if created:
        LOG.info('Populating the new database.')
        action_manager.sync_db()
        wf_service.sync_db()

    return created


def examples_dir():
    if CONF.resume.examples_dir:
        return os.path.expanduser(CONF.resume.examples_dir)

    candidates = [
        # A source tree or an editable install.
        os.path.join(os.path.dirname(mistral_resume.__file__), os.pardir,
                     'examples'),
        # setup.cfg's data_files.
        os.path.join(sys.prefix, 'share', 'mistral-resume', 'examples'),
    ]
    for candidate in candidates:
        if os.path.isdir(candidate):
            return os.path.normpath(candidate)
    return None


def _split_workflows(definition):
    """One document per workflow, as Mistral stores them.

    A single-workflow file is kept verbatim (with its comments); several
    workflows in one file are cut apart exactly as Mistral's
    create_workflows does, so that each can be created or updated alone.
    """
    doc = safe_yaml.load(definition)
    names = [key for key in doc if key != 'version']
    if len(names) == 1:
        return [(names[0], definition)]
    return [
        (name, safe_yaml.dump({'version': doc['version'], name: doc[name]},
                              sort_keys=False))
        for name in names
    ]


def _load_workflow(name, definition, scope):
    # Mistral's create/update open their own transaction and refuse to run
    # inside another; nothing else writes to the database yet.
    wf_def = db_api.load_workflow_definition(name)
    if wf_def is None:
        wf_service.create_workflows(definition, scope=scope)
        return 'created'
    checksum = wf_service.get_workflow_definition_checksum(definition)
    if wf_def.checksum == checksum:
        return 'unchanged'
    wf_service.update_workflows(definition, scope=scope)
    return 'updated'


def load_examples():
    folder = examples_dir()
    if not folder or not os.path.isdir(folder):
        LOG.warning('No example workflows found (examples_dir=%s).', folder)
        return []

    # With authentication on there is no project to own them: make them
    # visible to every project instead of to none.
    scope = 'public' if CONF.pecan.auth_enable else 'private'

    loaded = []
    for file_name in sorted(os.listdir(folder)):
        if not file_name.endswith(('.yaml', '.yml')):
            continue
        path = os.path.join(folder, file_name)
        try:
            with open(path) as f:
                workflows = _split_workflows(f.read())
            for name, definition in workflows:
                outcome = _load_workflow(name, definition, scope)
                LOG.info('Example workflow %s (%s): %s.', name, file_name,
                         outcome)
                loaded.append(name)
        except Exception:
            # One broken example must not keep the server from starting.
            LOG.exception('Could not load the example workflows of %s.', path)

    LOG.info('Example workflows from %s: %s', folder,
             ', '.join(loaded) or 'none')
    return loaded


def _start_in_daemon_thread(service):
    """Start a service from a daemon thread.

    Threads inherit the daemon flag of the thread that creates them. Mistral
    starts the action-heartbeat sender (a thread sleeping
    [action_heartbeat] check_interval between rounds) and the heartbeat
    checker (a threading.Timer of check_interval * max_missed_heartbeats,
    300 s by default) without one, and its stop() only raises a flag they
    see when they wake up: created from the main thread, they would keep
    the process alive for up to five minutes after a clean stop. Created
    from here they are daemons, and the process exits as soon as every
    service is stopped. All other threads of Mistral's services are daemons
    already or are joined by their stop().
    """
    failure = []

    def run():
        try:
            service.start()
        except BaseException as e:
            failure.append(e)

    starter = threading.Thread(
        target=run,
        name='start-%s' % type(service).__name__,
        daemon=True
    )
    starter.start()
    starter.join()
    if failure:
        raise failure[0]


def _exit_by(deadline, stopped):
    """End the process at ``deadline`` if it is still there.

    A stopped executor no longer takes actions, but one already running
    keeps its worker thread, and futurist joins every worker at exit: the
    process would last as long as the action. Past the deadline such work
    is abandoned; its action execution stays RUNNING until the heartbeat
    checker fails it (max_missed_heartbeats * check_interval after the next
    start), and then it is a failure like any other, ready to be resumed.
    """
    def run():
        if stopped.wait(max(0, deadline - time.monotonic())):
            # Idle workers notice the exit within futurist's 1 s poll.
            time.sleep(min(EXIT_GRACE, max(0, deadline - time.monotonic())))
            LOG.warning('Stopped, but work started before the stop is '
                        'still running; abandoning it and exiting.')
            code = 0
        else:
            LOG.error('The services did not stop within %s s; exiting '
                      'anyway.', EXIT_DEADLINE)
            code = 1
        # No atexit handlers, no logging.shutdown(): either could wait on
        # the very threads that hold us up. oslo.log's handlers flush each
        # record already.
        os._exit(code)

    threading.Thread(target=run, name='exit-deadline', daemon=True).start()


class EmbeddedServer(object):

    def __init__(self):
        self.services = []

    def start(self):
        """Start every service; return the (host, port) the API listens on."""
        rpc.get_transport()

        if CONF.executor.type == 'remote':
            self._start('executor', executor_server.get_oslo_service,
                        setup_profiler=False)
        if CONF.notifier.type == 'remote':
            self._start('notifier', notification_server.get_oslo_service,
                        setup_profiler=False)
        self._start('engine', engine_server.get_oslo_service,
                    setup_profiler=False)
        # Last, so that no request arrives before the engine can take it.
        api = self._start('api', resume_api_service.wsgi_service)

        # [api] port = 0 binds a free port: report the one bound.
        host, port = api.server.bind_addr[:2]
        return host, port

    def _start(self, name, factory, *args, **kwargs):
        started = time.monotonic()
        service = factory(*args, **kwargs)
        _start_in_daemon_thread(service)
        self.services.append((name, service))
        LOG.info('Embedded %s started in %.2f s.', name,
                 time.monotonic() - started)
        return service

    def stop(self):
        # The reverse order of start: first no new requests, then no new
        # engine work, then the executor and the notifier behind it.
        for name, service in reversed(self.services):
            started = time.monotonic()
            try:
                if name == 'api':
                    service.stop()
                else:
                    # Not graceful for the executor: a long action would
                    # hold the stop for as long as it runs (see _exit_by).
                    service.stop(graceful=(name != 'executor'))
            except Exception:
                LOG.exception('Error while stopping the embedded %s.', name)
            LOG.info('Embedded %s stopped in %.2f s.', name,
                     time.monotonic() - started)
        self.services = []


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)

    set_defaults()
    parse_args(argv)
    apply_cli_opts()

    data_dir = prepare_data_dir()
    try:
        # Before the log is opened: it may be the other server's.
        holder = Holder(shared_files())
    except RuntimeError as e:
        sys.stderr.write('ERROR: %s\n' % e)
        return 1
    logging.setup(CONF, 'mistral-resume')
    console.to_log()

    stop_requested = threading.Event()

    def on_signal(signum, frame):
        stop_requested.set()
        LOG.info('Received %s, stopping.', signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    server = EmbeddedServer()
    started = time.monotonic()
    try:
        LOG.info('Starting the embedded server (data_dir=%s, database=%s, '
                 'transport=%s).', data_dir, database_url(),
                 oslo_messaging.TransportURL.parse(CONF).transport)

        auth_ctx.set_ctx(_admin_context())
        try:
            prepare_database()
            if CONF.resume.load_examples:
                load_examples()
        finally:
            auth_ctx.set_ctx(None)

        host, port = server.start()
    except Exception as e:
        LOG.exception('The embedded server could not start.')
        sys.stderr.write('ERROR: %s (log: %s)\n' % (e, log_path()))
        server.stop()
        holder.release()
        return 1

    holder.describe('http://%s:%s' % (host, port))

    LOG.info('Embedded server ready in %.2f s.', time.monotonic() - started)
    print('mistral-resume embedded server ready on http://%s:%s '
          '(database: %s, log: %s)' % (host, port, database_url(), log_path()),
          flush=True)

    # Interrupted by the signal handlers (PEP 475 resumes the wait after
    # each one, and on_signal sets the event).
    stop_requested.wait()

    stopping = time.monotonic()
    stopped = threading.Event()
    _exit_by(stopping + EXIT_DEADLINE, stopped)
    server.stop()
    holder.release()
    stopped.set()

    lingering = [t.name for t in threading.enumerate()
                 if not t.daemon and t is not threading.main_thread()]
    LOG.info('Embedded server stopped in %.2f s%s.',
             time.monotonic() - stopping,
             '; non-daemon threads left: %s' % ', '.join(lingering)
             if lingering else '')
    return 0


if __name__ == '__main__':
    sys.exit(main())
