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

"""The embedded server, run as an operator runs it: a separate process."""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import fixtures
import requests
import testtools
from testtools import content
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
EXAMPLES = os.path.join(REPO, 'examples')

START_TIMEOUT = 60
RUN_TIMEOUT = 30
STOP_TIMEOUT = 10

# What each example is meant to end in: execution state, then the state of
# each task that ran (tasks missing here must not have run).
EXPECTED = {
    'resume_plain_failure': (
        'ERROR', {'prepare': 'SUCCESS', 'build': 'ERROR'}),
    'resume_parallel_branches': (
        'ERROR', {'start': 'SUCCESS', 'branch_a': 'SUCCESS',
                  'branch_b': 'ERROR', 'branch_c': 'ERROR',
                  'merge': 'ERROR'}),
    'resume_on_error_pause': (
        'PAUSED', {'configure': 'ERROR'}),
    'resume_with_items': (
        'ERROR', {'build_batches': 'ERROR'}),
    'resume_sub_workflow': (
        'ERROR', {'prepare': 'SUCCESS', 'deploy': 'ERROR'}),
}


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _example_workflows():
    names = set()
    for path in glob.glob(os.path.join(EXAMPLES, '*.yaml')):
        with open(path) as f:
            names.update(k for k in yaml.safe_load(f) if k != 'version')
    return names


class EmbeddedServerTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.data_dir = os.path.join(self.tmp, 'data')
        self.port = _free_port()
        self.url = 'http://127.0.0.1:%s' % self.port
        self.addOnException(self._attach_log)

    def _attach_log(self, exc_info):
        log = os.path.join(self.data_dir, 'mistral-resume.log')
        if os.path.exists(log):
            with open(log) as f:
                tail = f.readlines()[-200:]
            self.addDetail('server-log', content.text_content(''.join(tail)))

    def _config(self, examples_dir=None):
        conf = os.path.join(self.tmp, 'mistral-resume.conf')
        with open(conf, 'w') as f:
            f.write('[api]\nport = %s\n' % self.port)
            f.write('[resume]\ndata_dir = %s\n' % self.data_dir)
            if examples_dir:
                f.write('examples_dir = %s\n' % examples_dir)
        return conf

    def _start(self, conf):
        env = dict(os.environ)
        # Only the configuration given here, never the developer's.
        env.pop('MISTRAL_CONFIG_FILE', None)
        env.pop('MISTRAL_CONFIG_DIR', None)
        env['PYTHONPATH'] = os.pathsep.join(
            p for p in (REPO, env.get('PYTHONPATH')) if p
        )
        stderr = open(os.path.join(self.tmp, 'stderr'), 'a')
        self.addCleanup(stderr.close)
        proc = subprocess.Popen(
            [sys.executable, '-m', 'mistral_resume.cmd.server',
             '--embedded', '--config-file', conf],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=stderr,
            text=True
        )
        self.addCleanup(self._kill, proc)

        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.fail('The server exited with %s while starting.'
                          % proc.returncode)
            try:
                if requests.get(self.url + '/v2/workflows',
                                timeout=5).status_code == 200:
                    return proc
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.fail('The server did not answer within %s s.' % START_TIMEOUT)

    @staticmethod
    def _kill(proc):
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    def _stop(self, proc):
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.fail('The server did not stop within %s s of SIGTERM.'
                      % STOP_TIMEOUT)
        self.assertEqual(0, code)
        self.assertLess(time.monotonic() - started, STOP_TIMEOUT)
        return proc.stdout.read()

    def _get(self, path, **params):
        resp = requests.get(self.url + path, params=params, timeout=10)
        self.assertEqual(200, resp.status_code, resp.text)
        return resp.json()

    def _start_execution(self, workflow):
        resp = requests.post(self.url + '/v2/executions',
                             json={'workflow_name': workflow}, timeout=10)
        self.assertEqual(201, resp.status_code, resp.text)
        return resp.json()['id']

    def _await_end(self, ex_id):
        deadline = time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            execution = self._get('/v2/executions/%s' % ex_id)
            if execution['state'] not in ('IDLE', 'RUNNING'):
                return execution
            time.sleep(0.2)
        self.fail('Execution %s still %s after %s s.'
                  % (ex_id, execution['state'], RUN_TIMEOUT))

    def _task_states(self, ex_id):
        tasks = self._get('/v2/executions/%s/tasks' % ex_id)['tasks']
        return {t['name']: t['state'] for t in tasks}

    def test_examples_end_as_documented_and_stop_is_clean(self):
        proc = self._start(self._config())

        workflows = self._get('/v2/workflows')['workflows']
        self.assertTrue(
            _example_workflows().issubset({w['name'] for w in workflows})
        )
        self._get('/v2/executions')

        ex_ids = {wf: self._start_execution(wf) for wf in EXPECTED}
        for wf, ex_id in ex_ids.items():
            state, tasks = EXPECTED[wf]
            execution = self._await_end(ex_id)
            self.assertEqual(state, execution['state'], wf)
            self.assertEqual(tasks, self._task_states(ex_id), wf)

        stdout = self._stop(proc)
        self.assertIn(
            'mistral-resume embedded server ready on %s (database: '
            'sqlite:///%s/mistral-resume.sqlite' % (self.url, self.data_dir),
            stdout
        )

    def test_restart_keeps_the_database(self):
        # One example is enough here and keeps the first start short.
        examples = os.path.join(self.tmp, 'examples')
        os.mkdir(examples)
        shutil.copy(os.path.join(EXAMPLES, 'resume_plain_failure.yaml'),
                    examples)
        conf = self._config(examples_dir=examples)

        proc = self._start(conf)
        ex_id = self._start_execution('resume_plain_failure')
        self.assertEqual('ERROR', self._await_end(ex_id)['state'])
        self._stop(proc)

        proc = self._start(conf)
        self.assertEqual('ERROR',
                         self._get('/v2/executions/%s' % ex_id)['state'])
        self.assertEqual({'prepare': 'SUCCESS', 'build': 'ERROR'},
                         self._task_states(ex_id))
        self.assertEqual(
            ['resume_plain_failure'],
            [w['name'] for w in self._get('/v2/workflows')['workflows']]
        )
        self._stop(proc)
