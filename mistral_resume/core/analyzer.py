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

"""The analysis: what a resume request needs, and what it would do.

Given an execution tree and a request, it either plans every point (what it
will do, which tasks a "continue" starts, warnings) or lists every unmet
requirement together; it never stops at the first.
"""

from mistral_resume.core import failures as failures_mod
from mistral_resume.core import graph
from mistral_resume.core import held_back as held_back_mod
from mistral_resume.core import quoting
from mistral_resume.core import request as request_mod
from mistral_resume.core import requirements as req
from mistral_resume.core import resolve as resolve_mod

RESUMABLE_STATES = ('PAUSED', 'ERROR')


class PlannedPoint(object):
    """A point resolved to its run, with what applying it would do."""

    def __init__(self, point, run, next_tasks=(), warnings=(), inner=()):
        self.point = point
        self.run = run
        self.next_tasks = list(next_tasks)
        self.warnings = list(warnings)
        # A sub-workflow task re-run without a new context re-runs these,
        # the failures inside it, rather than the whole sub-workflow.
        self.inner = list(inner)

    def to_dict(self):
        data = self.point.to_dict()
        data.update({
            'task': self.run.name,
            'path': self.run.path,
            'task_execution_id': self.run.id,
            'state': self.run.state,
        })
        if self.point.mode == request_mod.CONTINUE:
            data['next_tasks'] = self.next_tasks
        if self.inner:
            data['reruns'] = [
                {'task': r.name, 'path': r.path, 'task_execution_id': r.id}
                for r in self.inner
            ]
        return data


class Analysis(object):
    def __init__(self, root, failures, requirements, planned, warnings,
                 held_back=()):
        self.root = root
        self.failures = failures
        self.requirements = requirements
        self.planned = planned
        self.warnings = warnings
        # Completed runs whose transitions the resume follows (HeldBack).
        self.held_back = list(held_back)

    @property
    def resumable(self):
        return (self.root.state in RESUMABLE_STATES and
                not self.root.untrusted_parent)

    @property
    def ok(self):
        return not self.requirements


def analyze(root, request, evaluate):
    """Analyse a request against an execution tree.

    :param root: the top ExecutionNode.
    :param request: a parsed ResumeRequest (no points: a plain resume).
    :param evaluate: callable(expression, layers) for transition
        conditions (see core.graph.next_tasks).
    :raises request.InvalidRequest: where the points contradict the
        workflow in a way that makes the request malformed (reset: false
        without with-items, two points for one task).
    """
    failures = failures_mod.Failures(root)
    requirements = []
    warnings = []

    if root.state not in RESUMABLE_STATES:
        requirements.append(req.execution_not_resumable(root))
    elif root.untrusted_parent:
        requirements.append(req.untrusted_parent(root))

    planned = []
    for point in request.points:
        run, unmet = resolve_mod.resolve(root, failures, point.task)
        if unmet is not None:
            requirements.append(unmet)
            continue
        planned.append(_plan_point(point, run, failures, requirements,
                                   evaluate))

    _check_overlaps(planned)
    _warn_unprovided(planned)

    held = []
    if root.state in RESUMABLE_STATES:
        named = {p.run.id for p in planned}
        point_runs = [r for p in planned for r in [p.run] + p.inner]
        # Without points (resume_requirements), what resuming from the
        # failures would do.
        held = held_back_mod.find(
            root, held_back_mod.resumed_executions(
                root, point_runs or failures.innermost),
            evaluate, excluded={r.id for r in point_runs})
        # A failure that ended while its execution was stopped, and whose
        # on-error transitions the resume follows, is handled by them.
        handled_by_resume = {h.run.id for h in held if h.handles_error}
        unhandled = [f for f in failures.unhandled
                     if f.id not in handled_by_resume]
        for failure in unhandled:
            if not failures.covered_by(failure, named):
                requirements.append(req.unresolved_failure(failure))
        # A resume from nowhere would follow nothing (the held-back
        # transitions go with a point), so every failure handled, or about
        # to be, still needs a point.
        if root.state == 'ERROR' and not request.points and not unhandled:
            requirements.append(
                req.resume_point_required(root, failures.innermost)
            )
        if root.state == 'PAUSED' and not request.points:
            pausing = _paused_by(failures, evaluate)
            if pausing:
                requirements.append(req.resume_point_required_after_pause(
                    root, pausing))
            else:
                warnings.extend(_plain_resume_warnings(failures))

    for planned_point in planned:
        warnings.extend(planned_point.warnings)
    warnings.extend(h.warning() for h in held)

    return Analysis(root, failures, requirements, planned, warnings, held)


def _plan_point(point, run, failures, requirements, evaluate):
    node = run.execution
    if point.mode == request_mod.RERUN:
        if not point.reset and not run.with_items:
            raise request_mod.InvalidRequest(
                '"reset": false applies to with-items tasks only; task %s '
                'has no with-items.' % run.path
            )
        # Without a new context, a sub-workflow task stands for the
        # failures inside it (the contract); with one, its sub-workflow
        # starts anew from the changed input, as Mistral's rerun of it does.
        inner = failures.inside(run) if point.context is None else []
        return PlannedPoint(point, run, inner=inner)

    missing = [n for n in graph.declared_publish(node, run.name)
               if n not in point.published]
    if missing:
        requirements.append(req.missing_published(run, missing))
    started, warnings = graph.next_tasks(node, run, point.published,
                                         evaluate)
    return PlannedPoint(point, run, started, warnings)


def _warn_unprovided(planned):
    """Warn of variables that the tasks "continue" starts read unprovided.

    Every point of the request provides something: a "continue" its
    supplied values, a "rerun" what its task's publish clause declares
    (the task publishes it when the re-run succeeds, before the tasks it
    joins with run).
    """
    provided = {}
    for p in planned:
        for run in [p.run] + p.inner:
            names = provided.setdefault(run.execution.id, set())
            if p.point.mode == request_mod.CONTINUE and run is p.run:
                names.update(p.point.published)
            else:
                names.update(graph.declared_publish(run.execution, run.name))
    for p in planned:
        if p.point.mode != request_mod.CONTINUE:
            continue
        node = p.run.execution
        p.warnings.extend(graph.unprovided_references(
            node, p.run, p.point.published, p.next_tasks,
            also_provided=provided.get(node.id, ())))


def _check_overlaps(planned):
    by_id = {}
    for p in planned:
        other = by_id.get(p.run.id)
        if other is not None:
            raise request_mod.InvalidRequest(
                'Points %s and %s name the same task execution %s.'
                % (quoting.quote(other.point.task),
                   quoting.quote(p.point.task), p.run.id)
            )
        by_id[p.run.id] = p
    for p in planned:
        parent = p.run.execution.parent_run
        while parent is not None:
            if parent.id in by_id:
                raise request_mod.InvalidRequest(
                    'Point %s lies inside sub-workflow task %s, which '
                    'another point already names.'
                    % (quoting.quote(p.point.task), parent.path)
                )
            parent = parent.execution.parent_run


def _paused_by(failures, evaluate):
    """The handled failures whose own transitions paused the execution.

    Mistral records no engine command among a task's next tasks, so the
    failed task's on-error and on-complete transitions are evaluated again
    (over what it left behind, as when it failed) to see whether they
    lead to "pause". A failure handled otherwise (a notification task),
    in an execution someone paused by hand, is not one of them.
    """
    pausing = []
    for failure in failures.innermost:
        node = failure.execution
        if (node.state != 'PAUSED' or node.type != 'direct' or
                not failure.error_handled):
            continue
        targets, _warnings = graph.taken_transitions(
            node, failure, failure.published, evaluate, 'ERROR')
        if 'pause' in targets:
            pausing.append(failure)
    return pausing


def _plain_resume_warnings(failures):
    return [
        'A plain resume leaves failed task %s (task execution %s) in %s and '
        'skips its on-success tasks, as upstream Mistral does; name it with '
        'mode "rerun" or "continue" to go on from it.'
        % (f.path, f.id, f.state)
        for f in failures.innermost if failures.is_handled(f)
    ]


def failure_view(failures, run):
    """A failure as listed by resume_requirements."""
    node = run.execution
    return {
        'task': run.name,
        'task_execution_id': run.id,
        'path': run.path,
        'state': run.state,
        'state_info': run.state_info,
        'error_handled': failures.is_handled(run),
        'with_items': run.with_items,
        'modes': list(request_mod.MODES),
        'publish': graph.declared_publish(node, run.name),
        'next_tasks': graph.outbound_names(node, run),
    }


def requirements_view(analysis):
    """The body of GET /v2/executions/{id}/resume_requirements."""
    root = analysis.root
    return {
        'execution_id': root.id,
        'state': root.state,
        'resumable': analysis.resumable,
        'plain_resume': root.state == 'PAUSED' and analysis.ok,
        'failures': [failure_view(analysis.failures, f)
                     for f in analysis.failures.innermost],
        'requirements': analysis.requirements,
        'warnings': analysis.warnings,
    }
