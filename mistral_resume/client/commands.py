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

"""The resume commands, one class each for both command lines.

The same classes serve ``mistral-resume`` (mistral_resume.client.shell)
and OpenStackClient (the ``openstack.workflow_engine.v2`` entry points):
both apps hand a command the mistralclient ``Client`` as
``app.client_manager.workflow_engine``, as mistralclient's own commands
expect.

Nested data (points, failures, requirements, contexts) has one rendering
per kind of output: the contract's JSON structures for ``-f json`` and
``-f yaml``; readable text for ``-f table``; the same text on one line for
``-f value``, ``csv`` and ``shell``. A missing value is ``<none>`` in text
and ``null`` in JSON.

Exit codes: 0 done; 1 any error (cliff prints it: 400, 404, a bad
argument...); ``EXIT_REQUIREMENTS_UNMET`` (2) when the server refuses a
resume or dry run for unmet requirements, printed to stderr one per line
as ``CODE  task  sentence``, each followed by the options that answer it.
"""

import json
import os

from cliff import columns
from mistralclient import exceptions
from osc_lib.command import command
from oslo_utils import uuidutils
import yaml

from mistral_resume.client import resumes
from mistral_resume.client import tasks
from mistral_resume.core import request as contract

EXIT_REQUIREMENTS_UNMET = 2

NONE = '<none>'

# The formats that get the contract's data as it is; every other one text.
DATA_FORMATS = ('json', 'yaml')
# The text formats that take one line per value.
ONE_LINE_FORMATS = ('value', 'csv', 'shell')


def _json(value):
    return json.dumps(value, sort_keys=True)


def requirement_line(requirement):
    """``CODE  task  sentence``: one unmet requirement on one line."""
    return '%s  %s  %s' % (
        requirement.get('code'),
        requirement.get('path') or requirement.get('task') or '-',
        requirement.get('message'),
    )


def _count(mapping, what):
    n = len(mapping or {})
    return '%s: %d key%s' % (what, n, '' if n == 1 else 's')


def _option(mode):
    return '--continue' if mode == resumes.CONTINUE else '--rerun'


def _either(name):
    return '--rerun %s[=CONTEXT] or --continue %s=PUBLISHED' % (name, name)


def requirement_hints(requirement, modes=None):
    """The command-line options that answer a requirement, if any.

    The server's sentences speak the API ("mode rerun"); an operator at the
    command line needs the flag. ``modes`` maps each name the command gave
    to its mode, so that a correction keeps the option the operator chose.
    """
    code = requirement.get('code')
    name = requirement.get('path') or requirement.get('task')
    modes = modes or {}
    mode = modes.get(name) or modes.get(requirement.get('task'))
    if code == 'UNRESOLVED_FAILURE':
        return [_either(name)]
    if code == 'RESUME_POINT_REQUIRED':
        return [_either(c.get('path') or c.get('task'))
                for c in requirement.get('candidates') or []]
    if code == 'AMBIGUOUS_TASK':
        return ['%s %s (%s)' % (_option(mode), c.get('task_execution_id'),
                                c.get('path') or c.get('task'))
                for c in requirement.get('candidates') or []]
    if code == 'UNKNOWN_TASK':
        return ['%s %s' % (_option(mode), path)
                for path in requirement.get('candidates') or []]
    if code == 'MISSING_PUBLISHED':
        return ["--continue %s='{%s}'" % (
            name, ', '.join('"%s": ...' % v
                            for v in requirement.get('variables') or []))]
    if code == 'EXECUTION_CHANGED':
        return ['run the same command again']
    return []


def unmet_lines(requirements, modes=None):
    """Each requirement on a line, the options answering it under it."""
    lines = []
    for requirement in requirements:
        lines.append(requirement_line(requirement))
        lines.extend('    use: %s' % hint
                     for hint in requirement_hints(requirement, modes))
    return lines


def summarize_point(point):
    """A point in a few words: "rerun build (context: 1 key)"."""
    text = '%s %s' % (point.get('mode'),
                      point.get('path') or point.get('task'))
    details = []
    if point.get('mode') == resumes.CONTINUE:
        details.append(_count(point.get('published'), 'published'))
    else:
        if point.get('context') is not None:
            details.append(_count(
                point['context'],
                'context replaced' if point.get('context_mode') == 'replace'
                else 'context'))
        if point.get('reset') is False:
            details.append('only failed iterations')
    return '%s (%s)' % (text, '; '.join(details)) if details else text


def _where(item):
    """A task as the operator reads it: path, task execution and state."""
    name = item.get('path') or item.get('task')
    details = [d for d in (item.get('task_execution_id'), item.get('state'))
               if d]
    return '%s (%s)' % (name, ', '.join(details)) if details else name


def describe_point(point):
    """What a resume point does (or did), in one sentence."""
    where = _where(point)
    if point.get('mode') == resumes.CONTINUE:
        text = ('continue after %s as if it had succeeded, publishing %s'
                % (where, _json(point.get('published') or {})))
        next_tasks = point.get('next_tasks')
        if next_tasks:
            text += '; then start %s' % ', '.join(next_tasks)
        elif next_tasks is not None:
            text += '; no task follows on success'
        return text

    text = 're-run %s' % where
    context = point.get('context')
    # Without a context the server keeps the stored one, whatever the mode.
    if context is None:
        text += ' with its inbound context unchanged'
    elif point.get('context_mode') == 'replace':
        text += ' with its inbound context replaced by %s' % _json(context)
    else:
        text += ' with %s merged over its inbound context' % _json(context)
    if point.get('reset') is False:
        text += ', only its failed iterations'
    return text


def describe_failure(failure):
    state_info = failure.get('state_info')
    lines = ['%s: %s' % (_where(failure), state_info) if state_info
             else _where(failure)]
    facts = ['modes: %s' % (', '.join(failure.get('modes') or []) or NONE)]
    if failure.get('publish'):
        facts.append('continue must publish: %s'
                     % ', '.join(failure['publish']))
    if failure.get('next_tasks'):
        facts.append('then: %s' % ', '.join(failure['next_tasks']))
    if failure.get('with_items'):
        facts.append('with-items')
    if failure.get('error_handled'):
        facts.append('error handled')
    lines.append('  ' + '; '.join(facts))
    return '\n'.join(lines)


class TextColumn(columns.FormattableColumn):
    """Readable text for a table; one_line() for value, csv and shell."""

    def one_line(self):
        return '; '.join(self.human_readable().splitlines())


class JSONColumn(TextColumn):
    def human_readable(self):
        if self._value is None:
            return NONE
        return json.dumps(self._value, indent=2, sort_keys=True)

    def one_line(self):
        return NONE if self._value is None else _json(self._value)


class ContextColumn(JSONColumn):
    """A context with Mistral's internal ``__`` keys folded away.

    ``hidden`` names the keys left out, so that the table says they exist
    (and how to see them) rather than pretending there are none.
    """

    def __init__(self, value, hidden=()):
        super(ContextColumn, self).__init__(value)
        self._hidden = list(hidden)

    def _note(self):
        return ('(internal keys hidden: %s; --internal shows them)'
                % ', '.join(self._hidden))

    def human_readable(self):
        text = super(ContextColumn, self).human_readable()
        return '%s\n%s' % (text, self._note()) if self._hidden else text

    def one_line(self):
        text = super(ContextColumn, self).one_line()
        return '%s %s' % (text, self._note()) if self._hidden else text


class LinesColumn(TextColumn):
    def human_readable(self):
        return '\n'.join(str(v) for v in self._value or [])


class NamesColumn(TextColumn):
    def human_readable(self):
        return ', '.join(self._value or [])


class RequirementsColumn(TextColumn):
    def human_readable(self):
        return '\n'.join(unmet_lines(self._value or []))


class FailuresColumn(TextColumn):
    def human_readable(self):
        return '\n'.join(describe_failure(f) for f in self._value or [])

    def one_line(self):
        # One failure per "; ", its facts in parentheses.
        return '; '.join(
            '%s (%s)' % tuple(describe_failure(f).split('\n  ', 1))
            for f in self._value or [])


class PointsColumn(TextColumn):
    def human_readable(self):
        if not self._value:
            return 'plain resume (no resume point)'
        return '\n'.join(describe_point(p) for p in self._value)


class PointsSummaryColumn(TextColumn):
    """The points of a record in a list: what each does, in a few words."""

    def human_readable(self):
        if not self._value:
            return 'plain resume'
        return '\n'.join(summarize_point(p) for p in self._value)


# (attribute, heading, column class or None): the order shown.
REQUIREMENTS_FIELDS = (
    ('execution_id', 'Execution ID', None),
    ('state', 'State', None),
    ('resumable', 'Resumable', None),
    ('plain_resume', 'Plain resume', None),
    ('failures', 'Failures', FailuresColumn),
    ('requirements', 'Requirements', RequirementsColumn),
    ('warnings', 'Warnings', LinesColumn),
)

RECORD_FIELDS = (
    ('id', 'ID', None),
    ('execution_id', 'Execution ID', None),
    ('dry_run', 'Dry run', None),
    ('execution_state_before', 'State before', None),
    ('points', 'Points', PointsColumn),
    ('env', 'Env', JSONColumn),
    ('warnings', 'Warnings', LinesColumn),
    ('requirements', 'Requirements', RequirementsColumn),
    ('reason', 'Reason', None),
    ('request_id', 'Request ID', None),
    ('created_at', 'Created at', None),
    ('project_id', 'Project ID', None),
    ('user_id', 'User ID', None),
)

RECORD_LIST_FIELDS = (
    ('id', 'ID', None),
    ('created_at', 'Created at', None),
    ('execution_state_before', 'State before', None),
    ('points', 'Points', PointsSummaryColumn),
    ('reason', 'Reason', None),
    ('request_id', 'Request ID', None),
    ('user_id', 'User ID', None),
)

TASK_CONTEXT_FIELDS = (
    ('task_execution_id', 'Task execution ID', None),
    ('name', 'Name', None),
    ('state', 'State', None),
    ('workflow_execution_id', 'Workflow execution ID', None),
    ('in_context', 'In context', ContextColumn),
    ('published', 'Published', ContextColumn),
    ('env', 'Env', ContextColumn),
    ('workflow_input', 'Workflow input', ContextColumn),
    ('publish', 'Publish', NamesColumn),
    ('references', 'References', NamesColumn),
)


def headings(fields):
    return tuple(heading for _, heading, _ in fields)


def fold_internal(value):
    """(value without Mistral's ``__`` keys, the names of those keys)."""
    if not isinstance(value, dict):
        return value, []
    hidden = contract.internal_keys(value)
    return ({k: v for k, v in value.items() if k not in hidden}, hidden)


def row(resource, fields, formatter='table', internal=True):
    """The values of a resource, rendered for cliff's ``formatter``.

    ``internal=False`` folds Mistral's internal keys out of the contexts.
    """
    data = resource.to_dict()
    values = []
    for key, _, column in fields:
        value = data.get(key)
        if column is None:
            values.append(NONE if value is None and
                          formatter not in DATA_FORMATS else value)
            continue
        if column is ContextColumn and not internal:
            value, hidden = fold_internal(value)
            cell = ContextColumn(value, hidden)
        else:
            cell = column(value)
        if formatter in DATA_FORMATS:
            values.append(cell)
        elif formatter in ONE_LINE_FORMATS:
            values.append(cell.one_line())
        else:
            values.append(cell.human_readable())
    return tuple(values)


def _flat(error):
    """An error of a parser as a clause of a sentence."""
    mark = getattr(error, 'problem_mark', None)
    if getattr(error, 'problem', None) and mark is not None:
        # YAML's own text quotes the input over several lines.
        return '%s at line %d, column %d' % (error.problem, mark.line + 1,
                                             mark.column + 1)
    return ' '.join(str(error).split()).rstrip('.')


def parse_object(text, what):
    """JSON first; YAML (a superset, easier to type) when JSON refuses."""
    try:
        return json.loads(text)
    except ValueError as json_error:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as yaml_error:
            raise exceptions.IllegalArgumentException(
                '%s is neither JSON (%s) nor YAML (%s).'
                % (what, _flat(json_error), _flat(yaml_error)))


def load_object(value, what):
    """A JSON object from the command line, as mistralclient reads them.

    ``@path`` or an existing file's path: the file's content; otherwise the
    value itself. Either is JSON or YAML (``{"item_count": 3}`` or
    ``{item_count: 3}``).
    """
    path = None
    if value.startswith('@'):
        path = value[1:]
    elif os.path.isfile(value):
        path = value
    if path:
        try:
            with open(path) as f:
                value = f.read()
        except OSError as e:
            raise exceptions.IllegalArgumentException(
                'Cannot read %s from %s: %s' % (what, path, e.strerror or e))
    data = parse_object(value, what) if value.strip() else None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise exceptions.IllegalArgumentException(
            '%s must be a JSON object ({"name": value, ...}), not %r.'
            % (what, data))
    return data


def _task_and_value(value, option):
    task, has_value, data = value.partition('=')
    task = task.strip()
    if not task:
        raise exceptions.IllegalArgumentException(
            '%s takes TASK or TASK=JSON, not %r.' % (option, value))
    return task, (data if has_value else None)


def build_points(rerun=None, continue_=None, no_reset=None,
                 context_mode=None):
    """The request's points from --rerun, --continue and --no-reset."""
    points = {}

    def add(task, option, data):
        if task in points:
            raise exceptions.IllegalArgumentException(
                'Task %s is named more than once (%s); name each task once.'
                % (task, option))
        points[task] = data

    for value in rerun or []:
        task, context = _task_and_value(value, '--rerun')
        add(task, '--rerun', resumes.point(
            task, resumes.RERUN,
            context=(load_object(context, 'The context of %s' % task)
                     if context is not None else None)))
    for value in continue_ or []:
        task, published = _task_and_value(value, '--continue')
        add(task, '--continue', resumes.point(
            task, resumes.CONTINUE,
            published=(load_object(published, 'The published variables of '
                                              '%s' % task)
                       if published is not None else {})))
    for task in no_reset or []:
        task = task.strip()
        point = points.get(task)
        if point is None:
            # Naming a task only to keep its succeeded iterations means
            # re-running it: no need to repeat it with --rerun.
            point = points[task] = resumes.point(task, resumes.RERUN)
        elif point['mode'] != resumes.RERUN:
            raise exceptions.IllegalArgumentException(
                '--no-reset %s: only a re-run keeps succeeded iterations, '
                'not --continue.' % task)
        point['reset'] = False

    if context_mode:
        changed = [p for p in points.values() if 'context' in p]
        if not changed:
            # Silently ignored, it would leave the operator believing a
            # context was replaced.
            raise exceptions.IllegalArgumentException(
                '--context-mode applies to --rerun TASK=CONTEXT; no --rerun '
                'gives a context.')
        for point in changed:
            point['context_mode'] = context_mode
    return list(points.values())


class _ResumeCommand(object):
    """What every command here shares: the manager of the app's client."""

    @property
    def manager(self):
        return resumes.get_manager(self.app.client_manager.workflow_engine)


class RequirementsShow(_ResumeCommand, command.ShowOne):
    """Show what resuming an execution takes, as it stands now.

    Lists the execution's failures (the tasks a resume may name, with the
    modes each allows), the requirements a plain resume would not meet,
    and warnings. Exits 0 whatever it finds.
    """

    def get_parser(self, prog_name):
        parser = super(RequirementsShow, self).get_parser(prog_name)
        parser.add_argument('execution', help='Workflow execution ID.')
        return parser

    def take_action(self, parsed_args):
        found = self.manager.requirements(parsed_args.execution)
        return (headings(REQUIREMENTS_FIELDS),
                row(found, REQUIREMENTS_FIELDS, parsed_args.formatter))


class Resume(_ResumeCommand, command.ShowOne):
    """Resume a paused or failed execution from the tasks you name.

    With no --rerun/--continue, a plain resume of a paused execution.
    Every point is applied or none is. If the resume cannot go ahead,
    nothing changes: each unmet requirement is printed to stderr as
    "CODE  task  sentence" and the command exits with 2.
    """

    def get_parser(self, prog_name):
        parser = super(Resume, self).get_parser(prog_name)
        parser.add_argument('execution', help='Workflow execution ID.')
        return self.add_request_arguments(parser)

    @staticmethod
    def add_request_arguments(parser):
        """The request's options (shared with execution-resume-batch)."""
        parser.add_argument(
            '--rerun', action='append', default=[],
            metavar='TASK[=CONTEXT]',
            help='Re-run the failed TASK (name, dotted path into '
                 'sub-workflows, or task execution ID), optionally with '
                 'CONTEXT changing its inbound context: a JSON or YAML '
                 'object (\'build={"item_count": 3}\' or '
                 '\'build={item_count: 3}\'), @file or a file path. '
                 'Repeatable.'
        )
        parser.add_argument(
            '--continue', dest='continue_points', action='append',
            default=[], metavar='TASK=PUBLISHED',
            help='Complete the failed TASK as if it had succeeded, with '
                 'PUBLISHED (a JSON or YAML object, @file or a file path) '
                 'as its published variables; its on-success tasks start. '
                 'Repeatable.'
        )
        parser.add_argument(
            '--no-reset', action='append', default=[], metavar='TASK',
            help='Re-run only the failed iterations of the with-items TASK '
                 '(implies --rerun TASK). Repeatable.'
        )
        parser.add_argument(
            '--context-mode', choices=('merge', 'replace'),
            help='How the --rerun contexts apply: merged key by key over '
                 'the stored inbound context (the default) or replacing it.'
        )
        parser.add_argument(
            '--env', metavar='ENV',
            help='Update the execution\'s env (a JSON or YAML object, @file '
                 'or a file path).'
        )
        parser.add_argument(
            '--reason', help='Why; kept in the resume record.'
        )
        parser.add_argument(
            '--request-id', metavar='ID',
            help='Idempotency key: the same ID again returns the first '
                 'record and does nothing more.'
        )
        parser.add_argument(
            '--dry-run', action='store_true',
            help='Show what the resume would do; change nothing.'
        )
        return parser

    @staticmethod
    def request_values(parsed_args):
        """The points and env that the request's options give."""
        points = build_points(parsed_args.rerun, parsed_args.continue_points,
                              parsed_args.no_reset, parsed_args.context_mode)
        env = (load_object(parsed_args.env, 'The env')
               if parsed_args.env is not None else None)
        return points, env

    def take_action(self, parsed_args):
        points, env = self.request_values(parsed_args)
        # For run()'s answer to a refusal: the options are not read again
        # (a context read from standard input is gone by then).
        self._modes = {p['task']: p['mode'] for p in points}
        record = self.manager.create(
            parsed_args.execution, points=points, env=env,
            reason=parsed_args.reason, request_id=parsed_args.request_id,
            dry_run=parsed_args.dry_run
        )
        return (headings(RECORD_FIELDS),
                row(record, RECORD_FIELDS, parsed_args.formatter))

    def run(self, parsed_args):
        try:
            return super(Resume, self).run(parsed_args)
        except resumes.RequirementsUnmet as e:
            # Not an error for cliff to log: the expected answer of a
            # refused resume, one requirement a line for people and grep,
            # the options that answer it indented under it.
            lines = unmet_lines(e.requirements, self._modes)
            self.app.stderr.write('\n'.join(lines or [str(e)]) + '\n')
            return EXIT_REQUIREMENTS_UNMET


class ResumeList(_ResumeCommand, command.Lister):
    """List the resumes of an execution (its audit trail), newest first."""

    def get_parser(self, prog_name):
        parser = super(ResumeList, self).get_parser(prog_name)
        parser.add_argument('execution', help='Workflow execution ID.')
        parser.add_argument(
            '--marker', help='The last resume ID of the previous page.'
        )
        parser.add_argument(
            '--limit', type=int,
            help='The number of resumes to show at most.'
        )
        parser.add_argument(
            '--sort-keys', '--sort_keys', dest='sort_keys',
            help='Comma-separated sort keys (default: created_at).'
        )
        parser.add_argument(
            '--sort-dirs', '--sort_dirs', dest='sort_dirs',
            help='Comma-separated asc/desc, one per key (default: desc).'
        )
        return parser

    def take_action(self, parsed_args):
        records = self.manager.list(
            parsed_args.execution, marker=parsed_args.marker,
            limit=parsed_args.limit, sort_keys=parsed_args.sort_keys,
            sort_dirs=parsed_args.sort_dirs
        )
        return (headings(RECORD_LIST_FIELDS),
                [row(r, RECORD_LIST_FIELDS, parsed_args.formatter)
                 for r in records])


class ResumeShow(_ResumeCommand, command.ShowOne):
    """Show a resume record."""

    def get_parser(self, prog_name):
        parser = super(ResumeShow, self).get_parser(prog_name)
        parser.add_argument('resume', help='Resume ID.')
        return parser

    def take_action(self, parsed_args):
        record = self.manager.get(parsed_args.resume)
        return (headings(RECORD_FIELDS),
                row(record, RECORD_FIELDS, parsed_args.formatter))


class TaskContextShow(_ResumeCommand, command.ShowOne):
    """Show the context a task execution saw, to work out a delta.

    Its inbound context as stored, what it published, the env and
    workflow input, the variables its publish clause declares and those
    its own expressions read. Name the task execution by its ID, or give
    the workflow execution ID and a task name (or dotted path into
    sub-workflows) for that task's latest run. Mistral's internal keys
    (those starting with "__") are left out unless --internal is given.
    """

    def get_parser(self, prog_name):
        parser = super(TaskContextShow, self).get_parser(prog_name)
        parser.add_argument(
            'task', metavar='TASK_EXECUTION_OR_EXECUTION',
            help='Task execution ID; or, followed by TASK, workflow '
                 'execution ID.')
        parser.add_argument(
            'task_name', metavar='TASK', nargs='?',
            help='Task name, or dotted path into sub-workflows '
                 '(deploy.create_replicas): its latest run in the '
                 'execution.')
        parser.add_argument(
            '--internal', action='store_true',
            help='Also show Mistral\'s internal keys ("__execution", '
                 '"__task_execution", ...).')
        return parser

    def take_action(self, parsed_args):
        if parsed_args.task_name is not None:
            task_id = tasks.find_latest(
                self.app.client_manager.workflow_engine, parsed_args.task,
                parsed_args.task_name)
        elif uuidutils.is_uuid_like(parsed_args.task):
            task_id = parsed_args.task
        else:
            raise exceptions.IllegalArgumentException(
                '%r is not a task execution ID. Give the workflow execution '
                'ID before the task name: %s <execution id> %s (its latest '
                'run; a dotted path reaches into sub-workflows), or find the '
                'task execution ID in the execution\'s task list '
                '(mistral-resume task-list <execution id>).'
                % (parsed_args.task, self.cmd_name or 'task-context',
                   parsed_args.task))
        context = self.manager.task_context(task_id)
        return (headings(TASK_CONTEXT_FIELDS),
                row(context, TASK_CONTEXT_FIELDS, parsed_args.formatter,
                    internal=parsed_args.internal))
