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

"""Resume batches from both command lines and the Python client, against
a real embedded server."""

import json
import os

import fixtures
from mistralclient.api import client as mistral_client

from mistral_resume.client import batch_commands
from mistral_resume.client import batches
from mistral_resume.client import resumes
from tests import embedded
from tests.functional import test_cli

PLAIN = embedded.PLAIN
FIX = 'build={"item_count": 2}'


class BatchCommandLineTest(embedded.ExampleServerTestCase):

    # The helpers of the command line tests (not their tests).
    run_many = test_cli.CommandLineTest.run_many
    run_cli = test_cli.CommandLineTest.run_cli
    mistral_resume_argv = test_cli.CommandLineTest.mistral_resume_argv
    openstack_argv = test_cli.CommandLineTest.openstack_argv
    mistral_resume = test_cli.CommandLineTest.mistral_resume

    def setUp(self):
        super().setUp()
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(('OS_', 'MISTRAL'))}
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def failed(self, count):
        ids = [self.server.start_execution(PLAIN) for _ in range(count)]
        for ex_id in ids:
            self.assertEqual('ERROR',
                             self.server.await_settled(ex_id)['state'])
        return ids

    def test_dry_run_then_wait_list_and_show(self):
        ids = self.failed(3)
        # The parallel example has no task "build": refused.
        selection = [arg for ex_id in ids + [self.parallel]
                     for arg in ('--execution', ex_id)]
        unmet = batch_commands.EXIT_REQUIREMENTS_UNMET

        dry, dry_err = self.mistral_resume(
            'execution-resume-batch', *selection, '--rerun', FIX,
            '--dry-run', '-f', 'json', expect=unmet)
        dry = json.loads(dry)
        self.assertEqual((True, 4, 3, 1), (dry['Dry run'], dry['Total'],
                                           dry['Applied'], dry['Refused']))
        self.assertIn('%s  refused  UNKNOWN_TASK  build' % self.parallel,
                      dry_err)
        for ex_id in ids:
            self.assertEqual('ERROR', self.server.get(
                '/executions/%s' % ex_id)['state'])

        done, progress = self.mistral_resume(
            'execution-resume-batch', '--workflow', PLAIN, '--state',
            'ERROR', '--failed-task', 'build', *selection, '--rerun', FIX,
            '--reason', 'fixed', '--wait', '--poll-interval', '0.2',
            '-f', 'json')
        done = json.loads(done)
        self.assertEqual(('DONE', 3, 3, 0, []), (
            done['State'], done['Total'], done['Applied'], done['Refused'],
            done['Outcomes']))
        self.assertEqual(ids, done['Filter']['execution_ids'][:3])
        self.assertIn('Resume batch: 100%', progress)
        for ex_id in ids:
            self.assertEqual('SUCCESS',
                             self.server.await_settled(ex_id)['state'])

        (listed, _), (shown, _), (osc, _) = self.run_many(
            (self.mistral_resume_argv('resume-batch-list', '-f', 'json'),
             0, None),
            (self.mistral_resume_argv('resume-batch-show', done['ID'],
                                      '--outcome', 'applied', '-f', 'json'),
             0, None),
            (self.openstack_argv('workflow', 'execution', 'resume', 'batch',
                                 'show', done['ID'], '-f', 'json'), 0, None),
        )
        self.assertIn(done['ID'], [b['ID'] for b in json.loads(listed)])
        shown = json.loads(shown)
        self.assertEqual(sorted(ids), sorted(
            o['execution_id'] for o in shown['Outcomes']))
        self.assertEqual(shown['Outcomes'], json.loads(osc)['Outcomes'])

    def test_python_client(self):
        ids = self.failed(2)
        manager = batches.get_manager(
            mistral_client.client(mistral_url=self.server.api_url))
        batch = manager.create(
            execution_ids=ids, workflow_name=PLAIN, request_id='py-1',
            points=[resumes.point('build', context={'item_count': 1})])
        self.assertEqual(2, batch.total)
        seen = []
        batch = manager.wait(batch.id, interval=0.1, progress=seen.append)
        self.assertEqual(('DONE', 2), (batch.state, batch.applied))
        self.assertEqual(batch.id, manager.create(
            execution_ids=ids, workflow_name=PLAIN,
            request_id='py-1').id)
        self.assertEqual(sorted(ids), sorted(
            o['execution_id'] for o in manager.outcomes(batch.id,
                                                        page_size=1)))
        self.assertEqual([], manager.outcomes(batch.id, outcome='refused'))
        self.assertIn(batch.id, [b.id for b in manager.list()])
        self.assertEqual(batches.DONE, seen[-1].state)
