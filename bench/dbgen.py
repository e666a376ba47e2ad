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

"""Write benchmark executions straight into a Mistral database.

Run as its own process (it configures Mistral's CONF and DB API), while
the embedded server that owns the database is stopped::

    python -m bench.dbgen --connection sqlite:////path/mistral-resume.sqlite \\
        wide:1000 deep:1000

Workflow definitions go through Mistral's own service (validation off: the
shapes are generated, and the JSON-schema validation of a spec with
thousands of tasks takes minutes); executions and task executions through
``mistral.db.v2.api``, one transaction per shape, with the columns a run of
Mistral 23 stores. One JSON object per shape on stdout: the top execution
id, the task execution count, what a resume names, the writing time.
"""

import mistral.cmd  # noqa

import argparse
import datetime
import json
import sys
import time

from mistral import config  # noqa: F401  registers Mistral's options
from mistral import context as auth_ctx
from mistral.db.v2 import api as db_api
from mistral.lang import parser as spec_parser
from mistral.services import security
from mistral.services import workflows as wf_service
from oslo_config import cfg

from bench import shapes

CONF = cfg.CONF

# Executions are stamped from here on, a tenth of a second per task
# execution (Mistral stores whole seconds).
EPOCH = datetime.datetime(2026, 1, 1)


def _configure(connection):
    CONF([], project='mistral', default_config_files=[],
         default_config_dirs=[])
    CONF.set_override('connection', connection, group='database')
    # Rows owned as the embedded server (authentication off) owns them.
    CONF.set_override('auth_enable', False, group='pecan')
    # Generated specs: the JSON-schema validation of one with thousands of
    # tasks takes minutes.
    CONF.set_override('validation_mode', 'disabled', group='api')
    auth_ctx.set_ctx(auth_ctx.MistralContext(
        user_id=None, project_id=None, auth_token=None, is_admin=True))


def _definitions(shape):
    """Create (or reuse) the shape's workflow definitions; return by name."""
    found = {}
    for name, definition in shape.definitions.items():
        wf_def = db_api.load_workflow_definition(name)
        if wf_def is None:
            wf_service.create_workflows(definition)
            wf_def = db_api.load_workflow_definition(name)
        found[name] = (wf_def.id, spec_parser.get_workflow_spec(
            wf_def.spec))
    return found


class _Clock(object):
    def __init__(self):
        self.count = 0

    def tick(self):
        self.count += 1
        return EPOCH + datetime.timedelta(seconds=self.count // 10)


def _write_execution(ex, defs, clock, parent_run=None, root_id=None):
    wf_id, wf_spec = defs[ex.workflow]
    started = clock.tick()
    db_api.create_workflow_execution({
        'id': ex.id,
        'name': ex.workflow,
        'description': '',
        'workflow_name': ex.workflow,
        'workflow_namespace': '',
        'workflow_id': wf_id,
        'spec': wf_spec.to_dict(),
        'state': ex.state,
        'state_info': ex.state_info,
        'tags': [],
        'accepted': True,
        'input': ex.input,
        'output': {},
        'params': {'env': {'region': 'bench'}, 'namespace': ''},
        'context': {'__execution': {'id': ex.id}},
        'runtime_context': {'index': ex.index},
        'task_execution_id': parent_run.id if parent_run else None,
        'root_execution_id': root_id,
        'project_id': security.DEFAULT_PROJECT_ID,
        'created_at': started,
        'updated_at': started,
    })
    tasks = wf_spec.get_tasks()
    for run in ex.runs:
        task_spec = tasks[run.name]
        stamp = clock.tick()
        runtime_context = {}
        if run.triggered_by:
            runtime_context['triggered_by'] = [
                {'task_id': t, 'event': 'on-success'}
                for t in run.triggered_by]
        if run.with_items:
            runtime_context['with_items'] = run.with_items
        next_tasks = [[t, 'on-success'] for t, _c, _p in
                      wf_spec.get_on_success_clause(run.name)] \
            if run.state == 'SUCCESS' else []
        db_api.create_task_execution({
            'id': run.id,
            'name': run.name,
            'workflow_name': ex.workflow,
            'workflow_namespace': '',
            'workflow_id': wf_id,
            'workflow_execution_id': ex.id,
            'spec': task_spec.to_dict(),
            'type': 'WORKFLOW' if task_spec.get_workflow_name() else 'ACTION',
            'state': run.state,
            'state_info': run.state_info,
            'tags': [],
            'runtime_context': runtime_context,
            'in_context': run.in_context,
            'published': run.published,
            'error_handled': run.error_handled,
            'processed': True,
            'has_next_tasks': bool(next_tasks),
            'next_tasks': next_tasks,
            'started_at': stamp,
            'finished_at': stamp,
            'project_id': security.DEFAULT_PROJECT_ID,
            'created_at': stamp,
            'updated_at': stamp,
        })
        for child in run.children:
            _write_execution(child, defs, clock, run, root_id or ex.id)


def write(shape):
    started = time.monotonic()
    defs = _definitions(shape)
    with db_api.transaction():
        _write_execution(shape.top, defs, _Clock())
    return {
        'shape': shape.name,
        'size': shape.size,
        'execution_id': shape.top.id,
        'task_executions': shape.top.task_count,
        'executions': len(list(shape.top.walk())),
        'execution_ids': [ex.id for ex in shape.top.walk()],
        'failures': shape.params['failures'],
        'points': shape.points,
        'params': shape.params,
        'write_seconds': round(time.monotonic() - started, 2),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--connection', required=True,
                        help="the database URL ([database] connection)")
    parser.add_argument('builds', nargs='+', metavar='SHAPE:SIZE',
                        help='shapes (%s) and task execution counts'
                        % ', '.join(shapes.SHAPES))
    args = parser.parse_args(argv)
    _configure(args.connection)
    for item in args.builds:
        name, _, size = item.partition(':')
        result = write(shapes.build(name, int(size)))
        print(json.dumps(result), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
