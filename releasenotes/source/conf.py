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

"""Sphinx configuration of the mistral-resume release notes (reno).

Uses ``openstackdocstheme`` when it is installed, else Sphinx's default
theme.
"""

import importlib

extensions = ['reno.sphinxext']

project = 'mistral-resume Release Notes'
copyright = '2026, mistral-resume authors'
author = 'mistral-resume authors'

# Release notes are not versioned like the code.
version = ''
release = ''

source_suffix = {'.rst': 'restructuredtext'}
master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'native'

try:
    importlib.import_module('openstackdocstheme')
except Exception:
    html_theme = 'alabaster'
else:
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    openstackdocs_repo_name = 'openstack/mistral-resume'
    openstackdocs_auto_name = False
    openstackdocs_use_storyboard = False
    openstackdocs_bug_project = 'mistral'
    openstackdocs_bug_tag = 'releasenotes'

html_static_path = []
htmlhelp_basename = 'MistralResumeReleaseNotesdoc'

# Internationalization: where translated release notes would live.
locale_dirs = ['locale/']
