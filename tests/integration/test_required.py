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


"""A missing service skips the integration tests, except where required.

The services are made impossible to install for real: Keystone's
virtualenv is to be created with a Python that does not exist, in a state
directory of its own, so tools/integration-services.sh exits 3 ("cannot be
installed here") before it starts anything.
"""

import os
import shutil
import subprocess
import sys
import tempfile

from oslotest import base as oslo_base

from tests.integration import deployment

TEST = 'tests.integration.test_deployment.MultiProcessDeploymentTest.' \
       'test_rerun_with_context'


class MissingServicesTest(oslo_base.BaseTestCase):

    def run_deployment_test(self, **env_vars):
        state_dir = tempfile.mkdtemp(prefix='mistral-resume-it-missing-')
        self.addCleanup(shutil.rmtree, state_dir, ignore_errors=True)
        env = {k: v for k, v in os.environ.items()
               if k not in ('CI', 'MISTRAL_RESUME_REQUIRE_INTEGRATION')}
        env.update(MISTRAL_RESUME_IT_DIR=state_dir,
                   MISTRAL_RESUME_IT_PYTHON=os.path.join(state_dir, 'none'),
                   MISTRAL_RESUME_IT_SUMMARY=os.path.join(state_dir, 's'),
                   **env_vars)
        return subprocess.run(
            [sys.executable, '-m', 'unittest', '-v', TEST],
            cwd=deployment.embedded.REPO, env=env, capture_output=True,
            text=True, stdin=subprocess.DEVNULL, timeout=300)

    def test_skipped_by_default(self):
        proc = self.run_deployment_test()
        output = proc.stdout + proc.stderr
        self.assertEqual(0, proc.returncode, output)
        self.assertIn('cannot be installed here', output)
        self.assertIn('pip could not install keystone', output)

    def test_failed_in_ci(self):
        for env in ({'CI': 'true'},
                    {'MISTRAL_RESUME_REQUIRE_INTEGRATION': '1'}):
            proc = self.run_deployment_test(**env)
            output = proc.stdout + proc.stderr
            self.assertNotEqual(0, proc.returncode, (env, output))
            self.assertIn('MISTRAL_RESUME_REQUIRE_INTEGRATION=1', output)
            self.assertIn('pip could not install keystone', output)
