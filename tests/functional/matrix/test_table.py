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

"""The documentation's table is the matrix the tests run."""

from oslotest import base as oslo_base

from tests.functional.matrix import model
from tests.functional.matrix import rows
from tests.functional.matrix import table


class TestTable(oslo_base.BaseTestCase):

    def test_page_holds_the_generated_table(self):
        with open(table.PAGE) as f:
            text = f.read()
        self.assertEqual(
            table.table(), table.page_table(text),
            'doc/source/semantics.rst is out of date: run '
            '"python -m tests.functional.matrix.table".')

    def test_rows_are_complete(self):
        names = [row.name for row in rows.ROWS]
        self.assertEqual(len(names), len(set(names)))
        for row in rows.ROWS:
            self.assertTrue(row.name.isidentifier(), row.name)
            if row.pending:
                self.assertRegex(row.pending, r'^case \d+$')
            if isinstance(row.stock, model.Stock) and isinstance(
                    row.stock.end, model.End) and isinstance(
                    row.end, model.End):
                # Recorded only where stock differs from the right end.
                self.assertNotEqual(row.end.as_dict(),
                                    row.stock.end.as_dict(), row.name)
