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

"""Warnings that consider every point of the request (issue 11, case 5).

The README's parallel-branches example: branch_b re-run and branch_c
continued in one request. merge, which "continue" of branch_c starts,
reads b_hosts: the branch_b re-run publishes it, so nothing is missing.
"""

import os

from tests import base
from tests import embedded

with open(os.path.join(embedded.EXAMPLES,
                       'resume_parallel_branches.yaml')) as _f:
    PARALLEL_BRANCHES = _f.read()

POINTS = [
    {'task': 'branch_b', 'context': {'region_b_hosts': 1}},
    {'task': 'branch_c', 'mode': 'continue',
     'published': {'c_hosts': {}}},
]


class TestParallelBranchesExample(base.EngineTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(PARALLEL_BRANCHES)
        self.await_workflow_error(self.wf_id)

    def test_no_warning_for_what_a_rerun_publishes(self):
        out = self.resume(self.wf_id, dry_run=True, points=POINTS)
        self.assertEqual('dry_run', out['status'], out)
        self.assertEqual([], out['record']['warnings'])

        out = self.resume(self.wf_id, points=POINTS)
        self.assertEqual('created', out['status'], out)
        self.assertEqual([], out['record']['warnings'])
        self.await_workflow_success(self.wf_id)
        merge = self.task(self.wf_id, 'merge')
        self.assertEqual(['a-host-0', 'a-host-1', 'b-host-0'],
                         sorted(merge['published']['hosts']))
