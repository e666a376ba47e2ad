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

"""The test harness: Mistral's engine in-process, fast and leaving nothing.

Mistral's own engine tests poll once a second and leave a 300 s heartbeat
timer that keeps the process alive for minutes; ours poll every 50 ms, turn
the heartbeat checker off and stop every service they start.
"""

import json
import types

from futurist import _thread as futurist_thread
import jsonschema
from mistral.api import app as pecan_app
from mistral import context as auth_context
from mistral.db.sqlalchemy import base as db_sa_base
from mistral.db.v2 import api as db_api
from mistral.engine import engine_server
from mistral.lang import base as spec_base
from mistral.services import workflows as wf_service
from mistral.tests.unit.engine import base as engine_base
from mistral.workflow import states
from mistral_lib import actions as ml_actions
import webtest

from mistral_resume.db import migration
from mistral_resume.db import models
from mistral_resume.engine import rpc_client
from mistral_resume.engine import server

POLL = 0.05
TIMEOUT = 30


class _CachedSchemaValidation(object):
    """jsonschema.validate, with one checked validator per schema.

    Mistral validates every spec with jsonschema.validate(), which checks
    the schema itself against the meta-schema on each call: most of the
    0.5-1.5 s that creating a workflow costs. The validation of the
    instance is unchanged (same validator class, same best error).
    """

    ValidationError = jsonschema.ValidationError

    def __init__(self):
        self._validators = {}

    def validate(self, instance, schema):
        key = json.dumps(schema, sort_keys=True, default=str)
        validator = self._validators.get(key)
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = self._validators[key] = cls(schema)
        error = jsonschema.exceptions.best_match(
            validator.iter_errors(instance))
        if error is not None:
            raise error


spec_base.jsonschema = _CachedSchemaValidation()

# Idle RPC worker threads wait this long for work before a server can stop;
# Mistral keeps futurist's 1 s, which costs every test a second at stop.
futurist_thread.ThreadWorker.MAX_IDLE_FOR = POLL

_SCHEMA = {}


class CheckAction(ml_actions.Action):
    """Fails unless its value is truthy and not "bad": a fixable failure."""

    def __init__(self, value=None):
        self.value = value

    def run(self, context):
        if not self.value or self.value == 'bad':
            return ml_actions.Result(error='check failed for %r' % self.value)
        return self.value

    def test(self, context):
        return self.run(context)


def ensure_schema():
    """Create our tables in the test database (once per database)."""
    engine = db_sa_base.get_engine()
    if _SCHEMA.get('engine') is not engine:
        migration.upgrade(engine)
        _SCHEMA['engine'] = engine


class EngineTestCase(engine_base.EngineTestCase):
    """Mistral's engine, executor and our resume endpoint over fake:/."""

    def setUp(self):
        self.override_config('check_interval', 0, 'action_heartbeat')
        self.override_config('fixed_delay', 0.1, 'scheduler')
        self.override_config('random_delay', 0.1, 'scheduler')
        # Mistral's harness starts "the engine" through this factory.
        self.patch(engine_server, 'get_oslo_service',
                   server.get_oslo_service)
        super().setUp()
        self.register_action_class('test.check', CheckAction)
        ensure_schema()
        self.addCleanup(self._clean_records)

    def patch(self, obj, name, value):
        original = getattr(obj, name)
        setattr(obj, name, value)
        self.addCleanup(setattr, obj, name, original)

    @staticmethod
    def _clean_records():
        with db_api.transaction():
            for model in (models.ResumeRecord, models.BatchOutcome,
                          models.BatchChunk, models.ResumeBatch):
                db_sa_base.model_query(model).delete()

    def _await(self, predicate, delay=POLL, timeout=TIMEOUT,
               fail_message='no detail', fail_message_formatter=lambda x: x):
        super()._await(predicate, min(delay, POLL), timeout,
                       fail_message, fail_message_formatter)

    # Workflows.

    def start_definitions(self, definition):
        """Create the workflows of a YAML text; return their names."""
        return [d.name for d in wf_service.create_workflows(definition)]

    def start(self, definition, wf_input=None, env=None, name=None):
        """Create the workflows of a YAML text and start one."""
        # The text may define several workflows; all are created.
        names = self.start_definitions(definition)
        wf_name = name or names[0]
        params = {'env': env} if env else {}
        wf_ex = self.engine.start_workflow(wf_name,
                                           wf_input=wf_input or {}, **params)
        return wf_ex.id

    def await_state(self, wf_ex_id, state):
        self.await_workflow_state(wf_ex_id, state)
        return self.execution(wf_ex_id)

    def execution(self, wf_ex_id):
        with db_api.transaction():
            wf_ex = db_api.get_workflow_execution(wf_ex_id)
            return types.SimpleNamespace(
                id=wf_ex.id, state=wf_ex.state, state_info=wf_ex.state_info,
                output=wf_ex.output, params=dict(wf_ex.params or {}),
                tasks={t.name: t for t in wf_ex.task_executions}
            )

    def tasks(self, wf_ex_id, name=None):
        """Task executions of an execution, oldest first, as plain dicts."""
        with db_api.transaction():
            task_exs = db_api.get_task_executions(
                workflow_execution_id=wf_ex_id,
                sort_keys=['created_at'], sort_dirs=['asc']
            )
            return [
                {'id': t.id, 'name': t.name, 'state': t.state,
                 'state_info': t.state_info,
                 'in_context': dict(t.in_context or {}),
                 'published': dict(t.published or {}),
                 'runtime_context': dict(t.runtime_context or {}),
                 'error_handled': t.error_handled,
                 'actions': len(t.executions)}
                for t in task_exs if name is None or t.name == name
            ]

    def task(self, wf_ex_id, name):
        found = self.tasks(wf_ex_id, name)
        self.assertEqual(1, len(found), 'task %s: %s' % (name, found))
        return found[0]

    def children(self, wf_ex_id):
        with db_api.transaction():
            wf_ex = db_api.get_workflow_execution(wf_ex_id)
            return [
                ex.id for t in wf_ex.task_executions
                for ex in db_api.get_workflow_executions(
                    task_execution_id=t.id)
            ]

    # The resume endpoint, called over RPC as the API calls it.

    def requirements(self, wf_ex_id):
        return rpc_client.get_client().resume_requirements(wf_ex_id)

    def resume(self, wf_ex_id, **body):
        return rpc_client.get_client().create_resume(wf_ex_id, body)

    def codes(self, outcome):
        return sorted(r['code'] for r in outcome['requirements'])

    def await_task_done(self, wf_ex_id, name):
        self._await(lambda: all(
            states.is_completed(t['state'])
            for t in self.tasks(wf_ex_id, name)))


def as_admin():
    auth_context.set_ctx(engine_base.base.get_context(default=True,
                                                      admin=True))


class ApiTestCase(EngineTestCase):
    """Our Pecan root over WSGI (webtest), in front of the engine."""

    def setUp(self):
        super().setUp()
        self.override_config('auth_enable', False, group='pecan')
        self.override_config('enabled', False, group='cron_trigger')
        self.override_config('root', 'mistral_resume.api.root.RootController',
                             group='pecan')
        self.app = webtest.TestApp(pecan_app.setup_app())

    def get(self, url, status=200, **kw):
        try:
            return self.app.get(url, status=status, **kw)
        finally:
            self._restore_context()

    def post_json(self, url, body, status=None):
        try:
            return self.app.post_json(url, body, status=status or '*',
                                      expect_errors=True)
        finally:
            self._restore_context()

    def _restore_context(self):
        # The API's context hook clears the thread's context after each
        # request; the test goes on as its own caller.
        auth_context.set_ctx(self.ctx)
