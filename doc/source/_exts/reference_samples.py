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

"""Stand-ins for ``show-options`` and ``show-policy``.

``oslo_config.sphinxext`` and ``oslo_policy.sphinxext`` render the
reference from the installed package's entry points. Where the package is
not installed (a plain ``sphinx-build`` from a checkout), conf.py lists the
directives they would have provided in ``reference_samples_replace`` and
this extension registers them instead: each shows the sample that
``tox -e genconfig`` / ``tox -e genpolicy`` generated from the same code
(``etc/mistral-resume.conf.sample``, ``etc/policy.yaml.sample``).
"""

import os

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.parsers.rst import directives

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__),
                                    os.pardir, os.pardir, os.pardir))

SAMPLES = {
    'show-options': ('etc/mistral-resume.conf.sample', 'ini'),
    'show-policy': ('etc/policy.yaml.sample', 'yaml'),
}


def _sample_directive(name):
    path, language = SAMPLES[name]

    class SampleDirective(Directive):
        # Accept what the real directives accept, and ignore it: the sample
        # holds exactly the project's own namespace.
        has_content = True
        option_spec = {
            'config-file': directives.unchanged,
            'split-namespaces': directives.flag,
        }

        def run(self):
            env = self.state.document.settings.env
            full = os.path.join(REPO, path)
            env.note_dependency(full)
            with open(full) as f:
                text = f.read()
            intro = nodes.paragraph()
            intro += nodes.Text('Generated sample (')
            intro += nodes.literal(text=path)
            intro += nodes.Text('):')
            block = nodes.literal_block(text, text)
            block['language'] = language
            return [intro, block]

    return SampleDirective


def setup(app):
    app.add_config_value('reference_samples_replace', [], 'env')

    def register(app, config):
        for name in config.reference_samples_replace:
            app.add_directive(name, _sample_directive(name))

    app.connect('config-inited', register)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
