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

"""What the core knows of an execution: plain objects, loaded once.

A tree of workflow executions (the top one and its sub-workflows), each with
its workflow spec and all its task executions ("runs"). Heavy columns such
as the inbound context are fetched only for the runs that need them,
through the loader the engine hands in; stored values the loader fetched
may come as Deferred, decoded the first time they are read.
"""

import weakref


class Deferred(object):
    """A stored value decoded on first use: ``decode(raw)``.

    An analysis of 10,000 task executions reads the spec, the published
    variables and the runtime context of a few runs only (failures, named
    runs, workflow tasks); decoding every run's JSON took half its time.
    """

    __slots__ = ('decode', 'raw')

    def __init__(self, decode, raw):
        self.decode = decode
        self.raw = raw


class _Decoded(object):
    """An attribute that may hold a Deferred, decoded once when read.

    ``empty`` makes what a missing value reads as (None stays None without
    it), as the constructors did with ``value or {}``.
    """

    def __init__(self, slot, empty=None):
        self.slot = slot
        self.empty = empty

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = getattr(obj, self.slot)
        if type(value) is Deferred:
            value = value.decode(value.raw)
            if not value and self.empty is not None:
                value = self.empty()
            setattr(obj, self.slot, value)
        return value

    def __set__(self, obj, value):
        setattr(obj, self.slot, value)


def _or_empty(value, empty):
    return value if type(value) is Deferred else (value or empty())


class TaskRun(object):
    """One task execution."""

    __slots__ = ('id', 'name', 'state', 'state_info', 'error_handled',
                 '_spec', 'created_at', '_triggered_by', '_published',
                 '_execution', 'children', 'has_actions', '_in_context',
                 'processed', 'has_next_tasks', '__weakref__')

    spec = _Decoded('_spec', dict)
    triggered_by = _Decoded('_triggered_by', list)
    published = _Decoded('_published')

    def __init__(self, id, name, state, spec, state_info=None,
                 error_handled=False, created_at=None, triggered_by=(),
                 published=None, in_context=None, has_actions=True,
                 processed=True, has_next_tasks=None):
        self.id = id
        self.name = name
        self.state = state
        self.state_info = state_info
        self.error_handled = bool(error_handled)
        self.spec = _or_empty(spec, dict)
        self.created_at = created_at
        self.triggered_by = (triggered_by if type(triggered_by) is Deferred
                             else list(triggered_by or ()))
        self.published = published
        self.has_actions = has_actions
        self._in_context = in_context
        # Mistral's bookkeeping of a completed task's transitions: whether
        # they were processed, and whether they started a task (None:
        # unknown, as for runs built by hand).
        self.processed = bool(processed)
        self.has_next_tasks = has_next_tasks
        self._execution = None
        # Sub-workflow executions this run started (one per iteration of a
        # with-items workflow task).
        self.children = []

    # The links up the tree (run -> its execution, execution -> the run
    # that started it) are weak: with strong ones every analysis left its
    # whole tree as cyclic garbage, and at 10,000s of runs Python's
    # collector then took most of the time (bench/, first run).
    @property
    def execution(self):
        return self._execution() if self._execution is not None else None

    @execution.setter
    def execution(self, node):
        self._execution = weakref.ref(node) if node is not None else None

    @property
    def path(self):
        prefix = self.execution.path_prefix if self.execution else ''
        return prefix + self.name

    @property
    def with_items(self):
        return bool(self.spec.get('with-items'))

    @property
    def is_workflow_task(self):
        return bool(self.spec.get('workflow'))

    @property
    def in_context(self):
        if self._in_context is None and self.execution is not None:
            self._in_context = self.execution.load_in_context(self) or {}
        return self._in_context or {}

    def __repr__(self):
        return '<TaskRun %s %s %s>' % (self.path, self.id, self.state)


class ExecutionNode(object):
    """One workflow execution with its runs, linked into the tree."""

    input = _Decoded('_input', dict)
    context = _Decoded('_context', dict)
    env = _Decoded('_env', dict)

    def __init__(self, id, state, wf_spec, runs, state_info=None,
                 workflow_name=None, input=None, context=None, env=None,
                 context_loader=None):
        self.id = id
        self.state = state
        self.state_info = state_info
        self.wf_spec = wf_spec
        self.workflow_name = workflow_name or wf_spec.get_name()
        self.input = _or_empty(input, dict)
        self.context = _or_empty(context, dict)
        self.env = _or_empty(env, dict)
        self._parent_run = None
        self._context_loader = context_loader
        # The task execution this execution (or one above it) names as the
        # one that started it, where that link is not trusted (a link its
        # creator set, into another project): Mistral's rerun would follow
        # it up into that other execution.
        self.untrusted_parent = None
        self.runs = sorted(runs, key=_creation_order)
        self._by_name = {}
        for run in self.runs:
            run.execution = self
            self._by_name.setdefault(run.name, []).append(run)

    @property
    def parent_run(self):
        return self._parent_run() if self._parent_run is not None else None

    @parent_run.setter
    def parent_run(self, run):
        self._parent_run = weakref.ref(run) if run is not None else None

    @property
    def type(self):
        return self.wf_spec.get_type()

    @property
    def path_prefix(self):
        if self.parent_run is None:
            return ''
        return self.parent_run.path + '.'

    def attach_child(self, run, child):
        """Link a sub-workflow execution under the task run that started it."""
        run.children.append(child)
        child.parent_run = run

    def runs_of(self, name):
        return list(self._by_name.get(name, ()))

    def has_task(self, name):
        return self.wf_spec.get_tasks().get(name) is not None

    def task_spec(self, name):
        return self.wf_spec.get_tasks()[name]

    def load_in_context(self, run):
        if self._context_loader is None:
            return {}
        return self._context_loader(run)

    def walk(self):
        """This execution and every sub-workflow execution below it."""
        yield self
        for run in self.runs:
            for child in run.children:
                yield from child.walk()


def _creation_order(run):
    # Runs without a timestamp (hand-built in tests) keep their order.
    return (run.created_at is None, run.created_at or 0)
