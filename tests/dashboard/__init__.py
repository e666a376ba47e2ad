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

"""Tests of the Horizon plugin: Django tests, run by their own stestr step.

They need Django set up with Horizon's settings (tests.dashboard.settings)
in their process, which the rest of the suite (Mistral's engine, oslo
logging) must not get. So the main run (``stestr run``) loads none of
them, and ./tools/test runs them in a second step,
``stestr --test-path tests/dashboard run`` with
DJANGO_SETTINGS_MODULE=tests.dashboard.settings (tools/test-dashboard).
"""

import os

SETTINGS = 'tests.dashboard.settings'


def django_selected():
    return os.environ.get('DJANGO_SETTINGS_MODULE') == SETTINGS


def setup_django():
    """Django with a test database, once per process."""
    import django
    from django.test import utils

    if getattr(setup_django, 'done', False):
        return
    django.setup()
    utils.setup_test_environment()
    utils.setup_databases(verbosity=0, interactive=False)
    setup_django.done = True


def load_tests(loader, standard_tests, pattern):
    if not django_selected():
        return standard_tests
    this_dir = os.path.dirname(__file__)
    standard_tests.addTests(loader.discover(
        start_dir=this_dir, pattern=pattern or 'test*.py',
        top_level_dir=os.path.dirname(os.path.dirname(this_dir))))
    return standard_tests


# Also when a module is run by name (python -m testtools.run ...), which
# imports the package without calling load_tests.
if django_selected():
    setup_django()
