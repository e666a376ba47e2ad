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

"""The shape of a row of the conformance matrix.

A row is plain data: a workflow, how it is driven to its failure, the
resume an operator asks for and the exact end state that resume must
reach. The same row, run with Mistral's own rerun (``PUT /v2/tasks/{id}``)
where that applies, records stock Mistral's end state beside it.
"""

import re

# A value an operator can fix either way: the task's inbound context wins
# (a resume's "context"), else the execution's env (all that stock rerun
# can change).
_FIX = re.compile(r'FIX\((\w+)\)')


def workflow(text):
    """A YAML definition in which FIX(name) reads a fixable value."""
    return _FIX.sub(r'coalesce($.get(\1), env().get(\1))', text)


class End(object):
    """The exact end state of an execution (top execution and sub-workflows).

    :param state: the top execution's state.
    :param runs: for every task that has a task execution (a sub-workflow's
        tasks named by dotted path), how many actions or sub-workflow
        executions it ran over all its task executions: how often its work
        was really done. A task missing here must never have run.
    :param iterations: task executions per task, where not 1 (cycles,
        handlers that ran at every completion).
    :param errors: tasks with a task execution in ERROR (a re-run reuses
        the failed execution, so a fixed failure leaves none; a replaced
        sub-workflow keeps its own).
    :param published: what the latest task execution of a task published,
        for the tasks named.
    :param output: the top execution's output, when given.
    :param unfinished: "task is STATE" for every task left unfinished: only
        in a wrong outcome, where nothing is left that would move them.
    :param says: one sentence for the documentation.
    """

    def __init__(self, state, runs, says, iterations=None, errors=(),
                 published=None, output=None, unfinished=()):
        self.state = state
        self.runs = dict(runs)
        self.says = says
        self.iterations = dict(iterations or {})
        self.errors = sorted(errors)
        self.published = dict(published or {})
        self.output = output
        self.unfinished = list(unfinished)

    def as_dict(self):
        """What is compared with an observed end state (not the sentence)."""
        out = {'state': self.state, 'runs': self.runs,
               'iterations': self.iterations, 'errors': self.errors,
               'published': self.published, 'unfinished': self.unfinished}
        if self.output is not None:
            out['output'] = self.output
        return out

    def __eq__(self, other):
        return self.as_dict() == other.as_dict()

    def __ne__(self, other):
        return not self == other


class Differs(object):
    """Any end state but the row's.

    A wrong outcome that varies between runs (it depends on the order in
    which parallel actions finish).
    """

    def __init__(self, says):
        self.says = says


class Refused(object):
    """A resume (or stock rerun) that is refused and changes nothing.

    :param codes: the requirement codes of a refused resume, sorted; for a
        stock rerun, the HTTP status of Mistral's answer, or "unchanged"
        when Mistral accepts the rerun and does nothing.
    :param says: one sentence for the documentation.
    :param detail: a fragment of stock Mistral's error message.
    """

    def __init__(self, codes, says, detail=None):
        self.codes = codes
        self.says = says
        self.detail = detail


class Stock(object):
    """The same failure handled with Mistral's own rerun.

    ``PUT /v2/tasks/{id}`` with ``{"state": "RUNNING", "reset": ...,
    "env": ...}``: the only thing stock rerun changes is the env, so the
    row's failures read FIX() values.

    :param task: the task to rerun (dotted path into sub-workflows); None
        for a plain resume (``PUT /v2/executions/{id}``, state RUNNING).
    :param env: the env update that fixes the failure.
    :param end: stock's end state (End) where it differs from the row's,
        or what its refusal says (Refused); None: stock reaches the row's
        end state too.
    :param reset: as upstream's ``reset`` field.
    :param after: steps after the rerun (as Row.after).
    """

    def __init__(self, task, env, end=None, reset=True, after=()):
        self.task = task
        self.env = env
        self.end = end
        self.reset = reset
        self.after = tuple(after)


class Row(object):
    """One construct, one way to resume it, one exact expected end.

    :param name: the test's name (a Python identifier).
    :param construct: what the row exercises, for the documentation.
    :param mode: the resume, in words (rerun, rerun with context, ...).
    :param definition: the workflow YAML (see workflow()); its first
        workflow is started unless ``start`` names another.
    :param resume: the body of POST /v2/executions/{id}/resumes; a point's
        ``task`` written "@path" stands for that task's execution id.
    :param end: the exact end state the resume must reach (End), or the
        refusal (Refused).
    :param fails: the state the execution stops in (ERROR or PAUSED).
    :param env: the env the execution starts with (the failing values).
    :param wf_input: the execution's input.
    :param start: the workflow to start; for a reverse workflow,
        ``(name, task_name)``.
    :param before: steps between the start and the resume (see runner).
    :param after: steps after the resume, before the end state is read.
    :param stock: the stock rerun of the same failure (Stock), or a
        sentence saying why stock has nothing comparable.
    :param pending: "case N" of issue 11 when the product does not reach
        ``end`` yet because the fix is on another branch; ``current`` is
        then what it reaches today, and the row asserts exactly that, so it
        fails (and the mark must go) once the fix is merged.
    :param current: the end reached today by a pending row.
    :param warnings: the warnings the resume record carries, as the names
        of the tasks they are about (none for a correct request).
    """

    def __init__(self, name, construct, mode, definition, resume, end,
                 fails='ERROR', env=None, wf_input=None, start=None,
                 before=(), after=(), stock=None, pending=None,
                 current=None, warnings=()):
        if (pending is None) != (current is None):
            raise ValueError('%s: pending and current go together' % name)
        self.name = name
        self.construct = construct
        self.mode = mode
        self.definition = workflow(definition)
        self.resume = resume
        self.end = end
        self.fails = fails
        self.env = env
        self.wf_input = wf_input
        self.start = start
        self.before = tuple(before)
        self.after = tuple(after)
        self.stock = stock
        self.pending = pending
        self.current = current
        self.warnings = list(warnings)

    @property
    def expected(self):
        """What the product reaches today."""
        return self.current if self.pending else self.end

    def __repr__(self):
        return '<Row %s>' % self.name
