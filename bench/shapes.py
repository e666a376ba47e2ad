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

"""The execution shapes of the scaling benchmark, as plain data.

Each shape is a set of workflow definitions (YAML, as an operator writes
them) and a tree of executions that ran them: every task run with the
state, ``triggered_by``, ``error_handled``, ``published`` and inbound
context Mistral 23 would have stored. Nothing here touches a database
(``bench.dbgen`` writes the tree); no Mistral import, so the shapes can be
checked on their own.

- ``wide``: one flat execution, ``start`` fanning out to W parallel
  branches (``bNNNN_fetch -> bNNNN_build -> bNNNN_test``) into a ``join``;
  10% of the branches fail in ``build`` (their ``test`` never ran) and the
  join failed on their behalf. The resume names every failed ``build``.
- ``fanout``: ``start -> fan -> collect`` where ``fan`` is a with-items
  workflow task: K parallel sub-workflow executions, each a chain of ten
  steps; 10% of them fail at step 5. The resume names every failure by its
  task execution id (the dotted path is ambiguous across iterations).
- ``deep``: nested sub-workflows, five levels, each level a long chain of
  L steps whose last step starts two sub-workflows (``sub_a``, ``sub_b``)
  in parallel; two leaves fail on their last step, and every workflow task
  above them failed with them. The resume names both by dotted path.

The size is the number of task executions; each shape picks its width or
chain length to come as close as it can.
"""

import uuid

import yaml

SHAPES = ('wide', 'fanout', 'deep')

FAILED_SHARE = 10       # one branch in ten fails (wide, fanout)
FAN_STEPS = 10          # steps of a fanout branch
FAN_FAIL_AT = 5         # the step a failed fanout branch stops at
DEEP_LEVELS = 5         # top + 4 levels of sub-workflows
DEEP_FAILING = (('sub_b',) * 4, ('sub_a', 'sub_a', 'sub_a', 'sub_b'))
# Variables a chain keeps publishing in turn: the inbound context stays
# the size a real workflow's does instead of growing with the chain.
ROTATING_VARS = 8

_ACTION_ERROR = (
    "The action raised an exception [action=<mistral.actions.std_actions."
    "EchoAction object at 0x7f00deadbeef>, action_ex_id=%s, msg='exit "
    "code 1: build step failed']"
)


def _id():
    return str(uuid.uuid4())


class Run(object):
    """One task execution to write."""

    def __init__(self, name, state, triggered_by=(), published=None,
                 in_context=None, state_info=None, error_handled=False,
                 child=None, children=None, with_items=None):
        self.id = _id()
        self.name = name
        self.state = state
        self.triggered_by = [t.id for t in triggered_by]
        self.published = published or {}
        self.in_context = in_context or {}
        self.state_info = state_info
        self.error_handled = error_handled
        # Sub-workflow executions this run started.
        self.children = list(children or ([child] if child else []))
        self.with_items = with_items

    @property
    def is_workflow(self):
        return bool(self.children)


class Execution(object):
    """One workflow execution to write, with its runs."""

    def __init__(self, workflow, state, runs=(), state_info=None,
                 input=None, index=0):
        self.id = _id()
        self.workflow = workflow
        self.state = state
        self.runs = list(runs)
        self.state_info = state_info
        self.input = input or {}
        self.index = index

    def walk(self):
        yield self
        for run in self.runs:
            for child in run.children:
                yield from child.walk()

    @property
    def task_count(self):
        return sum(len(ex.runs) for ex in self.walk())


class Shape(object):
    """What bench.dbgen writes and what the benchmark then asks."""

    def __init__(self, name, size, definitions, top, points, params):
        self.name = name
        self.size = size
        self.definitions = definitions   # {workflow name: YAML text}
        self.top = top
        self.points = points             # what the dry-run resume names
        self.params = params             # the shape's own dimensions


def _yaml(workflows):
    doc = {'version': '2.0'}
    doc.update(workflows)
    return yaml.safe_dump(doc, sort_keys=False)


def _context(base, published_so_far):
    context = dict(base)
    context.update(published_so_far)
    return context


def _failed_state_info(task_ex_ids):
    return 'Failure caused by error in tasks: %s' % ', '.join(task_ex_ids)


# wide --------------------------------------------------------------------

def _wide_definition(name, width):
    tasks = {
        'start': {
            'action': 'std.echo',
            'input': {'output': '<% $.release %>'},
            'publish': {'run_id': '<% task().result %>'},
            'on-success': ['b%04d_fetch' % i for i in range(width)],
        }
    }
    for i in range(width):
        b = 'b%04d' % i
        tasks[b + '_fetch'] = {
            'action': 'std.echo',
            'input': {'output': '<% $.run_id %>/' + b},
            'publish': {b + '_src': '<% task().result %>'},
            'on-success': [b + '_build'],
        }
        tasks[b + '_build'] = {
            'action': 'std.echo',
            'input': {'output': '<%% $.%s_src %%>' % b},
            'publish': {b + '_artifact': '<% task().result %>'},
            'on-success': [b + '_test'],
        }
        tasks[b + '_test'] = {
            'action': 'std.echo',
            'input': {'output': '<%% $.%s_artifact %%>' % b},
            'publish': {b + '_ok': '<% task().result %>'},
            'on-success': ['join'],
        }
    tasks['join'] = {
        'join': 'all',
        'action': 'std.echo',
        'input': {'output': 'all branches done'},
    }
    return {name: {'input': [{'release': '1.0'}], 'tasks': tasks}}


def wide(size):
    width = max(2, int(round((size - 2) / 2.9)))
    name = 'bench_wide_%d' % width
    base = {'release': '1.0'}
    start = Run('start', 'SUCCESS', published={'run_id': 'r-1'},
                in_context=base)
    runs = [start]
    failed = []
    for i in range(width):
        b = 'b%04d' % i
        ctx = _context(base, {'run_id': 'r-1'})
        fetch = Run(b + '_fetch', 'SUCCESS', [start],
                    published={b + '_src': 'src-%d' % i}, in_context=ctx)
        ctx = _context(ctx, fetch.published)
        runs.append(fetch)
        if i % FAILED_SHARE == FAILED_SHARE // 2:
            build = Run(b + '_build', 'ERROR', [fetch], in_context=ctx,
                        state_info=_ACTION_ERROR % _id())
            runs.append(build)
            failed.append(build)
            continue
        build = Run(b + '_build', 'SUCCESS', [fetch],
                    published={b + '_artifact': 'art-%d' % i},
                    in_context=ctx)
        runs.append(build)
        ctx = _context(ctx, build.published)
        runs.append(Run(b + '_test', 'SUCCESS', [build],
                        published={b + '_ok': True}, in_context=ctx))
    last_tests = [r for r in runs if r.name.endswith('_test')][-3:]
    runs.append(Run(
        'join', 'ERROR', last_tests,
        state_info='Failed by tasks: %s' % ', '.join(
            '%s [task_ex_id=%s]' % (f.name, f.id) for f in failed[:20]),
        in_context=base))
    top = Execution(name, 'ERROR', runs, input=base,
                    state_info=_failed_state_info([f.id for f in failed]))
    points = [{'task': f.name} for f in failed]
    return Shape('wide', size, {name: _yaml(_wide_definition(name, width))},
                 top, points, {'branches': width, 'failures': len(failed)})


# fanout ------------------------------------------------------------------

def _fanout_definitions(top_name, branch_name):
    steps = {}
    for i in range(FAN_STEPS):
        step = {
            'action': 'std.echo',
            'input': {'output': '<%% $.v%d %%>' % (i % ROTATING_VARS)},
            'publish': {'v%d' % ((i + 1) % ROTATING_VARS):
                        '<% task().result %>'},
        }
        if i < FAN_STEPS - 1:
            step['on-success'] = ['s%02d' % (i + 1)]
        steps['s%02d' % i] = step
    branch = {'input': ['item', {'v0': 'seed'}],
              'output': {'result': '<%% $.v%d %%>'
                                   % (FAN_STEPS % ROTATING_VARS)},
              'tasks': steps}
    top = {
        'input': ['items'],
        'tasks': {
            'start': {
                'action': 'std.echo',
                'input': {'output': '<% $.items.len() %>'},
                'publish': {'count': '<% task().result %>'},
                'on-success': ['fan'],
            },
            'fan': {
                'with-items': 'item in <% $.items %>',
                'workflow': branch_name,
                'input': {'item': '<% $.item %>'},
                'publish': {'results': '<% task().result %>'},
                'on-success': ['collect'],
            },
            'collect': {
                'action': 'std.echo',
                'input': {'output': '<% $.results %>'},
            },
        },
    }
    return {top_name: top}, {branch_name: branch}


def _chain(prefix, steps, fail_at, base, triggered_by=None, fmt='s%02d'):
    """A chain of steps; the run at fail_at (if any) is the last, ERROR."""
    runs = []
    published = {}
    previous = triggered_by
    for i in range(steps):
        ctx = _context(base, published)
        if i == fail_at:
            run = Run(fmt % i, 'ERROR', [previous] if previous else (),
                      in_context=ctx, state_info=_ACTION_ERROR % _id())
            runs.append(run)
            return runs
        var = 'v%d' % ((i + 1) % ROTATING_VARS)
        run = Run(fmt % i, 'SUCCESS', [previous] if previous else (),
                  published={var: '%s-%d' % (prefix, i)}, in_context=ctx)
        published.update(run.published)
        runs.append(run)
        previous = run
    return runs


def fanout(size):
    per_ok, per_failed = FAN_STEPS, FAN_FAIL_AT + 1
    average = (per_ok * (FAILED_SHARE - 1) + per_failed) / FAILED_SHARE
    count = max(2, int(round((size - 2) / average)))
    top_name, branch_name = 'bench_fanout_%d' % count, 'bench_fan_branch'
    items = ['host-%05d' % i for i in range(count)]
    base = {'items': items}
    start = Run('start', 'SUCCESS', published={'count': count},
                in_context=base)
    children = []
    failures = []
    for i, item in enumerate(items):
        fails = i % FAILED_SHARE == FAILED_SHARE // 2
        runs = _chain(item, FAN_STEPS, FAN_FAIL_AT if fails else None,
                      {'item': item, 'v0': 'seed'})
        if fails:
            failures.append(runs[-1])
        children.append(Execution(
            branch_name, 'ERROR' if fails else 'SUCCESS', runs,
            input={'item': item, 'v0': 'seed'}, index=i,
            state_info=_failed_state_info([runs[-1].id]) if fails else None))
    fan = Run('fan', 'ERROR', [start], children=children,
              in_context=_context(base, start.published),
              state_info='One or more actions had failed.',
              with_items={'count': count, 'capacity': count})
    top = Execution(top_name, 'ERROR', [start, fan], input=base,
                    state_info=_failed_state_info([fan.id]))
    top_def, branch_def = _fanout_definitions(top_name, branch_name)
    points = [{'task': f.id} for f in failures]
    definitions = {branch_name: _yaml(branch_def), top_name: _yaml(top_def)}
    return Shape('fanout', size, definitions, top, points,
                 {'branches': count, 'failures': len(failures)})


# deep --------------------------------------------------------------------

def _deep_definition(name, level, length, child_name):
    tasks = {}
    for i in range(length):
        step = {
            'action': 'std.echo',
            'input': {'output': '<%% $.v%d %%>' % (i % ROTATING_VARS)},
            'publish': {'v%d' % ((i + 1) % ROTATING_VARS):
                        '<% task().result %>'},
        }
        if i < length - 1:
            step['on-success'] = ['s%04d' % (i + 1)]
        elif child_name:
            step['on-success'] = ['sub_a', 'sub_b']
        tasks['s%04d' % i] = step
    if child_name:
        for sub in ('sub_a', 'sub_b'):
            tasks[sub] = {
                'workflow': child_name,
                'input': {'v0': '<%% $.v%d %%>' % (length % ROTATING_VARS)},
                'publish': {sub + '_done': '<% task().result %>'},
            }
    return {name: {'input': [{'v0': 'seed'}], 'tasks': tasks}}


def _deep_execution(names, level, length, path):
    base = {'v0': 'seed'}
    leaf = level == len(names) - 1
    failing = leaf and path in DEEP_FAILING
    runs = _chain('/'.join(path) or 'top', length,
                  length - 1 if failing else None, base, fmt='s%04d')
    failures = [(path, runs[-1])] if failing else []
    if not leaf:
        last = runs[-1]
        ctx = _context(base, {k: v for r in runs[-ROTATING_VARS:]
                              for k, v in r.published.items()})
        for sub in ('sub_a', 'sub_b'):
            child, inner = _deep_execution(names, level + 1, length,
                                           path + (sub,))
            failures.extend(inner)
            ok = child.state == 'SUCCESS'
            runs.append(Run(
                sub, 'SUCCESS' if ok else 'ERROR', [last], child=child,
                published={sub + '_done': 'ok'} if ok else None,
                in_context=ctx,
                state_info=None if ok else _failed_state_info([child.id])))
    failed = [r.id for r in runs if r.state == 'ERROR']
    return Execution(names[level], 'ERROR' if failed else 'SUCCESS', runs,
                     input=base, state_info=_failed_state_info(failed)
                     if failed else None), failures


def deep(size):
    executions = 2 ** DEEP_LEVELS - 1
    workflow_tasks = 2 * (2 ** (DEEP_LEVELS - 1) - 1)
    length = max(2, int(round((size - workflow_tasks) / executions)))
    names = ['bench_deep_%d_l%d' % (length, level)
             for level in range(DEEP_LEVELS)]
    definitions = {}
    for level, name in enumerate(names):
        child = names[level + 1] if level + 1 < len(names) else None
        definitions[name] = _yaml(_deep_definition(name, level, length,
                                                   child))
    top, failures = _deep_execution(names, 0, length, ())
    points = [{'task': '.'.join(path + (run.name,))}
              for path, run in failures]
    return Shape('deep', size, definitions, top, points,
                 {'levels': DEEP_LEVELS, 'executions': executions,
                  'chain': length, 'failures': len(failures)})


def build(shape, size):
    return {'wide': wide, 'fanout': fanout, 'deep': deep}[shape](size)
