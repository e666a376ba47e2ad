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

"""Fuzzed input on every endpoint of the contract, on the embedded server.

Generated bodies (random JSON, near-valid requests with wrong types, huge
strings, deep nesting, unicode, SQL-looking names, bytes that are not
UTF-8) and path ids are sent over HTTP to a real embedded server. Every
answer must be below 500, and a request that is not accepted must change
nothing: after each one, every execution, task, action and resume record
in the server's database is compared with what was there before.

MISTRAL_RESUME_FUZZ_EXAMPLES sets how many bodies are sent (2,000 by
default, as in CI; ``tox -e fuzz`` sends 10,000); path ids get a quarter
of that. MISTRAL_RESUME_FUZZ_FIGURES names a file the figures are appended
to.
"""

import collections
import contextlib
import json
import os
import sqlite3
from urllib import parse as urlparse

from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
import requests
from testtools import content

from mistral_resume.cmd import embedded as embedded_cmd
from tests import embedded

EXAMPLES = int(os.environ.get('MISTRAL_RESUME_FUZZ_EXAMPLES', '2000'))
FIGURES_FILE = os.environ.get('MISTRAL_RESUME_FUZZ_FIGURES')

FUZZ_SETTINGS = dict(
    deadline=None,
    database=None,  # nothing written into the work tree
    print_blob=True,
    suppress_health_check=list(HealthCheck),
)

# Names and values an attacker or a confused script might send.
SQL_LIKE = (
    "'; DROP TABLE task_executions_v2; --",
    "' OR '1'='1",
    '" OR ""="',
    '1; SELECT * FROM mistral_resume_records',
    "branch_b' --",
    '%', '_', '*', '\\', '\x00', '../../etc/passwd', '{{ 7*7 }}',
    '<% $.x %>', '$(reboot)', 'NaN', 'null', '', ' ',
)
TASK_NAMES = ('start', 'branch_a', 'branch_b', 'branch_c', 'merge',
              'branch_b.x', 'merge.branch_a')
FIELD_NAMES = ('points', 'env', 'reason', 'request_id', 'dry_run', 'task',
               'mode', 'context', 'context_mode', 'published', 'reset')

# Where a generated id stands for one the server knows (see _path_id).
KNOWN_IDS = ('{execution}', '{task}', '{resume}', '{finished}')


def _huge(alphabet):
    # Up to a little over Mistral's default field size limit (1024 KB).
    return st.builds(lambda c, n: c * n, alphabet,
                     st.integers(min_value=1, max_value=1200 * 1024))


texts = st.one_of(st.text(max_size=40), st.sampled_from(SQL_LIKE),
                  _huge(st.sampled_from(('x', 'é', '\U0001f600', '\\'))))

leaves = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-2 ** 70, max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)

json_values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=12),
                                  st.sampled_from(SQL_LIKE + FIELD_NAMES)),
                        children, max_size=4)),
    max_leaves=12,
)

objects = st.dictionaries(st.one_of(st.text(max_size=12),
                                    st.sampled_from(SQL_LIKE)),
                          json_values, max_size=4)


def _either(right):
    """The right type three times in four, anything else otherwise."""
    return st.one_of(right, right, right, json_values)


_point_fields = {
    'task': _either(st.one_of(st.sampled_from(TASK_NAMES), texts)),
    'mode': _either(st.sampled_from(('rerun', 'continue', 'rerun',
                                     'continue', 'skip', ''))),
    'context': _either(objects),
    'context_mode': _either(st.sampled_from(('merge', 'replace', 'patch'))),
    'published': _either(objects),
    'reset': _either(st.booleans()),
}
_request_fields = {
    'env': _either(objects),
    'reason': _either(texts),
    'request_id': _either(texts),
    'dry_run': _either(st.booleans()),
}


def _with_unknown_key(fields):
    """The fields, each optional, sometimes with a key the contract lacks."""
    return st.one_of(
        st.fixed_dictionaries({}, optional=fields),
        st.fixed_dictionaries({}, optional=fields),
        st.fixed_dictionaries({'unknown': json_values}, optional=fields),
    )


points = _with_unknown_key(_point_fields)

resume_requests = _with_unknown_key(dict(
    _request_fields,
    points=_either(st.lists(_either(points), max_size=4))))


_times = _either(st.one_of(
    st.sampled_from(('2026-01-01', '2999-12-31T00:00:00Z', '1970-01-01T00:'
                     '00:00+14:00', 'yesterday', '')), texts))
_filter_fields = {
    'workflow_name': _either(st.one_of(
        st.sampled_from((embedded.PARALLEL, embedded.PLAIN)), texts)),
    'workflow_namespace': _either(texts),
    'state': _either(st.sampled_from(('ERROR', 'PAUSED', 'RUNNING', ''))),
    'failed_task': _either(st.one_of(st.sampled_from(TASK_NAMES), texts)),
    'created_at_from': _times,
    'created_at_to': _times,
    'execution_ids': _either(st.lists(st.one_of(
        st.sampled_from(KNOWN_IDS), st.uuids().map(str), texts),
        max_size=3)),
}

# Batch bodies, always dry runs: nothing they match may change.
batch_requests = st.builds(
    lambda request, batch_filter, extra: dict(
        request, filter=batch_filter, dry_run=True, **extra),
    resume_requests.filter(lambda r: isinstance(r, dict)),
    _either(_with_unknown_key(_filter_fields)),
    st.fixed_dictionaries({}, optional={
        'max_executions': _either(st.integers(-5, 10 ** 9))}),
)

# And mostly well-formed ones, so that many are real dry runs (200).
well_formed_batches = st.builds(
    lambda batch_filter, tasks, context: {
        'filter': batch_filter, 'dry_run': True,
        'points': [dict({'task': t}, **({'context': context} if context
                                        else {})) for t in tasks]},
    st.sampled_from(({'workflow_name': embedded.PARALLEL},
                     {'execution_ids': ['{execution}', '{finished}']},
                     {'workflow_name': embedded.PARALLEL, 'state': 'ERROR',
                      'failed_task': 'branch_b'})),
    st.lists(st.sampled_from(TASK_NAMES), max_size=2, unique=True),
    st.one_of(st.none(), objects),
)


def _nested(depth, open_, close):
    return '{"points": %s}' % (open_ * depth + close * depth)


raw_bodies = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=64).map(lambda t: t.encode('utf-8')),
    # Deeper than any JSON parser's recursion allows.
    st.builds(_nested, st.integers(min_value=1, max_value=200000),
              st.sampled_from(('[', '{"a":')), st.sampled_from((']', '}')))
    .map(lambda t: t.replace('{"a":]', '{"a":[]}').encode()),
    st.sampled_from((b'NaN', b'[1, 2', b'{"points": [}', b'\xff\xfe{}',
                     b'{"points": []}' * 3, b'\x00')),
)


def _dumps(value):
    # Python's json writes NaN and Infinity, as some clients do.
    return json.dumps(value).encode('utf-8')


bodies = st.one_of(
    resume_requests.map(_dumps),
    json_values.map(_dumps),
    raw_bodies,
)

content_types = st.sampled_from(('application/json', 'application/json',
                                 'text/plain', None))

path_ids = st.one_of(
    st.sampled_from(KNOWN_IDS),
    st.uuids().map(str),
    texts,
    st.text(alphabet='0123456789abcdef-', min_size=30, max_size=40),
)

# Mistral's paging parameters and anything else, with any values.
queries = st.dictionaries(
    st.one_of(st.sampled_from(('marker', 'limit', 'sort_keys', 'sort_dirs',
                               'fields', 'all_projects')),
              st.text(max_size=10)),
    st.one_of(st.sampled_from(('created_at', 'id', 'asc', 'desc', '0', '-1',
                               '10', '1e9') + KNOWN_IDS + SQL_LIKE),
              st.text(max_size=40)),
    max_size=4,
)

# (method, path template) of every endpoint of the contract.
ENDPOINTS = (
    ('GET', '/executions/%s/resume_requirements'),
    ('POST', '/executions/%s/resumes'),
    ('GET', '/executions/%s/resumes'),
    ('GET', '/resumes/%s'),
    ('GET', '/tasks/%s/context'),
    ('GET', '/resume_batches/%s'),
)


# What a refused request must leave as it was: every stored column of these
# tables (in_context, published, params, state_info, ...), but updated_at.
# Mistral stamps that in whole seconds: a change within the second of the
# last one would not show in it, and the columns themselves are compared.
SNAPSHOT_TABLES = ('workflow_executions_v2', 'task_executions_v2',
                   'action_executions_v2', 'mistral_resume_records')
NOT_COMPARED = ('updated_at',)


def _columns(db, table):
    return [row[1] for row in db.execute('PRAGMA table_info(%s)' % table)
            if row[1] not in NOT_COMPARED]


def snapshot(db_file):
    """Every execution, task, action and resume record, as stored."""
    uri = 'file:%s?mode=ro' % urlparse.quote(db_file)
    with contextlib.closing(sqlite3.connect(uri, uri=True,
                                            timeout=30)) as db:
        return {
            table: db.execute('SELECT %s FROM %s ORDER BY id' % (
                ', '.join(_columns(db, table)), table)).fetchall()
            for table in SNAPSHOT_TABLES
        }


class FuzzTest(embedded.ExampleServerTestCase):
    """Zero 5xx, and nothing changed by any refused request."""

    # Thousands of HTTP requests per test (about 45 s on an idle 2-core
    # machine; 120 s was passed once under load): OS_TEST_TIMEOUT times
    # this, still a bound on failure only.
    TIMEOUT_SCALING_FACTOR = 4

    @classmethod
    def set_up_server(cls, server):
        super(FuzzTest, cls).set_up_server(server)
        # A finished execution with a resume record, for the read
        # endpoints and for ids of the wrong kind.
        cls.finished = server.start_execution(embedded.PLAIN)
        server.await_settled(cls.finished)
        # What "build" of the plain example would have published.
        resp = requests.post(
            server.api_url + '/executions/%s/resumes' % cls.finished,
            json={'points': [{'task': 'build', 'mode': 'continue',
                              'published': {'items': {'item-0': 'ok'}}}]},
            timeout=30)
        if resp.status_code != 201:
            raise embedded.ServerError('Could not set up a resume record: '
                                       '%s %s' % (resp.status_code, resp.text))
        cls.resume = resp.json()['id']
        cls.task = server.tasks(cls.parallel)['branch_b']['id']
        server.await_settled(cls.finished)
        cls.db_file = os.path.join(server.data_dir, embedded_cmd.DB_FILE)

    def setUp(self):
        super(FuzzTest, self).setUp()
        self.target = self.parallel
        self.statuses = collections.Counter()
        self.accepted = 0
        self.baseline = self.snapshot()

    # The state every refused request must leave as it was.

    def snapshot(self, db_file=None):
        return snapshot(db_file or self.db_file)

    def test_snapshot_sees_every_stored_change(self):
        # On a copy of the server's database: a change to any compared
        # column of any table is a different snapshot.
        copy = os.path.join(self.server.tmp_dir, 'snapshot-check.sqlite')
        self.addCleanup(os.remove, copy)
        with contextlib.closing(sqlite3.connect(self.db_file)) as source, \
                contextlib.closing(sqlite3.connect(copy)) as target:
            source.backup(target)
        before = self.snapshot(copy)
        with contextlib.closing(sqlite3.connect(copy)) as db:
            columns = {t: _columns(db, t) for t in SNAPSHOT_TABLES}
        for table, names in columns.items():
            self.assertTrue(before[table], table)
            for name in names:
                with contextlib.closing(sqlite3.connect(copy)) as db:
                    rowid, value = db.execute(
                        'SELECT rowid, %s FROM %s LIMIT 1'
                        % (name, table)).fetchone()
                    changed = ('x' if value is None else
                               value + 1 if isinstance(value, int) else
                               value + ' ' if isinstance(value, str) else
                               value + b' ')
                    db.execute('UPDATE %s SET %s = ? WHERE rowid = ?'
                               % (table, name), (changed, rowid))
                    db.commit()
                    self.assertNotEqual(before, self.snapshot(copy),
                                        '%s.%s' % (table, name))
                    db.execute('UPDATE %s SET %s = ? WHERE rowid = ?'
                               % (table, name), (value, rowid))
                    db.commit()
        self.assertEqual(before, self.snapshot(copy))
        for column in ('in_context', 'published', 'state_info'):
            self.assertIn(column, columns['task_executions_v2'])
        self.assertIn('params', columns['workflow_executions_v2'])

    def _path_id(self, value):
        known = {'{execution}': self.target, '{finished}': self.finished,
                 '{task}': self.task, '{resume}': self.resume}
        return urlparse.quote(known.get(value, value), safe='')

    def send(self, method, path, body=None, content_type=None, query=None):
        headers = {'Content-Type': content_type} if content_type else {}
        resp = requests.request(method, self.server.api_url + path,
                                data=body, headers=headers, params=query,
                                timeout=60)
        self.statuses[resp.status_code] += 1
        self.assertLess(resp.status_code, 500,
                        '%s %s answered %s: %s'
                        % (method, path[:200], resp.status_code,
                           resp.text[:2000]))
        if resp.status_code == 201:
            self._accepted(resp)
        else:
            self.assertEqual(self.baseline, self.snapshot(),
                             'Changed by %s %s (%s): %r'
                             % (method, path[:200], resp.status_code,
                                (body or b'')[:500]))
        return resp

    def _accepted(self, resp):
        """A generated request that was valid: fine, on a fresh target."""
        self.accepted += 1
        record = resp.json()
        self.assertEqual(self.target, record['execution_id'])
        self.server.await_settled(self.target)
        self.target = self.server.start_execution(embedded.PARALLEL)
        self.server.await_settled(self.target)
        self.baseline = self.snapshot()

    def report(self, name, sent):
        figures = ('%s: sent=%d statuses=%s accepted=%d 5xx=%d'
                   % (name, sent, dict(sorted(self.statuses.items())),
                      self.accepted,
                      sum(n for s, n in self.statuses.items() if s >= 500)))
        self.addDetail('figures', content.text_content(figures))
        if FIGURES_FILE:
            with open(FIGURES_FILE, 'a') as f:
                f.write(figures + '\n')

    # The fuzzing.

    def test_resume_bodies(self):
        sent = collections.Counter()

        @settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
        @given(body=bodies, content_type=content_types)
        def post(body, content_type):
            sent['bodies'] += 1
            self.send('POST', '/executions/%s/resumes' % self.target, body,
                      content_type)

        post()
        self.report('bodies', sent['bodies'])
        self.assertGreaterEqual(sent['bodies'], EXAMPLES)

    def test_batch_dry_runs(self):
        # Fewer: each dry run asks the engine about every matched execution.
        sent = collections.Counter()

        @settings(max_examples=max(EXAMPLES // 8, 1), **FUZZ_SETTINGS)
        @given(body=st.one_of(batch_requests.map(_dumps),
                              well_formed_batches.map(_dumps), raw_bodies))
        def post(body):
            sent['batches'] += 1
            for placeholder in KNOWN_IDS:
                body = body.replace(placeholder.encode(),
                                    self._path_id(placeholder).encode())
            resp = self.send('POST', '/resume_batches', body,
                             'application/json')
            self.assertIn(resp.status_code, (200, 400), resp.text[:500])

        post()
        self.report('batch dry runs', sent['batches'])
        self.assertGreaterEqual(sent['batches'], max(EXAMPLES // 8, 1))

    def test_path_ids_and_queries(self):
        sent = collections.Counter()

        @settings(max_examples=max(EXAMPLES // 4, 1), **FUZZ_SETTINGS)
        @given(endpoint=st.sampled_from(ENDPOINTS), path_id=path_ids,
               query=queries, body=st.one_of(st.none(), bodies))
        def call(endpoint, path_id, query, body):
            method, template = endpoint
            sent['ids'] += 1
            self.send(method, template % self._path_id(path_id),
                      body if method == 'POST' else None,
                      'application/json', query)

        call()
        self.report('path ids', sent['ids'])
        self.assertGreaterEqual(sent['ids'], max(EXAMPLES // 4, 1))
