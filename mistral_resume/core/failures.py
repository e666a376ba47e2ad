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

"""Failures: which task runs of an execution tree stopped it short.

A failure is the latest run of a task (per branch) in ERROR or CANCELLED
that no later run of the same task superseded. A join that failed only
because an upstream branch failed is not a failure of its own (Mistral
marks it "Failed by tasks: ..."): the upstream task is. A sub-workflow
task whose child execution holds failures is represented by those inner
failures; it can still be named, and then stands for all of them.
"""

FAILED_STATES = frozenset(('ERROR', 'CANCELLED'))
SUCCEEDED_STATES = frozenset(('SUCCESS', 'SKIPPED'))

# Mistral's direct workflow writes this into a join it fails on behalf of
# its inbound branches (mistral/workflow/direct_workflow.py, 23.0.0).
_JOIN_CASCADE_PREFIX = 'Failed by tasks'


def is_join_cascade(run):
    return (run.state == 'ERROR' and
            (run.state_info or '').startswith(_JOIN_CASCADE_PREFIX))


def is_handled(run):
    """Whether a failure's error was handled here or by a parent task.

    A sub-workflow that failed unhandled inside, but whose task in the
    parent workflow took an on-error transition, was handled there. A
    module function (not only a Failures method) so that the candidates
    of a requirement report the same flag as the failures list.
    """
    while run is not None:
        if run.error_handled:
            return True
        run = run.execution.parent_run if run.execution else None
    return False


class Failures(object):
    """The failures of one execution tree, computed once."""

    def __init__(self, root):
        self.root = root
        self._by_id = {}
        self._nameable = set()
        self._superseded = set()
        # Executions started by a superseded run (or below one).
        self._stale = set()
        for node in root.walk():
            for run in node.runs:
                self._by_id[run.id] = run
            self._scan(node)
        self.innermost = [
            run for node in root.walk() for run in node.runs
            if run.id in self._nameable and not self._has_inner(run)
        ]

    def _scan(self, node):
        # A sub-workflow started by a run that a later run superseded (a
        # loop through a workflow task) was replaced along with that run:
        # its failures are history too, not failures to list or name.
        # walk() yields a parent before its children, so the parent run's
        # verdict is known here.
        parent = node.parent_run
        stale = parent is not None and (
            parent.id in self._superseded or
            (parent.execution is not None and
             parent.execution.id in self._stale))
        if stale:
            self._stale.add(node.id)
        by_name = {}
        for run in node.runs:
            by_name.setdefault(run.name, []).append(run)
        for runs in by_name.values():
            for run in runs:
                if run.state not in FAILED_STATES or is_join_cascade(run):
                    continue
                if stale or (len(runs) > 1 and
                             self._is_superseded(run, runs)):
                    self._superseded.add(run.id)
                    continue
                self._nameable.add(run.id)

    def _is_superseded(self, run, runs):
        """Whether a later run of the same task descends from this one.

        That is a cycle that went through the failed run and came back to
        the task (an on-error loop, say): the later run replaced it. Two
        runs of one task in parallel branches do not descend from each
        other and are both failures. Ancestry, not time, decides: Mistral
        stamps runs in whole seconds, so a fast loop shares one.
        """
        return any(later is not run and self._descends_from(later, run)
                   for later in runs)

    def _descends_from(self, run, ancestor):
        seen = set()
        stack = list(run.triggered_by)
        while stack:
            run_id = stack.pop()
            if run_id == ancestor.id:
                return True
            if run_id in seen:
                continue
            seen.add(run_id)
            upstream = self._by_id.get(run_id)
            if upstream is not None:
                stack.extend(upstream.triggered_by)
        return False

    def _has_inner(self, run):
        return any(self.has_failures(child) for child in run.children)

    def inside(self, run):
        """The innermost failures in the sub-workflows a run started."""
        innermost = {r.id for r in self.innermost}
        return [r for child in run.children for node in child.walk()
                for r in node.runs if r.id in innermost]

    def has_failures(self, execution):
        """Whether an execution or one below it holds a failure."""
        return any(r.id in self._nameable
                   for node in execution.walk() for r in node.runs)

    def get(self, run_id):
        return self._by_id.get(run_id)

    def is_failure(self, run):
        """Whether a run may be named as a resume point."""
        return run.id in self._nameable

    def is_superseded(self, run):
        return run.id in self._superseded

    def is_handled(self, run):
        return is_handled(run)

    @property
    def unhandled(self):
        return [r for r in self.innermost if not self.is_handled(r)]

    def covered_by(self, failure, ids):
        """Whether one of the named runs (their ids) stands for the failure."""
        run = failure
        while run is not None:
            if run.id in ids:
                return True
            run = run.execution.parent_run if run.execution else None
        return False
