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

"""A test class with its own deployment (tests/integration/deployment.py).

The deployment is set up once for the class, on the shared RabbitMQ and
PostgreSQL (a virtual host and a database of its own), and everything is
stopped and removed after the class, whatever failed. Without the services
the class is skipped, except in CI (CI=true), where that is a failure.
"""

import os
import shutil
import tempfile
import unittest

import testtools
from testtools import content

from tests.integration import deployment
from tests.integration import services

RUN_TIMEOUT = 60


class DeploymentTestCase(testtools.TestCase):

    # The workflow definitions (YAML text) the tests use.
    WORKFLOWS = None

    shared = None
    tenant = None
    deployment = None
    tmp_dir = None
    api = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shared = services.SharedServices()
        try:
            env = cls.shared.acquire()
        except services.Unavailable as e:
            cls.shared = None
            if os.environ.get('CI') == 'true':
                raise
            raise unittest.SkipTest(
                'RabbitMQ and PostgreSQL are not installed and cannot be '
                'installed here: %s' % e)
        try:
            cls.tenant = services.Tenant(env)
            cls.tenant.create()
            cls.tmp_dir = tempfile.mkdtemp(prefix='mistral-resume-it-')
            cls.deployment = deployment.Deployment(
                cls.tmp_dir, cls.tenant.transport_url,
                cls.tenant.database_url)
            cls.deployment.write_config()
            cls.deployment.prepare_database()
            cls.deployment.start()
            cls.api = deployment.Api(cls.deployment.url)
            if cls.WORKFLOWS:
                cls.api.create_workflows(cls.WORKFLOWS)
        except BaseException:
            cls._tear_down()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls._tear_down()
        finally:
            super().tearDownClass()

    @classmethod
    def _tear_down(cls):
        """Stop and remove everything set up, each step whatever failed."""
        errors = []
        steps = []
        if cls.deployment is not None:
            steps.append(cls.deployment.stop)
        if cls.tenant is not None:
            steps.append(cls.tenant.delete)
        if cls.shared is not None:
            steps.append(cls.shared.release)
        for step in steps:
            try:
                step()
            except Exception as e:
                errors.append('%s: %s' % (step.__qualname__, e))
        if cls.tmp_dir:
            shutil.rmtree(cls.tmp_dir, ignore_errors=True)
        cls.deployment = cls.tenant = cls.shared = cls.tmp_dir = None
        if errors:
            raise deployment.DeploymentError('; '.join(errors))

    def setUp(self):
        super().setUp()
        self.addOnException(self._attach_logs)

    def _attach_logs(self, exc_info):
        if self.deployment is not None:
            self.addDetail('deployment-logs',
                           content.text_content(self.deployment.tails()))

    def start_failed(self, workflow, state='ERROR', **wf_input):
        """Start an execution; return its id once it stopped in ``state``."""
        execution_id = self.api.start_execution(workflow, wf_input or None)
        execution = self.api.await_settled(execution_id, RUN_TIMEOUT)
        self.assertEqual(state, execution['state'], execution['state_info'])
        return execution_id

    def await_success(self, execution_id):
        execution = self.api.await_settled(execution_id, RUN_TIMEOUT)
        self.assertEqual('SUCCESS', execution['state'],
                         execution['state_info'])
        return execution
