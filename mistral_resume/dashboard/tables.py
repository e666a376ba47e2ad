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

"""mistral-dashboard's executions and tasks tables with the resume actions,
and the tables of the plugin's own pages (failures, resume records).

The subclasses keep their parents' columns, Meta name and row class, so
that mistral-dashboard's pages, templates and ajax row updates behave as
before; they only add row actions.
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from horizon import tables
from mistraldashboard.default.utils import humantime
from mistraldashboard.default.utils import label
from mistraldashboard.executions import tables as executions_tables
from mistraldashboard.tasks import tables as tasks_tables

from mistral_resume.core import failures
from mistral_resume.dashboard import presenting

RESUMABLE = ('ERROR', 'PAUSED')
# The task states a rerun or continue accepts (the contract's failures).
FAILED = failures.FAILED_STATES

REQUIREMENTS_URL = 'horizon:mistral:resumes:requirements'
RESUME_URL = 'horizon:mistral:resumes:resume'
HISTORY_URL = 'horizon:mistral:resumes:history'
CONTEXT_URL = 'horizon:mistral:resumes:context'


def resume_form_url(execution_id, task_execution_id=None, mode=None):
    url = reverse(RESUME_URL, args=[execution_id])
    query = [(k, v) for k, v in (('task_execution_id', task_execution_id),
                                 ('mode', mode)) if v]
    return url + ('?' + urlencode(query) if query else '')


class _ForResumable(tables.LinkAction):
    def allowed(self, request, execution):
        return getattr(execution, 'state', None) in RESUMABLE


class ResumeRequirements(_ForResumable):
    name = 'resume_requirements'
    verbose_name = _('Resume requirements')
    url = REQUIREMENTS_URL


class Resume(_ForResumable):
    name = 'resume'
    verbose_name = _('Resume\u2026')
    url = RESUME_URL


class ResumeHistory(tables.LinkAction):
    # On every row: once resumed, an execution is RUNNING or SUCCESS, and
    # its history is where the operator looks for what was done.
    name = 'resume_history'
    verbose_name = _('Resume history')
    url = HISTORY_URL


class ExecutionsTable(executions_tables.ExecutionsTable):
    class Meta(executions_tables.ExecutionsTable.Meta):
        row_actions = (ResumeRequirements, Resume, ResumeHistory) + tuple(
            executions_tables.ExecutionsTable.Meta.row_actions)


class _ForFailedTask(tables.LinkAction):
    def allowed(self, request, task):
        return getattr(task, 'state', None) in FAILED


class InboundContext(_ForFailedTask):
    name = 'inbound_context'
    verbose_name = _('Inbound context')
    url = CONTEXT_URL


class _OpenResumeForm(_ForFailedTask):
    mode = None

    def get_link_url(self, task):
        # The form resolves a sub-workflow's execution to the top one.
        return resume_form_url(task.workflow_execution_id, task.id,
                               self.mode)


class RerunTask(_OpenResumeForm):
    name = 'rerun'
    verbose_name = _('Re-run\u2026')
    mode = 'rerun'


class ContinueTask(_OpenResumeForm):
    name = 'continue'
    verbose_name = _('Continue\u2026')
    mode = 'continue'


class TaskTable(tasks_tables.TaskTable):
    class Meta(tasks_tables.TaskTable.Meta):
        row_actions = (InboundContext, RerunTask, ContinueTask) + tuple(
            getattr(tasks_tables.TaskTable.Meta, 'row_actions', ()))


class Datum(object):
    """A JSON object of the API as a table row (Horizon reads attributes)."""

    def __init__(self, data, id_key):
        self.__dict__.update(data)
        self.id = data.get(id_key)
        self.data = data


def _state_info(failure):
    return render_to_string('mistral/resumes/_long_text.html', {
        'short': presenting.shorten(failure.state_info),
        'full': failure.state_info or '',
    })


def _requirement_sentences(failure):
    return render_to_string('mistral/resumes/_requirements.html',
                            {'requirements': failure.requirements})


def _handled(failure):
    if failure.error_handled:
        return _('yes (an on-error transition ran)')
    return _('no')


def _comma_list(items):
    return ', '.join(items or ()) or '\u2014'


class FailuresTable(tables.DataTable):
    task = tables.Column('task', verbose_name=_('Task'),
                         link=lambda f: reverse(CONTEXT_URL, args=[f.id]))
    path = tables.Column('path', verbose_name=_('Dotted path'))
    state = tables.Column('state', verbose_name=_('State'), filters=[label])
    state_info = tables.Column(_state_info, verbose_name=_('State info'))
    handled = tables.Column(_handled, verbose_name=_('Handled?'))
    next_tasks = tables.Column(lambda f: _comma_list(f.next_tasks),
                               verbose_name=_('A continue would start'))
    publish = tables.Column(lambda f: _comma_list(f.publish),
                            verbose_name=_('A continue must publish'))
    requirements = tables.Column(_requirement_sentences,
                                 verbose_name=_('Requirements'))

    class Meta(object):
        name = 'failures'
        verbose_name = _('Failures')


def _points(record):
    return render_to_string('mistral/resumes/_points.html', {
        'points': [presenting.point_summary(p)
                   for p in record.points or ()]})


class ResumesTable(tables.DataTable):
    created_at = tables.Column('created_at', verbose_name=_('Created at'),
                               filters=[humantime])
    user_id = tables.Column('user_id', verbose_name=_('User'))
    reason = tables.Column('reason', verbose_name=_('Reason'))
    points = tables.Column(_points, verbose_name=_('Points'))
    state_before = tables.Column('execution_state_before',
                                 verbose_name=_('State before'),
                                 filters=[label])
    request_id = tables.Column('request_id', verbose_name=_('Request ID'))
    batch_id = tables.Column('batch_id', verbose_name=_('Batch'))

    class Meta(object):
        name = 'resumes'
        verbose_name = _('Resume history')
