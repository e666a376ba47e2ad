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

import inspect

from mistral.db.v2.sqlalchemy import models
from mistral.engine import actions
from mistral.engine import policies
from mistral.engine import task_handler
from mistral.engine import tasks
from oslotest import base as oslo_base

from mistral_resume.engine import leftovers


class TestMistralShapes(oslo_base.BaseTestCase):
    """Fails when what engine/leftovers.py relies on changes in Mistral."""

    def test_task_lock_names(self):
        sources = {
            'continue-task-%s': inspect.getsource(task_handler.continue_task),
            'with-items-%s': inspect.getsource(
                tasks.WithItemsTask.on_action_complete),
            '%s': inspect.getsource(task_handler._refresh_task_state),
        }
        self.assertEqual(set(sources), set(leftovers._TASK_LOCK_NAMES))
        self.assertIn("named_lock('continue-task-%s' % task_ex.id)",
                      sources['continue-task-%s'])
        self.assertIn("named_lock('with-items-%s' % self.task_ex.id)",
                      sources['with-items-%s'])
        self.assertIn('named_lock(task_ex.id)', sources['%s'])

    def test_a_completed_action_refuses_a_result(self):
        # A superseded action is cancelled so that its late result is
        # refused here, before the task hears of it.
        source = inspect.getsource(actions.RegularAction.complete)
        self.assertIn('if states.is_completed(self.action_ex.state):',
                      source)
        self.assertIn('raise ValueError', source)

    def test_timeout_job(self):
        # The timeout policy's job names the task execution only; it is
        # found by function and argument in either scheduler's table.
        source = inspect.getsource(policies.TimeoutPolicy.before_task_start)
        self.assertIn('func_name=_FAIL_IF_INCOMPLETE_TASK_PATH', source)
        self.assertIn("'task_ex_id': task.get_id()", source)
        self.assertEqual('mistral.engine.policies._fail_task_if_incomplete',
                         policies._FAIL_IF_INCOMPLETE_TASK_PATH)
        for model, columns in (
                (models.DelayedCall, ('target_method_name',
                                      'method_arguments', 'processing')),
                (models.ScheduledJob, ('func_name', 'func_args',
                                       'captured_at'))):
            for column in columns:
                self.assertIn(column, model.__table__.columns)
