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

"""Tasks that ended while their execution was stopped, on hand-built states.

The workflow is tests/unit/test_analyzer.py's "main": b1 leads to the join
j, b2 to j and (when go is true) to side, b3 to j or, on error, to handler,
whose only transition is the "fail" command.
"""

from oslotest import base as oslo_base

from mistral_resume.core import analyzer
from mistral_resume.core import held_back
from mistral_resume.core import model
from mistral_resume.core import request
from mistral_resume.engine import evaluate
from tests.unit import test_analyzer

spec = test_analyzer.spec


def run(id, name, state, next_tasks=(), processed=True, by=(), ctx=None,
        handled=False):
    """A completed run of "main"; next_tasks None: unknown."""
    return model.TaskRun(
        id=id, name=name, state=state,
        spec=spec('main').get_tasks()[name].to_dict(),
        error_handled=handled, triggered_by=by, in_context=ctx or {},
        published={}, processed=processed,
        has_next_tasks=None if next_tasks is None else bool(next_tasks))


_ROOTS = []


def find(runs, state='ERROR', resumed=True, excluded=()):
    root = model.ExecutionNode('wf', state, spec('main'), runs)
    # Runs refer to their execution weakly: keep it for the assertions.
    _ROOTS[:] = [root]
    return held_back.find(root, {'wf'} if resumed else set(),
                          evaluate.evaluate, excluded)


def found(held):
    return [(h.run.name, h.targets) for h in held]


class TestFind(oslo_base.BaseTestCase):

    def test_success_with_transitions_left_behind(self):
        held = find([run('1', 't1', 'SUCCESS', [('b1', 'on-success')]),
                     run('2', 'b1', 'SUCCESS', by=['1'])])
        self.assertEqual([('b1', ['j'])], found(held))
        self.assertFalse(held[0].handles_error)
        self.assertIn('b1 (task execution 2)', held[0].warning())
        self.assertIn('starts j', held[0].warning())

    def test_conditions_decide(self):
        self.assertEqual([('b2', ['j', 'side'])], found(find(
            [run('2', 'b2', 'SUCCESS', ctx={'go': True})])))
        self.assertEqual([('b2', ['j'])], found(find(
            [run('2', 'b2', 'SUCCESS', ctx={'go': False})])))

    def test_transitions_already_followed(self):
        self.assertEqual([], find([run('2', 'b1', 'SUCCESS', [('j', 'x')])]))
        # Something it started says so as well.
        self.assertEqual([], find([
            run('2', 'b1', 'SUCCESS'),
            run('3', 'j', 'WAITING', next_tasks=None, processed=False,
                by=['2'])]))

    def test_what_mistral_did_not_record_is_not_guessed(self):
        # Unprocessed: force-failed, a failure to name.
        self.assertEqual([], find([run('2', 'b3', 'ERROR', None, False)]))
        # Unknown next tasks.
        self.assertEqual([], find([run('2', 'b1', 'SUCCESS', None)]))

    def test_engine_commands_alone_are_not_left_behind(self):
        # handler's only transition ("fail") is never among next tasks.
        self.assertEqual([], find([run('5', 'handler', 'SUCCESS')]))

    def test_failure_with_an_error_handler(self):
        held, = find([run('4', 'b3', 'ERROR')])
        self.assertEqual(['handler'], held.targets)
        self.assertTrue(held.handles_error)
        # Already handled: its handler ran.
        self.assertEqual([], find([run('4', 'b3', 'ERROR', handled=True)]))

    def test_only_where_the_resume_goes_on(self):
        runs = [run('2', 'b1', 'SUCCESS')]
        self.assertEqual([], find(runs, resumed=False))
        # A PAUSED execution: Mistral's resume goes on from them itself.
        self.assertEqual([], find(runs, state='PAUSED'))
        # A point names it: the point decides.
        self.assertEqual([], find(runs, excluded={'2'}))

    def test_resumed_executions(self):
        inner = model.TaskRun(id='i', name='c', state='ERROR',
                              spec=spec('inner').get_tasks()['c'].to_dict())
        child = model.ExecutionNode('sub', 'ERROR', spec('inner'), [inner])
        parent = run('p', 'sub', 'ERROR', None, False)
        root = model.ExecutionNode('wf', 'ERROR', spec('main'), [parent])
        root.attach_child(parent, child)
        self.assertEqual({'sub', 'wf'},
                         held_back.resumed_executions(root, [inner]))
        self.assertEqual({'wf'}, held_back.resumed_executions(root, [parent]))


class TestAnalysis(oslo_base.BaseTestCase):
    """What the analysis makes of them."""

    def analyze(self, runs, *points):
        self.root = model.ExecutionNode('wf', 'ERROR', spec('main'), runs)
        return analyzer.analyze(self.root,
                                request.parse({'points': list(points)}),
                                evaluate.evaluate)

    def test_a_late_failure_with_a_handler_needs_no_point(self):
        runs = [run('1', 't1', 'SUCCESS', [('b2', 'x'), ('b3', 'x')]),
                run('2', 'b2', 'ERROR', None, False, by=['1']),
                run('4', 'b3', 'ERROR', by=['1'])]
        analysis = self.analyze(runs, {'task': 'b2'})
        self.assertTrue(analysis.ok, analysis.requirements)
        self.assertEqual(['b3'], [h.run.name for h in analysis.held_back])
        warning, = analysis.warnings
        self.assertIn('starts handler', warning)

    def test_without_points_a_point_is_still_required(self):
        # b3's error is about to be handled, the other one was: an ERROR
        # execution is never resumed from nowhere.
        runs = [run('1', 't1', 'SUCCESS', [('b3', 'x'), ('b2', 'x')]),
                run('2', 'b2', 'ERROR', handled=True, by=['1']),
                run('4', 'b3', 'ERROR', by=['1'])]
        required, = self.analyze(runs).requirements
        self.assertEqual('RESUME_POINT_REQUIRED', required['code'])
