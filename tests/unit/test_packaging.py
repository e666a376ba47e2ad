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

"""A client or Horizon host installs mistral-resume without Mistral."""

from importlib import metadata
import subprocess
import sys

from oslotest import base as oslo_base
from packaging import requirements

# Imports the client modules with every import of the Mistral server
# package refused, as on a host where it is not installed.
_WITHOUT_MISTRAL = '''
import importlib.abc, sys

class NoMistral(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == 'mistral' or name.startswith('mistral.'):
            raise ImportError('the Mistral server is not installed: ' + name)

sys.meta_path.insert(0, NoMistral())
import mistral_resume.client.commands
import mistral_resume.client.resumes
import mistral_resume.client.shell
print('ok')
'''


def _requirements():
    return [requirements.Requirement(r)
            for r in metadata.requires('mistral-resume')]


def _names(extra=None):
    env = {'extra': extra or ''}
    return {r.name.lower() for r in _requirements()
            if r.marker is None and extra is None
            or r.marker is not None and extra is not None
            and r.marker.evaluate(env)}


class TestExtras(oslo_base.BaseTestCase):

    def test_base_is_the_client_only(self):
        base = _names()
        self.assertIn('python-mistralclient', base)
        for server_side in ('mistral', 'horizon', 'mistral-dashboard',
                            'oslo.db', 'oslo.messaging', 'pecan'):
            self.assertNotIn(server_side, base)

    def test_server_extra_brings_mistral_23(self):
        server = [r for r in _requirements()
                  if r.name == 'mistral' and r.marker is not None
                  and r.marker.evaluate({'extra': 'server'})]
        self.assertEqual(1, len(server))
        self.assertTrue(server[0].specifier.contains('23.0.0'))
        self.assertFalse(server[0].specifier.contains('24.0.0'))

    def test_dashboard_extra_brings_horizon_27_and_mistral_dashboard_23(self):
        by_name = {r.name: r for r in _requirements()
                   if r.marker is not None
                   and r.marker.evaluate({'extra': 'dashboard'})}
        self.assertTrue(by_name['horizon'].specifier.contains('27.0.0'))
        self.assertFalse(by_name['horizon'].specifier.contains('28.0.0'))
        self.assertTrue(
            by_name['mistral-dashboard'].specifier.contains('23.0.0'))
        self.assertNotIn('mistral', by_name)

    def test_client_imports_without_the_mistral_server(self):
        out = subprocess.run([sys.executable, '-c', _WITHOUT_MISTRAL],
                             capture_output=True, text=True)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertEqual('ok', out.stdout.strip())
