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

"""What a caller sends: never Mistral's own keys, never raw in a log line.

Keys starting with "__" are Mistral's (the contract): a resume that sets
one is refused whole. A line break in a task name, a mode or a key would
otherwise start a log line of the caller's making (log injection), and a
long one fill it.
"""

import logging
from urllib import parse

import fixtures

from tests import base
from tests import workflows

FORGED = 'x\n2026-01-01 00:00:00.000 1 CRITICAL mistral forged\r\u2028'


class TestNoRawCallerText(base.ApiTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(self.wf_id)
        self.log = self.useFixture(fixtures.FakeLogger(
            name='mistral_resume', level=logging.DEBUG,
            format='%(levelname)s %(name)s %(message)s'))

    def assert_one_line(self, text):
        self.assertIn('forged', text)
        self.assertEqual([text], text.splitlines())

    def assert_log_clean(self):
        # Every line is a record of ours: none starts where a caller's
        # line break left it.
        for line in self.log.output.splitlines():
            self.assertRegex(line, r'^(DEBUG|INFO|WARNING|ERROR) '
                                   r'mistral_resume\.')

    def test_400s(self):
        url = '/v2/executions/%s/resumes' % self.wf_id
        for body in (
                {'points': [{'task': 't2', 'mode': FORGED}]},
                {'points': [{'task': 't2', 'context_mode': FORGED}]},
                {FORGED: 1},
                {'points': [{'task': 't2', 'context': {'__' + FORGED: 1}}]},
                {'points': [{'task': FORGED}, {'task': FORGED}]}):
            res = self.post_json(url, body)
            self.assertEqual(400, res.status_int, res.body)
            self.assert_one_line(res.json['faultstring'])
        res = self.get('/v2/executions/%s/resumes' % self.wf_id,
                       params={FORGED: 1}, status=400)
        self.assert_one_line(res.json['faultstring'])
        res = self.get('/v2/executions/%s/resumes' % self.wf_id,
                       params={'sort_keys': FORGED}, status=400)
        self.assert_one_line(res.json['faultstring'])
        res = self.get('/v2/tasks/%s/context' % parse.quote(FORGED),
                       status=400)
        self.assert_one_line(res.json['faultstring'])
        self.assertIn('Error during API call', self.log.output)
        self.assert_log_clean()

    def test_mistral_keys_are_400_and_change_nothing(self):
        url = '/v2/executions/%s/resumes' % self.wf_id
        before = self.tasks(self.wf_id)
        for body in (
                {'points': [{'task': 't2', 'context': {
                    'x': 'ok', '__execution': {'id': 'elsewhere'}}}]},
                {'points': [{'task': 't2', 'context_mode': 'replace',
                             'context': {'__task_execution': {}}}]},
                {'points': [{'task': 't2', 'mode': 'continue',
                             'published': {'y': 1, 'z': 2, '__env': {}}}]},
                {'points': [{'task': 't2', 'context': {'x': 'ok'}}],
                 'env': {'__env': {'k': 'v'}}}):
            for dry_run in (False, True):
                res = self.post_json(url, dict(body, dry_run=dry_run))
                self.assertEqual(400, res.status_int, res.body)
                self.assertIn('keys starting with "__"',
                              res.json['faultstring'])
        self.assertEqual('ERROR', self.execution(self.wf_id).state)
        self.assertEqual(before, self.tasks(self.wf_id))
        self.assertEqual([], self.get(url).json['resumes'])

    def test_task_names_in_requirements(self):
        url = '/v2/executions/%s/resumes' % self.wf_id
        for task in (FORGED, 't2.' + FORGED, 'a' * 1000 + '\n'):
            res = self.post_json(url, {'points': [{'task': 't2'},
                                                  {'task': task}]})
            self.assertEqual(409, res.status_int, res.body)
            unknown, = [r for r in res.json['requirements']
                        if r['code'] == 'UNKNOWN_TASK']
            # The name itself is data, kept whole; the sentence quotes it.
            self.assertEqual(task.strip(), unknown['task'])
            self.assertEqual([unknown['message']],
                             unknown['message'].splitlines())
            self.assertLess(len(unknown['message']), 300)
            self.assertEqual([res.json['faultstring']],
                             res.json['faultstring'].splitlines())
        self.assert_log_clean()
