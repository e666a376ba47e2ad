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

"""A multi-process deployment, started as an operator starts one.

One API, two engines, one executor and one notifier, each its own
``mistral-resume-server --server KIND`` process (a launcher and its
worker, as mistral-server runs), on a RabbitMQ virtual host and a
PostgreSQL database prepared with ``mistral-db-manage upgrade head``,
``mistral-resume-db-manage upgrade head`` and ``mistral-db-manage
populate``. Like tests/embedded.py it does not depend on a test case.

"Ready" means: the API answers, and every service consumes its topics on
the broker (a cast sent before its consumer exists would be lost).

With ``auth`` (tests/integration/keystone.py) every service runs with
``[pecan] auth_enable = True`` and keystonemiddleware against the shared
Keystone, and the API reads its policy file (``policy_file``), which a test
may rewrite: oslo.policy reads it again when it changes.
"""

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from urllib import parse as urlparse

import amqp
from oslotest import base as oslo_base
import requests
from testtools import content

from tests import embedded
from tests.integration import keystone
from tests.integration import services
from tests.integration import summary

START_TIMEOUT = 120
STOP_TIMEOUT = 30
POLL = 0.2
# How long the API waits for an engine's answer (Mistral's default is 60 s;
# the slowest call of these tests takes a few seconds).
RPC_RESPONSE_TIMEOUT = 20

# Every process of the deployment: (name, --server value).
SERVICES = (
    ('api', 'api'),
    ('engine-1', 'engine'),
    ('engine-2', 'engine'),
    ('executor', 'executor'),
    ('notifier', 'notifier'),
)

# The topic queues each kind of service consumes (Mistral's defaults and
# mistral-resume's [resume] topic).
TOPICS = {
    'engine': ('mistral_engine', 'mistral_resume'),
    'executor': ('mistral_executor',),
    'notifier': ('mistral_notifier',),
}

_PR_SET_PDEATHSIG = 1

# Keep the deployment's directory (configuration, logs) after the run.
# How long a test waits for an execution to settle.
RUN_TIMEOUT = 60

KEEP_LOGS = bool(os.environ.get('MISTRAL_RESUME_IT_KEEP_LOGS'))


class DeploymentError(Exception):
    """The deployment could not be set up, started or stopped; says why."""


def _die_with_parent():
    # If the test process dies (killed by a timeout, say), the launcher is
    # told to stop too (SIGTERM: it stops its worker). Linux-only, like the
    # rest of this environment. It follows the thread that started the
    # process: start services from the main thread.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG,
                                                signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _command(script, module):
    """A console script of this environment, or its module."""
    path = os.path.join(os.path.dirname(sys.executable), script)
    if os.access(path, os.X_OK):
        return [path]
    return [sys.executable, '-m', module]


def _children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _alive(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            # A zombie runs no more; its parent reaps it when it exits.
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Service(object):
    """One ``mistral-resume-server --server KIND`` process (and worker)."""

    COMMAND = _command('mistral-resume-server', 'mistral_resume.cmd.server')

    def __init__(self, name, kind, tmp_dir):
        self.name = name
        self.kind = kind
        self.config_file = os.path.join(tmp_dir, name + '.conf')
        self.log_file = os.path.join(tmp_dir, name + '.log')
        self.output_file = os.path.join(tmp_dir, name + '.out')
        self.proc = None

    def start(self):
        with open(self.output_file, 'a') as out:
            self.proc = subprocess.Popen(
                self.COMMAND + ['--server', self.kind,
                                '--config-file', self.config_file],
                cwd=os.path.dirname(self.config_file),
                env=_environment(), stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent
            )

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def pids(self):
        """The launcher's PID and its workers'."""
        if not self.running:
            return []
        return [self.proc.pid] + _children(self.proc.pid)

    def terminate(self):
        """SIGTERM to the launcher (it stops its worker), by PID.

        Returns the PIDs to wait for (``wait_stopped``).
        """
        pids = self.pids()
        if self.running:
            self.proc.send_signal(signal.SIGTERM)
        return pids

    def kill(self):
        """SIGKILL the launcher and its worker at once, as a host dies."""
        pids = self.pids()
        if self.running:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.wait_stopped(pids, time.monotonic() + STOP_TIMEOUT)

    def wait_stopped(self, pids, deadline):
        """Wait until ``pids`` are gone; kill them at ``deadline``.

        Returns False if one had to be killed.
        """
        clean = True
        for pid in pids:
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        for pid in pids:
            if _alive(pid):
                clean = False
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.proc is not None:
            self.proc.wait()
            self.proc = None
        return clean

    def tail(self, lines=60):
        return ('--- %s: output\n%s--- %s: log\n%s'
                % (self.name, embedded._tail(self.output_file, lines // 3),
                   self.name, embedded._tail(self.log_file, lines)))


def _environment():
    env = dict(os.environ)
    # Only the configuration given here, never the developer's.
    env.pop('MISTRAL_CONFIG_FILE', None)
    env.pop('MISTRAL_CONFIG_DIR', None)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (embedded.REPO, env.get('PYTHONPATH')) if p
    )
    return env


class Deployment(object):
    """The five processes, their configuration and their database."""

    def __init__(self, tmp_dir, transport_url, database_url, auth=None):
        self.tmp_dir = tmp_dir
        # The [keystone_authtoken] lines, or None: authentication off.
        self.auth = auth
        self.policy_file = os.path.join(tmp_dir, 'policy.yaml')
        self.transport_url = transport_url
        self.database_url = database_url
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.services = [Service(name, kind, tmp_dir)
                         for name, kind in SERVICES]
        self.common_config = os.path.join(tmp_dir, 'mistral.conf')
        # Configuration lines added for one service (see restart()).
        self.extra_config = {}

    def service(self, name):
        return next(s for s in self.services if s.name == name)

    def config_text(self, service=None):
        lines = [
            '[DEFAULT]',
            'transport_url = %s' % self.transport_url,
            'rpc_response_timeout = %d' % RPC_RESPONSE_TIMEOUT,
        ]
        if service is not None:
            lines.append('log_file = %s' % service.log_file)
        lines += [
            '[api]',
            'host = 127.0.0.1',
            'port = %d' % self.port,
            '[database]',
            'connection = %s' % self.database_url,
            '[pecan]',
            'auth_enable = %s' % bool(self.auth),
            '[oslo_policy]',
            'policy_file = %s' % self.policy_file,
            '[cron_trigger]',
            'enabled = False',
        ]
        lines += self.auth or []
        if service is not None and service.kind == 'engine':
            # Each engine its own RPC server name, as on separate hosts.
            lines += ['[engine]', 'host = %s' % service.name]
        if service is not None:
            lines += self.extra_config.get(service.name, [])
        return '\n'.join(lines) + '\n'

    def write_policy(self, rules):
        """Write the policy file (a dict of rules; {}: the defaults)."""
        with open(self.policy_file, 'w') as f:
            json.dump(rules, f)  # JSON is YAML

    def write_config(self):
        if not os.path.exists(self.policy_file):
            self.write_policy({})
        with open(self.common_config, 'w') as f:
            f.write(self.config_text())
        for service in self.services:
            with open(service.config_file, 'w') as f:
                f.write(self.config_text(service))

    def _manage(self, script, module, *args):
        log = os.path.join(self.tmp_dir, '%s.out' % script)
        with open(log, 'a') as out:
            proc = subprocess.run(
                _command(script, module) + ['--config-file',
                                            self.common_config] + list(args),
                cwd=self.tmp_dir, env=_environment(),
                stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, timeout=START_TIMEOUT
            )
        if proc.returncode != 0:
            raise DeploymentError('%s %s failed (%s):\n%s'
                                  % (script, ' '.join(args), proc.returncode,
                                     embedded._tail(log, 60)))

    def prepare_database(self):
        """Mistral's schema, ours, and Mistral's populate, as documented."""
        self._manage('mistral-db-manage',
                     'mistral.db.sqlalchemy.migration.cli', 'upgrade', 'head')
        self._manage('mistral-resume-db-manage',
                     'mistral_resume.cmd.db_manage', 'upgrade', 'head')
        self._manage('mistral-db-manage',
                     'mistral.db.sqlalchemy.migration.cli', 'populate')

    def start(self, timeout=START_TIMEOUT):
        """Start every process; return once the deployment is ready."""
        for service in self.services:
            service.start()
        self.wait_ready(timeout)

    def stop(self, services=None):
        """Stop every process (each by PID); raise if one had to be killed.

        All are told at once, as an init system stops a host's services.
        ``services``: only these (a stopped or killed one is left as is).
        """
        services = self.services if services is None else services
        pids = [(s, s.terminate()) for s in services]
        deadline = time.monotonic() + STOP_TIMEOUT
        unclean = [s.name for s, p in pids if not s.wait_stopped(p, deadline)]
        if unclean:
            raise DeploymentError('Killed after %s s without stopping on '
                                  'SIGTERM: %s' % (STOP_TIMEOUT, unclean))

    def restart(self, names, extra_config=None):
        """Restart these services, with extra configuration lines or none.

        A stopped or killed one is started again. Returns once the whole
        deployment is ready.
        """
        services = [self.service(name) for name in names]
        self.stop(services)
        for name in names:
            if extra_config:
                self.extra_config[name] = list(extra_config)
            else:
                self.extra_config.pop(name, None)
        self.write_config()
        for service in services:
            service.start()
        self.wait_ready()

    def wait_ready(self, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        pending = self._readiness_checks()
        while pending:
            for check in sorted(pending):
                if self._ready(check):
                    pending.discard(check)
            dead = [s.name for s in self.services if not s.running]
            if dead:
                raise DeploymentError('Exited while starting: %s\n%s'
                                      % (dead, self.tails(dead)))
            if pending and time.monotonic() > deadline:
                raise DeploymentError('Not ready after %s s: %s\n%s'
                                      % (timeout, sorted(pending),
                                         self.tails()))
            if pending:
                time.sleep(POLL)

    @staticmethod
    def _readiness_checks():
        return {('api', None)} | {('queue', topic)
                                  for topics in TOPICS.values()
                                  for topic in topics}

    def _ready(self, check):
        what, topic = check
        if what == 'api':
            try:
                # 401: keystonemiddleware answers for the API.
                return requests.get(self.url + '/v2/workflows',
                                    timeout=5).status_code in (200, 401)
            except requests.RequestException:
                return False
        return self.consumers(topic) >= self.expected_consumers(topic)

    @staticmethod
    def expected_consumers(topic):
        return sum(1 for _, kind in SERVICES
                   if topic in TOPICS.get(kind, ()))

    def consumers(self, queue):
        """How many consumers the queue has on the broker (0: no queue)."""
        url = urlparse.urlparse(self.transport_url)
        try:
            with amqp.Connection('%s:%s' % (url.hostname, url.port),
                                 userid=url.username, password=url.password,
                                 virtual_host=url.path[1:],
                                 connect_timeout=5) as conn:
                declared = conn.channel().queue_declare(queue, passive=True)
                return declared.consumer_count
        except amqp.exceptions.NotFound:
            return 0

    def tails(self, names=None):
        return '\n'.join(s.tail() for s in self.services
                         if names is None or s.name in names)


class TokenHttp(object):
    """``requests``, with the user's Keystone token on every request."""

    def __init__(self, user):
        self.user = user

    def request(self, method, url, headers=None, **kwargs):
        headers = dict(headers or {})
        # keystoneauth1 caches the token and renews it before it expires.
        headers['X-Auth-Token'] = self.user.token()
        return requests.request(method, url, headers=headers, **kwargs)

    def get(self, url, **kwargs):
        return self.request('GET', url, **kwargs)

    def post(self, url, **kwargs):
        return self.request('POST', url, **kwargs)

    def put(self, url, **kwargs):
        return self.request('PUT', url, **kwargs)


class Api(object):
    """REST calls to a deployment's API, as one user (or without auth).

    The helpers of tests/embedded.py, plus what these tests need.
    """

    get = embedded.EmbeddedServer.get
    start_execution = embedded.EmbeddedServer.start_execution
    await_settled = embedded.EmbeddedServer.await_settled
    tasks = embedded.EmbeddedServer.tasks
    api_url = embedded.EmbeddedServer.api_url

    def __init__(self, url, user=None):
        self.url = url
        self.user = user
        self.http = requests if user is None else TokenHttp(user)

    def post(self, path, body, timeout=60):
        return self.http.post(self.api_url + path, json=body, timeout=timeout)

    def create_workflows(self, definition):
        resp = self.http.post(self.api_url + '/workflows', data=definition,
                              headers={'Content-Type': 'text/plain'},
                              timeout=30)
        if resp.status_code != 201:
            raise DeploymentError('Could not create the workflows: %s %s'
                                  % (resp.status_code, resp.text))
        return [w['name'] for w in resp.json()['workflows']]

    def resume(self, execution_id, **body):
        return self.post('/executions/%s/resumes' % execution_id, body)

    def requirements(self, execution_id):
        return self.get('/executions/%s/resume_requirements' % execution_id)

    def resumes(self, execution_id):
        return self.get('/executions/%s/resumes' % execution_id)['resumes']

    def action_executions(self, task_id):
        return self.get('/tasks/%s/action_executions'
                        % task_id)['action_executions']

    def sub_executions(self, task_id):
        return self.get('/executions', task_execution_id=task_id)[
            'executions']

    def output(self, execution):
        return json.loads(execution['output'] or '{}')


class DeploymentTestCase(oslo_base.BaseTestCase):
    """Tests sharing one deployment, set up once for the class.

    It takes tens of seconds: keep a module's tests in one class, so that
    one stestr worker owns it. ``WORKFLOWS`` (a YAML text) is created once
    it runs; ``SERVICE_CONFIG`` adds configuration lines to the API and
    both engines; ``KEYSTONE`` turns authentication on.
    """

    WORKFLOWS = None
    SERVICE_CONFIG = ()
    # A deployment test drives several processes over a broker and a
    # database (hundreds of executions for the batch tests) on a shared
    # machine: OS_TEST_TIMEOUT times this, still a bound on failure only.
    TIMEOUT_SCALING_FACTOR = 5
    # Every service with Keystone authentication (tests/integration/
    # keystone.py): projects A and B with a member each, an admin, an
    # operator; ``api`` is A's member.
    KEYSTONE = False

    shared = None
    tenant = None
    keystone = None
    deployment = None
    tmp_dir = None
    api = None

    @classmethod
    def setUpClass(cls):
        super(DeploymentTestCase, cls).setUpClass()
        cls.shared = services.SharedServices()
        try:
            env = cls.shared.acquire()
        except services.Unavailable as e:
            cls.shared = None
            message = ('RabbitMQ, PostgreSQL or Keystone is not installed '
                       'and cannot be installed here: %s' % e)
            if services.required():
                # CI must not go green without having run these.
                raise DeploymentError(
                    message + ' (required: CI=true or '
                    'MISTRAL_RESUME_REQUIRE_INTEGRATION=1)')
            raise unittest.SkipTest(message)
        try:
            cls.tenant = services.Tenant(env)
            cls.tenant.create()
            auth = None
            if cls.KEYSTONE:
                cls.keystone = keystone.KeystoneTenant(
                    env, cls.tenant.name.replace('_', '-'))
                cls.keystone.create()
                auth = cls.keystone.authtoken_config()
            cls.tmp_dir = tempfile.mkdtemp(prefix='mistral-resume-it-')
            cls.deployment = Deployment(
                cls.tmp_dir, cls.tenant.transport_url,
                cls.tenant.database_url, auth=auth)
            for name, kind in SERVICES:
                if kind in ('api', 'engine') and cls.SERVICE_CONFIG:
                    cls.deployment.extra_config[name] = list(
                        cls.SERVICE_CONFIG)
            cls.deployment.write_config()
            cls.deployment.prepare_database()
            cls.deployment.start()
            cls.api = Api(cls.deployment.url,
                          cls.keystone.user_a if cls.KEYSTONE else None)
            if cls.WORKFLOWS:
                cls.api.create_workflows(cls.WORKFLOWS)
        except BaseException:
            cls._tear_down()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls._tear_down()
        finally:
            super(DeploymentTestCase, cls).tearDownClass()

    @classmethod
    def _tear_down(cls):
        """Stop and remove everything set up, each step whatever failed."""
        errors = []
        steps = []
        if cls.deployment is not None:
            steps.append(cls.deployment.stop)
        if cls.tenant is not None:
            steps.append(cls.tenant.delete)
        if cls.keystone is not None:
            steps.append(cls._delete_keystone_tenant)
        if cls.shared is not None:
            steps.append(cls.shared.release)
        for step in steps:
            try:
                step()
            except Exception as e:
                errors.append('%s: %s' % (step.__qualname__, e))
        if cls.tmp_dir and not KEEP_LOGS:
            shutil.rmtree(cls.tmp_dir, ignore_errors=True)
        cls.deployment = cls.tenant = cls.shared = cls.tmp_dir = None
        cls.keystone = None
        if errors:
            raise DeploymentError('; '.join(errors))

    @classmethod
    def _delete_keystone_tenant(cls):
        errors = cls.keystone.delete()
        if errors:
            raise DeploymentError('; '.join(errors))

    def setUp(self):
        super(DeploymentTestCase, self).setUp()
        self.addOnException(self._attach_logs)
        if self.KEYSTONE:
            summary.record('keystone-test', self.id())

    def _attach_logs(self, exc_info):
        if self.deployment is not None:
            self.addDetail('deployment-logs',
                           content.text_content(self.deployment.tails()))

    def start_failed(self, workflow, state='ERROR', **wf_input):
        """Start an execution; return its id once it stopped in ``state``."""
        execution_id = self.api.start_execution(workflow, wf_input or None)
        execution = self.api.await_settled(execution_id, RUN_TIMEOUT)
        self.assertEqual(state, execution['state'], execution['state_info'])
        return execution_id

    def await_success(self, execution_id):
        execution = self.api.await_settled(execution_id, RUN_TIMEOUT)
        self.assertEqual('SUCCESS', execution['state'],
                         execution['state_info'])
        return execution

    def count_rows(self, query, *args):
        with contextlib.closing(self.tenant.connect()) as conn:
            with conn.cursor() as cur:
                cur.execute(query, args)
                return cur.fetchone()[0]
