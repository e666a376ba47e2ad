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

"""Resumes from Horizon in a real browser against a real server.

Every scenario drives the pages as an operator does (links, row actions,
the form) and checks the outcome through the API: the execution's state,
its tasks and its resume records.
"""

import json

from selenium.webdriver.common.by import By

from tests.dashboard import browser
from tests import embedded

PLAIN = embedded.PLAIN
PARALLEL = embedded.PARALLEL


class TestResumeFromHorizon(browser.BrowserTestCase):

    EXAMPLES = [PLAIN + '.yaml', PARALLEL + '.yaml']

    def _failed(self, workflow):
        execution_id = self.server.start_execution(workflow)
        self.assertEqual('ERROR',
                         self.server.await_settled(execution_id)['state'])
        return execution_id

    def _records(self, execution_id):
        return self.server.get('/executions/%s/resumes'
                               % execution_id)['resumes']

    def _assert_success(self, execution_id):
        execution = self.server.await_settled(execution_id)
        self.assertEqual('SUCCESS', execution['state'],
                         execution.get('state_info'))
        return execution

    def test_rerun_with_an_edited_context_from_the_executions_page(self):
        execution_id = self._failed(PLAIN)

        with self.step('open executions'):
            self.open('/mistral/executions/')
            row = self.wait_for(By.ID, 'executions__row__%s' % execution_id)
            self.assertIn('Error', row.text)

        with self.step('open requirements'):
            self.row_action('executions', execution_id,
                            'resume_requirements')
            page = self.wait_for(By.ID, 'resume-requirements')
            failures = self.selenium.find_element(By.ID, 'failures')
            self.assertIn('build', failures.text)
            self.assertIn('report', failures.text)   # a continue starts it
            self.assertIn('UNRESOLVED_FAILURE', failures.text)
            self.assertIn('no resume point covers it', failures.text)
            self.assertNotIn('"failures"', page.text)   # raw JSON folded
            self.snapshot('dashboard-requirements')

        with self.step('open the form'):
            self.click(self.selenium.find_element(By.ID, 'resume-link'))
            self.wait_for(By.ID, 'resume-form')
            context_id = self._field_id('build', 'context')
            prefilled = json.loads(self.selenium.find_element(
                By.ID, context_id).get_attribute('value'))
            self.assertEqual({'state': 'ready'}, prefilled)

        with self.step('re-run build with item_count 3'):
            self._mode('build', 'rerun')
            self.set_text(context_id,
                          '{"state": "ready", "item_count": 3}')
            self.set_text('id_reason', 'input fixed')
            self.snapshot('dashboard-resume-form')
            self._submit()
            self.wait_for(By.ID, 'resume-history')
            self.assertIn('rerun build; context merge: item_count',
                          self.selenium.find_element(By.ID, 'resumes').text)

        with self.step('check through the API'):
            self._assert_success(execution_id)
            tasks = self.server.tasks(execution_id)
            self.assertEqual({'item-0', 'item-1', 'item-2'},
                             set(json.loads(tasks['build']['published'])
                                 ['items']))
            [record] = self._records(execution_id)
            self.assertEqual('input fixed', record['reason'])
            self.assertTrue(record['request_id'].startswith('horizon-'))
            self.assertEqual([{'item_count': 3}],
                             [p['context'] for p in record['points']])

    def test_two_failed_branches_in_one_submit(self):
        execution_id = self._failed(PARALLEL)

        with self.step('open the form'):
            self.open('/mistral/resumes/%s/resume/' % execution_id)
            self.wait_for(By.ID, 'resume-form')

        with self.step('rerun branch_b, continue branch_c'):
            self._mode('branch_b', 'rerun')
            self.set_text(self._field_id('branch_b', 'context'),
                          '{"region_b_hosts": 1}')
            self._mode('branch_c', 'continue')
            self.set_text(self._field_id('branch_c', 'published'),
                          '{"c_hosts": {"c-host-0": "manual"}}')
            self._submit()
            self.wait_for(By.ID, 'resume-history')

        with self.step('check through the API'):
            execution = self._assert_success(execution_id)
            hosts = json.loads(execution['output'])['hosts']
            self.assertEqual(['a-host-0', 'a-host-1', 'b-host-0',
                              'c-host-0'], sorted(hosts))
            [record] = self._records(execution_id)
            self.assertEqual({('branch_b', 'rerun'),
                              ('branch_c', 'continue')},
                             {(p['task'], p['mode'])
                              for p in record['points']})

    def test_continue_with_published_values_from_the_tasks_page(self):
        execution_id = self._failed(PLAIN)
        build = self.server.tasks(execution_id)['build']['id']

        with self.step('open the tasks of the execution'):
            self.open('/mistral/tasks/%s/execution' % execution_id)
            self.wait_for(By.ID, 'tasks__row__%s' % build)

        with self.step('Continue... on the failed task'):
            self.row_action('tasks', build, 'continue')
            self.wait_for(By.ID, 'resume-form')
            published_id = self._field_id('build', 'published')
            self.assertEqual({'items': None}, json.loads(
                self.selenium.find_element(By.ID, published_id)
                .get_attribute('value')))
            checked = self._block('build').find_element(
                By.CSS_SELECTOR, 'input[type=radio]:checked')
            self.assertEqual('continue', checked.get_attribute('value'))

        with self.step('continue with items'):
            self.set_text(published_id, '{"items": {"item-0": "ready"}}')
            self._submit()
            self.wait_for(By.ID, 'resume-history')

        with self.step('check through the API'):
            execution = self._assert_success(execution_id)
            self.assertEqual(['item-0'],
                             json.loads(execution['output'])['report'])

    def test_dry_run_changes_nothing(self):
        execution_id = self._failed(PLAIN)
        before = self.server.tasks(execution_id)

        with self.step('dry run'):
            self.open('/mistral/resumes/%s/resume/' % execution_id)
            self.wait_for(By.ID, 'resume-form')
            self._mode('build', 'rerun')
            self.set_text(self._field_id('build', 'context'),
                          '{"item_count": 2}')
            self._submit('dry-run')
            plan = self.wait_for(By.ID, 'dry-run-plan')
            self.assertIn('Dry run: nothing was changed', plan.text)
            self.assertIn('would go ahead', plan.text)
            self.assertIn('rerun build; context merge: item_count',
                          plan.text)

        with self.step('check through the API'):
            self.assertEqual('ERROR', self.server.get(
                '/executions/%s' % execution_id)['state'])
            self.assertEqual(before, self.server.tasks(execution_id))
            self.assertEqual([], self._records(execution_id))

    def test_refusal_shows_the_requirement_next_to_its_task(self):
        execution_id = self._failed(PARALLEL)

        with self.step('resume branch_b only'):
            self.open('/mistral/resumes/%s/resume/' % execution_id)
            self.wait_for(By.ID, 'resume-form')
            self._mode('branch_b', 'rerun')
            self.set_text(self._field_id('branch_b', 'context'),
                          '{"region_b_hosts": 1}')
            self._mode('branch_c', 'leave')
            self._submit()

        with self.step('the 409 on the form'):
            errors = self.wait_for(By.CSS_SELECTOR, '.mr-form-errors')
            self.assertIn('Nothing was changed', errors.text)
            block = self._block('branch_c').find_element(
                By.CSS_SELECTOR, '.mr-block-requirements')
            self.assertIn('UNRESOLVED_FAILURE', block.text)
            self.assertIn('branch_c', block.text)
            self.assertEqual([], self._block('branch_b').find_elements(
                By.CSS_SELECTOR, '.mr-block-requirements'))
            self.snapshot('dashboard-refusal')

        with self.step('check through the API'):
            self.assertEqual('ERROR', self.server.get(
                '/executions/%s' % execution_id)['state'])
            self.assertEqual([], self._records(execution_id))

        with self.step('corrected on the same form'):
            self._mode('branch_c', 'continue')
            self.set_text(self._field_id('branch_c', 'published'),
                          '{"c_hosts": {}}')
            self._submit()
            self.wait_for(By.ID, 'resume-history')
            self._assert_success(execution_id)
            self.assertEqual(1, len(self._records(execution_id)))

    def test_inbound_context_view(self):
        execution_id = self._failed(PLAIN)
        build = self.server.tasks(execution_id)['build']['id']

        with self.step('the Resumable Executions panel lists it'):
            self.open('/mistral/resumes/')
            row = self.wait_for(By.ID, 'executions__row__%s' % execution_id)
            self.assertIn(PLAIN, row.text)
            for other in self.server.get('/executions')['executions']:
                if other['state'] not in ('ERROR', 'PAUSED'):
                    self.assertEqual([], self.selenium.find_elements(
                        By.ID, 'executions__row__%s' % other['id']))

        with self.step('Inbound context on the failed task'):
            self.open('/mistral/tasks/%s/execution' % execution_id)
            self.row_action('tasks', build, 'inbound_context')
            self.wait_for(By.ID, 'task-context')

        with self.step('what it shows'):
            in_context = self.selenium.find_element(By.ID,
                                                    'context-in_context')
            self.assertIn('state', in_context.text)
            self.assertIn('ready', in_context.text)
            # Mistral's own keys are folded away (a closed <details>).
            internal = in_context.find_element(By.CSS_SELECTOR,
                                               'details.mr-internal')
            self.assertIn('internal key', internal.text)
            self.assertNotIn('__versions', internal.text)
            self.assertIn('not a number', self.selenium.find_element(
                By.ID, 'context-workflow_input').text)
            self.assertIn('item_count, state', self.selenium.find_element(
                By.CSS_SELECTOR, '.mr-references').text)
            self.snapshot('dashboard-context')


PAUSE = 'resume_on_error_pause'
WITH_ITEMS = 'resume_with_items'
SUB_WORKFLOW = 'resume_sub_workflow'


class TestOtherExamplesFromHorizon(browser.BrowserTestCase):
    """The README's other examples, each resumed from Horizon."""

    EXAMPLES = [PAUSE + '.yaml', WITH_ITEMS + '.yaml',
                SUB_WORKFLOW + '.yaml']

    _failed = TestResumeFromHorizon._failed
    _assert_success = TestResumeFromHorizon._assert_success

    def test_rerun_after_an_on_error_pause(self):
        execution_id = self.server.start_execution(PAUSE)
        self.assertEqual('PAUSED',
                         self.server.await_settled(execution_id)['state'])

        with self.step('requirements of the paused execution'):
            self.open('/mistral/executions/')
            self.row_action('executions', execution_id,
                            'resume_requirements')
            self.wait_for(By.ID, 'resume-requirements')
            # A plain resume would leave configure behind: the API
            # requires a point, and says so next to configure.
            requirement = self.selenium.find_element(
                By.CSS_SELECTOR, '#failures [data-code='
                '"RESUME_POINT_REQUIRED"]')
            self.assertIn('failed task configure', requirement.text)
            self.assertIn('configure', self.selenium.find_element(
                By.ID, 'failures').text)

        with self.step('re-run configure'):
            self.click(self.selenium.find_element(By.ID, 'resume-link'))
            self.wait_for(By.ID, 'resume-form')
            self._mode('configure', 'rerun')
            self.set_text(self._field_id('configure', 'context'),
                          '{"retries": 3}')
            self._submit()
            self.wait_for(By.ID, 'resume-history')

        with self.step('check through the API'):
            execution = self._assert_success(execution_id)
            self.assertEqual(3, len(json.loads(execution['output'])
                                    ['settings']))
            self.assertEqual('SUCCESS',
                             self.server.tasks(execution_id)['finish']
                             ['state'])

    def test_rerun_only_the_failed_iterations(self):
        execution_id = self._failed(WITH_ITEMS)

        with self.step('open the form'):
            self.open('/mistral/resumes/%s/resume/' % execution_id)
            self.wait_for(By.ID, 'resume-form')

        with self.step('re-run the failed iterations, no reset'):
            self._mode('build_batches', 'rerun')
            self.set_text(self._field_id('build_batches', 'context'),
                          '{"batches": [2, 3, 3, 1, 4]}')
            reset = self._field_id('build_batches', 'reset')
            self.assertTrue(self.selenium.find_element(
                By.ID, reset).is_selected())
            self.choose(reset)
            self.assertFalse(self.selenium.find_element(
                By.ID, reset).is_selected())
            self._submit()
            self.wait_for(By.ID, 'resume-history')

        with self.step('check through the API'):
            execution = self._assert_success(execution_id)
            self.assertEqual(13, json.loads(execution['output'])['total'])
            [record] = self.server.get('/executions/%s/resumes'
                                       % execution_id)['resumes']
            self.assertEqual([False],
                             [p['reset'] for p in record['points']])

    def test_rerun_inside_a_sub_workflow_from_its_tasks_page(self):
        execution_id = self._failed(SUB_WORKFLOW)
        deploy = self.server.tasks(execution_id)['deploy']['id']
        [sub] = self.server.get('/executions',
                                task_execution_id=deploy)['executions']
        create = self.server.tasks(sub['id'])['create_replicas']['id']

        with self.step('Re-run... on the sub-workflow\'s failed task'):
            self.open('/mistral/tasks/%s/execution' % sub['id'])
            self.row_action('tasks', create, 'rerun')
            self.wait_for(By.ID, 'resume-form')
            # The form resumes the top execution, the task by its path.
            self.assertIn('/mistral/resumes/%s/resume/' % execution_id,
                          self.selenium.current_url)
            checked = self._block('deploy.create_replicas').find_element(
                By.CSS_SELECTOR, 'input[type=radio]:checked')
            self.assertEqual('rerun', checked.get_attribute('value'))

        with self.step('re-run with 2 replicas'):
            self.set_text(self._field_id('deploy.create_replicas',
                                         'context'), '{"replicas": 2}')
            self._submit()
            self.wait_for(By.ID, 'resume-history')

        with self.step('check through the API'):
            execution = self._assert_success(execution_id)
            self.assertIn('runs 2 replicas',
                          json.loads(execution['output'])['announced'])
            [record] = self.server.get('/executions/%s/resumes'
                                       % execution_id)['resumes']
            self.assertEqual([create], [p['task_execution_id']
                                        for p in record['points']])
