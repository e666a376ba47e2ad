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
import subprocess
import sys
import time

import eventlet
import fixtures
from oslotest import base as oslo_base
from testtools import content
import yaml

from tests import embedded

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


def _example_workflows():
    names = set()
    for path in glob.glob(os.path.join(embedded.EXAMPLES, '*.yaml')):
        with open(path) as f:
            names.update(k for k in yaml.safe_load(f) if k != 'version')
    return names


class EmbeddedServerTest(oslo_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.server = embedded.EmbeddedServer(
            self.useFixture(fixtures.TempDir()).path)
        self.addCleanup(self.server.cleanup)
        self.addOnException(self._attach_log)

    def _attach_log(self, exc_info):
        self.addDetail('server-log',
                       content.text_content(self.server.log_tail()))

    def _stop(self):
        started = time.monotonic()
        self.assertEqual(0, self.server.stop())
        self.assertLess(time.monotonic() - started, embedded.STOP_TIMEOUT)

    def _task_states(self, ex_id):
        return {n: t['state'] for n, t in self.server.tasks(ex_id).items()}

    def test_examples_end_as_documented_and_stop_is_clean(self):
        self.server.start()

        workflows = self.server.get('/workflows')['workflows']
        self.assertTrue(
            _example_workflows().issubset({w['name'] for w in workflows})
        )
        self.server.get('/executions')

        ex_ids = {wf: self.server.start_execution(wf) for wf in EXPECTED}
        for wf, ex_id in ex_ids.items():
            state, tasks = EXPECTED[wf]
            execution = self.server.await_settled(ex_id)
            self.assertEqual(state, execution['state'], wf)
            self.assertEqual(tasks, self._task_states(ex_id), wf)

        self._stop()
        self.assertIn(
            'mistral-resume embedded server ready on %s (database: '
            'sqlite:///%s/mistral-resume.sqlite'
            % (self.server.url, self.server.data_dir),
            self.server.stdout
        )

    def test_restart_keeps_the_database(self):
        # One example is enough here and keeps the first start short.
        self.server.use_examples(['resume_plain_failure.yaml'])

        self.server.start()
        ex_id = self.server.start_execution('resume_plain_failure')
        self.assertEqual('ERROR', self.server.await_settled(ex_id)['state'])
        self._stop()

        self.server.start()
        self.assertEqual(
            'ERROR', self.server.get('/executions/%s' % ex_id)['state'])
        self.assertEqual({'prepare': 'SUCCESS', 'build': 'ERROR'},
                         self._task_states(ex_id))
        self.assertEqual(
            ['resume_plain_failure'],
            [w['name'] for w in self.server.get('/workflows')['workflows']]
        )
        self._stop()

    def test_a_second_server_is_refused_only_on_what_it_would_share(self):
        self.server.use_examples(['resume_plain_failure.yaml'])
        self.server.start()

        # Same data directory: refused, naming the first server, before
        # anything is written to its log.
        log_size = os.path.getsize(self.server.log_file)
        second = subprocess.run(
            [sys.executable, '-m', 'mistral_resume.cmd.server', '--embedded',
             '--port', '0', '--data-dir', self.server.data_dir],
            cwd=embedded.REPO, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=embedded.START_TIMEOUT)
        self.assertEqual(1, second.returncode)
        self.assertIn(
            'ERROR: Another mistral-resume embedded server (PID %s, %s) uses '
            '%s/mistral-resume.sqlite; stop it, or start this one with '
            'another --data-dir'
            % (self.server.proc.pid, self.server.url,
               os.path.realpath(self.server.data_dir)),
            second.stderr)
        self.assertEqual(log_size, os.path.getsize(self.server.log_file))

        # Its own data directory, by command-line options alone (no
        # configuration file): it runs beside the first one.
        other = embedded.EmbeddedServer(
            self.useFixture(fixtures.TempDir()).path)
        self.addCleanup(other.cleanup)
        other.start(flags=True)
        self.assertFalse(os.path.exists(other.config_file))
        self.assertIn('(database: sqlite:///%s/mistral-resume.sqlite'
                      % other.data_dir, other.stdout)
        workflows = other.get('/workflows')['workflows']
        self.assertIn('resume_plain_failure', [w['name'] for w in workflows])
        self.assertEqual(0, other.stop())
        self._stop()

        # The console had the "ready" line only: the warnings of Mistral's
        # stack (eventlet's deprecation, for one, where it still warns)
        # went to the log.
        with open(other.stderr_file) as f:
            self.assertEqual('', f.read())
        if hasattr(eventlet, 'EventletDeprecationWarning'):
            self.assertIn('EventletDeprecationWarning',
                          other.log_tail(10000))

    def test_help_lists_the_embedded_options(self):
        help_text = subprocess.run(
            [sys.executable, '-m', 'mistral_resume.cmd.server', '--embedded',
             '--help'],
            cwd=embedded.REPO, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=embedded.START_TIMEOUT
        ).stdout
        for option in ('--embedded', '--port PORT', '--data-dir DIR',
                       '--config-file'):
            self.assertIn(option, help_text)
