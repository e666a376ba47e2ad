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

"""ResumeManager against a real embedded server, over HTTP."""

from keystoneauth1 import session as ks_session
from mistralclient.api import base as api_base
from mistralclient.api import client
from oslo_utils import uuidutils

from mistral_resume.client import resumes
from tests import embedded

PLAIN = embedded.PLAIN
PARALLEL = embedded.PARALLEL

RECORD_KEYS = {
    'id', 'execution_id', 'project_id', 'user_id', 'created_at', 'reason',
    'request_id', 'dry_run', 'execution_state_before', 'points', 'env',
    'warnings', 'requirements', 'batch_id',
}
REQUIREMENT_KEYS = {'code', 'message', 'task', 'task_execution_id', 'state',
                    'path'}


class ResumeManagerTest(embedded.ExampleServerTestCase):

    def setUp(self):
        super(ResumeManagerTest, self).setUp()
        self.mistral = client.client(mistral_url=self.server.api_url)
        self.manager = resumes.get_manager(self.mistral)

    def failed_plain_execution(self):
        ex_id = self.server.start_execution(PLAIN)
        self.assertEqual('ERROR', self.server.await_settled(ex_id)['state'])
        return ex_id, self.server.tasks(ex_id)['build']['id']

    def assertAPIError(self, code, func, *args, **kwargs):
        e = self.assertRaises(api_base.APIException, func, *args, **kwargs)
        self.assertEqual(code, e.error_code, e.error_message)
        self.assertNotIsInstance(e, resumes.RequirementsUnmet)
        return e

    def test_get_manager_reuses_the_clients_http_client(self):
        self.assertIs(self.manager, self.mistral.resumes)
        self.assertIs(self.manager, resumes.get_manager(self.mistral))
        self.assertIs(self.mistral.executions.http_client,
                      self.manager.http_client)

    def test_requirements_list_every_failed_branch(self):
        found = self.manager.requirements(self.parallel)

        self.assertIsInstance(found, resumes.ResumeRequirements)
        self.assertEqual(self.parallel, found.execution_id)
        self.assertEqual('ERROR', found.state)
        self.assertTrue(found.resumable)
        self.assertFalse(found.plain_resume)
        self.assertEqual(['branch_b', 'branch_c'],
                         sorted(f['task'] for f in found.failures))
        for failure in found.failures:
            self.assertEqual(['rerun', 'continue'], failure['modes'])
            self.assertEqual(['merge'], failure['next_tasks'])
        self.assertEqual(
            [('UNRESOLVED_FAILURE', 'branch_b'),
             ('UNRESOLVED_FAILURE', 'branch_c')],
            sorted((r['code'], r['task']) for r in found.requirements)
        )
        self.assertEqual([], found.warnings)
        self.assertEqual(found.to_dict()['failures'], found.failures)

    def test_unmet_requirements_raise_with_the_parsed_requirements(self):
        failures = {f['task']: f for f in
                    self.manager.requirements(self.parallel).failures}

        e = self.assertRaises(
            resumes.RequirementsUnmet, self.manager.create, self.parallel,
            points=[resumes.point('branch_b',
                                  context={'region_b_hosts': 1})]
        )

        self.assertIsInstance(e, api_base.APIException)
        self.assertEqual(409, e.error_code)
        self.assertEqual(1, len(e.requirements))
        requirement = e.requirements[0]
        self.assertTrue(REQUIREMENT_KEYS.issubset(requirement))
        self.assertEqual('UNRESOLVED_FAILURE', requirement['code'])
        self.assertEqual('branch_c', requirement['task'])
        self.assertEqual(failures['branch_c']['task_execution_id'],
                         requirement['task_execution_id'])
        self.assertIn('branch_c', str(e))
        self.assertEqual(str(e), e.error_message)
        # A dry run is refused alike, and nothing was changed.
        e = self.assertRaises(resumes.RequirementsUnmet, self.manager.create,
                              self.parallel, dry_run=True)
        self.assertEqual(2, len(e.requirements))
        self.assertEqual('ERROR', self.server.await_settled(
            self.parallel)['state'])
        self.assertEqual([], self.manager.list(self.parallel))

    def test_dry_run_then_rerun_with_a_changed_context(self):
        ex_id, build_id = self.failed_plain_execution()
        points = [resumes.point('build', context={'item_count': 3})]

        plan = self.manager.create(ex_id, points=points, dry_run=True)

        self.assertIsInstance(plan, resumes.Resume)
        self.assertEqual(RECORD_KEYS, set(plan.to_dict()))
        self.assertIsNone(plan.id)
        self.assertTrue(plan.dry_run)
        self.assertEqual([], plan.requirements)
        [point] = plan.points
        self.assertEqual(
            {'task': 'build', 'mode': 'rerun', 'context': {'item_count': 3},
             'context_mode': 'merge', 'reset': True,
             'task_execution_id': build_id, 'state': 'ERROR'},
            {k: point[k] for k in ('task', 'mode', 'context', 'context_mode',
                                   'reset', 'task_execution_id', 'state')}
        )
        self.assertEqual([], self.manager.list(ex_id))

        record = self.manager.create(ex_id, points=points,
                                     reason='fixed the input',
                                     request_id='fix-1')

        self.assertTrue(uuidutils.is_uuid_like(record.id))
        self.assertFalse(record.dry_run)
        self.assertEqual('ERROR', record.execution_state_before)
        self.assertEqual('fixed the input', record.reason)
        self.assertEqual(ex_id, record.execution_id)
        self.assertEqual('SUCCESS',
                         self.server.await_settled(ex_id)['state'])
        report = self.server.get('/executions/%s' % ex_id)['output']
        self.assertIn('item-2', report)

        # The same request_id answers the first record, and does nothing.
        again = self.manager.create(ex_id, points=points,
                                    request_id='fix-1')
        self.assertEqual(record.to_dict(), again.to_dict())
        self.assertEqual(record.to_dict(),
                         self.manager.get(record.id).to_dict())
        self.assertEqual([record.id],
                         [r.id for r in self.manager.list(ex_id)])

    def test_task_context_then_continue_with_published(self):
        ex_id, build_id = self.failed_plain_execution()

        context = self.manager.task_context(build_id)

        self.assertIsInstance(context, resumes.TaskContext)
        self.assertEqual(build_id, context.task_execution_id)
        self.assertEqual('build', context.name)
        self.assertEqual('ERROR', context.state)
        self.assertEqual(ex_id, context.workflow_execution_id)
        self.assertEqual('ready', context.in_context['state'])
        self.assertEqual({'item_count': 'not a number'},
                         context.workflow_input)
        self.assertEqual(['items'], context.publish)
        self.assertIn('item_count', context.references)

        record = self.manager.create(ex_id, points=[resumes.point(
            'build', resumes.CONTINUE,
            published={'items': {'item-0': 'ready'}})])

        self.assertEqual(['report'], record.points[0]['next_tasks'])
        self.assertEqual('continue', record.points[0]['mode'])
        self.assertEqual('SUCCESS',
                         self.server.await_settled(ex_id)['state'])
        self.assertEqual({'items': {'item-0': 'ready'}},
                         self.manager.task_context(build_id).published)

    def test_list_is_newest_first_and_pages(self):
        ex_id, _ = self.failed_plain_execution()
        # Still not a number: build fails again, a second resume follows.
        first = self.manager.create(ex_id, points=[
            resumes.point('build', context={'item_count': 'two'})])
        self.assertEqual('ERROR', self.server.await_settled(ex_id)['state'])
        second = self.manager.create(ex_id, points=[
            resumes.point('build', context={'item_count': 2})])
        self.assertEqual('SUCCESS',
                         self.server.await_settled(ex_id)['state'])

        def ids(**paging):
            return [r.id for r in self.manager.list(ex_id, **paging)]

        self.assertEqual([second.id, first.id], ids())
        self.assertEqual([first.id, second.id], ids(sort_dirs='asc'))
        self.assertEqual([first.id, second.id],
                         ids(sort_keys=['created_at'], sort_dirs=['asc']))
        self.assertEqual([second.id], ids(limit=1))
        self.assertEqual([first.id], ids(limit=1, marker=second.id))
        self.assertIsInstance(self.manager.list(ex_id)[0], resumes.Resume)

    def test_not_found(self):
        missing = uuidutils.generate_uuid()

        self.assertAPIError(404, self.manager.requirements, missing)
        self.assertAPIError(404, self.manager.create, missing, dry_run=True)
        self.assertAPIError(404, self.manager.create, missing,
                            points=[resumes.point('build')])
        self.assertAPIError(404, self.manager.list, missing)
        self.assertAPIError(404, self.manager.get, missing)
        self.assertAPIError(404, self.manager.task_context, missing)

    def test_malformed_requests(self):
        e = self.assertAPIError(400, self.manager.create, self.parallel,
                                points=[{'task': 'branch_b', 'mode': 'skip'}])
        self.assertIn('skip', e.error_message)
        e = self.assertAPIError(
            400, self.manager.create, self.parallel,
            points=[resumes.point('branch_b', resumes.CONTINUE,
                                  context={'a': 1})])
        self.assertIn('context', e.error_message)
        self.assertAPIError(400, self.manager.list, self.parallel,
                            sort_keys='points')
        self.assertAPIError(400, self.manager.get, 'not-a-uuid')
        self.assertEqual('ERROR',
                         self.server.get('/executions/%s'
                                         % self.parallel)['state'])

    def test_keystoneauth_session_errors_are_the_same(self):
        # With a keystoneauth session (OpenStackClient's), HTTP errors come
        # as exceptions rather than responses; the manager answers alike.
        mistral = client.client(mistral_url=self.server.api_url,
                                session=ks_session.Session())
        manager = resumes.get_manager(mistral)

        self.assertEqual(self.parallel,
                         manager.requirements(self.parallel).execution_id)
        e = self.assertRaises(resumes.RequirementsUnmet, manager.create,
                              self.parallel, dry_run=True)
        self.assertEqual(['branch_b', 'branch_c'],
                         sorted(r['task'] for r in e.requirements))
        missing = uuidutils.generate_uuid()
        e = self.assertRaises(api_base.APIException, manager.get, missing)
        self.assertEqual(404, e.error_code)
        self.assertIn(missing, e.error_message)
