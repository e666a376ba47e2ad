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

"""Both command lines, run as an operator runs them, against a real server.

``mistral-resume`` and ``openstack`` (python-openstackclient, with our
``openstack.workflow_engine.v2`` entry points) are the installed console
scripts, run as subprocesses: what is tested includes their registration.
"""

import json
import os
import re
import subprocess
import sys

import fixtures
from oslo_utils import uuidutils
from testtools import content

from mistral_resume.client import commands
from tests import embedded

PLAIN = embedded.PLAIN
PARALLEL = embedded.PARALLEL
SUB_WORKFLOW = 'resume_sub_workflow'

BIN = os.path.dirname(sys.executable)
RUN_TIMEOUT = 60

UNMET_LINE = re.compile(r'^([A-Z_]+)  (\S+)  (.+\.)$')
HINT_LINE = re.compile(r'^    use: (.+)$')


class CommandLineTest(embedded.ExampleServerTestCase):

    EXAMPLES = embedded.ExampleServerTestCase.EXAMPLES + [
        SUB_WORKFLOW + '.yaml']

    def setUp(self):
        super(CommandLineTest, self).setUp()
        # Neither the developer's cloud nor their Mistral.
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(('OS_', 'MISTRAL'))}
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def run_many(self, *calls):
        """Run console scripts side by side; return each (stdout, stderr).

        Each call is (argv, expected exit code, env or None). Side by side
        because each run pays the script's start-up (2 s for openstack).
        """
        procs = [
            (argv, expect, subprocess.Popen(
                [os.path.join(BIN, argv[0])] + list(argv[1:]),
                env=env or self.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            for argv, expect, env in calls
        ]
        results = []
        for argv, expect, proc in procs:
            try:
                stdout, stderr = proc.communicate(timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                stdout, stderr = proc.communicate()
            self.addDetail(
                'run-%d' % len(self.getDetails()),
                content.text_content('%s\nexit %s\n--- stdout\n%s'
                                     '--- stderr\n%s'
                                     % (' '.join(argv), proc.returncode,
                                        stdout, stderr)))
            results.append((argv, expect, proc.returncode, stdout, stderr))
        for argv, expect, code, stdout, stderr in results:
            self.assertEqual(expect, code,
                             '%s: %s' % (' '.join(argv), stderr))
        return [(stdout, stderr) for _, _, _, stdout, stderr in results]

    def run_cli(self, argv, expect=0, env=None):
        """Run a console script; return (stdout, stderr)."""
        return self.run_many((argv, expect, env))[0]

    def mistral_resume_argv(self, *args):
        return ('mistral-resume', '--os-mistral-url',
                self.server.api_url) + args

    def openstack_argv(self, *args):
        # No Keystone: the endpoint is given, as for any service without
        # authentication.
        return ('openstack', '--os-auth-type', 'none',
                '--os-endpoint', self.server.api_url) + args

    def mistral_resume(self, *args, **kwargs):
        return self.run_cli(self.mistral_resume_argv(*args), **kwargs)

    def openstack(self, *args, **kwargs):
        return self.run_cli(self.openstack_argv(*args), **kwargs)

    def failed_plain_execution(self):
        ex_id = self.server.start_execution(PLAIN)
        self.assertEqual('ERROR', self.server.await_settled(ex_id)['state'])
        return ex_id, self.server.tasks(ex_id)['build']['id']

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def assertUnmet(self, stderr, expected):
        """stderr is one CODE  task  sentence line per requirement.

        Each may be followed by indented lines giving the options that
        answer it; returns {(code, task): [option, ...]}.
        """
        hints = {}
        current = None
        for line in stderr.splitlines():
            hint = HINT_LINE.match(line)
            if hint and current is not None:
                hints[current].append(hint.group(1))
                continue
            self.assertRegex(line, UNMET_LINE)
            current = UNMET_LINE.match(line).group(1, 2)
            hints[current] = []
        self.assertEqual(sorted(expected), sorted(hints))
        return hints

    # mistral-resume

    def test_help_keeps_every_mistral_command(self):
        stdout, _ = self.run_cli(('mistral-resume', '--help'))

        for name in ('execution-list', 'task-rerun', 'workflow-create',
                     'execution-resume-requirements', 'execution-resume',
                     'execution-resume-list', 'execution-resume-show',
                     'task-context', '--os-mistral-url', '--os-auth-url'):
            self.assertIn(name, stdout)

    def test_requirements_in_table_and_json(self):
        (table, _), (data, _) = self.run_many(
            (self.mistral_resume_argv('execution-resume-requirements',
                                      self.parallel), 0, None),
            (self.mistral_resume_argv('execution-resume-requirements',
                                      self.parallel, '-f', 'json'), 0, None),
        )
        data = json.loads(data)

        for task in ('branch_b', 'branch_c'):
            self.assertRegex(table, r'UNRESOLVED_FAILURE  %s  Task %s '
                             % (task, task))
            self.assertIn('modes: rerun, continue; continue must publish: '
                          '%s_hosts; then: merge' % task[-1], table)
        self.assertEqual(self.parallel, data['Execution ID'])
        self.assertEqual('ERROR', data['State'])
        self.assertIs(True, data['Resumable'])
        self.assertIs(False, data['Plain resume'])
        self.assertEqual(['branch_b', 'branch_c'],
                         sorted(f['task'] for f in data['Failures']))
        self.assertEqual(['UNRESOLVED_FAILURE'] * 2,
                         [r['code'] for r in data['Requirements']])
        self.assertEqual([], data['Warnings'])

    def test_unmet_requirements_exit_2_one_line_each(self):
        unmet = commands.EXIT_REQUIREMENTS_UNMET
        (stdout, stderr), (_, dry_run_stderr) = self.run_many(
            (self.mistral_resume_argv(
                'execution-resume', self.parallel,
                '--rerun', 'branch_b={"region_b_hosts": 1}'), unmet, None),
            # A dry run is refused the same way.
            (self.mistral_resume_argv(
                'execution-resume', self.parallel, '--dry-run', '-f', 'json'),
             unmet, None),
        )

        self.assertEqual('', stdout)
        hints = self.assertUnmet(stderr, [('UNRESOLVED_FAILURE', 'branch_c')])
        # The command-line options that answer it, not the API's words.
        self.assertEqual(['--rerun branch_c[=CONTEXT] or --continue '
                          'branch_c=PUBLISHED'],
                         hints[('UNRESOLVED_FAILURE', 'branch_c')])
        self.assertUnmet(dry_run_stderr, [('UNRESOLVED_FAILURE', 'branch_b'),
                                          ('UNRESOLVED_FAILURE', 'branch_c')])

    def test_a_sub_workflow_task_by_its_bare_name(self):
        ex_id = self.server.start_execution(SUB_WORKFLOW)
        self.assertEqual('ERROR', self.server.await_settled(ex_id)['state'])

        (_, refused), (context, _) = self.run_many(
            (self.mistral_resume_argv(
                'execution-resume', ex_id,
                '--rerun', 'create_replicas={"replicas": 2}'),
             commands.EXIT_REQUIREMENTS_UNMET, None),
            (self.mistral_resume_argv('task-context', ex_id,
                                      'deploy.create_replicas', '-f', 'json'),
             0, None),
        )

        hints = self.assertUnmet(refused, [
            ('UNKNOWN_TASK', 'create_replicas'),
            ('UNRESOLVED_FAILURE', 'deploy.create_replicas')])
        self.assertEqual(['--rerun deploy.create_replicas'],
                         hints[('UNKNOWN_TASK', 'create_replicas')])
        self.assertIn('name it by its dotted path, deploy.create_replicas.',
                      refused)
        context = json.loads(context)
        self.assertEqual(('create_replicas', 'ERROR'),
                         (context['Name'], context['State']))
        self.assertNotEqual(ex_id, context['Workflow execution ID'])

    def test_dry_run_plan_then_resume_list_and_show(self):
        ex_id, build_id = self.failed_plain_execution()
        json_file = self.write('context.json', '{"item_count": 3}')
        yaml_file = self.write('context.yaml', 'item_count: 3\n')

        plan, _ = self.mistral_resume('execution-resume', ex_id,
                                      '--rerun', 'build=@' + json_file,
                                      '--dry-run')

        self.assertIn('re-run build (%s, ERROR) with {"item_count": 3} '
                      'merged over its inbound context' % build_id, plan)
        self.assertRegex(plan, r'\| Dry run +\| True')
        self.assertEqual('ERROR', self.server.await_settled(ex_id)['state'])

        record = json.loads(self.mistral_resume(
            'execution-resume', ex_id, '--rerun', 'build=' + yaml_file,
            '--context-mode', 'merge', '--reason', 'fixed the input',
            '--request-id', 'fix-1', '-f', 'json')[0])

        self.assertTrue(uuidutils.is_uuid_like(record['ID']))
        self.assertIs(False, record['Dry run'])
        self.assertEqual('fixed the input', record['Reason'])
        self.assertEqual({'item_count': 3}, record['Points'][0]['context'])
        self.assertEqual('SUCCESS',
                         self.server.await_settled(ex_id)['state'])

        (listed, _), (table, _), (shown, _) = self.run_many(
            (self.mistral_resume_argv('execution-resume-list', ex_id,
                                      '-f', 'json'), 0, None),
            (self.mistral_resume_argv('execution-resume-list', ex_id), 0,
             None),
            (self.mistral_resume_argv('execution-resume-show', record['ID']),
             0, None),
        )
        listed = json.loads(listed)
        self.assertEqual([record['ID']], [r['ID'] for r in listed])
        self.assertEqual('rerun', listed[0]['Points'][0]['mode'])
        self.assertRegex(table, r'\| %s \| .* \| ERROR +\| rerun build '
                         r'\(context: 1 key\) +\| fixed the input \| fix-1 '
                         r'+\| <none> +\|' % record['ID'])
        self.assertIn('re-run build (%s, ERROR) with {"item_count": 3} '
                      'merged over its inbound context' % build_id, shown)
        self.assertRegex(shown, r'\| Request ID +\| fix-1 ')

        # value and csv: the table's words on one line, <none> for what is
        # missing (no user without authentication).
        (value, _), (csv, _) = self.run_many(
            (self.mistral_resume_argv('execution-resume-list', ex_id,
                                      '-f', 'value'), 0, None),
            (self.mistral_resume_argv('execution-resume-list', ex_id,
                                      '-f', 'csv', '-c', 'Points',
                                      '-c', 'User ID'), 0, None),
        )
        self.assertRegex(value, r'^%s \S+ ERROR rerun build \(context: 1 '
                         r'key\) fixed the input fix-1 <none>\n$'
                         % record['ID'])
        self.assertEqual('"Points","User ID"\n'
                         '"rerun build (context: 1 key)","<none>"\n',
                         csv.replace('\r\n', '\n'))

    def test_task_context_and_continue_plan(self):
        ex_id, build_id = self.failed_plain_execution()

        (data, _), (plan, _) = self.run_many(
            (self.mistral_resume_argv('task-context', build_id, '-f', 'json'),
             0, None),
            (self.mistral_resume_argv(
                'execution-resume', ex_id, '--dry-run',
                '--continue', 'build={"items": {"item-0": "ready"}}'),
             0, None),
        )
        data = json.loads(data)

        self.assertEqual('build', data['Name'])
        self.assertEqual('ERROR', data['State'])
        self.assertEqual(['items'], data['Publish'])
        self.assertEqual({'state': 'ready'}, data['In context'])
        self.assertEqual({'item_count': 'not a number'},
                         data['Workflow input'])
        self.assertIn('continue after build (%s, ERROR) as if it had '
                      'succeeded, publishing {"items": {"item-0": "ready"}}; '
                      'then start report' % build_id, plan)

    def test_task_context_by_name_and_its_internal_keys(self):
        ex_id, build_id = self.failed_plain_execution()

        (by_name, _), (internal, _), (table, _), (_, not_an_id) = (
            self.run_many(
                (self.mistral_resume_argv('task-context', ex_id, 'build',
                                          '-f', 'json'), 0, None),
                (self.mistral_resume_argv('task-context', build_id,
                                          '--internal', '-f', 'json'),
                 0, None),
                (self.mistral_resume_argv('task-context', build_id), 0, None),
                (self.mistral_resume_argv('task-context', 'build'), 1, None),
            ))
        by_name, internal = json.loads(by_name), json.loads(internal)

        self.assertEqual(build_id, by_name['Task execution ID'])
        # Mistral's internal keys: folded away, and there with --internal.
        hidden = sorted(k for k in internal['In context']
                        if k.startswith('__'))
        self.assertTrue(hidden)
        self.assertEqual({k: v for k, v in internal['In context'].items()
                          if k not in hidden}, by_name['In context'])
        self.assertIn('(internal keys hidden: %s; --internal shows them)'
                      % ', '.join(hidden), table)
        # A task name alone says how to find what it takes.
        self.assertIn("'build' is not a task execution ID. Give the workflow "
                      "execution ID before the task name: task-context "
                      "<execution id> build", not_an_id)

    def test_errors_exit_1(self):
        missing = uuidutils.generate_uuid()
        # The README's variable works as well as --os-mistral-url.
        env = dict(self.env, MISTRAL_URL=self.server.api_url)

        (_, not_found), (_, not_an_object), (_, broken) = self.run_many(
            (('mistral-resume', 'execution-resume-show', missing), 1, env),
            (('mistral-resume', 'execution-resume', self.parallel,
              '--rerun', 'branch_b=[1]'), 1, env),
            (('mistral-resume', 'execution-resume', self.parallel,
              '--rerun', 'branch_b={region_b_hosts: 1'), 1, env),
        )

        self.assertIn('Resume record not found', not_found)
        self.assertIn('The context of branch_b must be a JSON object',
                      not_an_object)
        # Both parsers' complaints, in one sentence.
        self.assertRegex(broken, r'The context of branch_b is neither JSON '
                         r'\(Expecting .+\) nor YAML \(.+ at line 1, '
                         r'column \d+\)\.')

    # openstack

    def test_openstack_without_keystone_from_the_environment(self):
        # The form the docs give: no Keystone, the endpoint in OS_ENDPOINT.
        env = dict(self.env, OS_AUTH_TYPE='none',
                   OS_ENDPOINT=self.server.api_url)
        data, _ = self.run_cli(
            ('openstack', 'workflow', 'execution', 'resume', 'requirements',
             self.parallel, '-f', 'json'), env=env)
        failures = json.loads(data)['Failures']

        self.assertEqual(['branch_b', 'branch_c'],
                         sorted(f['task'] for f in failures))

    def test_openstack_requirements_and_unmet(self):
        (data, _), (stdout, stderr) = self.run_many(
            (self.openstack_argv('workflow', 'execution', 'resume',
                                 'requirements', self.parallel, '-f', 'json'),
             0, None),
            (self.openstack_argv('workflow', 'execution', 'resume',
                                 self.parallel,
                                 '--continue', 'branch_c={"c_hosts": {}}'),
             commands.EXIT_REQUIREMENTS_UNMET, None),
        )
        data = json.loads(data)

        self.assertEqual(['branch_b', 'branch_c'],
                         sorted(f['task'] for f in data['Failures']))
        self.assertEqual('', stdout)
        self.assertUnmet(stderr, [('UNRESOLVED_FAILURE', 'branch_b')])

    def test_openstack_resume_list_show_and_task_context(self):
        ex_id, build_id = self.failed_plain_execution()

        resume_id, _ = self.openstack(
            'workflow', 'execution', 'resume', ex_id,
            '--rerun', 'build={"item_count": 2}', '-f', 'value', '-c', 'ID')
        resume_id = resume_id.strip()
        self.assertTrue(uuidutils.is_uuid_like(resume_id))
        self.assertEqual('SUCCESS',
                         self.server.await_settled(ex_id)['state'])

        (listed, _), (shown, _), (context, _) = self.run_many(
            (self.openstack_argv('workflow', 'execution', 'resume', 'list',
                                 ex_id, '-f', 'value', '-c', 'ID'), 0, None),
            (self.openstack_argv('workflow', 'execution', 'resume', 'show',
                                 resume_id), 0, None),
            (self.openstack_argv('task', 'execution', 'context', build_id,
                                 '-f', 'json'), 0, None),
        )
        context = json.loads(context)

        self.assertEqual(resume_id, listed.strip())
        self.assertIn('re-run build (%s, ERROR) with {"item_count": 2} '
                      'merged over its inbound context' % build_id, shown)
        self.assertEqual('build', context['Name'])
        self.assertEqual('SUCCESS', context['State'])
        self.assertEqual({'item_count': 2},
                         {'item_count': context['In context']['item_count']})
