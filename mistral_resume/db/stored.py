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

"""Mistral's execution tables as stored: JSON columns come as text.

The analysis reads a few columns of thousands of rows and needs the JSON
of a few of them only (core.model.Deferred decodes those on first use).
Mistral's mapped columns decode every value as it is fetched, and its JSON
column types (JsonEncodedMediumText, JsonEncodedLongText, Mistral 23.0.0)
do not set ``cache_ok``: SQLAlchemy warns (SAWarning) and compiles every
statement that names them anew. These lightweight tables name the same
tables and columns with plain types, so the text comes as stored and the
statements are cached. Queries run in the caller's Mistral session.
"""

from mistral.db.sqlalchemy import base as db_base
from mistral.db.sqlalchemy import types as mistral_types
from mistral.db.v2 import api as db_api
from mistral.db.v2.sqlalchemy import models
from mistral import utils
import sqlalchemy as sa


def _as_stored(table):
    return sa.table(table.name, *[
        sa.column(c.name, sa.Text() if isinstance(
            c.type, mistral_types.JsonEncoded) else c.type)
        for c in table.columns
    ])


TASKS = _as_stored(models.TaskExecution.__table__)
WORKFLOWS = _as_stored(models.WorkflowExecution.__table__)

# What Mistral's JSON columns decode their text with.
decode = utils.from_json_str


@db_base.session_aware()
def rows(statement, session=None):
    """The rows of a select, in the caller's transaction."""
    return session.execute(statement).all()


def value(table, column, row_id):
    """One decoded JSON column of one row (None if there is no such row)."""
    found = rows(sa.select(table.c[column]).where(table.c.id == row_id))
    return decode(found[0][0]) if found else None


class Execution(object):
    """A workflow execution read for a read-only call.

    Its plain columns, and the text of its JSON columns where the query
    that found it fetched them (others are read when asked). The whole ORM
    object took a third of a small analysis: Mistral's JSON column types
    carry no cache key, so that query is compiled anew on every call, and
    each deferred column is another query.
    """

    FIELDS = ('id', 'project_id', 'state', 'task_execution_id',
              'root_execution_id')

    def __init__(self, fields, texts=None):
        """From FIELDS by name, and JSON columns' text by name."""
        for name in self.FIELDS:
            setattr(self, name, fields[name])
        self._texts = dict(texts or {})

    @classmethod
    def visible(cls, execution_id):
        """Read through Mistral's ``get_workflow_execution``.

        With its visibility rule: 404 for another project's execution.
        """
        row = db_api.get_workflow_execution(execution_id,
                                            fields=list(cls.FIELDS))
        return cls({name: getattr(row, name) for name in cls.FIELDS})

    def _json(self, column):
        if column in self._texts:
            return decode(self._texts[column])
        return value(WORKFLOWS, column, self.id)

    @property
    def context(self):
        return self._json('context')

    @property
    def params(self):
        return self._json('params')

    @property
    def input(self):
        return self._json('input')
