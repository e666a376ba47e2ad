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


from oslotest import base as oslo_base

from mistral_resume.core import request


class TestParse(oslo_base.BaseTestCase):

    def test_plain_resume(self):
        parsed = request.parse({})
        self.assertEqual([], parsed.points)
        self.assertFalse(parsed.dry_run)

    def test_full_request(self):
        parsed = request.parse({
            'points': [
                {'task': 't2', 'context': {'x': 1}, 'context_mode': 'replace',
                 'reset': False},
                {'task': 'b3', 'mode': 'continue', 'published': {'y': 2}},
            ],
            'env': {'e': 1}, 'reason': 'fixed', 'request_id': 'r-1',
            'dry_run': True,
        })
        rerun, cont = parsed.points
        self.assertEqual(('t2', 'rerun', {'x': 1}, 'replace', False),
                         (rerun.task, rerun.mode, rerun.context,
                          rerun.context_mode, rerun.reset))
        self.assertEqual(('b3', 'continue', {'y': 2}),
                         (cont.task, cont.mode, cont.published))
        self.assertEqual({'e': 1}, parsed.env)
        self.assertTrue(parsed.dry_run)

    def test_defaults(self):
        point, = request.parse({'points': [{'task': 't'}]}).points
        self.assertEqual(('rerun', 'merge', True, None),
                         (point.mode, point.context_mode, point.reset,
                          point.context))
        point, = request.parse(
            {'points': [{'task': 't', 'mode': 'continue'}]}).points
        self.assertEqual({}, point.published)

    def _refused(self, body, *words):
        e = self.assertRaises(request.InvalidRequest, request.parse, body)
        for word in words:
            self.assertIn(word, str(e))

    def test_malformed_bodies(self):
        self._refused([], 'JSON object')
        self._refused('x', 'JSON object')
        self._refused({'points': 'x'}, '"points"', 'a list')
        self._refused({'points': [1]}, 'points[0]', 'an object')
        self._refused({'points': [{}]}, 'needs "task"')
        self._refused({'points': [{'task': ' '}]}, 'needs "task"')
        self._refused({'points': [{'task': 3}]}, '"task"')
        self._refused({'points': [{'task': 't', 'mode': 'skip'}]},
                      "Unknown mode 'skip'")
        self._refused({'points': [{'task': 't', 'mode': 'continue',
                                   'context': {}}]}, '"context"', 'rerun')
        self._refused({'points': [{'task': 't', 'mode': 'continue',
                                   'reset': False}]}, '"reset"')
        self._refused({'points': [{'task': 't', 'published': {}}]},
                      '"published"', 'continue')
        self._refused({'points': [{'task': 't', 'context': []}]},
                      '"context"', 'an object')
        self._refused({'points': [{'task': 't', 'mode': 'continue',
                                   'published': 'x'}]}, '"published"')
        self._refused({'points': [{'task': 't', 'context_mode': 'x'}]},
                      'context_mode')
        self._refused({'points': [{'task': 't', 'reset': 'no'}]}, 'boolean')
        self._refused({'points': [{'task': 't', 'reset': 0}]}, 'boolean')
        self._refused({'env': []}, '"env"', 'an object')
        self._refused({'env': 'x'}, '"env"')
        self._refused({'dry_run': 1}, '"dry_run"', 'a boolean')
        self._refused({'reason': 5}, '"reason"')
        self._refused({'request_id': ''}, 'request_id')
        self._refused({'request_id': 'x' * 256}, 'longer than 255')
        self._refused({'points': [{'task': 't'}, {'task': 't'}]},
                      'more than one point')

    def test_size_limit(self):
        big = {'k': 'x' * 4000}
        for body, key in (
                ({'points': [{'task': 't', 'context': big}]}, '"context"'),
                ({'points': [{'task': 't', 'mode': 'continue',
                              'published': big}]}, '"published"'),
                ({'env': big}, '"env"')):
            e = self.assertRaises(request.InvalidRequest, request.parse,
                                  body, 2)
            self.assertIn(key, str(e))
            self.assertIn('execution_field_size_limit_kb', str(e))
            # Unlimited (-1, Mistral's setting) and large enough limits.
            request.parse(body, -1)
            request.parse(body, 4)

    def test_nesting_limit(self):
        def nested(levels, leaf=1):
            value = leaf
            for i in range(levels):
                value = {'k': value} if i % 2 else [value]
            return value

        deepest = nested(request.MAX_DEPTH)
        request.parse({'env': {'x': nested(request.MAX_DEPTH - 1)}})
        for body, key in (
                ({'points': [{'task': 't', 'context': {'x': deepest}}]},
                 '"context" in points[0]'),
                ({'points': [{'task': 't', 'mode': 'continue',
                              'published': {'x': deepest}}]},
                 '"published" in points[0]'),
                # Far deeper than the stack: refused all the same.
                ({'env': {'x': nested(100000)}}, '"env" in the request')):
            e = self.assertRaises(request.InvalidRequest, request.parse,
                                  body, 1024)
            self.assertIn(key, str(e))
            self.assertIn('more than %d levels deep' % request.MAX_DEPTH,
                          str(e))

    def test_unknown_fields(self):
        self._refused({'point': []}, "Unknown field(s) 'point'")
        self._refused({'points': [{'task': 't', 'ctx': {}}]},
                      "Unknown field(s) 'ctx'", 'points[0]')
        many = dict(('f%02d' % i, 1) for i in range(25))
        self._refused(many, "'f00', 'f01'", "'f09' and 15 more")

    def test_mistral_keys_are_refused(self):
        # Mistral keeps its own state under "__" keys of a context: a
        # resume may neither set nor overwrite them.
        for body, where in (
                ({'points': [{'task': 't', 'context': {
                    'x': 1, '__execution': {'id': 'other'}}}]},
                 '"context" in points[0]'),
                ({'points': [{'task': 't', 'context_mode': 'replace',
                              'context': {'__task_execution': {}}}]},
                 '"context" in points[0]'),
                ({'points': [{'task': 't', 'mode': 'continue',
                              'published': {'__env': {}}}]},
                 '"published" in points[0]'),
                ({'env': {'__x': 1}}, '"env" in the request')):
            e = self.assertRaises(request.InvalidRequest, request.parse,
                                  body)
            self.assertIn(where, str(e))
            self.assertIn("keys starting with \"__\"", str(e))
        # Deeper down, and a single underscore, are plain data.
        request.parse({'env': {'_x': {'__y': 1}}, 'points': [
            {'task': 't', 'context': {'a': {'__b': 1}}}]})


class TestQuoting(oslo_base.BaseTestCase):
    """What a caller sends reaches a message quoted, on one line."""

    FORGED = 'x\n2026-01-01 00:00:00 CRITICAL forged line\r\u2028'

    def _message(self, body):
        return str(self.assertRaises(request.InvalidRequest, request.parse,
                                     body))

    def test_no_raw_line_break_in_a_message(self):
        for body in (
                {'points': [{'task': 't', 'mode': self.FORGED}]},
                {'points': [{'task': 't', 'context_mode': self.FORGED}]},
                {self.FORGED: 1},
                {'points': [{'task': 't', self.FORGED: 1}]},
                {'points': [{'task': self.FORGED}, {'task': self.FORGED}]},
                {'env': {'__' + self.FORGED: 1}}):
            message = self._message(body)
            self.assertEqual([message], message.splitlines(), body)
            self.assertIn('forged line', message)

    def test_long_values_are_cut(self):
        message = self._message({'points': [{'task': 't',
                                             'mode': 'm' * 5000}]})
        self.assertLess(len(message), 300)
        self.assertIn('(5000 characters)', message)

    def test_round_trip(self):
        body = {'points': [{'task': 't2', 'context': {'x': 1}}],
                'reason': 'r'}
        parsed = request.parse(body)
        self.assertEqual(
            {'task': 't2', 'mode': 'rerun', 'context_mode': 'merge',
             'context': {'x': 1}, 'published': None, 'reset': True},
            parsed.to_dict()['points'][0]
        )
