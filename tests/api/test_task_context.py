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

"""GET /v2/tasks/{id}/context on every kind of task."""

from tests import base

WORKFLOWS = """
version: '2.0'
ctx_direct:
  input:
    - names: [a, b]
  vars:
    greeting: hi
  tasks:
    first:
      action: std.echo output=<% $.greeting %>
      publish:
        said: <% task().result %>
      on-success: [loop]
    loop:
      with-items: name in <% $.names %>
      action: std.echo
      input:
        output: "{{ _.said }} {{ _['name'] }} {{ _.get('suffix') }}"
      publish:
        all: <% task().result %>
      on-success: [sub]
    sub:
      workflow: ctx_inner
      input:
        value: <% $.said %>
ctx_inner:
  input:
    - value
  tasks:
    inner:
      action: std.echo output=<% $.value %>
      publish:
        branch_var: <% task().result %>
ctx_reverse:
  type: reverse
  input:
    - seed: 1
  tasks:
    base:
      action: std.echo output=<% $.seed %>
      publish:
        grown: <% task().result %>
    top:
      action: std.echo output="{{ _.grown }}"
      requires: [base]
"""


class TestTaskContext(base.ApiTestCase):

    def context(self, task_id):
        return self.get('/v2/tasks/%s/context' % task_id).json

    def test_direct_with_items_and_sub_workflow(self):
        wf_id = self.start(WORKFLOWS, {'names': ['a', 'b']},
                           env={'region': 'x'}, name='ctx_direct')
        self.await_workflow_success(wf_id)

        first = self.context(self.task(wf_id, 'first')['id'])
        self.assertEqual(['greeting'], first['references'])
        self.assertEqual(['said'], first['publish'])
        self.assertEqual({'said': 'hi'}, first['published'])
        self.assertEqual({'region': 'x'}, first['env'])
        self.assertEqual({'names': ['a', 'b']}, first['workflow_input'])
        self.assertEqual('SUCCESS', first['state'])
        self.assertEqual(wf_id, first['workflow_execution_id'])

        loop = self.context(self.task(wf_id, 'loop')['id'])
        # Jinja attribute, item and get() reads; the loop variable is the
        # iteration's, not the context's.
        self.assertEqual(['names', 'said', 'suffix'], loop['references'])
        self.assertEqual('hi', loop['in_context']['said'])

        sub = self.task(wf_id, 'sub')
        self.assertEqual(['said'], self.context(sub['id'])['references'])
        child_id, = self.children(wf_id)
        inner = self.context(self.task(child_id, 'inner')['id'])
        self.assertEqual(child_id, inner['workflow_execution_id'])
        self.assertEqual({'value': 'hi'}, inner['workflow_input'])
        # The env is the top execution's.
        self.assertEqual({'region': 'x'}, inner['env'])
        self.assertEqual(['value'], inner['references'])
        self.assertEqual(['branch_var'], inner['publish'])

    def test_reverse(self):
        wf_defs = self.start_definitions(WORKFLOWS)
        self.assertIn('ctx_reverse', wf_defs)
        wf_ex = self.engine.start_workflow('ctx_reverse',
                                           wf_input={'seed': 7},
                                           task_name='top')
        self.await_workflow_success(wf_ex.id)
        top = self.context(self.task(wf_ex.id, 'top')['id'])
        self.assertEqual(['grown'], top['references'])
        self.assertEqual(7, top['in_context']['grown'])
        base_task = self.context(self.task(wf_ex.id, 'base')['id'])
        self.assertEqual(['seed'], base_task['references'])
        self.assertEqual(['grown'], base_task['publish'])
