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

"""Every runtime patch of Mistral that mistral-resume needs, in one place.

Patches are applied once per process, by the engine server at start-up,
never on import. Each is one entry of PATCHES: what it replaces, with
what, and the Mistral versions it was verified on; its function says why
it cannot be done otherwise. tests/unit/test_patches.py fails if a
patched function changes shape in a new Mistral, and doc/source/
architecture.rst says what breaks if it does.

On a Mistral version a patch was not verified on, the engine refuses to
start (check_mistral), unless ``[resume] allow_untested_mistral`` says
otherwise. apply() patches all or nothing.
"""

from importlib import metadata
import inspect
import threading

from mistral.db.sqlalchemy import sqlite_lock
from mistral.engine import tasks
from mistral.workflow import states
from oslo_log import log as logging

from mistral_resume import config

LOG = logging.getLogger(__name__)

# Where a rerun point's context change is kept on the task execution, so
# that it is visible later and survives on whichever engine runs the task.
OVERRIDE_KEY = 'mistral_resume'

_LOCK = threading.Lock()
_ORIGINALS = {}


def overridden_context(in_context, override):
    """The inbound context once a rerun point's change is applied.

    "replace" keeps Mistral's own keys (those starting with "__", such as
    the context versions that joins merge by), which no operator supplies.
    """
    if override.get('context_mode') == 'replace':
        result = {k: v for k, v in (in_context or {}).items()
                  if k.startswith('__')}
    else:
        result = dict(in_context or {})
    result.update(override.get('context') or {})
    return result


def _update_inbound_context(self):
    # Mistral 23.0.0, engine/tasks.py Task._update_inbound_context: it
    # rebuilds in_context from the upstream tasks when a task re-runs
    # (_run_existing) and when it completes (complete), on whichever engine
    # handles it. For a re-run that rebuild is wrong twice over:
    # - a context given to the rerun would be lost (verified);
    # - Workflow.rerun wipes the runtime context, triggered_by with it, and
    #   direct_workflow._get_upstream_task_executions then takes every
    #   processed execution of the task's *first* inbound task: inside a
    #   cycle, the cycle's entry task, so the loop restarted from its first
    #   iteration (verified: i back to 0, earlier iterations ran again).
    # A task re-run by a resume keeps the inbound context it ran with
    # (stored, with the point's change applied by the applier), as the
    # contract says. Joins are still rebuilt, then changed again: a join
    # merges its upstream tasks, and one of them may have completed since
    # (a branch finishing after the failure).
    override = (self.task_ex.runtime_context or {}).get(OVERRIDE_KEY)
    if override is not None and not _is_join(self.task_spec):
        # Action input, target and with-items read self.ctx.
        self.ctx = dict(self.task_ex.in_context or {})
        return
    _ORIGINALS['update_inbound_context'](self)
    if override and override.get('context') is not None:
        self.task_ex.in_context = overridden_context(
            self.task_ex.in_context, override
        )
        self.ctx = dict(self.task_ex.in_context)


def _is_join(task_spec):
    # Only direct workflows' tasks have joins.
    get_join = getattr(task_spec, 'get_join', None)
    return bool(get_join and get_join())


def _acquire_sqlite_lock(obj_id, session):
    # Mistral 23.0.0, db/sqlalchemy/sqlite_lock.py acquire_lock: on SQLite
    # the row lock of acquire_lock() is an in-process semaphore that is not
    # re-entrant, unlike SELECT ... FOR UPDATE on PostgreSQL or MySQL. A
    # resume locks the execution, then Mistral's Workflow._recursive_rerun
    # locks each parent of a sub-workflow point again in the same
    # transaction (and once per point): it would deadlock the process. A
    # session that already holds the lock keeps it, as a database would.
    held = sqlite_lock.get_locks().get(obj_id)
    if held is not None and held[0] is session:
        return
    _ORIGINALS['acquire_sqlite_lock'](obj_id, session)


def _get_next_indexes(self):
    # Mistral 23.0.0, engine/tasks.py WithItemsTask._get_next_indexes picks
    # the iterations to start next from the completed executions that are
    # not accepted, plus every index after the highest of them. After a
    # rerun, executions of the failed run are completed and not accepted,
    # so the iterations being re-run stay candidates while they run:
    # - reset=true with concurrency: each slot freed by a finished item is
    #   given to an item still running, which runs twice while a later item
    #   never runs, and the task succeeds with wrong results (verified);
    # - reset=false: the indexes after the highest failed one run again
    #   even when they succeeded; their results are accepted twice and the
    #   task stays RUNNING for good (verified with Mistral's rerun_workflow).
    # For a task re-run by a resume the next iterations are those with no
    # accepted result (reset=false keeps the successful ones accepted) and
    # none in flight, up to the free capacity. Executions still in flight
    # from the failed run were cancelled by the applier
    # (leftovers.supersede_running_actions), so they do not count as in
    # flight. Mistral's own reruns (which wipe our key from the runtime
    # context) keep its behaviour.
    if OVERRIDE_KEY not in (self.task_ex.runtime_context or {}):
        return _ORIGINALS['get_next_indexes'](self)
    taken = {ex.runtime_context.get('index')
             for ex in self.task_ex.executions
             if ex.runtime_context and
             (ex.accepted or not states.is_completed(ex.state))}
    indexes = [i for i in range(self._get_with_items_count())
               if i not in taken]
    return indexes[:self._get_with_items_capacity()]


class Patch(object):
    """One runtime patch: ``owner.attribute`` becomes ``replacement``.

    The replaced function stays reachable as ``_ORIGINALS[name]``.
    """

    def __init__(self, name, owner, attribute, replacement, verified_on):
        self.name = name
        self.owner = owner
        self.attribute = attribute
        self.replacement = replacement
        self.verified_on = tuple(verified_on)

    @property
    def target(self):
        """The dotted name of what is replaced."""
        if inspect.ismodule(self.owner):
            return '%s.%s' % (self.owner.__name__, self.attribute)
        return '%s.%s.%s' % (self.owner.__module__, self.owner.__qualname__,
                             self.attribute)

    def _patch(self):
        """Replace; return how to put the original back."""
        own = self.attribute in vars(self.owner)
        original = getattr(self.owner, self.attribute)
        _ORIGINALS[self.name] = original
        setattr(self.owner, self.attribute, self.replacement)

        def restore():
            if own:
                setattr(self.owner, self.attribute, original)
            else:
                # It was inherited: inherit it again.
                delattr(self.owner, self.attribute)
            _ORIGINALS.pop(self.name, None)
        return restore


PATCHES = (
    Patch('update_inbound_context', tasks.Task, '_update_inbound_context',
          _update_inbound_context, verified_on=('23.0.0',)),
    Patch('acquire_sqlite_lock', sqlite_lock, 'acquire_lock',
          _acquire_sqlite_lock, verified_on=('23.0.0',)),
    Patch('get_next_indexes', tasks.WithItemsTask, '_get_next_indexes',
          _get_next_indexes, verified_on=('23.0.0',)),
)

_APPLIED = []


class UntestedMistral(RuntimeError):
    """The installed Mistral is not one the patches were verified on."""


def mistral_version():
    return metadata.version('mistral')


def check_mistral(version=None, patches=PATCHES):
    """Refuse a Mistral version some patch was not verified on.

    :raises UntestedMistral: one sentence naming the patches and versions,
        unless ``[resume] allow_untested_mistral`` is set (then a warning
        is logged).
    """
    version = version or mistral_version()
    untested = [p for p in patches if version not in p.verified_on]
    if not untested:
        return
    by_versions = {}
    for patch in untested:
        by_versions.setdefault(patch.verified_on, []).append(patch.target)
    what = 'Mistral %s is installed, but mistral-resume patches %s' % (
        version, '; '.join('%s, verified on Mistral %s only'
                           % (', '.join(targets), ', '.join(versions))
                           for versions, targets in by_versions.items()))
    if config.CONF.resume.allow_untested_mistral:
        LOG.warning('%s: starting anyway, as [resume] allow_untested_mistral '
                    'is set; resumes may go wrong.', what)
        return
    raise UntestedMistral(
        '%s: refusing to start (set [resume] allow_untested_mistral = true '
        'to start anyway).' % what)


def apply():
    """Apply every patch, or none (idempotent; a failed apply may retry).

    :raises UntestedMistral: see check_mistral.
    """
    with _LOCK:
        if _APPLIED:
            return
        check_mistral()
        restores = []
        try:
            for patch in PATCHES:
                restores.append(patch._patch())
        except BaseException:
            for restore in reversed(restores):
                restore()
            raise
        _APPLIED.extend(restores)


def revert():
    """Put every original back (tests of apply itself)."""
    with _LOCK:
        while _APPLIED:
            _APPLIED.pop()()
