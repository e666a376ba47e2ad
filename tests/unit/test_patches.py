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

import inspect

from mistral.db.sqlalchemy import sqlite_lock
from mistral.engine import tasks
from mistral.lang.v2 import tasks as lang_tasks
import testtools

from mistral_resume import patches


class TestPatchedMistral(testtools.TestCase):
    """Fails when the Mistral functions we patch change shape."""

    def _original(self):
        return patches._ORIGINALS.get('update_inbound_context',
                                      tasks.Task._update_inbound_context)

    def test_update_inbound_context_shape(self):
        original = self._original()
        self.assertEqual(['self'],
                         list(inspect.signature(original).parameters))
        source = inspect.getsource(original)
        # What the patch relies on: the context is rebuilt from upstream
        # tasks into self.ctx and merged into task_ex.in_context.
        self.assertIn('get_task_inbound_context', source)
        self.assertIn('self.ctx', source)
        self.assertIn('self.task_ex.in_context', source)

    def test_sqlite_lock_shape(self):
        original = patches._ORIGINALS.get('acquire_sqlite_lock',
                                          sqlite_lock.acquire_lock)
        self.assertEqual(['obj_id', 'session'],
                         list(inspect.signature(original).parameters))
        # The patch reads who holds a lock from here.
        self.assertIn('_locks[obj_id] = (session,',
                      inspect.getsource(original))

    def test_sqlite_lock_is_reentrant_per_session(self):
        patches.apply()
        session, other = object(), object()
        self.addCleanup(sqlite_lock.release_locks, session)
        sqlite_lock.acquire_lock('x-reentrant', session)
        # Would block forever with Mistral's own semaphore.
        sqlite_lock.acquire_lock('x-reentrant', session)
        self.assertIs(session, sqlite_lock.get_locks()['x-reentrant'][0])
        self.assertIsNot(other, sqlite_lock.get_locks()['x-reentrant'][0])

    def test_with_items_next_indexes_shape(self):
        original = patches._ORIGINALS.get(
            'get_next_indexes', tasks.WithItemsTask._get_next_indexes)
        self.assertEqual(['self'],
                         list(inspect.signature(original).parameters))
        # For a resume re-run the patch computes the indexes itself, from
        # what Mistral records: each action execution's
        # runtime_context['index'] and accepted flag, the with-items count
        # and capacity; and Mistral must take the indexes from this method.
        self.assertIn("ex.runtime_context['index']",
                      inspect.getsource(original))
        with_items = inspect.getsource(tasks.WithItemsTask)
        self.assertIn('for i in self._get_next_indexes():', with_items)
        self.assertIn('self._decrease_capacity(1)', with_items)
        for name in ('_get_with_items_count', '_get_with_items_capacity'):
            self.assertEqual(
                ['self'],
                list(inspect.signature(
                    getattr(tasks.WithItemsTask, name)).parameters))

    def test_update_inbound_context_callers(self):
        # The patch keeps a re-run task's stored in_context where Mistral
        # rebuilds it: on a re-run and on completion.
        self.assertIn('self._update_inbound_context()',
                      inspect.getsource(tasks.RegularTask._run_existing))
        self.assertIn('self._update_inbound_context()',
                      inspect.getsource(tasks.Task.complete))
        # and it tells joins, whose context it still rebuilds, by this.
        self.assertIn('def get_join(self)',
                      inspect.getsource(lang_tasks.DirectWorkflowTaskSpec))

    def test_apply_is_idempotent(self):
        patches.apply()
        patches.apply()
        self.assertIs(patches._update_inbound_context,
                      tasks.Task._update_inbound_context)
        self.assertIsNot(patches._update_inbound_context,
                         patches._ORIGINALS['update_inbound_context'])


class TestOverriddenContext(testtools.TestCase):

    def test_merge(self):
        self.assertEqual(
            {'a': 1, 'x': 2, '__v': 0},
            patches.overridden_context({'a': 1, 'x': 1, '__v': 0},
                                       {'context': {'x': 2}})
        )

    def test_replace_keeps_mistral_keys(self):
        self.assertEqual(
            {'x': 2, '__v': 0},
            patches.overridden_context(
                {'a': 1, 'x': 1, '__v': 0},
                {'context': {'x': 2}, 'context_mode': 'replace'})
        )
