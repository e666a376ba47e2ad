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

"""Tasks that completed while their execution was stopped.

A parallel sibling of a failure may finish after the failure stopped the
execution. Mistral (23.0.0) completes it and publishes its variables, but
follows no transition of a task whose workflow is no longer RUNNING. In a
PAUSED execution it keeps the task unprocessed, with its next tasks
computed, and its own resume goes on from there. In an ERROR execution it
marks the task processed with no next task at all, and nothing ever goes
on from it: a join waiting on it later fails with "Failed by tasks"
although the task succeeded.

A resume follows those transitions, once, as if the execution had been
RUNNING when the task completed. Such a task is told apart from one whose
transitions were followed by what Mistral recorded (processed, no next
task, nothing triggered by it) and by its transitions, evaluated as
Mistral evaluates them: a task that really had nowhere to go has no taken
transition now either.
"""

from mistral_resume.core import failures as failures_mod
from mistral_resume.core import graph

# The final states whose transitions Mistral follows (on-skip aside).
_FOLLOWED = ('SUCCESS', 'ERROR')


class HeldBack(object):
    """A completed run whose transitions a resume processes."""

    def __init__(self, run, targets):
        self.run = run
        # The tasks (and engine commands) its transitions start.
        self.targets = list(targets)

    @property
    def handles_error(self):
        """A failed run whose on-error transitions will handle it."""
        return self.run.state == 'ERROR' and any(
            t not in graph.ENGINE_COMMANDS for t in self.targets)

    def warning(self):
        tasks = [t for t in self.targets if t not in graph.ENGINE_COMMANDS]
        return (
            'Task %s (task execution %s) ended in %s while execution %s '
            'was stopped, so its transitions were not followed; the resume '
            'follows them and starts %s.'
            % (self.run.path, self.run.id, self.run.state,
               self.run.execution.id, ', '.join(tasks))
        )


def find(root, resumed, evaluate, excluded=()):
    """The held-back runs of the executions a resume sets RUNNING.

    :param root: the analysed execution tree.
    :param resumed: ids of the executions the resume sets RUNNING.
    :param evaluate: callable(expression, layers), as for graph.next_tasks.
    :param excluded: ids of runs the resume points name (a point decides
        what happens to them).
    :return: a list of HeldBack, in creation order per execution.
    """
    found = []
    for node in root.walk():
        # A PAUSED execution keeps such tasks unprocessed, with their next
        # tasks computed, and Mistral's resume goes on from them (the
        # applier keeps that working, see engine.applier._paused_work).
        if (node.id not in resumed or node.state != 'ERROR' or
                node.type != 'direct'):
            continue
        triggering = {t for r in node.runs for t in r.triggered_by}
        for run in node.runs:
            if run.id in excluded or run.id in triggering:
                continue
            targets = _targets(node, run, evaluate)
            if targets:
                found.append(HeldBack(run, targets))
    return found


def _targets(node, run, evaluate):
    if run.state not in _FOLLOWED or failures_mod.is_join_cascade(run):
        return []
    if not run.processed or run.has_next_tasks is not False:
        # It started a task (or it is not known whether it did): its
        # transitions were followed. Unprocessed in an ERROR execution: it
        # was force-failed (an error in its input, publish or transitions)
        # and is a failure to name.
        return []
    if run.state == 'ERROR' and run.error_handled:
        return []
    targets, _warnings = graph.taken_transitions(
        node, run, run.published, evaluate, run.state)
    # Only a task to start shows that transitions were left behind: a
    # transition to an engine command alone (fail, succeed...) is not
    # recorded among Mistral's next tasks even when it was followed.
    if not any(t not in graph.ENGINE_COMMANDS for t in targets):
        return []
    return targets


def resumed_executions(root, runs):
    """Ids of the executions a resume of these runs sets RUNNING.

    A point sets its execution and every parent RUNNING (as Mistral's
    rerun does).
    """
    ids = set()
    for run in runs:
        node = run.execution
        while node is not None:
            ids.add(node.id)
            parent = node.parent_run
            node = parent.execution if parent is not None else None
    return ids
