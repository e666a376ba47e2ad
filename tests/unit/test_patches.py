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
import logging
import threading

import fixtures
from mistral.db.sqlalchemy import sqlite_lock
from mistral.engine import tasks
from mistral.lang.v2 import tasks as lang_tasks
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslotest import base as oslo_base

from mistral_resume.cmd import server as server_cmd
from mistral_resume import patches

# How long a thread of a test may take before the test fails (a bound on
# failure only: no assertion depends on it).
JOIN_TIMEOUT = 30


class PatchesTestCase(oslo_base.BaseTestCase):
    """Each test starts unpatched and leaves the process as it found it."""

    def setUp(self):
        super().setUp()
        self.addCleanup(self._restore, bool(patches._APPLIED))
        patches.revert()

    @staticmethod
    def _restore(was_applied):
        patches.revert()
        if was_applied:
            patches.apply()


class TestPatchedMistral(PatchesTestCase):
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
        self.addCleanup(sqlite_lock.get_locks().pop, 'x-reentrant', None)
        sqlite_lock.acquire_lock('x-reentrant', session)
        # Would block forever with Mistral's own semaphore.
        sqlite_lock.acquire_lock('x-reentrant', session)
        self.assertIs(session, sqlite_lock.get_locks()['x-reentrant'][0])

        # Another session still waits for it: it gets the lock only once
        # the holder released it (held once, however often it was taken),
        # and then holds it itself. Let in early, it would never have been
        # recorded as the holder.
        other_holds = threading.Event()

        def take():
            sqlite_lock.acquire_lock('x-reentrant', other)
            other_holds.set()

        taker = threading.Thread(target=take, daemon=True)
        taker.start()
        sqlite_lock.release_locks(session)
        taker.join(JOIN_TIMEOUT)
        self.assertTrue(other_holds.is_set())
        self.assertIs(other, sqlite_lock.get_locks()['x-reentrant'][0])
        sqlite_lock.release_locks(other)

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
        originals = [getattr(p.owner, p.attribute) for p in patches.PATCHES]
        patches.apply()
        patches.apply()
        for patch, original in zip(patches.PATCHES, originals):
            self.assertIs(patch.replacement,
                          getattr(patch.owner, patch.attribute))
            # Applied once: the original is Mistral's, not our own.
            self.assertIs(original, patches._ORIGINALS[patch.name])


class TestApplyAllOrNone(PatchesTestCase):

    def _attributes(self):
        return [getattr(p.owner, p.attribute) for p in self.good]

    def test_a_failure_half_way_restores_every_original(self):
        self.good = patches.PATCHES
        before = self._attributes()
        # As if a new Mistral had renamed the second function patched.
        gone = patches.Patch('gone', tasks.Task, '_renamed_in_mistral_99',
                             lambda self: None, verified_on=('23.0.0',))
        good = self.good
        self.useFixture(fixtures.MonkeyPatch(
            'mistral_resume.patches.PATCHES', good[:1] + (gone,) + good[1:]))
        self.assertRaises(AttributeError, patches.apply)

        self.assertEqual(before, self._attributes())
        self.assertEqual({}, patches._ORIGINALS)
        self.assertNotIn('_renamed_in_mistral_99', vars(tasks.Task))

        # Fixed, a retry applies them all.
        self.useFixture(fixtures.MonkeyPatch(
            'mistral_resume.patches.PATCHES', good))
        patches.apply()
        self.assertEqual([p.replacement for p in good], self._attributes())

    def test_an_inherited_function_is_inherited_again(self):
        class Sub(tasks.Task):
            pass

        inherited = patches.Patch('inherited', Sub, '_update_inbound_context',
                                  lambda self: None, verified_on=('23.0.0',))
        failing = patches.Patch('failing', Sub, '_missing',
                                lambda self: None, verified_on=('23.0.0',))
        self.useFixture(fixtures.MonkeyPatch(
            'mistral_resume.patches.PATCHES', (inherited, failing)))
        self.assertRaises(AttributeError, patches.apply)
        self.assertNotIn('_update_inbound_context', vars(Sub))
        self.assertIs(tasks.Task._update_inbound_context,
                      Sub._update_inbound_context)


class TestMistralVersion(PatchesTestCase):

    def setUp(self):
        super().setUp()
        self.conf = self.useFixture(config_fixture.Config(cfg.CONF))

    def test_installed_mistral_is_the_verified_one(self):
        installed = patches.mistral_version()
        for patch in patches.PATCHES:
            self.assertIn(installed, patch.verified_on, patch.name)
        patches.check_mistral()

    def test_another_version_is_refused_in_one_sentence(self):
        e = self.assertRaises(patches.UntestedMistral,
                              patches.check_mistral, '24.0.0')
        message = str(e)
        self.assertEqual([message], message.splitlines())
        self.assertEqual(1, message.count('. ') + message.endswith('.'))
        self.assertTrue(message.startswith('Mistral 24.0.0 is installed'))
        for patch in patches.PATCHES:
            self.assertIn(patch.target, message)
        self.assertIn('verified on Mistral 23.0.0 only', message)
        self.assertIn('refusing to start', message)
        self.assertIn('[resume] allow_untested_mistral = true', message)
        self.assertIn('mistral.engine.tasks.Task._update_inbound_context',
                      message)
        self.assertIn('mistral.db.sqlalchemy.sqlite_lock.acquire_lock',
                      message)

    def test_engine_refuses_to_start_on_another_version(self):
        self.useFixture(fixtures.MockPatchObject(
            patches, 'mistral_version', return_value='24.0.0'))
        before = [getattr(p.owner, p.attribute) for p in patches.PATCHES]
        self.assertRaises(patches.UntestedMistral, patches.apply)
        self.assertEqual(before,
                         [getattr(p.owner, p.attribute)
                          for p in patches.PATCHES])
        # mistral-resume-server --server engine: refused in the launcher
        # (Mistral's launcher prints a RuntimeError in one "ERROR:" line
        # and exits 1), before any process is started.
        self.assertTrue(issubclass(patches.UntestedMistral, RuntimeError))
        launched = []
        self.useFixture(fixtures.MockPatch(
            'mistral.cmd.launch.launch_process', launched.append))
        self.assertRaises(patches.UntestedMistral, server_cmd.launch_engine)
        self.assertEqual([], launched)

    def test_allowed_untested_version_starts_with_a_warning(self):
        self.conf.config(allow_untested_mistral=True, group='resume')
        log = self.useFixture(fixtures.FakeLogger(
            name='mistral_resume.patches', level=logging.WARNING))
        self.useFixture(fixtures.MockPatchObject(
            patches, 'mistral_version', return_value='24.0.0'))
        patches.apply()
        self.assertEqual([p.replacement for p in patches.PATCHES],
                         [getattr(p.owner, p.attribute)
                          for p in patches.PATCHES])
        line, = log.output.splitlines()
        self.assertIn('Mistral 24.0.0 is installed', line)
        self.assertIn('starting anyway', line)


class TestOverriddenContext(oslo_base.BaseTestCase):

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
