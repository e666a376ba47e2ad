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

"""What a task's publish clause declares, read from Mistral's own specs."""

from mistral.lang import parser as spec_parser
from oslotest import base as oslo_base

from mistral_resume.core import graph

WORKFLOW = """
version: '2.0'
wf:
  tasks:
    simple:
      action: std.noop
      publish:
        b: <% $.x %>
        a: 1
    scopes:
      action: std.noop
      on-success:
        publish:
          branch:
            b1: <% $.x %>
            shared: 1
          global:
            g1: 2
            shared: 3
          atomic:
            a1: 4
        next: simple
      on-error:
        publish:
          global:
            failed: true
    scope_like_names:
      action: std.noop
      publish:
        global: <% $.x %>
        other: 1
    none:
      action: std.noop
"""


class TestPublishNames(oslo_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        [self.spec] = spec_parser.get_workflow_list_spec_from_yaml(WORKFLOW)

    def names(self, task, state='SUCCESS'):
        return graph.publish_names(self.spec.get_tasks()[task], state)

    def test_task_level_publish(self):
        self.assertEqual(['a', 'b'], self.names('simple'))

    def test_every_scope_of_a_transition(self):
        self.assertEqual(['a1', 'b1', 'g1', 'shared'], self.names('scopes'))
        self.assertEqual(['failed'], self.names('scopes', 'ERROR'))

    def test_names_that_look_like_scopes(self):
        # A task-level publish is never the advanced form.
        self.assertEqual(['global', 'other'], self.names('scope_like_names'))

    def test_nothing_declared(self):
        self.assertEqual([], self.names('none'))
        self.assertEqual([], self.names('simple', 'ERROR'))
