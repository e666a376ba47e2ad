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

"""The conformance matrix: one test per row, resumed and stock.

TestResume runs every row of rows.ROWS with a mistral-resume resume and
compares the exact end state with the row's. TestStock runs the rows where
stock Mistral has a comparable rerun, with ``PUT /v2/tasks/{id}``, and
compares with what the row records for stock. The two classes run on
separate stestr workers.
"""

from tests import base
from tests.functional.matrix import model
from tests.functional.matrix import rows
from tests.functional.matrix import runner


class _Matrix(runner.MatrixRunner, base.ApiTestCase):

    def compare(self, row, expected, got):
        if isinstance(expected, model.Refused):
            if expected.codes == 'unchanged' or isinstance(got, list):
                self.assertEqual(expected.codes, got)
            else:
                status, message = got
                self.assertEqual(expected.codes, status, message)
                self.assertIn(expected.detail, message)
        elif isinstance(expected, model.Differs):
            self.assertNotEqual(row.end.as_dict(), got)
        else:
            self.assertEqual(expected.as_dict(), _either(expected, got))


def _either(expected, got):
    """got, with each count that a tuple of the row allows taken as it."""
    runs = dict(got['runs'])
    for name, allowed in expected.runs.items():
        if isinstance(allowed, tuple) and runs.get(name) in allowed:
            runs[name] = allowed
    return dict(got, runs=runs)


class TestResume(_Matrix):

    def check(self, row):
        got = self.run_resume(row)
        if row.pending and got == (row.end.codes if isinstance(
                row.end, model.Refused) else row.end.as_dict()):
            self.fail('%s now ends as expected: the fix of issue 11 %s is '
                      'in; remove pending= and current= from the row.'
                      % (row.name, row.pending))
        self.compare(row, row.expected, got)


class TestStock(_Matrix):

    def check(self, row):
        self.compare(row, row.stock.end or row.end, self.run_stock(row))


def _add_tests():
    for row in rows.ROWS:
        setattr(TestResume, 'test_' + row.name,
                lambda self, row=row: self.check(row))
        if isinstance(row.stock, model.Stock):
            setattr(TestStock, 'test_' + row.name,
                    lambda self, row=row: self.check(row))


_add_tests()
