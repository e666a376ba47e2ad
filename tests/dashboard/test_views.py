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

"""The plugin's pages with Horizon's test helpers (the API mocked)."""

import json
from unittest import mock

from django.urls import reverse
from mistralclient.api.v2 import executions
from mistralclient.api.v2 import tasks
from mistraldashboard import api as mistral_api
from mistraldashboard.test import helpers as test
from openstack_dashboard.test import helpers
from oslotest import base as oslo_base

from mistral_resume.dashboard import api
from mistral_resume.dashboard import presenting
from tests import timeouts

EXECUTION = 'e-1'
BUILD = 't-build'
BRANCH_B = 't-b'
BRANCH_C = 't-c'


def _failure(task, key, publish, next_tasks, **extra):
    failure = {'task': task, 'task_execution_id': key, 'path': task,
               'state': 'ERROR', 'state_info': 'The action raised an '
               'exception [msg=\'str\' object cannot be interpreted as an '
               'integer] ' + 'x' * 100,
               'error_handled': False, 'with_items': False,
               'modes': ['rerun', 'continue'], 'publish': publish,
               'next_tasks': next_tasks}
    failure.update(extra)
    return failure


def _unresolved(failure):
    return {'code': 'UNRESOLVED_FAILURE', 'task': failure['task'],
            'task_execution_id': failure['task_execution_id'],
            'path': failure['path'], 'state': 'ERROR',
            'message': 'Task %s failed and no resume point covers it.'
            % failure['task']}


def _analysis(*failures, **extra):
    data = {'execution_id': EXECUTION, 'state': 'ERROR', 'resumable': True,
            'plain_resume': False, 'failures': list(failures),
            'requirements': [_unresolved(f) for f in failures],
            'warnings': []}
    data.update(extra)
    return data


PLAIN = _analysis(_failure('build', BUILD, ['items'], ['report']))
PARALLEL = _analysis(_failure('branch_c', BRANCH_C, ['c_hosts'], ['merge']),
                     _failure('branch_b', BRANCH_B, ['b_hosts'], ['merge']))


def _context(key, name, in_context):
    return {'task_execution_id': key, 'name': name, 'state': 'ERROR',
            'workflow_execution_id': EXECUTION,
            'in_context': dict(in_context, __versions={'abc': 1}),
            'published': {}, 'env': {'__secret_hint': 'x'},
            'workflow_input': {'item_count': 'not a number'},
            'publish': ['items'], 'references': ['item_count', 'state']}


def _record(points, dry_run=False, requirements=()):
    return {'id': 'r-1', 'execution_id': EXECUTION, 'project_id': 'p',
            'user_id': 'operator', 'created_at': '2026-01-01 10:00:00',
            'reason': 'input fixed', 'request_id': None, 'dry_run': dry_run,
            'execution_state_before': 'ERROR', 'batch_id': None,
            'points': points, 'env': {}, 'warnings': [],
            'requirements': list(requirements)}


def _resume_url(query=''):
    return reverse('horizon:mistral:resumes:resume',
                   args=[EXECUTION]) + query


class TablesTest(timeouts.TimeoutMixin, test.TestCase):
    """mistral-dashboard's own pages render our tables' row actions."""

    def _execution(self, id, state):
        return executions.Execution(executions.ExecutionManager(None), {
            'id': id, 'workflow_name': 'wf', 'description': '',
            'state': state, 'input': '{}', 'output': '{}', 'params': '{}',
            'created_at': '2026-01-01 10:00:00',
            'updated_at': '2026-01-01 10:00:00'})

    @helpers.create_mocks({mistral_api: ('pagination_list',)})
    def test_executions_index_offers_resume_on_error_and_paused(self):
        self.mock_pagination_list.return_value = [
            [self._execution('failed-1', 'ERROR'),
             self._execution('paused-1', 'PAUSED'),
             self._execution('running-1', 'RUNNING')], False, False]
        res = self.client.get(reverse('horizon:mistral:executions:index'))
        self.assertTemplateUsed(res, 'mistral/executions/index.html')
        table = res.context['table']
        self.assertEqual('executions', table.name)
        for id in ('failed-1', 'paused-1'):
            for name in ('requirements', 'resume', 'history'):
                self.assertContains(res, reverse(
                    'horizon:mistral:resumes:' + name, args=[id]))
        self.assertNotContains(res, '/running-1/resume/')
        self.assertNotContains(res, '/running-1/requirements/')
        self.assertContains(res, reverse('horizon:mistral:resumes:history',
                                         args=['running-1']))
        # mistral-dashboard's own actions are still there.
        self.assertContains(res, reverse(
            'horizon:mistral:executions:update_description',
            args=['failed-1']))

    @helpers.create_mocks({mistral_api: ('task_list',)})
    def test_tasks_of_an_execution_offer_context_rerun_continue(self):
        def task(id, state):
            return tasks.Task(tasks.TaskManager(None), {
                'id': id, 'workflow_execution_id': EXECUTION, 'name': id,
                'workflow_name': 'wf', 'state': state, 'type': 'ACTION',
                'result': '', 'published': '{}',
                'created_at': '2026-01-01 10:00:00',
                'updated_at': '2026-01-01 10:00:00'})

        self.mock_task_list.return_value = [task(BUILD, 'ERROR'),
                                            task('t-prepare', 'SUCCESS')]
        res = self.client.get(reverse('horizon:mistral:tasks:execution',
                                      args=[EXECUTION]))
        self.assertEqual('tasks', res.context['table'].name)
        self.assertContains(res, reverse('horizon:mistral:resumes:context',
                                         args=[BUILD]))
        self.assertContains(
            res, _resume_url('?task_execution_id=%s&amp;mode=rerun' % BUILD))
        self.assertContains(
            res,
            _resume_url('?task_execution_id=%s&amp;mode=continue' % BUILD))
        self.assertNotContains(res, 'task_execution_id=t-prepare')


class PresentingTest(oslo_base.BaseTestCase):

    def test_requirements_go_to_the_failure_they_name(self):
        failures = PARALLEL['failures'] + [
            _failure('create_replicas', 't-sub', [], [],
                     path='deploy.create_replicas')]
        by_id = dict(_unresolved(failures[0]))
        by_path = {'code': 'MISSING_PUBLISHED', 'task': 'create_replicas',
                   'path': 'deploy.create_replicas',
                   'task_execution_id': None, 'message': 'm'}
        general = {'code': 'EXECUTION_NOT_RESUMABLE', 'task': None,
                   'task_execution_id': None, 'message': 'm'}
        by_key, others = presenting.requirements_by_failure(
            failures, [by_id, by_path, general])
        self.assertEqual({BRANCH_C: [by_id], BRANCH_B: [],
                          't-sub': [by_path]}, by_key)
        self.assertEqual([general], others)

    def test_internal_keys_and_points(self):
        self.assertEqual(
            ([('a', 1)], [('__env', {})]),
            presenting.split_internal({'__env': {}, 'a': 1}))
        self.assertEqual(
            'continue b3; published: x, y',
            presenting.point_summary({'task': 'b3', 'mode': 'continue',
                                      'published': {'y': 1, 'x': 2}}))
        self.assertEqual(
            'rerun t; failed iterations only',
            presenting.point_summary({'task': 't', 'reset': False}))
        self.assertEqual('first line \u2026',
                         presenting.shorten('first line\nsecond'))


class RequirementsViewTest(timeouts.TimeoutMixin, test.TestCase):

    @helpers.create_mocks({api: ('requirements',)})
    def test_failures_table_with_requirements_next_to_their_task(self):
        self.mock_requirements.return_value = dict(
            PARALLEL, warnings=['A plain resume leaves branch_b behind.'])
        res = self.client.get(reverse('horizon:mistral:resumes:requirements',
                                      args=[EXECUTION]))
        self.assertTemplateUsed(res, 'mistral/resumes/requirements.html')
        rows = {row.id: row for row in res.context['table'].data}
        self.assertEqual({BRANCH_B, BRANCH_C}, set(rows))
        self.assertEqual(['UNRESOLVED_FAILURE'],
                         [r['code'] for r in rows[BRANCH_B].requirements])
        self.assertEqual('branch_b', rows[BRANCH_B].requirements[0]['task'])
        self.assertContains(res, 'Task branch_b failed and no resume point')
        self.assertContains(res, 'A continue would start')
        self.assertContains(res, '<details class="mr-long-text">')
        self.assertEqual(['A plain resume leaves branch_b behind.'],
                         [m.message for m in res.context['messages']])
        self.mock_requirements.assert_called_once_with(
            helpers.IsHttpRequest(), EXECUTION)


class ContextViewTest(timeouts.TimeoutMixin, test.TestCase):

    @helpers.create_mocks({api: ('task_context',)})
    def test_internal_keys_are_folded_away(self):
        self.mock_task_context.return_value = _context(
            BUILD, 'build', {'state': 'ready'})
        res = self.client.get(reverse('horizon:mistral:resumes:context',
                                      args=[BUILD]))
        sections = {s['key']: s for s in res.context['sections']}
        self.assertEqual([('state', 'ready')],
                         sections['in_context']['items'])
        self.assertEqual(['__versions'],
                         [k for k, v in sections['in_context']['internal']])
        self.assertEqual([], sections['env']['items'])
        self.assertEqual([('item_count', 'not a number')],
                         sections['workflow_input']['items'])
        self.assertContains(res, 'item_count, state')
        self.assertContains(res, 'id="context-rerun"')


class HistoryViewTest(timeouts.TimeoutMixin, test.TestCase):

    @helpers.create_mocks({api: ('history',)})
    def test_records_with_reason_user_and_points(self):
        self.mock_history.return_value = [_record([
            {'task': 'build', 'task_execution_id': BUILD, 'mode': 'rerun',
             'context_mode': 'merge', 'context': {'item_count': 3},
             'published': None, 'reset': True}])]
        res = self.client.get(reverse('horizon:mistral:resumes:history',
                                      args=[EXECUTION]))
        self.assertContains(res, 'rerun build; context merge: item_count')
        self.assertContains(res, 'input fixed')
        self.assertContains(res, 'operator')


class ResumeFormTest(timeouts.TimeoutMixin, test.TestCase):

    def setUp(self):
        super(ResumeFormTest, self).setUp()
        for name in ('requirements', 'task_context', 'resume',
                     'root_execution_id'):
            patcher = mock.patch.object(api, name)
            setattr(self, 'mock_' + name, patcher.start())
            self.addCleanup(patcher.stop)

    def _set_up(self, analysis=PLAIN):
        self.mock_root_execution_id.return_value = EXECUTION
        self.mock_requirements.return_value = analysis
        contexts = {f['task_execution_id']: _context(
            f['task_execution_id'], f['task'], {'state': 'ready'})
            for f in analysis['failures']}
        self.mock_task_context.side_effect = lambda r, key: contexts[key]

    def _post(self, data, query=''):
        return self.client.post(_resume_url(query), data)

    def test_blocks_prefilled_from_the_inbound_context(self):
        self._set_up()
        res = self.client.get(_resume_url(
            '?task_execution_id=%s&mode=continue' % BUILD))
        form = res.context['form']
        self.assertEqual(1, len(form.blocks))
        self.assertEqual({'state': 'ready'},
                         json.loads(form['failure0_context'].initial))
        self.assertEqual({'items': None},
                         json.loads(form['failure0_published'].initial))
        self.assertEqual('continue', form['failure0_mode'].initial)
        self.assertNotContains(res, '__versions')
        self.assertTrue(form['request_id'].initial.startswith('horizon-'))

    def test_rerun_sends_only_the_changed_keys(self):
        self._set_up()
        self.mock_resume.return_value = _record([])
        res = self._post({
            'failure0_mode': 'rerun', 'failure0_context_mode': 'merge',
            'failure0_context': '{"state": "ready", "item_count": 3}',
            'failure0_published': '{}', 'reason': 'input fixed',
            'request_id': 'horizon-1'})
        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, reverse(
            'horizon:mistral:resumes:history', args=[EXECUTION]))
        self.mock_resume.assert_called_once_with(
            helpers.IsHttpRequest(), EXECUTION,
            [{'task': 'build', 'mode': 'rerun',
              'context': {'item_count': 3}}],
            env=None, reason='input fixed', request_id='horizon-1',
            dry_run=False)

    def test_two_branches_in_one_request(self):
        self._set_up(PARALLEL)
        self.mock_resume.return_value = _record([])
        res = self._post({
            'failure0_mode': 'continue',
            'failure0_published': '{"c_hosts": {}}',
            'failure0_context': '{}', 'failure0_context_mode': 'merge',
            'failure1_mode': 'rerun', 'failure1_context_mode': 'replace',
            'failure1_context': '{"region_b_hosts": 1}',
            'failure1_published': '{}',
            'env': '{"region": "b"}'})
        self.assertNoFormErrors(res)
        self.mock_resume.assert_called_once_with(
            helpers.IsHttpRequest(), EXECUTION,
            [{'task': 'branch_c', 'mode': 'continue',
              'published': {'c_hosts': {}}},
             {'task': 'branch_b', 'mode': 'rerun',
              'context': {'region_b_hosts': 1}, 'context_mode': 'replace'}],
            env={'region': 'b'}, reason=None, request_id=None, dry_run=False)

    def test_malformed_json_is_a_form_error_before_any_request(self):
        self._set_up()
        res = self._post({
            'failure0_mode': 'rerun', 'failure0_context_mode': 'merge',
            'failure0_context': '{"item_count": 3', 'failure0_published': '',
            'env': '[1]'})
        form = res.context['form']
        self.assertIn('not valid JSON', ' '.join(
            form.errors['failure0_context']))
        self.assertIn('must be a JSON object', ' '.join(form.errors['env']))
        self.mock_resume.assert_not_called()

    def test_internal_keys_are_a_form_error(self):
        self._set_up()
        res = self._post({
            'failure0_mode': 'continue', 'failure0_context_mode': 'merge',
            'failure0_context': '{}',
            'failure0_published': '{"items": 1, "__execution": {}}'})
        self.assertIn('__execution', ' '.join(
            res.context['form'].errors['failure0_published']))
        self.mock_resume.assert_not_called()

    def test_refusal_shows_each_requirement_next_to_its_task(self):
        self._set_up(PARALLEL)
        unmet = [dict(_unresolved(PARALLEL['failures'][1]),
                      message='Task branch_b failed and is not covered.')]
        self.mock_resume.side_effect = api.RequirementsUnmet(
            'The resume was refused: branch_b is not covered.', unmet)
        res = self._post({
            'failure0_mode': 'rerun', 'failure0_context_mode': 'merge',
            'failure0_context': '{"region_c_hosts": 1}',
            'failure0_published': '{}',
            'failure1_mode': 'leave', 'failure1_context_mode': 'merge',
            'failure1_context': '{}', 'failure1_published': '{}',
            'request_id': 'horizon-3'})
        form = res.context['form']
        self.assertEqual([[], unmet], [b.requirements for b in form.blocks])
        self.assertContains(res, 'Task branch_b failed and is not covered.')
        self.assertContains(res, 'Nothing was changed: The resume was '
                                 'refused: branch_b is not covered.')
        # The corrected form will be another request.
        self.assertNotEqual('horizon-3', form['request_id'].value())
        self.assertTrue(form['request_id'].value().startswith('horizon-'))

    def test_dry_run_shows_the_plan_and_stays_on_the_form(self):
        self._set_up()
        point = {'task': 'build', 'task_execution_id': BUILD,
                 'mode': 'continue', 'published': {'items': {}},
                 'context': None, 'context_mode': None, 'reset': None}
        self.mock_resume.return_value = _record([point], dry_run=True)
        res = self._post({
            'failure0_mode': 'continue', 'failure0_context_mode': 'merge',
            'failure0_context': '{}', 'failure0_published': '{"items": {}}',
            'request_id': 'horizon-2', 'dry_run': '1'})
        self.assertEqual(200, res.status_code)
        self.assertContains(res, 'Dry run: nothing was changed')
        self.assertContains(res, 'continue build; published: items')
        self.assertEqual(True, self.mock_resume.call_args[1]['dry_run'])
        # A dry run does not spend the form's idempotency key.
        self.assertIsNone(self.mock_resume.call_args[1]['request_id'])

    def test_a_sub_workflow_execution_goes_to_its_top_execution(self):
        self.mock_root_execution_id.return_value = EXECUTION
        res = self.client.get(reverse('horizon:mistral:resumes:resume',
                                      args=['sub-1']) + '?mode=rerun')
        self.assertRedirectsNoFollow(res, _resume_url('?mode=rerun'))
