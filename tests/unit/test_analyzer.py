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

"""The core on hand-built execution states: no database, no engine."""

from mistral.lang import parser as spec_parser
from oslotest import base as oslo_base

from mistral_resume.core import analyzer
from mistral_resume.core import model
from mistral_resume.core import request
from mistral_resume.engine import evaluate

WORKFLOWS = """
version: '2.0'
main:
  tasks:
    t1:
      action: std.noop
      on-success: [b1, b2, b3]
    b1:
      action: std.noop
      publish:
        r1: 1
      on-success: [j]
    b2:
      action: std.noop
      publish:
        r2: 2
        shared: <% $.x %>
      on-success:
        - j
        - side: <% $.go = true %>
    b3:
      action: std.noop
      on-success: [j]
      on-error: [handler]
    handler:
      action: std.noop
      on-success: [fail]
    b5:
      action: std.noop
      publish:
        nobody: <% task().result %>
    b4:
      action: std.noop
      on-error:
        - pause: <% $.get('stop', true) %>
    side:
      action: std.echo output=<% $.nobody %>
    j:
      join: all
      action: std.noop
    sub:
      workflow: inner
inner:
  tasks:
    c:
      action: std.noop
      publish:
        v: 1
reverse:
  type: reverse
  tasks:
    r1:
      action: std.noop
    r2:
      action: std.noop
      requires: [r1]
    r3:
      action: std.noop
      requires: [r2]
"""

_SPECS = {}


def spec(name):
    if not _SPECS:
        for wf in spec_parser.get_workflow_list_spec_from_yaml(WORKFLOWS):
            _SPECS[wf.get_name()] = wf
    return _SPECS[name]


def run(id, name, state, wf, by=(), handled=False, info=None, ctx=None):
    return model.TaskRun(
        id=id, name=name, state=state,
        spec=spec(wf).get_tasks()[name].to_dict(), state_info=info,
        error_handled=handled, triggered_by=by, in_context=ctx or {})


def analyze(root, *points, **body):
    body['points'] = list(points)
    return analyzer.analyze(root, request.parse(body), evaluate.evaluate)


def codes(analysis):
    return [(r['code'], r['task']) for r in analysis.requirements]


class TestParallelBranches(oslo_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.runs = [
            run('1', 't1', 'SUCCESS', 'main'),
            run('2', 'b1', 'SUCCESS', 'main', by=['1']),
            run('3', 'b2', 'ERROR', 'main', by=['1'], ctx={'x': 0}),
            run('4', 'b3', 'ERROR', 'main', by=['1'], handled=True),
            run('5', 'handler', 'SUCCESS', 'main', by=['4']),
            run('6', 'j', 'ERROR', 'main', info="Failed by tasks: ['b2']"),
        ]
        self.root = model.ExecutionNode('wf', 'ERROR', spec('main'),
                                        self.runs)

    def test_no_point(self):
        analysis = analyze(self.root)
        self.assertEqual([('UNRESOLVED_FAILURE', 'b2')], codes(analysis))
        view = analyzer.requirements_view(analysis)
        self.assertEqual(['b2', 'b3'], [f['task'] for f in view['failures']])
        b2 = view['failures'][0]
        self.assertEqual(['r2', 'shared'], b2['publish'])
        self.assertEqual(['j', 'side'], b2['next_tasks'])
        self.assertFalse(view['plain_resume'])

    def test_join_is_not_a_failure_of_its_own(self):
        analysis = analyze(self.root, {'task': 'j'}, {'task': 'b2'})
        (code, task), = codes(analysis)
        self.assertEqual(('NOT_FAILED', 'j'), (code, task))
        self.assertIn('upstream', analysis.requirements[0]['message'])

    def test_everything_wrong_is_reported_together(self):
        analysis = analyze(self.root, {'task': 'nope'}, {'task': 't1'},
                           {'task': 'sub'},
                           {'task': 'b3', 'mode': 'continue'})
        self.assertEqual(
            [('UNKNOWN_TASK', 'nope'), ('ALREADY_SUCCEEDED', 't1'),
             ('NOT_STARTED', 'sub'), ('UNRESOLVED_FAILURE', 'b2')],
            codes(analysis))

    def test_continue_needs_every_declared_name(self):
        analysis = analyze(self.root, {'task': 'b2', 'mode': 'continue',
                                       'published': {'r2': 5}})
        missing, = analysis.requirements
        self.assertEqual('MISSING_PUBLISHED', missing['code'])
        self.assertEqual(['shared'], missing['variables'])

    def test_continue_plans_next_tasks_from_conditions(self):
        analysis = analyze(self.root, {'task': 'b2', 'mode': 'continue',
                                       'published': {'r2': 5, 'shared': 1,
                                                     'go': True}})
        self.assertTrue(analysis.ok, analysis.requirements)
        point, = analysis.planned
        self.assertEqual(['j', 'side'], point.next_tasks)
        warning, = analysis.warnings
        self.assertIn('"nobody"', warning)

        analysis = analyze(self.root, {'task': 'b2', 'mode': 'continue',
                                       'published': {'r2': 5, 'shared': 1,
                                                     'go': False}})
        self.assertEqual(['j'], analysis.planned[0].next_tasks)
        self.assertEqual([], analysis.warnings)

    def test_other_points_provide_what_the_next_tasks_read(self):
        # side, started by continuing b2, reads "nobody".
        b2 = {'task': 'b2', 'mode': 'continue',
              'published': {'r2': 5, 'shared': 1, 'go': True}}
        warning, = analyze(self.root, b2).warnings
        self.assertIn('"nobody"', warning)
        # Supplied by continuing b3, in the same request.
        analysis = analyze(self.root, b2, {
            'task': 'b3', 'mode': 'continue', 'published': {'nobody': 0}})
        self.assertEqual([], analysis.warnings)
        # Declared by the publish clause of a task the request re-runs.
        root = model.ExecutionNode(
            'wf', 'ERROR', spec('main'),
            self.runs + [run('7', 'b5', 'ERROR', 'main', by=['1'])])
        analysis = analyze(root, b2, {'task': 'b5'})
        self.assertTrue(analysis.ok, analysis.requirements)
        self.assertEqual([], analysis.warnings)

    def test_reset_false_needs_with_items(self):
        self.assertRaises(request.InvalidRequest, analyze, self.root,
                          {'task': 'b2', 'reset': False})


class TestHandledFailures(oslo_base.BaseTestCase):

    def test_resume_point_required(self):
        runs = [run('1', 't1', 'SUCCESS', 'main'),
                run('4', 'b3', 'ERROR', 'main', by=['1'], handled=True),
                run('5', 'handler', 'SUCCESS', 'main', by=['4'])]
        root = model.ExecutionNode('wf', 'ERROR', spec('main'), runs)
        required, = analyze(root).requirements
        self.assertEqual('RESUME_POINT_REQUIRED', required['code'])
        self.assertEqual(['4'], [c['task_execution_id']
                                 for c in required['candidates']])
        self.assertTrue(analyze(root, {'task': 'b3'}).ok)

    def test_paused_with_a_handled_failure(self):
        # b3's on-error ran a handler; someone paused the execution.
        runs = [run('1', 't1', 'SUCCESS', 'main'),
                run('4', 'b3', 'ERROR', 'main', by=['1'], handled=True)]
        root = model.ExecutionNode('wf', 'PAUSED', spec('main'), runs)
        analysis = analyze(root)
        view = analyzer.requirements_view(analysis)
        self.assertTrue(view['plain_resume'])
        self.assertIn('leaves failed task b3', view['warnings'][0])

    def test_paused_by_on_error_pause(self):
        runs = [run('1', 't1', 'SUCCESS', 'main'),
                run('4', 'b4', 'ERROR', 'main', by=['1'], handled=True)]
        root = model.ExecutionNode('wf', 'PAUSED', spec('main'), runs)
        analysis = analyze(root)
        view = analyzer.requirements_view(analysis)
        self.assertFalse(view['plain_resume'])
        required, = view['requirements']
        self.assertEqual(('RESUME_POINT_REQUIRED', 'b4', '4'),
                         (required['code'], required['task'],
                          required['task_execution_id']))
        self.assertEqual(['4'], [c['task_execution_id']
                                 for c in required['candidates']])
        self.assertIn('PUT /v2/executions/wf', required['message'])
        self.assertEqual([], view['warnings'])
        # Named, it goes ahead.
        self.assertTrue(analyze(root, {'task': 'b4'}).ok)

    def test_pause_condition_not_taken(self):
        # The pause transition's condition was false: not what paused it.
        runs = [run('1', 't1', 'SUCCESS', 'main'),
                run('4', 'b4', 'ERROR', 'main', by=['1'], handled=True,
                    ctx={'stop': False})]
        root = model.ExecutionNode('wf', 'PAUSED', spec('main'), runs)
        view = analyzer.requirements_view(analyze(root))
        self.assertTrue(view['plain_resume'])

    def test_not_resumable(self):
        root = model.ExecutionNode('wf', 'RUNNING', spec('main'),
                                   [run('1', 't1', 'RUNNING', 'main')])
        analysis = analyze(root, {'task': 't1'})
        self.assertEqual([('EXECUTION_NOT_RESUMABLE', None),
                          ('NOT_FAILED', 't1')], codes(analysis))


class TestCycles(oslo_base.BaseTestCase):

    def test_a_later_run_through_the_failure_supersedes_it(self):
        first, handler, last = ('00000000-0000-0000-0000-00000000000%d' % i
                                for i in (1, 2, 3))
        runs = [run(first, 'b3', 'ERROR', 'main', handled=True),
                run(handler, 'handler', 'SUCCESS', 'main', by=[first]),
                run(last, 'b3', 'ERROR', 'main', by=[handler])]
        root = model.ExecutionNode('wf', 'ERROR', spec('main'), runs)
        analysis = analyze(root, {'task': 'b3'})
        self.assertTrue(analysis.ok, analysis.requirements)
        self.assertEqual(last, analysis.planned[0].run.id)
        old, = analyze(root, {'task': first}, {'task': last}).requirements
        self.assertEqual(('NOT_FAILED', first),
                         (old['code'], old['task_execution_id']))
        self.assertIn('later run', old['message'])

    def test_parallel_runs_of_one_task_are_ambiguous(self):
        runs = [run('1', 't1', 'SUCCESS', 'main'),
                run('2', 'b2', 'ERROR', 'main', by=['1']),
                run('3', 'b2', 'ERROR', 'main', by=['1'])]
        root = model.ExecutionNode('wf', 'ERROR', spec('main'), runs)
        analysis = analyze(root, {'task': 'b2'})
        ambiguous = analysis.requirements[0]
        self.assertEqual(['AMBIGUOUS_TASK', 'UNRESOLVED_FAILURE',
                          'UNRESOLVED_FAILURE'],
                         [r['code'] for r in analysis.requirements])
        self.assertEqual(['2', '3'], [c['task_execution_id']
                                      for c in ambiguous['candidates']])


class TestSubWorkflows(oslo_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.sub = run('p', 'sub', 'ERROR', 'main')
        self.root = model.ExecutionNode('wf', 'ERROR', spec('main'),
                                        [self.sub])
        self.inner = run('c', 'c', 'ERROR', 'inner')
        self.child = model.ExecutionNode('child', 'ERROR', spec('inner'),
                                         [self.inner])
        self.root.attach_child(self.sub, self.child)

    def test_inner_failure_is_reported_by_path(self):
        analysis = analyze(self.root)
        unresolved, = analysis.requirements
        self.assertEqual(('UNRESOLVED_FAILURE', 'c', 'sub.c'),
                         (unresolved['code'], unresolved['task'],
                          unresolved['path']))

    def test_named_by_path_parent_or_unknown(self):
        self.assertTrue(analyze(self.root, {'task': 'sub.c'}).ok)
        self.assertTrue(analyze(self.root, {'task': 'sub'}).ok)
        self.assertEqual([('UNKNOWN_TASK', 'sub.x')],
                         codes(analyze(self.root, {'task': 'sub.x'}))[:1])

    def test_bare_name_of_an_inner_task_suggests_its_path(self):
        unknown = analyze(self.root, {'task': 'c'}).requirements[0]
        self.assertEqual(('UNKNOWN_TASK', 'c', ['sub.c']),
                         (unknown['code'], unknown['task'],
                          unknown['candidates']))
        self.assertIn('name it by its dotted path, sub.c.',
                      unknown['message'])

        # A name no sub-workflow has either: no candidates key at all.
        unknown = analyze(self.root, {'task': 'x'}).requirements[0]
        self.assertEqual('UNKNOWN_TASK', unknown['code'])
        self.assertNotIn('candidates', unknown)

    def test_parent_and_inner_point_overlap(self):
        self.assertRaises(request.InvalidRequest, analyze, self.root,
                          {'task': 'sub'}, {'task': 'sub.c'})

    def test_handled_by_the_parent_task(self):
        self.sub.error_handled = True
        analysis = analyze(self.root)
        self.assertEqual(['RESUME_POINT_REQUIRED'],
                         [r['code'] for r in analysis.requirements])

    def test_untrusted_parent_link_is_not_resumable(self):
        # The loader found a parent link the engine did not make: Mistral's
        # rerun would follow it into another project's execution.
        self.root.untrusted_parent = 'forged-task-id'
        analysis = analyze(self.root, {'task': 'sub.c'})
        entry, = analysis.requirements
        self.assertEqual('EXECUTION_NOT_RESUMABLE', entry['code'])
        self.assertNotIn('forged-task-id', entry['message'])
        self.assertFalse(analysis.resumable)


class TestReverse(oslo_base.BaseTestCase):

    def test_continue_starts_dependents(self):
        runs = [run('1', 'r1', 'SUCCESS', 'reverse'),
                run('2', 'r2', 'ERROR', 'reverse', by=['1'])]
        root = model.ExecutionNode('wf', 'ERROR', spec('reverse'), runs)
        analysis = analyze(root, {'task': 'r2', 'mode': 'continue'})
        self.assertTrue(analysis.ok, analysis.requirements)
        self.assertEqual(['r3'], analysis.planned[0].next_tasks)
