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

"""Django settings of the dashboard tests: mistral-dashboard's test
settings, with mistral-dashboard's enabled file and ours applied as a
Horizon deployment applies them (openstack_dashboard/local/enabled).
"""

import os
import tempfile

from mistraldashboard.test.settings import *  # noqa: F401,F403
from openstack_dashboard import enabled
from openstack_dashboard import theme_settings
from openstack_dashboard.utils import settings as settings_utils

import mistral_resume.dashboard.enabled
import mistraldashboard.enabled

# openstack_dashboard's test settings applied its own enabled files
# already; applying them again with mistral-dashboard's and ours adds
# what these bring, and the duplicates are dropped.
for _key in ('dashboards', 'default_dashboard'):
    HORIZON_CONFIG.pop(_key, None)  # noqa: F405
settings_utils.update_dashboards(
    [enabled, mistraldashboard.enabled, mistral_resume.dashboard.enabled],
    HORIZON_CONFIG, INSTALLED_APPS)  # noqa: F405
INSTALLED_APPS = list(dict.fromkeys(INSTALLED_APPS))  # noqa: F405
for _key in ('angular_modules', 'js_files', 'js_spec_files', 'scss_files',
             'xstatic_modules', 'plugins'):
    HORIZON_CONFIG[_key] = list(dict.fromkeys(  # noqa: F405
        HORIZON_CONFIG[_key]))  # noqa: F405

# Compressed CSS of the browser tests' pages: our own directory.
COMPRESS_ROOT = os.path.join(tempfile.gettempdir(),
                             'mistral-resume-horizon-compress')
# The browser tests' endpoint: plain HTTP on loopback.
OPENSTACK_ENDPOINT_TYPE = 'publicURL'
# Horizon's SCSS compiled as a deployment does (openstack_dashboard's
# settings; the test settings leave it out, their pages are not looked at).
STATICFILES_DIRS = theme_settings.get_theme_static_dirs(
    AVAILABLE_THEMES, THEME_COLLECTION_DIR,  # noqa: F405
    ROOT_PATH) + list(STATICFILES_DIRS)  # noqa: F405
COMPRESS_PRECOMPILERS = (
    ('text/scss', 'horizon.utils.scss_filter.ScssFilter'),
)
COMPRESS_FILTERS = {
    'css': ('compressor.filters.css_default.CssAbsoluteFilter',),
    'js': ('compressor.filters.jsmin.rJSMinFilter',),
}

# The URLs of a deployment (the test URLs lack the extensible header's,
# which every page asks for).
ROOT_URLCONF = 'openstack_dashboard.urls'
