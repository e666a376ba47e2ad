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

"""The product's queries give SQLAlchemy nothing to warn about.

A warning per analysis lands on the operator's console (or log) and
buries what matters; SQLAlchemy warns at every such query, so observing
none here means there are none.
"""

import warnings

from sqlalchemy import exc as sa_exc

from tests import base
from tests import workflows


class QuietQueriesTest(base.EngineTestCase):

    def test_analysis_and_dry_run_raise_no_sqlalchemy_warning(self):
        wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(wf_id)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always', sa_exc.SAWarning)
            view = self.requirements(wf_id)
            # A context change reads the stored inbound context too.
            outcome = self.resume(wf_id, dry_run=True, points=[
                {'task': 't2', 'context': {'x': 'ok'}}])

        self.assertEqual(['t2'], [f['task'] for f in view['failures']])
        self.assertEqual('dry_run', outcome['status'], outcome)
        self.assertEqual([], [str(w.message) for w in caught
                              if issubclass(w.category, sa_exc.SAWarning)])
