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

"""An embedded server run as an operator runs it: a separate process.

Shared by the functional tests that talk to a real server over HTTP. It
does not depend on a test case, so that a test class can start one server
in setUpClass and share it (start-up costs seconds), or a test can start
and stop its own.

The server is started with ``[api] port = 0`` and the port it bound is read
from its "ready on" line, so no port is picked beforehand (no race with
another process taking it) and "ready" means the API is listening.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from oslotest import base as oslo_base
import requests
from testtools import content

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, 'examples')

START_TIMEOUT = 60
STOP_TIMEOUT = 10
RUN_TIMEOUT = 30
# One request, at most (a bound on failure only): above the deployments'
# rpc_response_timeout, as starting an execution is an RPC call.
REQUEST_TIMEOUT = 30
POLL = 0.1

_READY = re.compile(r'ready on (http://\S+?) ')

# Execution states in which nothing more happens without an operator.
SETTLED = ('SUCCESS', 'ERROR', 'CANCELLED', 'PAUSED')


class ServerError(Exception):
    """The server could not start or stop as expected; says why."""


class EmbeddedServer(object):
    """One ``mistral-resume-server --embedded`` process.

    :param tmp_dir: where its configuration, data directory and captured
        stderr go; a fresh temporary directory (removed by ``cleanup``) if
        omitted.
    :param examples_dir: the example workflows to load; the repository's
        by default.
    :param port: the API port; 0 (default) for a free one.
    """

    def __init__(self, tmp_dir=None, examples_dir=None, port=0):
        self._own_tmp = tmp_dir is None
        self.tmp_dir = tmp_dir or tempfile.mkdtemp(prefix='mistral-resume-')
        self.data_dir = os.path.join(self.tmp_dir, 'data')
        self.log_file = os.path.join(self.data_dir, 'mistral-resume.log')
        self.config_file = os.path.join(self.tmp_dir, 'mistral-resume.conf')
        self.stderr_file = os.path.join(self.tmp_dir, 'stderr')
        self.examples_dir = examples_dir
        self.port = port
        self.url = None
        self.proc = None
        self._stdout = []
        self._ready = threading.Event()
        self._reader = None

    @property
    def api_url(self):
        """The base URL of Mistral's v2 API, as clients take it."""
        return self.url + '/v2'

    def use_examples(self, names):
        """Load only these files of examples/ (before ``start``)."""
        self.examples_dir = os.path.join(self.tmp_dir, 'examples')
        os.makedirs(self.examples_dir, exist_ok=True)
        for name in names:
            shutil.copy(os.path.join(EXAMPLES, name), self.examples_dir)
        return self.examples_dir

    def write_config(self):
        with open(self.config_file, 'w') as f:
            f.write('[api]\nport = %s\n' % self.port)
            f.write('[resume]\ndata_dir = %s\n' % self.data_dir)
            if self.examples_dir:
                f.write('examples_dir = %s\n' % self.examples_dir)
        return self.config_file

    def start(self, timeout=START_TIMEOUT, flags=False):
        """Start the process; return the API's URL once it answers.

        :param flags: give the port and the data directory as command-line
            options (and load every example) instead of writing a
            configuration file.
        """
        if flags:
            args = ['--port', str(self.port), '--data-dir', self.data_dir]
        else:
            if not os.path.exists(self.config_file):
                self.write_config()
            args = ['--config-file', self.config_file]
        env = dict(os.environ)
        # Only the configuration given here, never the developer's.
        env.pop('MISTRAL_CONFIG_FILE', None)
        env.pop('MISTRAL_CONFIG_DIR', None)
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (REPO, env.get('PYTHONPATH')) if p
        )
        self._stdout = []
        self._ready.clear()
        self.url = None
        with open(self.stderr_file, 'a') as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, '-m', 'mistral_resume.cmd.server',
                 '--embedded'] + args,
                cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=stderr, text=True
            )
        # Read stdout as it comes: the ready line gives the bound port, and
        # a full pipe would block the server.
        self._reader = threading.Thread(target=self._read_stdout,
                                        args=(self.proc,), daemon=True)
        self._reader.start()

        deadline = time.monotonic() + timeout
        while not self._ready.wait(POLL):
            if self.proc.poll() is not None:
                self._reader.join(STOP_TIMEOUT)
                raise ServerError('The server exited with %s while starting:'
                                  '\n%s' % (self.proc.returncode,
                                            self.stderr_tail()))
            if time.monotonic() > deadline:
                self.kill()
                raise ServerError('The server did not start within %s s:\n%s'
                                  % (timeout, self.stderr_tail()))
        return self.url

    def _read_stdout(self, proc):
        for line in proc.stdout:
            self._stdout.append(line)
            match = _READY.search(line)
            if match and not self._ready.is_set():
                self.url = match.group(1)
                self._ready.set()

    @property
    def stdout(self):
        return ''.join(self._stdout)

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM, as an init system stops it; return its exit code.

        Raises ServerError (after killing it) if it outlives ``timeout``.
        """
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise ServerError('The server did not stop within %s s of '
                              'SIGTERM.' % timeout)
        self._reader.join(STOP_TIMEOUT)
        self.proc.stdout.close()
        return code

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None and self._reader is not None:
            self._reader.join(STOP_TIMEOUT)
            self.proc.stdout.close()

    def cleanup(self):
        """Make sure nothing is left running, nor on disk if ours."""
        self.kill()
        if self._own_tmp:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)

    def log_tail(self, lines=200):
        return _tail(self.log_file, lines)

    def stderr_tail(self, lines=50):
        return _tail(self.stderr_file, lines)

    # A few REST helpers, to set up what the tests look at.

    # What the REST helpers send with: requests, or an object with its
    # get/post (tests/integration/deployment.py adds a Keystone token).
    http = requests

    def get(self, path, **params):
        resp = self.http.get(self.api_url + path, params=params,
                             timeout=REQUEST_TIMEOUT)
        if resp.status_code != 200:
            raise ServerError('GET %s: %s %s'
                              % (path, resp.status_code, resp.text))
        return resp.json()

    def start_execution(self, workflow, workflow_input=None):
        body = {'workflow_name': workflow}
        if workflow_input is not None:
            # Mistral's API takes the input as a JSON string.
            body['input'] = json.dumps(workflow_input)
        resp = self.http.post(self.api_url + '/executions', json=body,
                              timeout=REQUEST_TIMEOUT)
        if resp.status_code != 201:
            raise ServerError('Could not start %s: %s %s'
                              % (workflow, resp.status_code, resp.text))
        return resp.json()['id']

    def await_settled(self, execution_id, timeout=RUN_TIMEOUT):
        """Wait until the execution stops moving; return it."""
        deadline = time.monotonic() + timeout
        while True:
            execution = self.get('/executions/%s' % execution_id)
            if execution['state'] in SETTLED:
                return execution
            if time.monotonic() > deadline:
                raise ServerError('Execution %s still %s after %s s.'
                                  % (execution_id, execution['state'],
                                     timeout))
            time.sleep(POLL)

    def tasks(self, execution_id):
        """The execution's task executions by name (the latest of each)."""
        tasks = self.get('/executions/%s/tasks' % execution_id)['tasks']
        return {t['name']: t
                for t in sorted(tasks, key=lambda t: t['created_at'])}


def _tail(path, lines):
    if not os.path.exists(path):
        return ''
    with open(path, errors='replace') as f:
        return ''.join(f.readlines()[-lines:])


class ServerTestCase(oslo_base.BaseTestCase):
    """Tests sharing one embedded server, started once for the class.

    ``EXAMPLES`` names the example files to load (fewer start faster: each
    workflow definition costs the start a second or more).
    """

    EXAMPLES = None
    server = None

    @classmethod
    def setUpClass(cls):
        super(ServerTestCase, cls).setUpClass()
        cls.server = EmbeddedServer()
        try:
            if cls.EXAMPLES is not None:
                cls.server.use_examples(cls.EXAMPLES)
            cls.server.start()
            cls.set_up_server(cls.server)
        except BaseException:
            # tearDownClass does not run when setUpClass fails.
            cls.server.cleanup()
            raise

    @classmethod
    def set_up_server(cls, server):
        """What the class's tests share on the started server."""

    @classmethod
    def tearDownClass(cls):
        try:
            code = cls.server.stop()
            if code != 0:
                raise ServerError('The server exited with %s on SIGTERM:\n%s'
                                  % (code, cls.server.stderr_tail()))
        finally:
            cls.server.cleanup()
            super(ServerTestCase, cls).tearDownClass()

    def setUp(self):
        super(ServerTestCase, self).setUp()
        self.addOnException(self._attach_server_log)

    def _attach_server_log(self, exc_info):
        self.addDetail('server-log',
                       content.text_content(self.server.log_tail()))


PLAIN = 'resume_plain_failure'
PARALLEL = 'resume_parallel_branches'


class ExampleServerTestCase(ServerTestCase):
    """A server with the plain and parallel-branches examples.

    ``parallel`` is a failed execution of the parallel example that the
    class's tests share: they only read it, or are refused (which changes
    nothing).
    """

    EXAMPLES = [PLAIN + '.yaml', PARALLEL + '.yaml']

    @classmethod
    def set_up_server(cls, server):
        super(ExampleServerTestCase, cls).set_up_server(server)
        cls.parallel = server.start_execution(PARALLEL)
        server.await_settled(cls.parallel)
