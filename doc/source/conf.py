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

"""Sphinx configuration of the mistral-resume documentation.

Every optional piece degrades gracefully, so that ``sphinx-build -W`` passes
with Sphinx alone:

* the OpenStack theme (``openstackdocstheme``) when it is installed, else
  Sphinx's default theme;
* the configuration and policy reference pages are rendered by
  ``oslo_config.sphinxext`` and ``oslo_policy.sphinxext`` when mistral-resume
  is installed (its ``oslo.config.opts`` and ``oslo.policy.policies`` entry
  points load), else from the generated samples in ``etc/`` by a local
  stand-in (``_exts/reference_samples.py``) that takes the same directives.
"""

import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '_exts'))


def _importable(module):
    try:
        importlib.import_module(module)
    except Exception:
        return False
    return True


def _entry_point_loads(group, name):
    """Whether an installed entry point exists and imports cleanly."""
    try:
        from importlib import metadata
        for entry_point in metadata.entry_points(group=group):
            if entry_point.name == name:
                entry_point.load()
                return True
    except Exception:
        return False
    return False


# -- General configuration ----------------------------------------------------

project = 'mistral-resume'
copyright = '2026, mistral-resume authors'
author = 'mistral-resume authors'

extensions = []

if (_importable('oslo_config.sphinxext') and
        _entry_point_loads('oslo.config.opts', 'mistral_resume.config')):
    extensions.append('oslo_config.sphinxext')
    OSLO_CONFIG_EXT = True
else:
    OSLO_CONFIG_EXT = False

if (_importable('oslo_policy.sphinxext') and
        _entry_point_loads('oslo.policy.policies', 'mistral_resume')):
    extensions.append('oslo_policy.sphinxext')
    OSLO_POLICY_EXT = True
else:
    OSLO_POLICY_EXT = False

# Stands in for whichever of the two above is missing (and does nothing for
# the one that is loaded).
extensions.append('reference_samples')
reference_samples_replace = [
    name for name, loaded in (('show-options', OSLO_CONFIG_EXT),
                              ('show-policy', OSLO_POLICY_EXT))
    if not loaded
]

source_suffix = {'.rst': 'restructuredtext'}
master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'native'
add_function_parentheses = True
add_module_names = True

# -- HTML output --------------------------------------------------------------

if _importable('openstackdocstheme'):
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    openstackdocs_repo_name = 'openstack/mistral-resume'
    openstackdocs_auto_name = False
    openstackdocs_use_storyboard = False
    openstackdocs_bug_project = 'mistral'
    openstackdocs_bug_tag = 'doc'
    openstackdocs_pdf_link = False
    pygments_style = 'native'
else:
    html_theme = 'alabaster'

html_static_path = []
htmlhelp_basename = 'mistral-resume-doc'
html_title = 'mistral-resume'

# -- LaTeX output -------------------------------------------------------------

latex_documents = [
    ('index', 'doc-mistral-resume.tex', 'mistral-resume Documentation',
     'mistral-resume authors', 'manual'),
]
