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

from mistral_resume.core import references


class TestExpressionReferences(oslo_base.BaseTestCase):

    def _check(self, table):
        for text, expected in table:
            self.assertEqual(
                set(expected),
                references.expression_references(text),
                'expression: %r' % (text,)
            )

    def test_no_expression(self):
        self._check([
            ('', []),
            ('plain text', []),
            ('$.x', []),
            ('_.x', []),
            ('100% sure <%', []),
            ('{ "a": 1 }', []),
        ])

    def test_not_a_string(self):
        for value in (None, 1, 2.5, True, ['<% $.x %>'], {'a': '<% $.x %>'}):
            self.assertEqual(set(), references.expression_references(value))

    def test_yaql_member_access(self):
        self._check([
            ('<% $.x %>', ['x']),
            ('<%$.x%>', ['x']),
            ('<% $.x.y.z %>', ['x']),
            ('<% $.x?.y %>', ['x']),
            ('<% $ .x %>', ['x']),
        ])

    def test_yaql_indexer(self):
        self._check([
            ("<% $['x'] %>", ['x']),
            ('<% $["x"] %>', ['x']),
            ("<% $['x'].y %>", ['x']),
            ('<% $.x[0] %>', ['x']),
            ('<% $.x[$.i] %>', ['x', 'i']),
            ('<% $[$.key] %>', ['key']),
            ('<% $[0] %>', []),
        ])

    def test_yaql_functions_and_operators(self):
        self._check([
            ('<% $.x.len() %>', ['x']),
            ('<% len($.x) %>', ['x']),
            ('<% $.a + $.b %>', ['a', 'b']),
            ('<% $.a and not $.b or $.c %>', ['a', 'b', 'c']),
            ('<% -$.n %>', ['n']),
            ('<% $.a in $.b %>', ['a', 'b']),
            ('<% [$.a, {k => $.b}] %>', ['a', 'b']),
            ('<% dict(k => $.v) %>', ['v']),
            ('<% switch($.a => $.b, true => $.c) %>', ['a', 'b', 'c']),
            ('<% coalesce($.a, $.b) %>', ['a', 'b']),
            ('<% $.d.get($.k) %>', ['d', 'k']),
            ('<% $.items.join($.sep) %>', ['items', 'sep']),
            ('<% $.a.mergeWith($.b) %>', ['a', 'b']),
            ('<% task(t1).result + $.x %>', ['x']),
            ('<% task().result %>', []),
            ('<% env().url %>', []),
        ])

    def test_yaql_get_on_context(self):
        self._check([
            ('<% $.get("x") %>', ['x']),
            ("<% $.get('x', $.default) %>", ['x', 'default']),
            ('<% $.get($.name) %>', ['name']),
        ])

    def test_yaql_lambda_arguments_are_not_context(self):
        self._check([
            ('<% $.list.where($.x > 1) %>', ['list']),
            ('<% $.list.select($.name) %>', ['list']),
            ('<% $.list.where($.x > 1).select($.y).len() %>', ['list']),
            ('<% where($.list, $.x > 1) %>', ['list']),
            ('<% $.list.any($ = 1) %>', ['list']),
            ('<% $.list.orderBy($.k).thenBy($.j) %>', ['list']),
            ('<% $.list.toDict($.k, $.v) %>', ['list']),
            ('<% $.list.toDict(keySelector => $.k) %>', ['list']),
            ('<% $.list.groupBy($.k, $.v, $.a) %>', ['list']),
            ('<% $.l.selectMany($.children).distinct($.id) %>', ['l']),
            ('<% $.l.takeWhile($.ok).skipWhile($.bad) %>', ['l']),
            ('<% $.a.join($.b, $1.x = $2.y, [$1, $2]) %>', ['a', 'b']),
            ('<% $.list.aggregate($1 + $2, $.seed) %>', ['list', 'seed']),
            ('<% $.x.($.y) %>', ['x']),
            ('<% $.x.where($.y).len() + $.z %>', ['x', 'z']),
        ])

    def test_yaql_send_context(self):
        self._check([
            ('<% let(a => $.p) -> $.q + $a %>', ['p', 'q']),
            ('<% let($.p) -> $.q %>', ['p']),
            ('<% with($.p) -> $.q %>', ['p']),
            ('<% def(f, $.n * 2) -> f($.x) %>', ['x']),
        ])

    def test_yaql_variables_are_not_context(self):
        self._check([
            ('<% $x %>', []),
            ('<% $x.y %>', []),
            ('<% $1.y %>', []),
            ('<% $ %>', []),
            ('<% len($) %>', []),
            ('<% $.x + $y %>', ['x']),
        ])

    def test_yaql_several_expressions(self):
        self._check([
            ('<% $.a %><% $.b %>', ['a', 'b']),
            ('a=<% $.a %>, b=<% $.b %>, a again=<% $.a %>', ['a', 'b']),
            ('std.echo output=<% $.x %>', ['x']),
            ('<% $.a %> and <% $.b + %>', ['a']),
        ])

    def test_yaql_unparseable(self):
        self._check([
            ('<% $.x + %>', []),
            ('<% $.x where $ > 1 %>', []),
            ('<% ) %>', []),
            ('<%%>', []),
            ('<% %>', []),
        ])

    def test_jinja_expressions(self):
        self._check([
            ('{{ _.x }}', ['x']),
            ('{{_.x}}', ['x']),
            ('{{ _.x.y }}', ['x']),
            ("{{ _['x'] }}", ['x']),
            ('{{ _["x"].y }}', ['x']),
            ("{{ _.get('x') }}", ['x']),
            ("{{ _.get('x', _.d) }}", ['x', 'd']),
            ('{{ _.get(_.name) }}', ['name']),
            ('{{ _.x[_.i] }}', ['x', 'i']),
            ('{{ _[_.key] }}', ['key']),
            ('{{ _[0] }}', []),
            ('{{ _.a + _.b | length }}', ['a', 'b']),
            ('{{ _.a if _.c else _.b }}', ['a', 'b', 'c']),
            ("{{ task('t1').result }}", []),
            ('{{ _.x | default(_.y) }}', ['x', 'y']),
        ])

    def test_jinja_whole_context_and_other_names(self):
        self._check([
            ('{{ _ }}', []),
            ('{{ _.keys() }}', []),
            ('{{ x.y }}', []),
            ('{{ foo(_.a) }}', ['a']),
        ])

    def test_jinja_blocks(self):
        self._check([
            ('{% for i in _.items %}{{ i.name }}{% endfor %}', ['items']),
            ('{% if _.flag %}{{ _.a }}{% else %}{{ _.b }}{% endif %}',
             ['flag', 'a', 'b']),
            ('{% set v = _.a %}{{ v }}', ['a']),
            ('{% for i in _.l %}{{ _.get("k") }}{% endfor %}', ['l', 'k']),
        ])

    def test_jinja_unparseable(self):
        self._check([
            ('{{ _.x + }}', []),
            ('{{ _.a }} {% if %}', ['a']),
            ('{{ _.a }} {{ ) }}', ['a']),
            ('{% for %}', []),
        ])

    def test_mixed_yaql_and_jinja(self):
        self._check([
            ('<% $.a %> {{ _.b }}', ['a', 'b']),
            ('{{ _.a }} <% $.b.where($.c) %> {% if _.d %}x{% endif %}',
             ['a', 'b', 'd']),
        ])


class TestCollectReferences(oslo_base.BaseTestCase):

    def test_scalars(self):
        self.assertEqual(set(), references.collect_references(None))
        self.assertEqual(set(), references.collect_references(42))
        self.assertEqual({'x'}, references.collect_references('<% $.x %>'))

    def test_nested(self):
        value = {
            'a': '<% $.a %>',
            'b': ['<% $.b1 %>', {'c': ('{{ _.c }}', 1, None)}],
            'plain': 'text',
            'n': 3,
            '<% $.key %>': 'v',
            'k': [[['{{ _.deep }}']]],
        }
        self.assertEqual(
            {'a', 'b1', 'c', 'key', 'deep'},
            references.collect_references(value)
        )

    def test_empty_containers(self):
        for value in ({}, [], (), ''):
            self.assertEqual(set(), references.collect_references(value))


class TestTaskReferences(oslo_base.BaseTestCase):

    def test_empty_task(self):
        self.assertEqual([], references.task_references({}))
        self.assertEqual(
            [], references.task_references({'name': 't', 'action': 'a.b'}))

    def test_skipped_keys(self):
        spec = {
            'name': '<% $.name %>',
            'description': '<% $.description %>',
            'tags': ['<% $.tag %>'],
            'type': '<% $.type %>',
            'version': '<% $.version %>',
            'requires': ['<% $.requires %>'],
            'join': '<% $.join %>',
            'unknown': '<% $.unknown %>',
        }
        self.assertEqual([], references.task_references(spec))

    def test_each_scanned_key(self):
        table = [
            ('action', 'std.echo output=<% $.v %>'),
            ('workflow', 'wf2 param={{ _.v }}'),
            ('input', {'a': '<% $.v %>'}),
            ('publish', {'a': '<% $.v %>'}),
            ('publish-on-error', {'a': '<% $.v %>'}),
            ('publish-on-skip', {'a': '<% $.v %>'}),
            ('on-success', ['t2: <% $.v %>']),
            ('on-error', [{'t2': '<% $.v %>'}]),
            ('on-complete', {'next': [{'t2': '<% $.v %>'}]}),
            ('on-skip', {'publish': {'branch': {'a': '<% $.v %>'}}}),
            ('concurrency', '<% $.v %>'),
            ('target', '<% $.v %>'),
            ('keep-result', '<% $.v %>'),
            ('safe-rerun', '<% $.v %>'),
            ('wait-before', '<% $.v %>'),
            ('wait-after', '<% $.v %>'),
            ('timeout', '<% $.v %>'),
            ('retry', {'count': 3, 'break-on': '<% $.v %>'}),
            ('pause-before', '<% $.v %>'),
            ('fail-on', '<% $.v %>'),
            ('with-items', 'i in <% $.v %>'),
        ]
        for key, value in table:
            self.assertEqual(
                ['v'], references.task_references({key: value}), key)

    def test_with_items_loop_variables_excluded(self):
        spec = {
            'action': 'std.echo output=<% $.i %>-<% $.j %>-<% $.k %>',
            'with-items': ['i in <% $.items %>', 'j in [1, 2]'],
            'publish': {'r': '{{ _.i }}'},
        }
        self.assertEqual(['items', 'k'], references.task_references(spec))

    def test_with_items_single_string_and_jinja(self):
        spec = {
            'input': {'x': '{{ _.item }}'},
            'with-items': 'item in {{ _.things }}',
        }
        self.assertEqual(['things'], references.task_references(spec))

    def test_with_items_source_reads_loop_variable_name(self):
        spec = {
            'input': {'x': '<% $.x %>'},
            'with-items': 'x in <% $.x %>',
        }
        self.assertEqual(['x'], references.task_references(spec))

    def test_on_clause_forms(self):
        spec = {
            'on-success': [
                't2',
                't3: <% $.a > 1 %>',
                {'t4': '<% $.b %>'},
                {'fail msg=<% $.msg %>': '<% $.c %>'},
            ],
            'on-error': 'noop',
            'on-complete': {
                'publish': {
                    'branch': {'x': '<% $.d %>'},
                    'global': {'y': '{{ _.e }}'},
                    'atomic': {'z': '<% $.f %>'},
                },
                'next': [{'t5': '<% $.g %>'}],
            },
        }
        self.assertEqual(
            ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'msg'],
            references.task_references(spec)
        )

    def test_realistic_task(self):
        spec = {
            'name': 'process_vms',
            'version': '2.0',
            'type': 'direct',
            'description': 'Uses <% $.not_read %>',
            'tags': ['ops'],
            'action': 'std.http url=<% $.base_url %>/vms/<% $.vm.id %>',
            'input': {
                'method': 'POST',
                'headers': {'X-Auth-Token': '<% $.token %>'},
                'body': {
                    'name': '{{ _.vm_prefix }}-{{ _.get("suffix") }}',
                    'flavor': '<% $.flavors.where($.ram > 1024).first() %>',
                },
            },
            'with-items': 'vm in <% $.vms.where($.active) %>',
            'concurrency': '<% $.max_parallel %>',
            'retry': {
                'count': '<% $.retries %>',
                'delay': 5,
                'continue-on': '<% task().result.code = 503 %>',
            },
            'timeout': 300,
            'publish': {'ids': '<% task().result.select($.id) %>'},
            'publish-on-error': {'error': '<% task().result %>'},
            'on-success': [
                {'notify': '<% $.notify and len($.emails) > 0 %>'},
                'cleanup',
            ],
            'on-error': [
                {'publish': {'global': {'failed': True}},
                 'next': ['fail msg=<% $.fail_msg %>']},
            ],
            'on-complete': {
                'publish': {
                    'branch': {'done': '{{ _.counter + 1 }}'},
                    'global': {'last': '<% $.vm.id %>'},
                },
                'next': 'report',
            },
        }
        self.assertEqual(
            ['base_url', 'counter', 'emails', 'fail_msg', 'flavors',
             'max_parallel', 'notify', 'retries', 'suffix', 'token',
             'vm_prefix', 'vms'],
            references.task_references(spec)
        )

    def test_result_is_sorted_list(self):
        spec = {'input': {'a': '<% $.zz %>', 'b': '<% $.aa %> <% $.mm %>'}}
        self.assertEqual(['aa', 'mm', 'zz'], references.task_references(spec))
