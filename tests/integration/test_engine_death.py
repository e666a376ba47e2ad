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

"""An engine that dies right after committing a resume (two engines).

The engine that applies the resume holds its post-commit work (the casts
that start the re-run task and the continued task's next one) for a minute
([resume] test_post_commit_delay) and is SIGKILLed in that window, as a
host dies. The resume's start check, written in the same transaction, is
then run by the other engine: the execution ends SUCCESS, each task run
once.
"""

import concurrent.futures
import os
import time

from testtools import content

from tests.integration import deployment
from tests import workflows

RUN_TIMEOUT = 90
WINDOW_TIMEOUT = 30
POLL = 0.1
ENGINES = ('engine-1', 'engine-2')
START_CHECK_DELAY = 3
SERVICE_CONFIG = ['[resume]',
                  'start_check_delay = %s' % START_CHECK_DELAY,
                  'test_post_commit_delay = 120']
FIGURES_FILE = os.environ.get('MISTRAL_RESUME_IT_FIGURES')


class EngineDeathTest(deployment.DeploymentTestCase):

    WORKFLOWS = workflows.ENGINE_DEATH
    SERVICE_CONFIG = SERVICE_CONFIG

    def await_hold(self, execution_id):
        """The engine holding the committed resume's casts, by name."""
        line = 'of execution %s committed' % execution_id
        deadline = time.monotonic() + WINDOW_TIMEOUT
        while time.monotonic() < deadline:
            for name in ENGINES:
                with open(self.deployment.service(name).log_file) as f:
                    if line in f.read():
                        return name
            time.sleep(POLL)
        self.fail('No engine committed the resume in %s s' % WINDOW_TIMEOUT)

    def action_states(self, task):
        return sorted(a['state']
                      for a in self.api.action_executions(task['id']))

    def test_engine_killed_after_commit(self):
        execution_id = self.api.start_execution('engine_death')
        execution = self.api.await_settled(execution_id, RUN_TIMEOUT)
        self.assertEqual('ERROR', execution['state'], execution)

        points = [{'task': 'b', 'context': {'x': 1}},
                  {'task': 'c', 'mode': 'continue',
                   'published': {'cv': 'given'}}]
        victim = None
        try:
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                answer = pool.submit(self.api.resume, execution_id,
                                     points=points)
                victim = self.await_hold(execution_id)
                self.deployment.service(victim).kill()
                killed_at = time.monotonic()
                execution = self.api.await_settled(execution_id,
                                                   RUN_TIMEOUT)
                settled_in = time.monotonic() - killed_at
                answer = answer.result()
        finally:
            if victim is not None:
                self.deployment.restart([victim], SERVICE_CONFIG)

        # The caller never got the engine's answer; the resume stands.
        self.assertEqual(504, answer.status_code, answer.text)
        self.assertEqual(1, len(self.api.resumes(execution_id)))

        self.assertEqual('SUCCESS', execution['state'],
                         execution['state_info'])
        self.assertEqual({'both': [1, 'given']},
                         self.api.output(execution))
        tasks = self.api.tasks(execution_id)
        # Each task run once: b's first run failed on its input (no
        # action), its re-run ran one action; c was continued (no action).
        self.assertEqual(['SUCCESS'], self.action_states(tasks['b']))
        self.assertEqual([], self.action_states(tasks['c']))
        self.assertEqual(['SUCCESS'], self.action_states(tasks['done']))
        self.assertEqual(4, len(tasks))

        # Started by the other engine's start check.
        survivor = next(n for n in ENGINES if n != victim)
        with open(self.deployment.service(survivor).log_file) as f:
            started = [line for line in f
                       if 'in execution %s, ' % execution_id in line and
                       'had not started' in line]
        self.assertEqual(1, len(started), started)
        self.assertIn(' b had not started', started[0])
        figures = ('engine-death: killed=%s (SIGKILL after the commit, '
                   'before its casts) started-by=%s start_check_delay=%s s '
                   'success-%.1fs-after-the-kill runs: b=1 done=1'
                   % (victim, survivor, START_CHECK_DELAY, settled_in))
        self.addDetail('fault', content.text_content(figures))
        if FIGURES_FILE:
            with open(FIGURES_FILE, 'a') as f:
                f.write(figures + '\n')
