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

"""Headless Chromium against Horizon (Django's live server) and a real
embedded mistral-resume server.

- Chromium and chromedriver are Debian's (``apt-get install chromium
  chromium-driver``), installed here when missing and run as root, as
  tools/integration-services.sh installs RabbitMQ. Where they cannot be
  installed the tests skip, except in CI (``CI=true``): a failure.
- The Horizon user comes from swapping ``openstack_auth.utils.get_user``
  (as Horizon's own selenium tests do) with a catalog whose ``workflowv2``
  endpoint is the embedded server: every page calls the real API.
- Each step of a test is named; when one fails, a screenshot and the page
  source are saved (``MISTRAL_RESUME_BROWSER_ARTIFACTS``, default
  .browser-artifacts/ in the repository) and the paths are in the error.
"""

import contextlib
import copy
import fcntl
import os
import shutil
import subprocess
import sys
import unittest

from django.core.servers import basehttp
from django.db import utils as db_utils
from django.test import testcases
from openstack_dashboard.test import helpers
from selenium.common import exceptions as selenium_exceptions
from selenium import webdriver
from selenium.webdriver.chrome import service as chrome_service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support import ui

from tests import embedded
from tests import timeouts

REPO = embedded.REPO
ARTIFACTS = os.environ.get('MISTRAL_RESUME_BROWSER_ARTIFACTS',
                           os.path.join(REPO, '.browser-artifacts'))
# Set to a directory (doc/source/_static) to save the documentation's
# screenshots there (tools/dashboard-screenshots).
SCREENSHOTS = os.environ.get('MISTRAL_RESUME_SCREENSHOTS')
PACKAGES = ('chromium', 'chromium-driver')
INSTALL_LOCK = '/tmp/mistral-resume-chromium-install.lock'
WAIT = 30


def _binaries():
    browser = shutil.which('chromium') or shutil.which('chromium-browser')
    driver = shutil.which('chromedriver')
    return browser, driver


def _in_ci():
    return os.environ.get('CI', '').lower() in ('1', 'true', 'yes')


def _install():
    """apt-get install the browser; None or why it could not."""
    if os.geteuid() != 0:
        return 'installing them needs root'
    if not shutil.which('apt-get'):
        return 'there is no apt-get to install them with'
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    install = ['apt-get', 'install', '-y', '-q', '--no-install-recommends']
    install += list(PACKAGES)
    # Several test processes may start at once: one installs.
    with open(INSTALL_LOCK, 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if all(_binaries()):
            return None
        out = subprocess.run(install, env=env, capture_output=True,
                             text=True)
        if out.returncode != 0:
            # Package lists too old or absent: refresh them, once.
            subprocess.run(['apt-get', 'update', '-q'], env=env,
                           capture_output=True, text=True)
            out = subprocess.run(install, env=env, capture_output=True,
                                 text=True)
        if out.returncode != 0:
            return 'apt-get failed: %s' % out.stderr[-2000:]
    return None


def require_browser():
    """Paths of (chromium, chromedriver), installing them when missing."""
    if not all(_binaries()):
        why = _install()
        if not all(_binaries()):
            message = ('Chromium and chromedriver (Debian: apt-get install '
                       '%s) are missing, and %s.'
                       % (' '.join(PACKAGES), why or 'were not installed'))
            if _in_ci():
                raise RuntimeError(message)
            raise unittest.SkipTest(message)
    return _binaries()


def start_browser():
    browser, driver = require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    # Nothing but the pages under test goes over the network: a CI
    # machine's closed network refuses (or drops) Chromium's own traffic.
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage', '--window-size=1400,1100',
                '--lang=en-US', '--no-first-run', '--disable-quic',
                '--disable-background-networking', '--disable-sync',
                '--disable-component-update'):
        options.add_argument(arg)
    return webdriver.Chrome(service=chrome_service.Service(driver),
                            options=options)


class LiveServer(basehttp.ThreadedWSGIServer):
    """Django's live server, silent about what is no test's failure.

    What it printed otherwise drowned a failed test's traceback in a CI
    log: the browser's idle keep-alive connections timing out or reset,
    and the last requests of a class closing the in-memory database that
    its teardown has just stopped sharing between threads.
    """

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (TimeoutError, ConnectionError)):
            return
        super(LiveServer, self).handle_error(request, client_address)

    def _close_connections(self):
        try:
            super(LiveServer, self)._close_connections()
        except db_utils.DatabaseError:
            # Shared with the test's thread, which closes it.
            pass


class LiveServerThread(testcases.LiveServerThread):
    server_class = LiveServer


def _catalog(base_catalog, url):
    """Horizon's test catalog with Mistral's endpoint at url."""
    catalog = [s for s in copy.deepcopy(base_catalog)
               if s.get('type') != 'workflowv2']
    catalog.append({
        'type': 'workflowv2', 'name': 'mistral', 'endpoints_links': [],
        'endpoints': [{'region': 'RegionOne', 'interface': interface,
                       'url': url}
                      for interface in ('public', 'internal', 'admin')]})
    return catalog


class Pages(object):
    """Steps, browsing and the resume form of a browser test.

    For a test with ``selenium`` and ``live_server_url``; ``logs_tail()``
    says what its servers logged.
    """

    server_thread_class = LiveServerThread

    # Steps and what a failed one leaves behind.

    @contextlib.contextmanager
    def step(self, name):
        try:
            yield
        except Exception as e:
            saved = self._save_artifacts(name)
            raise AssertionError('Step "%s" failed (%s): %s\n%s'
                                 % (name, saved, e, self.logs_tail())) from e

    def _save_artifacts(self, name):
        os.makedirs(ARTIFACTS, exist_ok=True)
        base = os.path.join(ARTIFACTS, '%s.%s' % (
            self.id().rsplit('.', 2)[-2] + '.' + self._testMethodName,
            name.replace(' ', '_').replace('/', '_')))
        try:
            self.selenium.save_screenshot(base + '.png')
            with open(base + '.html', 'w') as f:
                f.write(self.selenium.page_source)
        except selenium_exceptions.WebDriverException as e:
            return 'no screenshot: %s' % e
        return 'screenshot %s.png, page source %s.html' % (base, base)

    def snapshot(self, name):
        """A documentation screenshot, when asked for (SCREENSHOTS)."""
        if SCREENSHOTS:
            os.makedirs(SCREENSHOTS, exist_ok=True)
            self.selenium.save_screenshot(
                os.path.join(SCREENSHOTS, name + '.png'))

    # Browsing.

    def open(self, path):
        self.selenium.get(self.live_server_url + path)
        self.wait_for(By.ID, 'content_body')

    def wait_for(self, by, value, timeout=WAIT):
        return ui.WebDriverWait(self.selenium, timeout).until(
            expected_conditions.presence_of_element_located((by, value)))

    def wait_for_text(self, by, value, text, timeout=WAIT):
        ui.WebDriverWait(self.selenium, timeout).until(
            expected_conditions.text_to_be_present_in_element((by, value),
                                                              text))
        return self.selenium.find_element(by, value)

    def row_action(self, table, row_id, action):
        """Click a row action of a Horizon table.

        Its menu is opened first when the action is not the row's first
        (always visible) one.
        """
        link = self.wait_for(By.ID, '%s__row_%s__action_%s'
                             % (table, row_id, action))
        if not link.is_displayed():
            row = self.selenium.find_element(By.ID, '%s__row__%s'
                                             % (table, row_id))
            self.click(row.find_element(By.CSS_SELECTOR, '.dropdown-toggle'))
            ui.WebDriverWait(self.selenium, WAIT).until(
                expected_conditions.visibility_of(link))
        self.click(link)
        self.wait_for(By.ID, 'content_body')

    def click(self, element):
        # Horizon's navigation bar is fixed at the top of the window: an
        # element scrolled just under it would not get the click.
        self.selenium.execute_script(
            'arguments[0].scrollIntoView({block: "center"});', element)
        element.click()

    def set_text(self, element_id, text):
        element = self.selenium.find_element(By.ID, element_id)
        element.clear()
        element.send_keys(text)

    def choose(self, element_id):
        # Horizon's themable radios hide the input behind its label.
        self.click(self.selenium.find_element(
            By.CSS_SELECTOR, 'label[for="%s"]' % element_id))

    # The resume form.

    def _block(self, task):
        return self.selenium.find_element(
            By.CSS_SELECTOR, 'fieldset.mr-failure[data-task="%s"]' % task)

    def _field_id(self, task, name):
        return self._block(task).find_element(
            By.CSS_SELECTOR, '[name$="_%s"]' % name).get_attribute('id')

    def _mode(self, task, mode):
        prefix = self._field_id(task, 'context').rsplit('_', 1)[0]
        index = {'leave': 0, 'rerun': 1, 'continue': 2}[mode]
        self.choose('%s_mode_%d' % (prefix, index))

    def _submit(self, button='resume-submit'):
        self.click(self.selenium.find_element(By.ID, button))
        self.wait_for(By.ID, 'content_body')


class BrowserTestCase(Pages, timeouts.TimeoutMixin,
                      helpers.SeleniumAdminTestCase):
    """Horizon's live server, a browser and an embedded server per class.

    The user (Horizon's test admin) has a catalog pointing at the embedded
    server.
    """

    EXAMPLES = None

    @classmethod
    def setUpClass(cls):
        os.environ.pop('WITH_SELENIUM', None)   # not Horizon's Firefox
        cls.server = embedded.EmbeddedServer()
        cls.selenium = None
        try:
            cls.selenium = start_browser()
            if cls.EXAMPLES is not None:
                cls.server.use_examples(cls.EXAMPLES)
            cls.server.start()
            super(BrowserTestCase, cls).setUpClass()
        except BaseException:
            cls._stop()
            raise

    @classmethod
    def _stop(cls):
        try:
            if cls.selenium is not None:
                cls.selenium.quit()
        finally:
            cls.server.stop()
            cls.server.cleanup()

    @classmethod
    def tearDownClass(cls):
        try:
            super(BrowserTestCase, cls).tearDownClass()
        finally:
            cls._stop()

    def setUp(self):
        super(BrowserTestCase, self).setUp()
        # Explicit waits only: an implicit one slows every "not there".
        self.selenium.implicitly_wait(0)
        self.selenium.delete_all_cookies()

    def setActiveUser(self, *args, **kwargs):
        kwargs['service_catalog'] = _catalog(kwargs['service_catalog'],
                                             self.server.api_url)
        super(BrowserTestCase, self).setActiveUser(*args, **kwargs)

    def logs_tail(self):
        return self.server.log_tail(40)
