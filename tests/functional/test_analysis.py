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

"""The analysis on real executions: resume_requirements and dry runs.

Each class runs one workflow shape to the point where it stops short, with
Mistral's engine in-process, and checks what the product says it would take
(and what it would do) to resume it. Nothing here applies a resume.
"""

from mistral import exceptions as mistral_exc
from mistral.services import workflows as wf_service

from mistral_resume.engine import loader
from tests import base
from tests import workflows


class AnalysisTestCase(base.EngineTestCase):
    """Helpers shared by the shapes below."""

    def assertSentence(self, message, *mentions):
        """A message an operator reads: a full sentence naming the task."""
        self.assertIsInstance(message, str)
        self.assertTrue(message.strip(), 'empty message')
        self.assertTrue(message[0].isupper(), message)
        self.assertTrue(message.rstrip().endswith('.'), message)
        for mention in mentions:
            self.assertIn(mention, message)

    def assertRequirement(self, entry, code, task=None, task_execution_id=None,
                          path=None):
        self.assertEqual(code, entry['code'], entry)
        if task is not None:
            self.assertEqual(task, entry['task'], entry)
        if task_execution_id is not None:
            self.assertEqual(task_execution_id, entry['task_execution_id'],
                             entry)
        if path is not None:
            self.assertEqual(path, entry['path'], entry)
        self.assertSentence(entry['message'], path or task or '')

    def dry_run(self, wf_id, *points, **body):
        return self.resume(wf_id, dry_run=True, points=list(points), **body)

    def planned(self, outcome):
        """The points of a dry run that would go ahead."""
        self.assertEqual('dry_run', outcome['status'], outcome)
        self.assertEqual([], outcome['record']['requirements'])
        self.assertTrue(outcome['record']['dry_run'])
        return outcome['record']['points']

    def unmet(self, outcome):
        self.assertEqual('unmet', outcome['status'], outcome)
        self.assertTrue(outcome['requirements'])
        return outcome['requirements']

    def by_code(self, requirements, code):
        return [r for r in requirements if r['code'] == code]

    def task_id(self, wf_id, name):
        return self.task(wf_id, name)['id']


class TestSingleFailure(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(workflows.CHAIN)
        self.await_workflow_error(self.wf_id)
        self.t2 = self.task_id(self.wf_id, 't2')

    def test_requirements(self):
        view = self.requirements(self.wf_id)
        self.assertEqual(self.wf_id, view['execution_id'])
        self.assertEqual('ERROR', view['state'])
        self.assertTrue(view['resumable'])
        self.assertFalse(view['plain_resume'])
        self.assertEqual([], view['warnings'])
        failure, = view['failures']
        self.assertEqual({
            'task': 't2', 'task_execution_id': self.t2, 'path': 't2',
            'state': 'ERROR', 'error_handled': False, 'with_items': False,
            'modes': ['rerun', 'continue'], 'publish': ['y', 'z'],
            'next_tasks': ['t3'],
        }, {k: v for k, v in failure.items() if k != 'state_info'})
        self.assertIn('check failed', failure['state_info'])
        entry, = view['requirements']
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 't2', self.t2)
        self.assertEqual('ERROR', entry['state'])

    def test_rerun_planned(self):
        before = self.tasks(self.wf_id)
        point, = self.planned(self.dry_run(
            self.wf_id, {'task': 't2', 'context': {'x': 'ok'}}))
        self.assertEqual('t2', point['task'])
        self.assertEqual('t2', point['path'])
        self.assertEqual(self.t2, point['task_execution_id'])
        self.assertEqual('rerun', point['mode'])
        self.assertEqual('merge', point['context_mode'])
        self.assertEqual({'x': 'ok'}, point['context'])
        self.assertTrue(point['reset'])
        self.assertNotIn('next_tasks', point)
        # A dry run changes nothing.
        self.assertEqual(before, self.tasks(self.wf_id))
        self.assertEqual('ERROR', self.execution(self.wf_id).state)

    def test_continue_with_every_published_name(self):
        out = self.dry_run(self.wf_id, {
            'task': 't2', 'mode': 'continue',
            'published': {'y': 'given', 'z': 3}})
        point, = self.planned(out)
        self.assertEqual('continue', point['mode'])
        self.assertEqual(self.t2, point['task_execution_id'])
        self.assertEqual({'y': 'given', 'z': 3}, point['published'])
        self.assertEqual(['t3'], point['next_tasks'])
        self.assertIsNone(point['context_mode'])
        self.assertIsNone(point['reset'])
        # t3 reads "y", which the published values provide.
        self.assertEqual([], out['record']['warnings'])

        # Names the publish clause does not declare are welcome too.
        point, = self.planned(self.dry_run(self.wf_id, {
            'task': 't2', 'mode': 'continue',
            'published': {'y': 1, 'z': 2, 'extra': 3}}))
        self.assertEqual(['t3'], point['next_tasks'])

    def test_continue_with_published_names_missing(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {
            'task': 't2', 'mode': 'continue', 'published': {'y': 'given'}}))
        self.assertRequirement(entry, 'MISSING_PUBLISHED', 't2', self.t2)
        self.assertEqual(['z'], entry['variables'])
        self.assertIn('z', entry['message'])

        entry, = self.unmet(self.dry_run(
            self.wf_id, {'task': 't2', 'mode': 'continue'}))
        self.assertRequirement(entry, 'MISSING_PUBLISHED', 't2', self.t2)
        self.assertEqual(['y', 'z'], entry['variables'])
        self.assertIn('y, z', entry['message'])

    def test_succeeded_task_refused(self):
        reqs = self.unmet(self.dry_run(self.wf_id, {'task': 't1'}))
        self.assertEqual(['ALREADY_SUCCEEDED', 'UNRESOLVED_FAILURE'],
                         self.codes({'requirements': reqs}))
        entry, = self.by_code(reqs, 'ALREADY_SUCCEEDED')
        self.assertRequirement(entry, 'ALREADY_SUCCEEDED', 't1',
                               self.task_id(self.wf_id, 't1'))
        self.assertEqual('SUCCESS', entry['state'])
        entry, = self.by_code(reqs, 'UNRESOLVED_FAILURE')
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 't2', self.t2)

        # In either mode.
        entry, = self.unmet(self.dry_run(
            self.wf_id, {'task': 't2'},
            {'task': 't1', 'mode': 'continue', 'published': {'a': 1}}))
        self.assertRequirement(entry, 'ALREADY_SUCCEEDED', 't1')

    def test_task_that_never_ran(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 't2'},
                                         {'task': 't3'}))
        self.assertRequirement(entry, 'NOT_STARTED', 't3', path='t3')
        self.assertIsNone(entry['task_execution_id'])
        self.assertIn('chain', entry['message'])

    def test_unknown_task(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 't2'},
                                         {'task': 'tt2'}))
        self.assertRequirement(entry, 'UNKNOWN_TASK', 'tt2')
        self.assertIsNone(entry['task_execution_id'])
        self.assertIn('chain', entry['message'])

        missing = '00000000-0000-0000-0000-000000000000'
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 't2'},
                                         {'task': missing}))
        self.assertRequirement(entry, 'UNKNOWN_TASK', missing)

    def test_every_bad_point_reported_together(self):
        out = self.dry_run(
            self.wf_id,
            {'task': 't1'},
            {'task': 't3'},
            {'task': 'nope'},
        )
        reqs = self.unmet(out)
        # t2 is not named: its failure is unresolved as well.
        self.assertEqual(
            ['ALREADY_SUCCEEDED', 'NOT_STARTED', 'UNKNOWN_TASK',
             'UNRESOLVED_FAILURE'],
            self.codes({'requirements': reqs}))
        self.assertEqual(
            {'t1', 't2', 't3', 'nope'}, {r['task'] for r in reqs})
        for entry in reqs:
            self.assertSentence(entry['message'], entry['task'])
            self.assertIn(entry['code'], out['faultstring'])

        reqs = self.unmet(self.dry_run(
            self.wf_id,
            {'task': 't1', 'mode': 'continue', 'published': {}},
            {'task': 't3'},
            {'task': 'nope'},
            {'task': 't2', 'mode': 'continue', 'published': {'z': 1}},
        ))
        self.assertEqual(
            ['ALREADY_SUCCEEDED', 'MISSING_PUBLISHED', 'NOT_STARTED',
             'UNKNOWN_TASK'],
            self.codes({'requirements': reqs}))
        entry, = self.by_code(reqs, 'MISSING_PUBLISHED')
        self.assertEqual(['y'], entry['variables'])

    def test_reset_false_without_with_items_is_malformed(self):
        self.assertRaises(mistral_exc.InputException, self.resume,
                          self.wf_id, dry_run=True,
                          points=[{'task': 't2', 'reset': False}])


# Three parallel branches from one start task; two fail.
PARALLEL = """
version: '2.0'
parallel:
  tasks:
    start:
      action: std.noop
      on-success: [b1, b2, b3]
    b1:
      action: test.check value="bad"
    b2:
      action: test.check value="ok"
    b3:
      action: test.check value="bad"
"""


class TestParallelFailures(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(PARALLEL)
        self.await_workflow_error(self.wf_id)
        self.b1 = self.task_id(self.wf_id, 'b1')
        self.b3 = self.task_id(self.wf_id, 'b3')

    def test_no_point_lists_every_failed_branch(self):
        self.assertEqual(
            {'start': 'SUCCESS', 'b1': 'ERROR', 'b2': 'SUCCESS',
             'b3': 'ERROR'},
            {t['name']: t['state'] for t in self.tasks(self.wf_id)})

        view = self.requirements(self.wf_id)
        self.assertEqual(['b1', 'b3'],
                         sorted(f['task'] for f in view['failures']))
        reqs = sorted(view['requirements'], key=lambda r: r['task'])
        self.assertEqual(2, len(reqs))
        self.assertRequirement(reqs[0], 'UNRESOLVED_FAILURE', 'b1', self.b1)
        self.assertRequirement(reqs[1], 'UNRESOLVED_FAILURE', 'b3', self.b3)

        reqs = self.unmet(self.dry_run(self.wf_id))
        self.assertEqual([('b1', self.b1), ('b3', self.b3)],
                         sorted((r['task'], r['task_execution_id'])
                                for r in reqs))

    def test_naming_one_leaves_the_other(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'b1'}))
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 'b3', self.b3)

        entry, = self.unmet(self.dry_run(self.wf_id, {
            'task': 'b3', 'mode': 'continue', 'published': {}}))
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 'b1', self.b1)

    def test_naming_both_is_planned(self):
        points = self.planned(self.dry_run(
            self.wf_id, {'task': 'b1'},
            {'task': 'b3', 'mode': 'continue', 'published': {}}))
        self.assertEqual([('b1', self.b1, 'rerun'),
                          ('b3', self.b3, 'continue')],
                         [(p['task'], p['task_execution_id'], p['mode'])
                          for p in points])
        self.assertEqual([], points[1]['next_tasks'])

    def test_naming_the_branch_that_succeeded(self):
        reqs = self.unmet(self.dry_run(
            self.wf_id, {'task': 'b1'}, {'task': 'b2'}, {'task': 'b3'}))
        entry, = reqs
        self.assertRequirement(entry, 'ALREADY_SUCCEEDED', 'b2',
                               self.task_id(self.wf_id, 'b2'))


# A failure whose on-error branch ran and ended in "fail".
HANDLED = """
version: '2.0'
handled:
  tasks:
    t1:
      action: std.noop
      on-success: [t2]
    t2:
      action: test.check value="bad"
      publish:
        y: <% task().result %>
      on-success: [t3]
      on-error: [log_it]
    log_it:
      action: std.noop
      on-success: [fail]
    t3:
      action: std.noop
"""


class TestHandledFailure(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(HANDLED)
        self.await_workflow_error(self.wf_id)
        self.t2 = self.task_id(self.wf_id, 't2')

    def test_resume_point_required(self):
        t2 = self.task(self.wf_id, 't2')
        self.assertEqual('ERROR', t2['state'])
        self.assertTrue(t2['error_handled'])
        self.assertEqual('SUCCESS', self.task(self.wf_id, 'log_it')['state'])

        view = self.requirements(self.wf_id)
        self.assertTrue(view['resumable'])
        self.assertFalse(view['plain_resume'])
        failure, = view['failures']
        self.assertEqual('t2', failure['task'])
        self.assertTrue(failure['error_handled'])
        self.assertEqual(['t3'], failure['next_tasks'])
        entry, = view['requirements']
        self.assertEqual('RESUME_POINT_REQUIRED', entry['code'])
        self.assertSentence(entry['message'], 't2', self.wf_id)
        candidate, = entry['candidates']
        self.assertEqual({'task': 't2', 'task_execution_id': self.t2,
                          'path': 't2', 'state': 'ERROR',
                          'error_handled': True}, candidate)

        entry, = self.unmet(self.dry_run(self.wf_id))
        self.assertEqual('RESUME_POINT_REQUIRED', entry['code'])
        self.assertEqual([self.t2], [c['task_execution_id']
                                     for c in entry['candidates']])

    def test_naming_the_handled_failure(self):
        point, = self.planned(self.dry_run(self.wf_id, {'task': 't2'}))
        self.assertEqual(self.t2, point['task_execution_id'])

        point, = self.planned(self.dry_run(self.wf_id, {
            'task': 't2', 'mode': 'continue', 'published': {'y': 1}}))
        self.assertEqual(['t3'], point['next_tasks'])

    def test_naming_the_handler(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'log_it'}))
        self.assertRequirement(entry, 'ALREADY_SUCCEEDED', 'log_it')


# A failure whose on-error transition paused the execution.
ON_ERROR_PAUSE = """
version: '2.0'
pausing:
  tasks:
    t1:
      action: std.noop
      on-success: [t2]
    t2:
      action: test.check value="bad"
      publish:
        y: <% task().result %>
      on-success: [t3]
      on-error:
        - pause
    t3:
      action: std.echo output=<% $.y %>
"""


class TestOnErrorPause(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(ON_ERROR_PAUSE)
        self.await_workflow_paused(self.wf_id)
        self.t2 = self.task_id(self.wf_id, 't2')

    def test_plain_resume_needs_a_point(self):
        view = self.requirements(self.wf_id)
        self.assertEqual('PAUSED', view['state'])
        self.assertTrue(view['resumable'])
        self.assertFalse(view['plain_resume'])
        failure, = view['failures']
        self.assertEqual(('t2', self.t2, True),
                         (failure['task'], failure['task_execution_id'],
                          failure['error_handled']))
        entry, = view['requirements']
        self.assertRequirement(entry, 'RESUME_POINT_REQUIRED', 't2', self.t2)
        self.assertSentence(entry['message'], 't2', self.t2,
                            'PUT /v2/executions/%s' % self.wf_id)
        self.assertEqual([{'task': 't2', 'task_execution_id': self.t2,
                           'path': 't2', 'state': 'ERROR',
                           'error_handled': True}], entry['candidates'])
        self.assertEqual([], view['warnings'])

        entry, = self.unmet(self.dry_run(self.wf_id))
        self.assertRequirement(entry, 'RESUME_POINT_REQUIRED', 't2', self.t2)

    def test_rerun_and_continue_planned(self):
        out = self.dry_run(self.wf_id, {'task': 't2'})
        point, = self.planned(out)
        self.assertEqual(('rerun', self.t2),
                         (point['mode'], point['task_execution_id']))
        # Named, t2 is no longer left behind by the resume.
        self.assertEqual([], out['record']['warnings'])

        point, = self.planned(self.dry_run(self.wf_id, {
            'task': 't2', 'mode': 'continue', 'published': {'y': 'v'}}))
        self.assertEqual(['t3'], point['next_tasks'])


# A manual pause while a task is still running; nothing failed.
LONG = """
version: '2.0'
long:
  tasks:
    t1:
      action: std.async_noop
      on-success: [t2]
    t2:
      action: std.noop
"""


class TestManualPause(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(LONG)
        self.await_task_running(self.task_id(self.wf_id, 't1'))
        self.engine.pause_workflow(self.wf_id)
        self.await_workflow_paused(self.wf_id)

    def test_plain_resume(self):
        view = self.requirements(self.wf_id)
        self.assertEqual('PAUSED', view['state'])
        self.assertTrue(view['resumable'])
        self.assertTrue(view['plain_resume'])
        self.assertEqual([], view['failures'])
        self.assertEqual([], view['requirements'])
        self.assertEqual([], view['warnings'])

        self.assertEqual([], self.planned(self.dry_run(self.wf_id)))

    def test_naming_the_running_task(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 't1'}))
        self.assertRequirement(entry, 'NOT_FAILED', 't1',
                               self.task_id(self.wf_id, 't1'))
        self.assertEqual('RUNNING', entry['state'])
        self.assertIn('RUNNING', entry['message'])


class TestNotResumable(AnalysisTestCase):

    def test_running(self):
        wf_id = self.start(LONG)
        self.await_task_running(self.task_id(wf_id, 't1'))
        view = self.requirements(wf_id)
        self.assertEqual('RUNNING', view['state'])
        self.assertFalse(view['resumable'])
        self.assertFalse(view['plain_resume'])
        entry, = view['requirements']
        self.assertEqual('EXECUTION_NOT_RESUMABLE', entry['code'])
        self.assertEqual('RUNNING', entry['state'])
        self.assertSentence(entry['message'], wf_id, 'RUNNING')

        entry, = self.unmet(self.dry_run(wf_id))
        self.assertEqual('EXECUTION_NOT_RESUMABLE', entry['code'])

    def test_success(self):
        wf_id = self.start(workflows.CHAIN, wf_input={'x': 'ok'})
        self.await_workflow_success(wf_id)
        view = self.requirements(wf_id)
        self.assertEqual('SUCCESS', view['state'])
        self.assertFalse(view['resumable'])
        self.assertFalse(view['plain_resume'])
        self.assertEqual([], view['failures'])
        entry, = view['requirements']
        self.assertEqual('EXECUTION_NOT_RESUMABLE', entry['code'])
        self.assertSentence(entry['message'], wf_id, 'SUCCESS')

        # The points are checked as well, and reported together.
        reqs = self.unmet(self.dry_run(wf_id, {'task': 't2'},
                                       {'task': 'nope'}))
        self.assertEqual(
            ['ALREADY_SUCCEEDED', 'EXECUTION_NOT_RESUMABLE', 'UNKNOWN_TASK'],
            self.codes({'requirements': reqs}))


# The workflow itself failed (a "fail" command), no task did.
FAIL_COMMAND = """
version: '2.0'
failing:
  tasks:
    t1:
      action: std.noop
      on-success: [fail]
"""


class TestFailCommand(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(FAIL_COMMAND)
        self.await_workflow_error(self.wf_id)

    def test_nothing_to_resume_from(self):
        view = self.requirements(self.wf_id)
        self.assertTrue(view['resumable'])
        self.assertFalse(view['plain_resume'])
        self.assertEqual([], view['failures'])
        entry, = view['requirements']
        self.assertEqual('RESUME_POINT_REQUIRED', entry['code'])
        self.assertEqual([], entry['candidates'])
        self.assertSentence(entry['message'], self.wf_id, 'fail')

        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 't1'}))
        self.assertRequirement(entry, 'ALREADY_SUCCEEDED', 't1')


# A join after two branches, one of which failed.
JOIN = """
version: '2.0'
joining:
  tasks:
    start:
      action: std.noop
      on-success: [left, right]
    left:
      action: test.check value="bad"
      publish:
        l: <% task().result %>
      on-success: [joined]
    right:
      action: std.noop
      on-success: [joined]
    joined:
      join: all
      action: std.noop
"""


class TestJoin(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(JOIN)
        self.await_workflow_error(self.wf_id)
        self.left = self.task_id(self.wf_id, 'left')

    def test_failure_is_the_branch_not_the_join(self):
        joined = self.task(self.wf_id, 'joined')
        self.assertEqual('ERROR', joined['state'])
        self.assertTrue(joined['state_info'].startswith('Failed by tasks'),
                        joined['state_info'])
        self.assertIn('left', joined['state_info'])

        view = self.requirements(self.wf_id)
        failure, = view['failures']
        self.assertEqual(('left', self.left),
                         (failure['task'], failure['task_execution_id']))
        self.assertEqual(['joined'], failure['next_tasks'])
        entry, = view['requirements']
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 'left',
                               self.left)

    def test_naming_the_join(self):
        entry, = self.unmet(self.dry_run(
            self.wf_id, {'task': 'left'}, {'task': 'joined'}))
        self.assertRequirement(entry, 'NOT_FAILED', 'joined',
                               self.task_id(self.wf_id, 'joined'))
        self.assertIn('left', entry['message'])
        self.assertIn('upstream', entry['message'])

        reqs = self.unmet(self.dry_run(self.wf_id, {'task': 'joined'}))
        self.assertEqual(['NOT_FAILED', 'UNRESOLVED_FAILURE'],
                         self.codes({'requirements': reqs}))
        entry, = self.by_code(reqs, 'UNRESOLVED_FAILURE')
        self.assertEqual(self.left, entry['task_execution_id'])

    def test_naming_the_branch(self):
        point, = self.planned(self.dry_run(self.wf_id, {'task': 'left'}))
        self.assertEqual(self.left, point['task_execution_id'])

        point, = self.planned(self.dry_run(self.wf_id, {
            'task': 'left', 'mode': 'continue', 'published': {'l': 1}}))
        self.assertEqual(['joined'], point['next_tasks'])


# The same join, but the failing branch fails only after the other one
# reached the join, so Mistral has already created the join (WAITING) when
# it fails it. Either order ends the same way.
JOIN_LATE = """
version: '2.0'
joining_late:
  tasks:
    start:
      action: std.noop
      on-success: [slow, right]
    slow:
      action: std.sleep seconds=1
      on-success: [left]
    left:
      action: test.check value="bad"
      on-success: [joined]
    right:
      action: std.noop
      on-success: [joined]
    joined:
      join: all
      action: std.noop
"""


class TestJoinLateFailure(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(JOIN_LATE)
        self.await_workflow_error(self.wf_id)
        self.left = self.task_id(self.wf_id, 'left')
        self.joined = self.task(self.wf_id, 'joined')

    def test_failure_is_the_branch_not_the_join(self):
        self.assertEqual('ERROR', self.joined['state'])
        self.assertTrue(
            self.joined['state_info'].startswith('Failed by tasks'),
            self.joined['state_info'])

        view = self.requirements(self.wf_id)
        self.assertEqual([self.left], [f['task_execution_id']
                                       for f in view['failures']])
        entry, = view['requirements']
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 'left',
                               self.left)

    def test_naming_the_join_and_the_branch(self):
        entry, = self.unmet(self.dry_run(
            self.wf_id, {'task': 'joined'}, {'task': 'left'}))
        self.assertRequirement(entry, 'NOT_FAILED', 'joined',
                               self.joined['id'])
        self.assertIn('left', entry['message'])
        point, = self.planned(self.dry_run(self.wf_id, {'task': 'left'}))
        self.assertEqual(self.left, point['task_execution_id'])


# An on-error loop back through a counter: t2 fails twice, then the loop
# gives up (its condition no longer holds), leaving the last run unhandled.
CYCLE = """
version: '2.0'
cycle:
  tasks:
    t1:
      action: std.noop
      publish:
        count: 0
      on-success: [t2]
    t2:
      action: test.check value="bad"
      on-error:
        - again: <% $.count < 1 %>
    again:
      action: std.noop
      publish:
        count: <% $.count + 1 %>
      on-success: [t2]
"""


class TestCycle(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(CYCLE)
        self.await_workflow_error(self.wf_id)
        # The two runs may share a timestamp: tell them apart by ancestry
        # (the later run was triggered by "again").
        again = self.task_id(self.wf_id, 'again')
        runs = self.tasks(self.wf_id, 't2')
        self.assertEqual(2, len(runs))
        self.old, self.latest = sorted(
            runs, key=lambda r: again in [
                t['task_id'] for t in
                r['runtime_context'].get('triggered_by', ())])

    def test_superseded_run_is_not_a_failure(self):
        self.assertEqual('ERROR', self.old['state'])
        self.assertTrue(self.old['error_handled'])
        self.assertEqual('ERROR', self.latest['state'])
        self.assertFalse(self.latest['error_handled'])

        view = self.requirements(self.wf_id)
        failure, = view['failures']
        self.assertEqual(self.latest['id'], failure['task_execution_id'])
        entry, = view['requirements']
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 't2',
                               self.latest['id'])

    def test_name_resolves_to_the_latest_run(self):
        point, = self.planned(self.dry_run(self.wf_id, {'task': 't2'}))
        self.assertEqual(self.latest['id'], point['task_execution_id'])

        point, = self.planned(self.dry_run(self.wf_id,
                                           {'task': self.latest['id']}))
        self.assertEqual(('t2', self.latest['id']),
                         (point['task'], point['task_execution_id']))

    def test_old_run_by_id(self):
        reqs = self.unmet(self.dry_run(self.wf_id, {'task': self.old['id']}))
        self.assertEqual(['NOT_FAILED', 'UNRESOLVED_FAILURE'],
                         self.codes({'requirements': reqs}))
        entry, = self.by_code(reqs, 'NOT_FAILED')
        self.assertRequirement(entry, 'NOT_FAILED', 't2', self.old['id'])
        self.assertEqual('ERROR', entry['state'])
        self.assertIn('later run', entry['message'])
        entry, = self.by_code(reqs, 'UNRESOLVED_FAILURE')
        self.assertEqual(self.latest['id'], entry['task_execution_id'])


# The same loop, but the second run of t2 succeeds; t3 fails after it.
CYCLE_RECOVERED = """
version: '2.0'
recovered:
  tasks:
    t1:
      action: std.noop
      publish:
        count: 0
      on-success: [t2]
    t2:
      action: test.check value=<% $.count > 0 %>
      on-success: [t3]
      on-error: [again]
    again:
      action: std.noop
      publish:
        count: <% $.count + 1 %>
      on-success: [t2]
    t3:
      action: test.check value="bad"
"""


def _runs_in_one_second_newest_first(task_runs):
    """Stand-in for loader._task_runs: the rows as MySQL may return them.

    Mistral stamps task executions in whole seconds (DATETIME) and the
    loader's query has no other order, so a loop's runs can tie and come
    back newest first. SQLite returns them in insertion order, which hides
    that; this makes it explicit.
    """
    def load(execution_ids):
        by_execution = task_runs(execution_ids)
        for runs in by_execution.values():
            stamp = min(r.created_at for r in runs)
            for run in runs:
                run.created_at = stamp
            runs.reverse()
        return by_execution
    return load


class TestCycleRecovered(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(CYCLE_RECOVERED)
        self.await_workflow_error(self.wf_id)
        runs = {t['state']: t['id'] for t in self.tasks(self.wf_id, 't2')}
        self.assertEqual(['ERROR', 'SUCCESS'], sorted(runs))
        self.old, self.latest = runs['ERROR'], runs['SUCCESS']
        self.t3 = self.task_id(self.wf_id, 't3')

    def test_only_the_later_failure_is_listed(self):
        view = self.requirements(self.wf_id)
        self.assertEqual([self.t3], [f['task_execution_id']
                                     for f in view['failures']])
        entry, = view['requirements']
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 't3', self.t3)

    def test_name_resolves_to_the_latest_run(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 't3'},
                                         {'task': 't2'}))
        self.assertRequirement(entry, 'ALREADY_SUCCEEDED', 't2', self.latest)

        self.patch(loader, '_task_runs',
                   _runs_in_one_second_newest_first(loader._task_runs))
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 't3'},
                                         {'task': 't2'}))
        self.assertRequirement(entry, 'ALREADY_SUCCEEDED', 't2', self.latest)

    def test_old_run_by_id(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 't3'},
                                         {'task': self.old}))
        self.assertRequirement(entry, 'NOT_FAILED', 't2', self.old)
        self.assertIn('later run', entry['message'])


# A task reached from two parallel predecessors without a join runs twice;
# both runs fail.
TWICE = """
version: '2.0'
twice:
  tasks:
    start:
      action: std.noop
      on-success: [a, b]
    a:
      action: std.noop
      on-success: [common]
    b:
      action: std.noop
      on-success: [common]
    common:
      action: test.check value="bad"
"""


class TestAmbiguous(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(TWICE)
        self.await_workflow_error(self.wf_id)
        self.ids = sorted(t['id'] for t in self.tasks(self.wf_id, 'common'))

    def test_both_runs_are_failures(self):
        self.assertEqual(2, len(self.ids))
        view = self.requirements(self.wf_id)
        self.assertEqual(self.ids, sorted(f['task_execution_id']
                                          for f in view['failures']))
        self.assertEqual(self.ids, sorted(r['task_execution_id']
                                          for r in view['requirements']))
        self.assertEqual(['UNRESOLVED_FAILURE'] * 2, self.codes(view))

    def test_by_name(self):
        reqs = self.unmet(self.dry_run(self.wf_id, {'task': 'common'}))
        entry, = self.by_code(reqs, 'AMBIGUOUS_TASK')
        self.assertEqual('common', entry['task'])
        self.assertSentence(entry['message'], 'common', *self.ids)
        self.assertEqual(self.ids, sorted(c['task_execution_id']
                                          for c in entry['candidates']))
        for candidate in entry['candidates']:
            self.assertEqual(('common', 'common', 'ERROR'),
                             (candidate['task'], candidate['path'],
                              candidate['state']))
        # The name stands for neither run: both stay unresolved.
        self.assertEqual(['AMBIGUOUS_TASK', 'UNRESOLVED_FAILURE',
                          'UNRESOLVED_FAILURE'],
                         self.codes({'requirements': reqs}))

    def test_by_id(self):
        points = self.planned(self.dry_run(
            self.wf_id, {'task': self.ids[0]},
            {'task': self.ids[1], 'mode': 'continue', 'published': {}}))
        self.assertEqual(self.ids, [p['task_execution_id'] for p in points])

        entry, = self.unmet(self.dry_run(self.wf_id, {'task': self.ids[0]}))
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 'common',
                               self.ids[1])


# A with-items task with one of three iterations failed.
ITEMS = """
version: '2.0'
items:
  input:
    - values: [ok, bad, fine]
  tasks:
    t1:
      with-items: item in <% $.values %>
      action: test.check value=<% $.item %>
      publish:
        checked: <% task().result %>
      on-success: [t2]
    t2:
      action: std.noop
"""


class TestWithItems(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(ITEMS)
        self.await_workflow_error(self.wf_id)
        self.t1 = self.task_id(self.wf_id, 't1')

    def test_failure_is_with_items(self):
        self.assertEqual(3, self.task(self.wf_id, 't1')['actions'])
        view = self.requirements(self.wf_id)
        failure, = view['failures']
        self.assertEqual(('t1', self.t1, True, ['checked'], ['t2']),
                         (failure['task'], failure['task_execution_id'],
                          failure['with_items'], failure['publish'],
                          failure['next_tasks']))
        entry, = view['requirements']
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 't1', self.t1)

    def test_rerun_and_continue_planned(self):
        point, = self.planned(self.dry_run(
            self.wf_id, {'task': 't1', 'reset': False}))
        self.assertEqual((self.t1, 'rerun', False),
                         (point['task_execution_id'], point['mode'],
                          point['reset']))

        point, = self.planned(self.dry_run(self.wf_id, {'task': 't1'}))
        self.assertTrue(point['reset'])

        point, = self.planned(self.dry_run(self.wf_id, {
            'task': 't1', 'mode': 'continue',
            'published': {'checked': ['ok', 'fixed', 'fine']}}))
        self.assertEqual(['t2'], point['next_tasks'])


# A with-items workflow task: two of its three sub-workflows failed.
ITEMS_OF_WORKFLOWS = """
version: '2.0'
items_top:
  input:
    - values: [ok, bad, bad]
  tasks:
    w:
      with-items: v in <% $.values %>
      workflow: items_low
      input:
        v: <% $.v %>
items_low:
  input:
    - v
  tasks:
    c:
      action: test.check value=<% $.v %>
"""


class TestWithItemsOfWorkflows(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(ITEMS_OF_WORKFLOWS, name='items_top')
        self.await_workflow_error(self.wf_id)
        self.w = self.task_id(self.wf_id, 'w')
        inner = [self.task(child, 'c') for child in self.children(self.wf_id)]
        self.assertEqual(['ERROR', 'ERROR', 'SUCCESS'],
                         sorted(c['state'] for c in inner))
        self.failed = sorted(c['id'] for c in inner if c['state'] == 'ERROR')

    def test_one_failure_per_failed_iteration(self):
        view = self.requirements(self.wf_id)
        self.assertEqual([('w.c', i) for i in self.failed],
                         sorted((f['path'], f['task_execution_id'])
                                for f in view['failures']))
        self.assertEqual(['UNRESOLVED_FAILURE'] * 2, self.codes(view))
        self.assertEqual(self.failed, sorted(r['task_execution_id']
                                             for r in view['requirements']))

    def test_path_matches_several_iterations(self):
        reqs = self.unmet(self.dry_run(self.wf_id, {'task': 'w.c'}))
        entry, = self.by_code(reqs, 'AMBIGUOUS_TASK')
        self.assertEqual(('c', 'w.c'), (entry['task'], entry['path']))
        self.assertSentence(entry['message'], 'w.c', *self.failed)
        # The candidates are the inner failures, one per iteration.
        self.assertEqual([('w.c', i) for i in self.failed],
                         sorted((c['path'], c['task_execution_id'])
                                for c in entry['candidates']))

    def test_planned_by_id_or_by_the_with_items_task(self):
        points = self.planned(self.dry_run(
            self.wf_id, *[{'task': i} for i in self.failed]))
        self.assertEqual(self.failed, [p['task_execution_id']
                                       for p in points])
        self.assertEqual(['w.c', 'w.c'], [p['path'] for p in points])

        point, = self.planned(self.dry_run(
            self.wf_id, {'task': 'w', 'reset': False}))
        self.assertEqual((self.w, False), (point['task_execution_id'],
                                           point['reset']))

    def test_unknown_inner_task(self):
        reqs = self.unmet(self.dry_run(self.wf_id, {'task': 'w'},
                                       {'task': 'w.nope'}))
        entry, = reqs
        self.assertEqual(('UNKNOWN_TASK', 'w.nope'),
                         (entry['code'], entry['task']))
        self.assertSentence(entry['message'], 'nope', 'items_low')


# A reverse workflow: "final" needs "middle" (which fails) and "other".
REVERSE = """
version: '2.0'
backwards:
  type: reverse
  tasks:
    first:
      action: std.noop
    middle:
      action: test.check value="bad"
      publish:
        m: <% task().result %>
      requires: [first]
    other:
      action: std.noop
      requires: [first]
    final:
      action: std.noop
      requires: [middle, other]
"""


class TestReverse(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        wf_service.create_workflows(REVERSE)
        wf_ex = self.engine.start_workflow('backwards', wf_input={},
                                           task_name='final')
        self.wf_id = wf_ex.id
        self.await_workflow_error(self.wf_id)
        self.middle = self.task_id(self.wf_id, 'middle')

    def test_failure_listed(self):
        self.assertEqual(
            {'first': 'SUCCESS', 'middle': 'ERROR', 'other': 'SUCCESS'},
            {t['name']: t['state'] for t in self.tasks(self.wf_id)})

        view = self.requirements(self.wf_id)
        failure, = view['failures']
        self.assertEqual(('middle', self.middle, ['m'], ['final']),
                         (failure['task'], failure['task_execution_id'],
                          failure['publish'], failure['next_tasks']))
        entry, = view['requirements']
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 'middle',
                               self.middle)

    def test_continue_starts_what_requires_it(self):
        point, = self.planned(self.dry_run(self.wf_id, {
            'task': 'middle', 'mode': 'continue', 'published': {'m': 1}}))
        self.assertEqual(['final'], point['next_tasks'])

        point, = self.planned(self.dry_run(self.wf_id, {'task': 'middle'}))
        self.assertEqual(self.middle, point['task_execution_id'])

    def test_task_that_never_ran(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'middle'},
                                         {'task': 'final'}))
        self.assertRequirement(entry, 'NOT_STARTED', 'final')


# A failure two sub-workflows deep: wf_top.a -> wf_mid.b -> wf_low.c.
NESTED = """
version: '2.0'
wf_top:
  input:
    - x: bad
  tasks:
    a:
      workflow: wf_mid
      input:
        x: <% $.x %>
      on-success: [after_a]
    after_a:
      action: std.noop
wf_mid:
  input:
    - x
  tasks:
    b:
      workflow: wf_low
      input:
        x: <% $.x %>
wf_low:
  input:
    - x
  tasks:
    c0:
      action: std.noop
      on-success: [c]
    c:
      action: test.check value=<% $.x %>
      publish:
        out: <% task().result %>
"""


class TestNested(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(NESTED, name='wf_top')
        self.await_workflow_error(self.wf_id)
        self.a = self.task_id(self.wf_id, 'a')
        mid, = self.children(self.wf_id)
        self.b = self.task_id(mid, 'b')
        low, = self.children(mid)
        self.low = low
        self.c = self.task_id(low, 'c')

    def test_failure_path(self):
        view = self.requirements(self.wf_id)
        failure, = view['failures']
        self.assertEqual(('c', 'a.b.c', self.c, [], ['out']),
                         (failure['task'], failure['path'],
                          failure['task_execution_id'],
                          failure['next_tasks'], failure['publish']))
        entry, = view['requirements']
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 'c', self.c,
                               path='a.b.c')

    def test_by_path_or_inner_task_execution_id(self):
        point, = self.planned(self.dry_run(self.wf_id, {'task': 'a.b.c'}))
        self.assertEqual(('c', 'a.b.c', self.c),
                         (point['task'], point['path'],
                          point['task_execution_id']))

        point, = self.planned(self.dry_run(self.wf_id, {'task': self.c}))
        self.assertEqual(('a.b.c', self.c),
                         (point['path'], point['task_execution_id']))

        point, = self.planned(self.dry_run(self.wf_id, {
            'task': 'a.b.c', 'mode': 'continue', 'published': {'out': 1}}))
        self.assertEqual([], point['next_tasks'])

    def test_sub_workflow_task_covers_it(self):
        point, = self.planned(self.dry_run(self.wf_id, {'task': 'a'}))
        self.assertEqual(('a', self.a), (point['path'],
                                         point['task_execution_id']))

        point, = self.planned(self.dry_run(self.wf_id, {'task': 'a.b'}))
        self.assertEqual(('a.b', self.b), (point['path'],
                                           point['task_execution_id']))

        point, = self.planned(self.dry_run(self.wf_id, {
            'task': 'a', 'mode': 'continue', 'published': {}}))
        self.assertEqual(['after_a'], point['next_tasks'])

    def test_unknown_inner_task(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'a.b.c'},
                                         {'task': 'a.x'}))
        self.assertEqual(('UNKNOWN_TASK', 'a.x', None),
                         (entry['code'], entry['task'],
                          entry['task_execution_id']))
        self.assertSentence(entry['message'], "task 'x'", 'wf_mid',
                            'reached by a')

        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'a.b.c'},
                                         {'task': 'a.b.nope'}))
        self.assertEqual(('UNKNOWN_TASK', 'a.b.nope'),
                         (entry['code'], entry['task']))
        self.assertSentence(entry['message'], 'nope', 'wf_low', 'a.b')

        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'a.b.c'},
                                         {'task': 'a.b.c0.x'}))
        self.assertEqual(('UNKNOWN_TASK', 'a.b.c0.x'),
                         (entry['code'], entry['task']))
        self.assertSentence(entry['message'], 'c0', 'a.b.c0.x',
                            'sub-workflow')

        # after_a runs no sub-workflow: "after_a.x" can name nothing, ever.
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'a.b.c'},
                                         {'task': 'after_a.x'}))
        self.assertEqual(('UNKNOWN_TASK', 'after_a.x'),
                         (entry['code'], entry['task']))
        self.assertSentence(entry['message'], 'after_a', 'sub-workflow')

    def test_succeeded_inner_task(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'a.b.c'},
                                         {'task': 'a.b.c0'}))
        self.assertRequirement(entry, 'ALREADY_SUCCEEDED', 'c0',
                               self.task_id(self.low, 'c0'), path='a.b.c0')

    def test_succeeded_scenario(self):
        # The workflows exist already: start another execution of wf_top.
        wf_id = self.engine.start_workflow('wf_top',
                                           wf_input={'x': 'ok'}).id
        self.await_workflow_success(wf_id)
        reqs = self.unmet(self.dry_run(wf_id, {'task': 'a.b.c'}))
        self.assertEqual(['ALREADY_SUCCEEDED', 'EXECUTION_NOT_RESUMABLE'],
                         self.codes({'requirements': reqs}))
        entry, = self.by_code(reqs, 'ALREADY_SUCCEEDED')
        self.assertRequirement(entry, 'ALREADY_SUCCEEDED', 'c', path='a.b.c')

        # A task execution of another execution is no task of this one.
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'a.b.c'},
                                         {'task': self.task_id(wf_id, 'a')}))
        self.assertRequirement(entry, 'UNKNOWN_TASK',
                               self.task_id(wf_id, 'a'))
        self.assertIn(self.wf_id, entry['message'])


# The same nesting, but wf_top's task "a" handles the sub-workflow's
# failure (on-error) and then fails the execution.
NESTED_HANDLED = NESTED.replace("""      on-success: [after_a]
""", """      on-success: [after_a]
      on-error: [notify]
    notify:
      action: std.noop
      on-success: [fail]
""", 1)


class TestNestedHandledByParent(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(NESTED_HANDLED, name='wf_top')
        self.await_workflow_error(self.wf_id)
        self.a = self.task(self.wf_id, 'a')
        mid, = self.children(self.wf_id)
        low, = self.children(mid)
        self.c = self.task(low, 'c')

    def test_resume_point_required(self):
        self.assertTrue(self.a['error_handled'])
        self.assertEqual('ERROR', self.c['state'])
        self.assertFalse(self.c['error_handled'])

        view = self.requirements(self.wf_id)
        failure, = view['failures']
        self.assertEqual(('a.b.c', self.c['id'], True),
                         (failure['path'], failure['task_execution_id'],
                          failure['error_handled']))
        entry, = view['requirements']
        self.assertEqual('RESUME_POINT_REQUIRED', entry['code'])
        self.assertSentence(entry['message'], 'a.b.c')
        # The candidate says what the failures list says.
        self.assertEqual([{'task': 'c', 'task_execution_id': self.c['id'],
                           'path': 'a.b.c', 'state': 'ERROR',
                           'error_handled': True}], entry['candidates'])

    def test_naming_it(self):
        point, = self.planned(self.dry_run(self.wf_id, {'task': 'a.b.c'}))
        self.assertEqual(self.c['id'], point['task_execution_id'])
        point, = self.planned(self.dry_run(self.wf_id, {'task': 'a'}))
        self.assertEqual(self.a['id'], point['task_execution_id'])

        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'notify'}))
        self.assertRequirement(entry, 'ALREADY_SUCCEEDED', 'notify')


# The same nesting, but the innermost failure pauses: Mistral pauses the
# sub-workflows and the top execution with it.
NESTED_PAUSE = NESTED.replace("""        out: <% task().result %>
""", """        out: <% task().result %>
      on-error:
        - pause
""", 1)


class TestNestedPause(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(NESTED_PAUSE, name='wf_top')
        self.await_workflow_paused(self.wf_id)
        mid, = self.children(self.wf_id)
        low, = self.children(mid)
        self.c = self.task_id(low, 'c')

    def test_plain_resume_needs_a_point(self):
        view = self.requirements(self.wf_id)
        self.assertEqual('PAUSED', view['state'])
        self.assertFalse(view['plain_resume'])
        failure, = view['failures']
        self.assertEqual(('a.b.c', self.c, True),
                         (failure['path'], failure['task_execution_id'],
                          failure['error_handled']))
        entry, = view['requirements']
        self.assertRequirement(entry, 'RESUME_POINT_REQUIRED', 'c', self.c,
                               path='a.b.c')
        self.assertEqual([self.c], [c['task_execution_id']
                                    for c in entry['candidates']])
        self.assertEqual([], view['warnings'])

    def test_rerun_and_continue_planned(self):
        point, = self.planned(self.dry_run(self.wf_id, {'task': 'a.b.c'}))
        self.assertEqual(self.c, point['task_execution_id'])
        point, = self.planned(self.dry_run(self.wf_id, {
            'task': 'a.b.c', 'mode': 'continue', 'published': {'out': 1}}))
        self.assertEqual([], point['next_tasks'])

    def test_paused_sub_workflow_task_is_not_failed(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'a'}))
        self.assertRequirement(entry, 'NOT_FAILED', 'a',
                               self.task_id(self.wf_id, 'a'))
        self.assertEqual('PAUSED', entry['state'])


# A loop through a sub-workflow task: the first run of "a" failed inside
# its sub-workflow, the second succeeded; "last" fails after it.
SUB_WORKFLOW_LOOP = """
version: '2.0'
loop_top:
  tasks:
    init:
      action: std.noop
      publish:
        count: 0
      on-success: [a]
    a:
      workflow: loop_low
      input:
        ok: <% $.count %>
      on-success: [last]
      on-error:
        - again: <% $.count < 1 %>
    again:
      action: std.noop
      publish:
        count: <% $.count + 1 %>
      on-success: [a]
    last:
      action: test.check value="bad"
loop_low:
  input:
    - ok
  tasks:
    c:
      action: test.check value=<% $.ok %>
"""


class TestSubWorkflowLoop(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(SUB_WORKFLOW_LOOP, name='loop_top')
        self.await_workflow_error(self.wf_id)
        self.last = self.task_id(self.wf_id, 'last')
        inner = {}
        for child in self.children(self.wf_id):
            c = self.task(child, 'c')
            inner[c['state']] = c['id']
        self.assertEqual(['ERROR', 'SUCCESS'], sorted(inner))
        self.old_c, self.new_c = inner['ERROR'], inner['SUCCESS']
        self.new_a = [t['id'] for t in self.tasks(self.wf_id, 'a')
                      if t['state'] == 'SUCCESS'][0]

    def test_failure_inside_the_replaced_run_is_not_listed(self):
        view = self.requirements(self.wf_id)
        self.assertEqual(['last'], [f['path'] for f in view['failures']])
        entry, = view['requirements']
        self.assertRequirement(entry, 'UNRESOLVED_FAILURE', 'last',
                               self.last)

    def test_replaced_inner_failure_by_id(self):
        entry, = self.unmet(self.dry_run(self.wf_id, {'task': 'last'},
                                         {'task': self.old_c}))
        self.assertRequirement(entry, 'NOT_FAILED', 'c', self.old_c,
                               path='a.c')
        self.assertIn('later run', entry['message'])

    def test_path_resolves_into_the_latest_run(self):
        for tie in (False, True):
            if tie:
                self.patch(loader, '_task_runs',
                           _runs_in_one_second_newest_first(
                               loader._task_runs))
            reqs = self.unmet(self.dry_run(
                self.wf_id, {'task': 'last'}, {'task': 'a.c'},
                {'task': 'a'}))
            self.assertEqual(
                [('a', self.new_a), ('a.c', self.new_c)],
                sorted((r['path'], r['task_execution_id']) for r in reqs))
            self.assertEqual(['ALREADY_SUCCEEDED'] * 2,
                             self.codes({'requirements': reqs}))


# What "continue" would start: conditions and unprovided variables.
BRANCHING = """
version: '2.0'
branching:
  tasks:
    t1:
      action: std.noop
      on-success: [t2]
    t2:
      action: test.check value="bad"
      publish:
        go: <% task().result %>
      on-success:
        - t3: <% $.go = true %>
        - t4: <% $.go = false %>
    t3:
      action: std.echo output=<% $.nobody %>
    t4:
      action: std.noop
"""


class TestContinueChoices(AnalysisTestCase):

    def setUp(self):
        super().setUp()
        self.wf_id = self.start(BRANCHING)
        self.await_workflow_error(self.wf_id)

    def test_failure_lists_every_outbound_task(self):
        failure, = self.requirements(self.wf_id)['failures']
        self.assertEqual(['t3', 't4'], failure['next_tasks'])

    def test_condition_true(self):
        out = self.dry_run(self.wf_id, {
            'task': 't2', 'mode': 'continue', 'published': {'go': True}})
        point, = self.planned(out)
        self.assertEqual(['t3'], point['next_tasks'])
        # t3 reads "nobody", which nothing provides.
        warning, = out['record']['warnings']
        self.assertSentence(warning, 't3', 'nobody', 't2')

    def test_condition_false(self):
        out = self.dry_run(self.wf_id, {
            'task': 't2', 'mode': 'continue', 'published': {'go': False}})
        point, = self.planned(out)
        self.assertEqual(['t4'], point['next_tasks'])
        self.assertEqual([], out['record']['warnings'])

    def test_supplied_variable_silences_the_warning(self):
        out = self.dry_run(self.wf_id, {
            'task': 't2', 'mode': 'continue',
            'published': {'go': True, 'nobody': 'me'}})
        self.assertEqual(['t3'], self.planned(out)[0]['next_tasks'])
        self.assertEqual([], out['record']['warnings'])
