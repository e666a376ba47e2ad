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

"""The plugin's pages: requirements, the resume form, the history, a
task's inbound context, and the resumable executions (the panel's index).
"""

from django.urls import reverse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import generic
from horizon import exceptions
from horizon import forms
from horizon import messages
from horizon import tables as horizon_tables
from mistraldashboard import api as mistral_api

from mistral_resume.dashboard import api
from mistral_resume.dashboard import forms as resume_forms
from mistral_resume.dashboard import presenting
from mistral_resume.dashboard import tables

INDEX_URL = 'horizon:mistral:resumes:index'
EXECUTIONS_URL = 'horizon:mistral:executions:index'


def _breadcrumb(execution_id):
    return [(execution_id, reverse('horizon:mistral:executions:detail',
                                   args=[execution_id]))]


def _warn(request, warnings):
    for warning in warnings or ():
        messages.warning(request, warning)


class IndexView(horizon_tables.DataTableView):
    """The executions a resume applies to: ERROR and PAUSED ones."""
    table_class = tables.ExecutionsTable
    template_name = 'mistral/resumes/index.html'
    page_title = _('Resumable Executions')

    def get_data(self):
        executions = []
        try:
            client = mistral_api.mistralclient(self.request)
            for state in tables.RESUMABLE:
                executions.extend(client.executions.list(
                    state=state, sort_keys='created_at', sort_dirs='desc'))
        except Exception:
            exceptions.handle(self.request,
                              _('Unable to retrieve the executions.'))
        return sorted(executions, key=lambda e: e.created_at, reverse=True)


class RequirementsView(horizon_tables.DataTableView):
    table_class = tables.FailuresTable
    template_name = 'mistral/resumes/requirements.html'
    page_title = _('Resume Requirements')

    def get_data(self):
        execution_id = self.kwargs['execution_id']
        try:
            self.analysis = api.requirements(self.request, execution_id)
        except Exception:
            exceptions.handle(
                self.request,
                _('Unable to work out what resuming %s needs.')
                % execution_id, redirect=reverse(EXECUTIONS_URL))
        failures = self.analysis.get('failures') or []
        by_key, self.general = presenting.requirements_by_failure(
            failures, self.analysis.get('requirements'))
        rows = []
        for failure in failures:
            row = tables.Datum(failure, 'task_execution_id')
            row.requirements = by_key[presenting.failure_key(failure)]
            rows.append(row)
        _warn(self.request, self.analysis.get('warnings'))
        return rows

    def get_context_data(self, **kwargs):
        context = super(RequirementsView, self).get_context_data(**kwargs)
        execution_id = self.kwargs['execution_id']
        context.update(
            execution_id=execution_id,
            analysis=self.analysis,
            general_requirements=self.general,
            raw=presenting.pretty(self.analysis),
            resume_url=reverse(tables.RESUME_URL, args=[execution_id]),
            custom_breadcrumb=_breadcrumb(execution_id))
        return context


class HistoryView(horizon_tables.DataTableView):
    table_class = tables.ResumesTable
    template_name = 'mistral/resumes/history.html'
    page_title = _('Resume History')

    def get_data(self):
        execution_id = self.kwargs['execution_id']
        try:
            self.records = api.history(self.request, execution_id)
        except Exception:
            self.records = []
            exceptions.handle(self.request,
                              _('Unable to retrieve the resume history of '
                                '%s.') % execution_id)
        return [tables.Datum(r, 'id') for r in self.records]

    def get_context_data(self, **kwargs):
        context = super(HistoryView, self).get_context_data(**kwargs)
        execution_id = self.kwargs['execution_id']
        context.update(execution_id=execution_id,
                       raw=presenting.pretty(self.records),
                       custom_breadcrumb=_breadcrumb(execution_id))
        return context


class ContextView(generic.TemplateView):
    template_name = 'mistral/resumes/context.html'
    page_title = _('Inbound Context')

    def get_context_data(self, **kwargs):
        context = super(ContextView, self).get_context_data(**kwargs)
        task_id = self.kwargs['task_id']
        try:
            data = api.task_context(self.request, task_id)
        except Exception:
            exceptions.handle(self.request,
                              _('Unable to retrieve the context of task '
                                'execution %s.') % task_id,
                              redirect=reverse('horizon:mistral:tasks:index'))
        sections = []
        for key, title in (('in_context', _('Inbound context')),
                           ('published', _('Published')),
                           ('env', _('Env')),
                           ('workflow_input', _('Workflow input'))):
            visible, internal = presenting.split_internal(data.get(key))
            sections.append({
                'key': key, 'title': title,
                'items': [(k, presenting.display(v)) for k, v in visible],
                'internal': [(k, presenting.shorten(presenting.display(v)))
                             for k, v in internal]})
        execution_id = data.get('workflow_execution_id')
        context.update(
            page_title=self.page_title,
            task=data, sections=sections, raw=presenting.pretty(data),
            rerun_url=tables.resume_form_url(execution_id, task_id,
                                             resume_forms.RERUN),
            continue_url=tables.resume_form_url(execution_id, task_id,
                                                resume_forms.CONTINUE),
            failed=data.get('state') in tables.FAILED,
            task_url=reverse('horizon:mistral:tasks:detail', args=[task_id]),
            custom_breadcrumb=_breadcrumb(execution_id))
        return context


class ResumeView(forms.ModalFormView):
    form_class = resume_forms.ResumeForm
    template_name = 'mistral/resumes/resume.html'
    modal_header = _('Resume Execution')
    page_title = _('Resume Execution')
    submit_label = _('Resume')
    form_id = 'resume_execution_form'
    cancel_url = reverse_lazy(EXECUTIONS_URL)

    def dispatch(self, request, *args, **kwargs):
        # A task row of a sub-workflow links here with its own execution:
        # the resume names the top one (the failure's dotted path says
        # where it is).
        execution_id = kwargs['execution_id']
        try:
            root = api.root_execution_id(request, execution_id)
        except Exception:
            root = execution_id
        if root != execution_id:
            url = reverse(tables.RESUME_URL, args=[root])
            query = request.META.get('QUERY_STRING')
            return generic.RedirectView.as_view(
                url=url + ('?' + query if query else ''))(request)
        return super(ResumeView, self).dispatch(request, *args, **kwargs)

    @property
    def execution_id(self):
        return self.kwargs['execution_id']

    def _analysis(self):
        if not hasattr(self, '_analysis_data'):
            try:
                self._analysis_data = api.requirements(self.request,
                                                       self.execution_id)
            except Exception:
                exceptions.handle(
                    self.request,
                    _('Unable to work out what resuming %s needs.')
                    % self.execution_id, redirect=reverse(EXECUTIONS_URL))
        return self._analysis_data

    def _inbound(self, failures):
        inbound = {}
        for failure in failures:
            key = presenting.failure_key(failure)
            try:
                data = api.task_context(self.request, key)
            except Exception:
                # The editor then starts empty: a merge still works.
                exceptions.handle(self.request, _(
                    'Unable to retrieve the inbound context of %s.')
                    % (failure.get('path') or failure.get('task')))
                continue
            inbound[key] = presenting.without_internal(
                data.get('in_context'))
        return inbound

    def get_form_kwargs(self):
        kwargs = super(ResumeView, self).get_form_kwargs()
        failures = self._analysis().get('failures') or []
        query = self.request.GET
        kwargs.update(
            execution_id=self.execution_id, failures=failures,
            inbound=self._inbound(failures),
            selected=(query.get('task_execution_id'), query.get('mode')))
        return kwargs

    def get_context_data(self, **kwargs):
        context = super(ResumeView, self).get_context_data(**kwargs)
        analysis = self._analysis()
        form = context['form']
        if self.request.method == 'GET':
            _warn(self.request, analysis.get('warnings'))
        context.update(
            execution_id=self.execution_id, analysis=analysis,
            submit_url=self.request.get_full_path(),
            plan_points=[presenting.point_summary(p) for p in
                         (form.plan or {}).get('points') or ()],
            plan_raw=presenting.pretty(form.plan) if form.plan else None,
            requirements_url=reverse(tables.REQUIREMENTS_URL,
                                     args=[self.execution_id]),
            custom_breadcrumb=_breadcrumb(self.execution_id))
        return context

    def form_invalid(self, form):
        # Horizon's form_invalid builds the context with a new form and
        # swaps this one in afterwards: ours must see the refusal or plan.
        return self.render_to_response(self.get_context_data(form=form))

    def get_success_url(self):
        return reverse(tables.HISTORY_URL, args=[self.execution_id])
