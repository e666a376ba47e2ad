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

"""Horizon's real login against the real Keystone, in the integration
deployment (tests/integration/deployment.py with ``KEYSTONE``).

No user is swapped in here: the browser signs in on Horizon's login form
(openstack_auth against the shared Keystone), and the pages reach Mistral
through the ``workflowv2`` endpoint of the Keystone catalog, which the
set-up registers for the deployment's API. Project A's member resumes a
failed execution through the plugin's form; project B's member then sees
neither the execution nor its resume history, on the lists or at their
URLs. Both users have only the ``member`` role: mistral-dashboard's
dashboard declares ``roles = ('admin',)``, which Horizon does not enforce
(it checks ``permissions``), and an admin would see every project in
Mistral (its ``is_admin``), so B must not have it.
"""

import os
import unittest

from django.contrib.staticfiles import testing as static_testing
from django.test import utils as django_test_utils
from django import urls
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support import ui

from tests.dashboard import browser
from tests import embedded
from tests.integration import deployment
from tests.integration import services

PLAIN = embedded.PLAIN
REGION = 'RegionOne'
# The catalog entry of this test (a crashed run's is removed on set-up:
# integration runs are serialized, so no other run uses one).
SERVICE_NAME = 'mistral-resume-dashboard-test'
REASON = 'fixed from Horizon with a Keystone login'


def _example(name):
    with open(os.path.join(embedded.EXAMPLES, name + '.yaml')) as f:
        return f.read()


class TestKeystoneLogin(browser.Pages,
                        static_testing.StaticLiveServerTestCase,
                        deployment.DeploymentTestCase):

    KEYSTONE = True
    WORKFLOWS = _example(PLAIN)

    selenium = None
    catalog_service = None

    @classmethod
    def setUpClass(cls):
        # Every step below registers its own undoing first: a failed
        # set-up (tearDownClass is not called then) leaves nothing behind.
        # _tear_down may run twice: the second finds nothing left.
        cls.addClassCleanup(cls._tear_down)
        cls.selenium = cls._start_browser()
        cls.addClassCleanup(cls.selenium.quit)
        # The deployment (DeploymentTestCase), then the live server.
        super(TestKeystoneLogin, cls).setUpClass()
        cls._register_catalog_entry()
        settings = django_test_utils.override_settings(**cls._horizon())
        settings.enable()
        cls.addClassCleanup(settings.disable)

    @classmethod
    def _start_browser(cls):
        try:
            return browser.start_browser()
        except unittest.SkipTest as e:
            if services.required():
                raise RuntimeError('%s (required: CI=true or MISTRAL_RESUME_'
                                   'REQUIRE_INTEGRATION=1)' % e)
            raise

    @classmethod
    def _register_catalog_entry(cls):
        """Mistral's API of this deployment as the catalog's workflowv2."""
        client = cls.keystone.client
        for stale in client.services.list(type='workflowv2'):
            if stale.name == SERVICE_NAME:
                client.services.delete(stale)
        cls.catalog_service = client.services.create(
            SERVICE_NAME, type='workflowv2',
            description='mistral-resume test deployment')
        for interface in ('public', 'internal', 'admin'):
            client.endpoints.create(cls.catalog_service, cls.api.api_url,
                                    interface, region=REGION)

    @classmethod
    def _tear_down(cls):
        # Before the deployment's: its last step may stop Keystone.
        service, cls.catalog_service = cls.catalog_service, None
        try:
            if service is not None:
                # Deleting the service deletes its endpoints too.
                cls.keystone.client.services.delete(service)
        finally:
            super(TestKeystoneLogin, cls)._tear_down()

    @classmethod
    def _horizon(cls):
        """Horizon's settings of a deployment on this Keystone."""
        return dict(
            OPENSTACK_KEYSTONE_URL=cls.keystone.auth_url,
            # One Keystone: no region choice on the login form.
            AVAILABLE_REGIONS=[],
            OPENSTACK_KEYSTONE_MULTIDOMAIN_SUPPORT=False,
            OPENSTACK_KEYSTONE_DEFAULT_DOMAIN='Default',
            WEBSSO_ENABLED=False,
        )

    def setUp(self):
        super(TestKeystoneLogin, self).setUp()
        self.selenium.implicitly_wait(0)
        self.selenium.delete_all_cookies()

    def logs_tail(self):
        return self.deployment.tails()

    # Steps.

    def _login(self, user, then):
        self.selenium.delete_all_cookies()
        self.selenium.get('%s/auth/login/?next=%s'
                          % (self.live_server_url, then))
        self.wait_for(By.ID, 'loginBtn')
        self.set_text('id_username', user.name)
        self.set_text('id_password', user.password)
        self.click(self.selenium.find_element(By.ID, 'loginBtn'))
        self.wait_for(By.ID, 'content_body')
        # Signed in as this user, in this project (Horizon's header).
        header = self.selenium.find_element(
            By.CSS_SELECTOR, 'nav.navbar').get_attribute('textContent')
        self.assertIn(user.name, header)
        self.assertIn(user.project, header)

    def _logout(self):
        # Sign Out, in the user menu (a POST form).
        self.click(self.selenium.find_element(
            By.CSS_SELECTOR, '.user-menu .dropdown-toggle'))
        sign_out = self.selenium.find_element(
            By.CSS_SELECTOR, '.user-menu form button[type=submit]')
        ui.WebDriverWait(self.selenium, browser.WAIT).until(
            expected_conditions.visibility_of(sign_out))
        self.click(sign_out)
        self.wait_for(By.ID, 'loginBtn')

    @staticmethod
    def _url(name, *args):
        return urls.reverse('horizon:mistral:' + name, args=args)

    def _error(self, text):
        return self.wait_for_text(By.CSS_SELECTOR, '.alert-danger', text)

    def _assert_unseen(self, *secrets):
        source = self.selenium.page_source
        for secret in secrets:
            self.assertNotIn(secret, source)

    def test_a_resumes_and_b_sees_nothing(self):
        execution_id = self.start_failed(PLAIN)
        api_b = deployment.Api(self.deployment.url, self.keystone.user_b)

        with self.step('log in as A'):
            self._login(self.keystone.user_a, '/mistral/executions/')
            row = self.wait_for(By.ID, 'executions__row__%s' % execution_id)
            self.assertIn('Error', row.text)

        with self.step('A re-runs build with an edited context'):
            self.row_action('executions', execution_id, 'resume')
            self.wait_for(By.ID, 'resume-form')
            self._mode('build', 'rerun')
            self.set_text(self._field_id('build', 'context'),
                          '{"state": "ready", "item_count": 2}')
            self.set_text('id_reason', REASON)
            self._submit()
            self.wait_for_text(By.ID, 'resumes', REASON)

        with self.step('check through the API'):
            self.await_success(execution_id)
            [record] = self.api.resumes(execution_id)
            self.assertEqual(self.keystone.project_a, record['project_id'])
            self.assertEqual(self.keystone.user_a.session.get_user_id(),
                             record['user_id'])
            self.assertEqual([{'item_count': 2}],
                             [p['context'] for p in record['points']])
            build = self.api.tasks(execution_id)['build']['id']
            # B's own token gets nothing either.
            for path in ('/executions/%s' % execution_id,
                         '/executions/%s/resumes' % execution_id,
                         '/executions/%s/resume_requirements' % execution_id,
                         '/tasks/%s' % build):
                self.assertEqual(404, api_b.http.get(
                    api_b.api_url + path, timeout=10).status_code, path)

        with self.step('log out, log in as B'):
            self._logout()
            self._login(self.keystone.user_b, '/mistral/executions/')

        unseen = (execution_id, build, record['id'], PLAIN, REASON)
        with self.step('B: the executions list'):
            self.wait_for(By.ID, 'executions')
            self._assert_unseen(*unseen)

        with self.step('B: the resumable executions'):
            self.open(self._url('resumes:index'))
            self.wait_for(By.ID, 'executions')
            self._assert_unseen(*unseen)

        # A direct URL names the execution; nothing else of it shows.
        unseen = (build, record['id'], PLAIN, REASON)
        with self.step('B: the execution at its URL'):
            self.open(self._url('executions:detail', execution_id))
            self._error('Unable to get execution')
            self._assert_unseen(*unseen)

        with self.step('B: the resume history at its URL'):
            self.open(self._url('resumes:history', execution_id))
            self._error('Unable to retrieve the resume history')
            self.assertEqual([], self.selenium.find_elements(
                By.CSS_SELECTOR, '#resumes tbody tr[data-object-id]'))
            self._assert_unseen(*unseen)

        with self.step('B: the requirements at their URL'):
            self.open(self._url('resumes:requirements', execution_id))
            self._error('Unable to work out what resuming')
            self._assert_unseen(*unseen)

        with self.step('B: the resume form at its URL'):
            self.open(self._url('resumes:resume', execution_id))
            self._error('Unable to work out what resuming')
            self.assertEqual([], self.selenium.find_elements(
                By.ID, 'resume-form'))
            self._assert_unseen(*unseen)

        with self.step('B: the tasks of the execution'):
            self.open(self._url('tasks:execution', execution_id))
            self._assert_unseen(*unseen)
