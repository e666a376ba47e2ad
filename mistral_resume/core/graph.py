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

"""The task graph around a resume point: what "continue" would start.

Direct workflows follow the failed task's on-success and on-complete
transitions, as Mistral does for a task that succeeded (task defaults
included, conditions evaluated against the context the task would leave
behind). Reverse workflows start the tasks that require it once their other
requirements succeeded.
"""

from mistral_resume.core import failures as failures_mod
from mistral_resume.core import references

# Mistral's engine commands may stand where a task name would.
ENGINE_COMMANDS = frozenset(('fail', 'succeed', 'pause', 'noop'))


def declared_publish(node, name, state='SUCCESS'):
    """Names that the task's publish clause declares for a final state."""
    return publish_names(node.task_spec(name), state)


def publish_names(task_spec, state='SUCCESS'):
    """Names a task spec's publish clause (branch, global, atomic) declares.

    For a final state, as Mistral merges them: task-level publish and, in
    direct workflows, the advanced publish of the matching transitions.
    """
    publish = task_spec.get_publish(state)
    if publish is None:
        return []
    names = set(publish.get_branch() or {})
    names.update(publish.get_global() or {})
    names.update(publish.get_atomic() or {})
    return sorted(names)


def _clauses(node, name, state='SUCCESS'):
    """The transitions Mistral follows from a task ending in a state."""
    spec = node.wf_spec
    first = (spec.get_on_error_clause(name) if state == 'ERROR' else
             spec.get_on_success_clause(name))
    return list(first) + list(spec.get_on_complete_clause(name))


def outbound_names(node, run):
    """What "continue" may start, before conditions are looked at."""
    if node.type == 'reverse':
        return _reverse_dependents(node, run.name)
    names = []
    for target, _cond, _params in _clauses(node, run.name):
        if target not in names:
            names.append(target)
    return names


def _reverse_dependents(node, name):
    spec = node.wf_spec
    return sorted(
        t.get_name() for t in spec.get_tasks()
        if name in spec.get_task_requires(t)
    )


def next_tasks(node, run, published, evaluate):
    """The tasks "continue" would start, and warnings about the choice.

    :param evaluate: callable(expression, layers) evaluating a transition
        condition over context layers (highest priority first).
    """
    warnings = []
    if node.type == 'reverse':
        done = {r.name for r in node.runs
                if r.state in failures_mod.SUCCEEDED_STATES}
        done.add(run.name)
        spec = node.wf_spec
        started = [
            name for name in _reverse_dependents(node, run.name)
            if all(req in done
                   for req in spec.get_task_requires(spec.get_tasks()[name]))
        ]
        return started, warnings

    return taken_transitions(node, run, published, evaluate)


def taken_transitions(node, run, published, evaluate, state='SUCCESS'):
    """The targets of a direct workflow task's transitions for a state.

    Conditions are evaluated over the context the task leaves behind
    (its inbound context and what it published). Targets may be engine
    commands (ENGINE_COMMANDS).

    :return: (targets, warnings about conditions that did not evaluate).
    """
    warnings = []
    layers = None
    started = []
    for target, cond, _params in _clauses(node, run.name, state):
        if cond:
            if layers is None:
                # Loads the inbound context: only for a condition.
                layers = outbound_layers(node, run, published)
            try:
                taken = evaluate(cond, layers)
            except Exception as e:
                warnings.append(
                    'The condition of the transition from %s to %s could '
                    'not be evaluated with the supplied variables (%s); '
                    'it is not counted among the next tasks.'
                    % (run.path, target, e)
                )
                continue
            if not taken:
                continue
        if target not in started:
            started.append(target)
    return started, warnings


def outbound_layers(node, run, published):
    """The context layers the failed task would leave behind.

    As Mistral's ContextView sees them: the task's outbound context, the
    env, the workflow's variables, the input.
    """
    outbound = dict(run.in_context)
    outbound.update(published or {})
    return [
        {'__task_execution': {'id': run.id, 'name': run.name}},
        outbound,
        {'__env': node.env},
        node.context,
        node.input,
    ]


def unprovided_references(node, run, published, started,
                          also_provided=()):
    """Warnings for variables the next tasks read that nothing provides.

    :param also_provided: names the other points of the request provide
        in this execution.
    """
    provided = set(published or {})
    provided.update(also_provided)
    provided.update(run.in_context)
    provided.update(node.context)
    provided.update(node.input)
    for other in node.runs:
        if other.state in failures_mod.SUCCEEDED_STATES:
            provided.update(other.published or {})

    warnings = []
    for name in started:
        if name in ENGINE_COMMANDS or not node.has_task(name):
            continue
        spec = node.task_spec(name).to_dict()
        # What the task publishes itself is read by its own transitions.
        own = set(declared_publish(node, name))
        own.update(declared_publish(node, name, 'ERROR'))
        missing = [v for v in references.task_references(spec)
                   if v not in provided and v not in own]
        if missing:
            warnings.append(
                'Task %s, which "continue" of %s would start, reads %s that '
                'neither the supplied "published" values, the other points '
                'of the request, the context nor the workflow input '
                'provide.'
                % (node.path_prefix + name, run.path,
                   ', '.join('"%s"' % v for v in missing))
            )
    return warnings
