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

"""Stored values decoded on first use, and specs parsed once per text."""

import json

from oslotest import base as oslo_base

from mistral_resume.core import model
from mistral_resume.engine import specs

WORKFLOW = {
    'version': '2.0',
    'name': 'wf',
    'tasks': {
        'first': {'action': 'std.noop', 'on-success': ['sub']},
        'sub': {'workflow': 'inner'},
    },
}


class TestDeferred(oslo_base.BaseTestCase):

    def test_decoded_once_when_first_read(self):
        decoded = []

        def decode(raw):
            decoded.append(raw)
            return json.loads(raw)

        run = model.TaskRun(
            'id', 't', 'ERROR',
            spec=model.Deferred(decode, '{"with-items": "x in [1]"}'),
            published=model.Deferred(decode, '{"y": 1}'),
            triggered_by=model.Deferred(lambda raw: ['up'], None))
        self.assertEqual([], decoded)
        self.assertTrue(run.with_items)
        self.assertEqual({'y': 1}, run.published)
        self.assertEqual({'y': 1}, run.published)
        self.assertEqual(['up'], run.triggered_by)
        self.assertEqual(2, len(decoded))

    def test_empty_values_read_as_before(self):
        run = model.TaskRun('id', 't', 'ERROR',
                            spec=model.Deferred(json.loads, 'null'),
                            published=model.Deferred(json.loads, 'null'),
                            triggered_by=model.Deferred(json.loads, '[]'))
        self.assertEqual({}, run.spec)
        self.assertIsNone(run.published)
        self.assertEqual([], run.triggered_by)
        plain = model.TaskRun('id', 't', 'ERROR', spec=None)
        self.assertEqual(({}, None, []),
                         (plain.spec, plain.published, plain.triggered_by))


class TestSpecs(oslo_base.BaseTestCase):

    def test_one_parse_per_text(self):
        text = json.dumps(WORKFLOW)
        first = specs.parsed(text)
        self.assertIs(first, specs.parsed(str(text)))
        self.assertEqual('wf', first.spec.get_name())
        self.assertEqual({'sub'}, first.workflow_tasks)

    def test_another_text_is_another_spec(self):
        changed = dict(WORKFLOW, tasks={'first': {'action': 'std.noop'}})
        before = specs.parsed(json.dumps(WORKFLOW))
        after = specs.parsed(json.dumps(changed))
        self.assertIsNot(before, after)
        self.assertEqual(['first'],
                         [t.get_name() for t in after.spec.get_tasks()])
        self.assertEqual(frozenset(), after.workflow_tasks)
