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
    # handles it, so a context given to a rerun would be lost (verified).
    # Mistral offers no hook there; we re-apply the stored change after it.
    _ORIGINALS['update_inbound_context'](self)
    override = (self.task_ex.runtime_context or {}).get(OVERRIDE_KEY)
    if override and override.get('context') is not None:
        self.task_ex.in_context = overridden_context(
            self.task_ex.in_context, override
        )
        # Action input, target and with-items read self.ctx too.
        self.ctx = dict(self.task_ex.in_context)


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
    # Mistral 23.0.0, engine/tasks.py WithItemsTask._get_next_indexes: on a
    # rerun with reset=false it takes the failed iterations plus every index
    # after the highest failed one, as if those had never started. When the
    # failed iteration is not the last one, later iterations that already
    # succeeded run again and are accepted twice; the accepted results then
    # outnumber the items, is_with_items_completed() never holds and the
    # task stays RUNNING for good (verified with Mistral's own
    # rerun_workflow). The contract says reset=false re-runs the failed
    # iterations only, so for a task re-run by a resume the iterations whose
    # result is already accepted are dropped. Mistral's own reruns (which
    # wipe our key from the runtime context) keep its behaviour.
    indexes = _ORIGINALS['get_next_indexes'](self)
    if OVERRIDE_KEY not in (self.task_ex.runtime_context or {}):
        return indexes
    done = {ex.runtime_context.get('index')
            for ex in self.task_ex.executions
            if ex.accepted and ex.runtime_context}
    return [i for i in indexes if i not in done]


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
