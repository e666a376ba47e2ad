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

"""with-items re-runs with concurrency on two engines (issue 11, case 3).

Each item of the with-items task is a sub-workflow, whose executions show
which item ran how often (their ``index``). Item 2 takes longer than the
others, so that the other items finish while it still runs: with stock
Mistral 23 the freed slots then went to item 2 again while a later item
never ran.
"""

import collections
import json

from tests.integration import deployment

WORKFLOWS = """
version: '2.0'

it_items:
  input:
    - bad: [2, 4]
  output:
    sizes: <% $.sizes %>
  tasks:
    make:
      with-items: x in <% range(1, 6) %>
      concurrency: 2
      workflow: it_item
      input:
        x: <% $.x %>
        bad: <% $.bad %>
      publish:
        sizes: <% task().result.select($.size) %>

it_item:
  input:
    - x
    - bad
  output:
    size: <% $.size %>
  tasks:
    wait:
      action: std.sleep
      input:
        seconds: <% switch($.x = 2 => 2, true => 0) %>
      on-success:
        - build
    build:
      action: std.test_dict
      input:
        size: <% switch($.x in $.bad => 'bad', true => $.x) %>
        key_prefix: item-
      publish:
        size: <% task().result.len() %>
"""


class WithItemsConcurrencyTest(deployment.DeploymentTestCase):

    WORKFLOWS = WORKFLOWS

    def _runs(self, task_id):
        """Each item's sub-workflow states, by item index."""
        runs = collections.defaultdict(list)
        for ex in self.api.sub_executions(task_id):
            runs[json.loads(ex['params'])['index']].append(ex['state'])
        return {i: sorted(s) for i, s in runs.items()}

    def _failed(self):
        ex_id = self.start_failed('it_items')
        make = self.api.tasks(ex_id)['make']
        self.assertEqual('ERROR', make['state'])
        self.assertEqual(
            {0: ['SUCCESS'], 1: ['ERROR'], 2: ['SUCCESS'], 3: ['ERROR'],
             4: ['SUCCESS']}, self._runs(make['id']))
        return ex_id, make['id']

    def _resume(self, ex_id, reset):
        resp = self.api.resume(ex_id, points=[
            {'task': 'make', 'reset': reset, 'context': {'bad': []}}])
        self.assertEqual(201, resp.status_code, resp.text)
        execution = self.await_success(ex_id)
        self.assertEqual({'sizes': [1, 2, 3, 4, 5]},
                         self.api.output(execution))

    def test_reset_runs_each_item_once_more(self):
        ex_id, make_id = self._failed()
        self._resume(ex_id, True)
        self.assertEqual(
            {0: ['SUCCESS', 'SUCCESS'], 1: ['ERROR', 'SUCCESS'],
             2: ['SUCCESS', 'SUCCESS'], 3: ['ERROR', 'SUCCESS'],
             4: ['SUCCESS', 'SUCCESS']}, self._runs(make_id))

    def test_no_reset_runs_the_failed_items_once_more(self):
        ex_id, make_id = self._failed()
        self._resume(ex_id, False)
        self.assertEqual(
            {0: ['SUCCESS'], 1: ['ERROR', 'SUCCESS'], 2: ['SUCCESS'],
             3: ['ERROR', 'SUCCESS'], 4: ['SUCCESS']}, self._runs(make_id))
