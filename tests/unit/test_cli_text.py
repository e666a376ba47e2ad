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

"""What the command line writes, for each requirement code and point."""

from mistralclient import exceptions
from oslotest import base as oslo_base

from mistral_resume.client import commands


def requirement(code, task='t', path=None, **extra):
    entry = {'code': code, 'task': task, 'path': path or task,
             'message': 'A sentence.', 'task_execution_id': None,
             'state': None}
    entry.update(extra)
    return entry


class TestRequirementHints(oslo_base.BaseTestCase):

    def hints(self, entry, modes=None):
        return commands.requirement_hints(entry, modes)

    def test_a_failure_is_answered_by_either_option(self):
        self.assertEqual(
            ['--rerun a.t[=CONTEXT] or --continue a.t=PUBLISHED'],
            self.hints(requirement('UNRESOLVED_FAILURE', path='a.t')))
        self.assertEqual(
            ['--rerun x[=CONTEXT] or --continue x=PUBLISHED',
             '--rerun y[=CONTEXT] or --continue y=PUBLISHED'],
            self.hints(requirement('RESUME_POINT_REQUIRED', task=None,
                                   candidates=[{'task': 'x', 'path': 'x'},
                                               {'task': 'y', 'path': 'y'}])))

    def test_corrections_keep_the_option_given(self):
        ambiguous = requirement(
            'AMBIGUOUS_TASK', task='t', path='w.t',
            candidates=[{'task_execution_id': 'id-1', 'path': 'w.t'},
                        {'task_execution_id': 'id-2', 'path': 'w.t'}])
        self.assertEqual(['--continue id-1 (w.t)', '--continue id-2 (w.t)'],
                         self.hints(ambiguous, {'w.t': 'continue'}))
        unknown = requirement('UNKNOWN_TASK', task='t',
                              candidates=['a.t', 'b.t'])
        self.assertEqual(['--rerun a.t', '--rerun b.t'],
                         self.hints(unknown, {'t': 'rerun'}))
        self.assertEqual([], self.hints(requirement('UNKNOWN_TASK')))

    def test_missing_published_names_every_variable(self):
        self.assertEqual(
            ['--continue t=\'{"items": ..., "y": ...}\''],
            self.hints(requirement('MISSING_PUBLISHED',
                                   variables=['items', 'y'])))

    def test_no_option_answers_a_task_that_did_not_fail(self):
        for code in ('ALREADY_SUCCEEDED', 'NOT_FAILED', 'NOT_STARTED',
                     'EXECUTION_NOT_RESUMABLE'):
            self.assertEqual([], self.hints(requirement(code)), code)

    def test_lines(self):
        self.assertEqual(
            ['UNRESOLVED_FAILURE  t  A sentence.',
             '    use: --rerun t[=CONTEXT] or --continue t=PUBLISHED',
             'ALREADY_SUCCEEDED  u  A sentence.'],
            commands.unmet_lines([requirement('UNRESOLVED_FAILURE'),
                                  requirement('ALREADY_SUCCEEDED', 'u')]))


class TestPointSummary(oslo_base.BaseTestCase):

    def test_summaries(self):
        cases = [
            ({'mode': 'rerun', 'task': 'b', 'context': {'n': 3}},
             'rerun b (context: 1 key)'),
            ({'mode': 'rerun', 'task': 'b', 'path': 'd.b',
              'context': {'n': 3, 'm': 1}, 'context_mode': 'replace'},
             'rerun d.b (context replaced: 2 keys)'),
            ({'mode': 'rerun', 'task': 'b', 'context': None, 'reset': False},
             'rerun b (only failed iterations)'),
            ({'mode': 'rerun', 'task': 'b', 'context': None, 'reset': True},
             'rerun b'),
            ({'mode': 'continue', 'task': 'b', 'published': {'items': {}}},
             'continue b (published: 1 key)'),
        ]
        for point, expected in cases:
            self.assertEqual(expected, commands.summarize_point(point))


class TestInternalKeys(oslo_base.BaseTestCase):

    def test_folded_and_named(self):
        self.assertEqual(
            ({'a': 1}, ['__execution', '__versions']),
            commands.fold_internal({'a': 1, '__versions': {},
                                    '__execution': {'id': 'x'}}))
        self.assertEqual((None, []), commands.fold_internal(None))

    def test_the_note_says_how_to_see_them(self):
        column = commands.ContextColumn({'a': 1}, ['__versions'])
        self.assertEqual('{"a": 1} (internal keys hidden: __versions; '
                         '--internal shows them)', column.one_line())
        self.assertEqual({'a': 1}, column.machine_readable())


class TestParseObject(oslo_base.BaseTestCase):

    def test_json_and_yaml(self):
        self.assertEqual({'n': 3}, commands.load_object('{"n": 3}', 'X'))
        self.assertEqual({'n': 3}, commands.load_object('{n: 3}', 'X'))
        self.assertEqual({}, commands.load_object('', 'X'))

    def test_broken_input_gets_both_complaints(self):
        e = self.assertRaises(exceptions.IllegalArgumentException,
                              commands.load_object, '{n: 3', 'The context')
        self.assertRegex(str(e), r'^The context is neither JSON \(.+\) nor '
                                 r'YAML \(.+ at line 1, column 6\)\.$')
        self.assertNotIn('\n', str(e))
