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

"""RabbitMQ, PostgreSQL and Keystone, shared by every test process.

tools/integration-services.sh installs, starts and stops them (one broker,
one database cluster, one Keystone, state in one directory). Several test
processes may use them at once: stestr's workers, or two test runs of two
developers on one machine. So that nobody stops them under somebody else:

* every user holds a shared flock on ``users.lock`` while it uses them (the
  kernel drops it if the process dies, so a crash leaves no stale user);
* starting, and the last user's stopping, happen under an exclusive flock
  on ``services.lock`` (the script's own lock, held here for it);
* the last user out stops only what a test process started (``owned-*``
  markers); services an operator started with the script stay up.

Each user gets a virtual host and a database of its own (``Tenant``), so
that two deployments on the shared services never see each other's
messages or rows.
"""

import contextlib
import fcntl
import os
import subprocess
import uuid

import psycopg2
from psycopg2 import sql

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, 'tools', 'integration-services.sh')
STATE_DIR = os.environ.get('MISTRAL_RESUME_IT_DIR',
                           '/tmp/mistral-resume-integration')

# The script's "cannot be installed here".
CANNOT_INSTALL = 3
# apt-get on a fresh machine, then the broker's start.
START_TIMEOUT = 600
COMMAND_TIMEOUT = 120

# Stopped in this order (Keystone's database is in the cluster).
COMPONENTS = ('keystone', 'rabbitmq', 'postgresql')


class Unavailable(Exception):
    """The services are missing and cannot be installed: skip."""


def required():
    """Whether a missing service fails the tests instead of skipping them.

    In CI (CI=true, as most CI systems set it) or when asked
    (MISTRAL_RESUME_REQUIRE_INTEGRATION=1): a green run must have run them.
    """
    def on(name):
        value = os.environ.get(name, '').strip().lower()
        return value in ('1', 'true', 'yes')
    return on('CI') or on('MISTRAL_RESUME_REQUIRE_INTEGRATION')


class ServiceError(Exception):
    """The services could not be started or stopped; says why."""


def _script(*args, timeout=COMMAND_TIMEOUT, lock_held=False):
    env = dict(os.environ, MISTRAL_RESUME_IT_DIR=STATE_DIR)
    if lock_held:
        env['MISTRAL_RESUME_IT_LOCK_HELD'] = '1'
    proc = subprocess.run(['bash', SCRIPT] + list(args), env=env,
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode == CANNOT_INSTALL:
        raise Unavailable(proc.stderr.strip())
    if proc.returncode != 0:
        raise ServiceError('%s %s failed (%s):\n%s%s'
                           % (SCRIPT, ' '.join(args), proc.returncode,
                              proc.stdout, proc.stderr))
    return proc.stdout


def _key_values(text):
    return dict(line.split('=', 1) for line in text.splitlines()
                if '=' in line)


@contextlib.contextmanager
def _flock(path, mode):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)


class SharedServices(object):
    """This process's use of the shared broker and database server."""

    def __init__(self):
        self.env = None
        self._users_fd = None

    def _marker(self, component):
        return os.path.join(STATE_DIR, 'owned-%s' % component)

    def acquire(self):
        """Install and start what is missing; register as a user.

        Raises Unavailable when they cannot be installed here.
        """
        os.makedirs(STATE_DIR, exist_ok=True)
        with _flock(os.path.join(STATE_DIR, 'services.lock'),
                    fcntl.LOCK_EX):
            self.env = _key_values(_script('start', timeout=START_TIMEOUT,
                                           lock_held=True))
            for component in self.env.get('STARTED', '').split():
                open(self._marker(component), 'w').close()
            fd = os.open(os.path.join(STATE_DIR, 'users.lock'),
                         os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_SH)
            self._users_fd = fd
        return self.env

    def release(self):
        """Unregister; the last user stops what test processes started."""
        if self._users_fd is None:
            return
        with _flock(os.path.join(STATE_DIR, 'services.lock'),
                    fcntl.LOCK_EX):
            os.close(self._users_fd)
            self._users_fd = None
            users = os.open(os.path.join(STATE_DIR, 'users.lock'),
                            os.O_RDWR | os.O_CREAT, 0o600)
            try:
                try:
                    fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return  # somebody else still uses them
                owned = [c for c in COMPONENTS
                         if os.path.exists(self._marker(c))]
                if owned:
                    _script('stop', *owned, lock_held=True)
                for component in owned:
                    os.remove(self._marker(component))
            finally:
                os.close(users)


class Tenant(object):
    """A virtual host and a database of their own on the shared services."""

    def __init__(self, env):
        self.env = env
        self.name = 'mr_it_%s' % uuid.uuid4().hex[:12]
        self.vhost = None
        self.database = None

    @property
    def transport_url(self):
        return 'rabbit://%s:%s@%s:%s/%s' % (
            self.env['RABBIT_USER'], self.env['RABBIT_PASSWORD'],
            self.env['RABBIT_HOST'], self.env['RABBIT_PORT'], self.vhost)

    @property
    def database_url(self):
        # A Unix socket: host= names its directory.
        return 'postgresql+psycopg2://%s@/%s?host=%s' % (
            self.env['PG_USER'], self.database, self.env['PG_HOST'])

    def connect(self, database=None):
        """A psycopg2 connection (autocommit) to our database."""
        conn = psycopg2.connect(dbname=database or self.database,
                                user=self.env['PG_USER'],
                                host=self.env['PG_HOST'])
        conn.autocommit = True
        return conn

    def create(self):
        _script('add-vhost', self.name)
        self.vhost = self.name
        with contextlib.closing(self.connect('postgres')) as conn:
            with conn.cursor() as cur:
                cur.execute(sql.SQL('CREATE DATABASE {}').format(
                    sql.Identifier(self.name)))
        self.database = self.name

    def delete(self):
        errors = []
        if self.database:
            try:
                with contextlib.closing(self.connect('postgres')) as conn:
                    with conn.cursor() as cur:
                        # PostgreSQL 13+: whoever is still connected goes.
                        cur.execute(sql.SQL(
                            'DROP DATABASE IF EXISTS {} WITH (FORCE)'
                        ).format(sql.Identifier(self.database)))
                self.database = None
            except psycopg2.Error as e:
                errors.append('database %s: %s' % (self.database, e))
        if self.vhost:
            try:
                _script('delete-vhost', self.vhost)
                self.vhost = None
            except ServiceError as e:
                errors.append(str(e))
        if errors:
            raise ServiceError('; '.join(errors))
