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

"""The resume batch commands, for both command lines (see commands.py).

Exit codes: 0 done; 1 any error; ``EXIT_REQUIREMENTS_UNMET`` (2) when a
dry run, or a batch waited for, has refused executions (or errors): the
batch is shown all the same, and each refused execution is printed to
stderr as ``execution_id  CODE  task  sentence``.
"""

from osc_lib.command import command
import tqdm

from mistral_resume.client import batches
from mistral_resume.client import commands

EXIT_REQUIREMENTS_UNMET = commands.EXIT_REQUIREMENTS_UNMET


def outcome_lines(outcome):
    """An outcome as the operator reads it: one line, or one per code."""
    head = '%s  %s' % (outcome.get('execution_id'), outcome.get('outcome'))
    if outcome.get('resume_id'):
        return [head + '  resume %s' % outcome['resume_id']]
    requirements = outcome.get('requirements') or []
    if not requirements:
        return [head + ('  ' + outcome['message']
                        if outcome.get('message') else '')]
    return ['%s  %s' % (head, commands.requirement_line(r))
            for r in requirements]


class OutcomesColumn(commands.TextColumn):
    def human_readable(self):
        return '\n'.join(line for o in self._value or []
                         for line in outcome_lines(o))


class FilterColumn(commands.TextColumn):
    def human_readable(self):
        return '\n'.join('%s: %s' % (k, ', '.join(v) if isinstance(v, list)
                                     else v)
                         for k, v in sorted((self._value or {}).items()))


BATCH_FIELDS = (
    ('id', 'ID', None),
    ('state', 'State', None),
    ('dry_run', 'Dry run', None),
    ('total', 'Total', None),
    ('applied', 'Applied', None),
    ('refused', 'Refused', None),
    ('errors', 'Errors', None),
    ('filter', 'Filter', FilterColumn),
    ('points', 'Points', commands.PointsColumn),
    ('env', 'Env', commands.JSONColumn),
    ('reason', 'Reason', None),
    ('request_id', 'Request ID', None),
    ('created_at', 'Created at', None),
    ('updated_at', 'Updated at', None),
    ('project_id', 'Project ID', None),
    ('user_id', 'User ID', None),
    ('outcomes', 'Outcomes', OutcomesColumn),
)

BATCH_LIST_FIELDS = (
    ('id', 'ID', None),
    ('created_at', 'Created at', None),
    ('state', 'State', None),
    ('total', 'Total', None),
    ('applied', 'Applied', None),
    ('refused', 'Refused', None),
    ('errors', 'Errors', None),
    ('points', 'Points', commands.PointsSummaryColumn),
    ('reason', 'Reason', None),
    ('request_id', 'Request ID', None),
)


class _BatchCommand(object):

    @property
    def manager(self):
        return batches.get_manager(self.app.client_manager.workflow_engine)

    def show(self, parsed_args, batch, outcomes=None):
        data = batch.to_dict()
        if outcomes is not None:
            data['outcomes'] = outcomes
        return (commands.headings(BATCH_FIELDS),
                commands.row(batches.ResumeBatch(self.manager, data),
                             BATCH_FIELDS, parsed_args.formatter))


class ResumeBatchCreate(_BatchCommand, command.ShowOne):
    """Resume every execution that a filter matches, each by its own resume.

    The filter's options combine (an execution must meet every one given)
    and must name a workflow or executions. Each matched execution is
    resumed with the same points, by its own resume: one that is refused
    does not stop the others. The batch runs in the engines; --wait
    follows it with a progress bar and shows the refused executions.
    """

    def get_parser(self, prog_name):
        parser = super(ResumeBatchCreate, self).get_parser(prog_name)
        group = parser.add_argument_group('filter')
        group.add_argument('--workflow', metavar='NAME',
                           help='Executions of this workflow.')
        group.add_argument('--namespace', default=None,
                           help='The workflow\'s namespace (default: none).')
        group.add_argument('--failed-task', metavar='TASK',
                           help='Executions that failed at this task (name or '
                                'dotted path into sub-workflows).')
        group.add_argument('--state', choices=('ERROR', 'PAUSED'),
                           help='Executions in this state only (default: '
                                'both).')
        group.add_argument('--from', dest='created_from', metavar='TIME',
                           help='Executions created at or after TIME (ISO '
                                '8601, UTC unless it says otherwise).')
        group.add_argument('--to', dest='created_to', metavar='TIME',
                           help='Executions created at or before TIME.')
        group.add_argument('--execution', dest='executions', metavar='ID',
                           action='append', default=[],
                           help='Only this execution. Repeatable.')
        commands.Resume.add_request_arguments(parser)
        parser.add_argument(
            '--max-executions', type=int, metavar='N',
            help='Refuse the batch if the filter matches more than N '
                 'executions (server default: 1000).')
        parser.add_argument(
            '--wait', action='store_true',
            help='Wait until every execution has its outcome, with a '
                 'progress bar on stderr.')
        parser.add_argument(
            '--poll-interval', type=float, default=1.0, metavar='SECONDS',
            help='How often --wait asks for the batch (default: 1).')
        return parser

    def take_action(self, parsed_args):
        points, env = commands.Resume.request_values(parsed_args)
        batch = self.manager.create(
            workflow_name=parsed_args.workflow,
            workflow_namespace=parsed_args.namespace,
            failed_task=parsed_args.failed_task, state=parsed_args.state,
            created_at_from=parsed_args.created_from,
            created_at_to=parsed_args.created_to,
            execution_ids=parsed_args.executions or None,
            points=points, env=env, reason=parsed_args.reason,
            request_id=parsed_args.request_id, dry_run=parsed_args.dry_run,
            max_executions=parsed_args.max_executions)
        if batch.dry_run:
            self._report(batch.outcomes)
            return self.show(parsed_args, batch)
        if not parsed_args.wait:
            return self.show(parsed_args, batch, [])
        batch = self._wait(batch, parsed_args.poll_interval)
        refused = [o for kind in ('refused', 'error')
                   for o in self.manager.outcomes(batch.id, outcome=kind)]
        self._report(refused)
        return self.show(parsed_args, batch, refused)

    def _wait(self, batch, interval):
        # tqdm draws on stderr, so stdout stays the command's output (and
        # draws there also when it is not a terminal: a log of the run).
        with tqdm.tqdm(total=batch.total, unit='execution',
                       desc='Resume batch', file=self.app.stderr,
                       disable=False) as bar:
            def progress(current):
                bar.set_postfix(applied=current.applied,
                                refused=current.refused,
                                errors=current.errors, refresh=False)
                bar.update(batches.done_count(current) - bar.n)
            return self.manager.wait(batch.id, interval=interval,
                                     progress=progress)

    def _report(self, outcomes):
        lines = [line for o in outcomes if o.get('outcome') != 'applied'
                 for line in outcome_lines(o)]
        if lines:
            self.app.stderr.write('\n'.join(lines) + '\n')
        self._refused = bool(lines)

    def run(self, parsed_args):
        self._refused = False
        code = super(ResumeBatchCreate, self).run(parsed_args)
        return code or (EXIT_REQUIREMENTS_UNMET if self._refused else 0)


class ResumeBatchList(_BatchCommand, command.Lister):
    """List resume batches, newest first."""

    def get_parser(self, prog_name):
        parser = super(ResumeBatchList, self).get_parser(prog_name)
        parser.add_argument('--marker',
                            help='The last batch ID of the previous page.')
        parser.add_argument('--limit', type=int,
                            help='The number of batches to show at most.')
        parser.add_argument('--sort-keys', '--sort_keys', dest='sort_keys',
                            help='Comma-separated sort keys (default: '
                                 'created_at).')
        parser.add_argument('--sort-dirs', '--sort_dirs', dest='sort_dirs',
                            help='Comma-separated asc/desc, one per key '
                                 '(default: desc).')
        return parser

    def take_action(self, parsed_args):
        found = self.manager.list(
            marker=parsed_args.marker, limit=parsed_args.limit,
            sort_keys=parsed_args.sort_keys, sort_dirs=parsed_args.sort_dirs)
        return (commands.headings(BATCH_LIST_FIELDS),
                [commands.row(b, BATCH_LIST_FIELDS, parsed_args.formatter)
                 for b in found])


class ResumeBatchShow(_BatchCommand, command.ShowOne):
    """Show a resume batch and its outcomes."""

    def get_parser(self, prog_name):
        parser = super(ResumeBatchShow, self).get_parser(prog_name)
        parser.add_argument('batch', help='Resume batch ID.')
        parser.add_argument(
            '--outcome', choices=('applied', 'refused', 'error', 'pending'),
            help='Only the executions with this outcome.')
        parser.add_argument(
            '--marker', metavar='EXECUTION_ID',
            help='Outcomes after this execution (the last of the previous '
                 'page).')
        parser.add_argument(
            '--limit', type=int,
            help='The number of outcomes to show at most (default: all).')
        return parser

    def take_action(self, parsed_args):
        if parsed_args.limit or parsed_args.marker:
            batch = self.manager.get(parsed_args.batch,
                                     marker=parsed_args.marker,
                                     limit=parsed_args.limit,
                                     outcome=parsed_args.outcome)
            return self.show(parsed_args, batch)
        batch = self.manager.get(parsed_args.batch, limit=1)
        return self.show(parsed_args, batch, self.manager.outcomes(
            parsed_args.batch, outcome=parsed_args.outcome))
