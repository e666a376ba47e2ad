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

"""Values larger than Mistral stores are refused before anything changes."""

from mistral import exceptions as exc

from tests import base
from tests import workflows


class TestFieldSizeLimit(base.ApiTestCase):

    def test_too_large_values_are_refused_with_400(self):
        self.override_config('execution_field_size_limit_kb', 4, 'engine')
        wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(wf_id)
        t2 = self.task(wf_id, 't2')
        big = {'x': 'y' * 8000}
        url = '/v2/executions/%s/resumes' % wf_id
        for body in ({'points': [{'task': 't2', 'context': big}]},
                     {'points': [{'task': 't2', 'mode': 'continue',
                                  'published': big}]},
                     {'points': [{'task': 't2'}], 'env': big}):
            res = self.post_json(url, body)
            self.assertEqual(400, res.status_int, res.body)
            self.assertIn('execution_field_size_limit_kb',
                          res.json['faultstring'])
            # The engine refuses it as well, for clients that skip the API.
            self.assertRaises(exc.InputException, self.resume, wf_id,
                              **body)
        self.assertEqual(t2, self.task(wf_id, 't2'))
        self.assertEqual('ERROR', self.execution(wf_id).state)
        self.assertEqual([], self.get(url).json['resumes'])
