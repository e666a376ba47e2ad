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

"""Every server process ends, with 0, soon after SIGTERM.

An init system stops a service with SIGTERM and kills it after a timeout;
a process that outlives the timeout is killed (and reported failed), and
one that lingers delays every restart. ``STOP_TIMEOUT`` is that bound, a
correctness limit and not a speed target.

Each ``--server`` role runs as a deployment runs it (its own process over
``fake:/`` and a SQLite database), told to stop once cotyledon's master
reports itself ready over the systemd notification protocol.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile

from mistral.cmd import launch
from oslotest import base as oslo_base
from testtools import content

from tests import embedded

STOP_TIMEOUT = embedded.STOP_TIMEOUT
START_TIMEOUT = embedded.START_TIMEOUT


class ServerStopTest(oslo_base.BaseTestCase):

    @classmethod
    def setUpClass(cls):
        super(ServerStopTest, cls).setUpClass()
        # The embedded server creates the schema the roles share, and is
        # itself stopped the same way.
        cls.server = embedded.EmbeddedServer()
        try:
            cls.server.use_examples([])
            cls.server.start()
            cls.embedded_code = cls.server.stop()
        except BaseException:
            cls.server.cleanup()
            raise
        cls.database = 'sqlite:///%s' % os.path.join(
            cls.server.data_dir, 'mistral-resume.sqlite')

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        super(ServerStopTest, cls).tearDownClass()

    def test_embedded_server_exits_0_on_sigterm(self):
        self.assertEqual(0, self.embedded_code)

    def test_every_role_exits_0_within_the_bound_of_sigterm(self):
        roles = sorted(launch.LAUNCH_OPTIONS)
        self.assertIn('api', roles)

        # Side by side: each start costs seconds.
        started = {role: self._start_role(role) for role in roles}
        for role, (proc, ready) in started.items():
            self._await_ready(role, proc, ready)
        for proc, _ in started.values():
            proc.send_signal(signal.SIGTERM)

        codes = {}
        for role, (proc, _) in started.items():
            try:
                codes[role] = proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                codes[role] = 'still running %s s after SIGTERM' % (
                    STOP_TIMEOUT)
        self.assertEqual({role: 0 for role in roles}, codes)

    def _start_role(self, role):
        tmp = tempfile.mkdtemp(prefix='mistral-resume-%s-' % role,
                               dir=self.server.tmp_dir)
        config = os.path.join(tmp, 'server.conf')
        with open(config, 'w') as f:
            f.write('[DEFAULT]\ntransport_url = fake:/\n'
                    'log_file = %s\n' % os.path.join(tmp, 'server.log'))
            f.write('[api]\nport = 0\n')
            f.write('[database]\nconnection = %s\n' % self.database)

        # The readiness a systemd unit of type notify waits for.
        ready = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.addCleanup(ready.close)
        ready_path = os.path.join(tmp, 'notify')
        ready.bind(ready_path)
        ready.settimeout(START_TIMEOUT)

        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('MISTRAL_CONFIG', 'NOTIFY_SOCKET'))}
        env['NOTIFY_SOCKET'] = ready_path
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (embedded.REPO, env.get('PYTHONPATH')) if p)
        stderr = open(os.path.join(tmp, 'stderr'), 'w')
        self.addCleanup(stderr.close)
        proc = subprocess.Popen(
            [sys.executable, '-m', 'mistral_resume.cmd.server',
             '--server', role, '--config-file', config],
            env=env, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
        self.addCleanup(self._kill, proc)
        self.addOnException(lambda exc_info: self.addDetail(
            '%s-log' % role,
            content.text_content(embedded._tail(
                os.path.join(tmp, 'server.log'), 100)
                + embedded._tail(stderr.name, 50))))
        return proc, ready

    def _await_ready(self, role, proc, ready):
        try:
            message = ready.recv(64)
        except socket.timeout:
            self.fail('%s: no READY=1 within %s s (exit code %s)'
                      % (role, START_TIMEOUT, proc.poll()))
        self.assertEqual(b'READY=1', message, role)

    @staticmethod
    def _kill(proc):
        if proc.poll() is None:
            proc.kill()
            proc.wait()
