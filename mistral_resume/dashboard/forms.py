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

"""The resume form: one block per failure, every chosen point in one
request.

Malformed JSON (or an object with Mistral's internal __ keys, which the
API refuses) is a form error before any request. A refusal (409) and a dry
run's plan put each requirement next to the block of its task, in the
API's own sentences.
"""

import json
import uuid

from django.contrib import messages
from django import forms as django_forms
from django.utils.translation import gettext_lazy as _
from horizon import forms
from mistralclient.api import base as mistral_base

from mistral_resume.core import request as contract
from mistral_resume.dashboard import api
from mistral_resume.dashboard import presenting

LEAVE = 'leave'
RERUN = contract.RERUN
CONTINUE = contract.CONTINUE
MODES = ((LEAVE, _('Leave it as it is')),
         (RERUN, _('Re-run')),
         (CONTINUE, _('Continue after it')))
MERGE = contract.MERGE
REPLACE = contract.REPLACE
CONTEXT_MODES = ((MERGE, _('Merge over the inbound context')),
                 (REPLACE, _('Replace the inbound context')))


def _editor(label, help_text, rows=8):
    return forms.CharField(
        label=label, required=False, help_text=help_text,
        widget=django_forms.Textarea(attrs={
            'rows': rows, 'class': 'mr-json-editor', 'spellcheck': 'false'}))


def _json_object(text, what):
    """The JSON object in text; ValidationError naming what is wrong."""
    try:
        value = json.loads(text)
    except ValueError as e:
        raise django_forms.ValidationError(
            _('%(what)s is not valid JSON: %(error)s')
            % {'what': what, 'error': e})
    if not isinstance(value, dict):
        raise django_forms.ValidationError(
            _('%(what)s must be a JSON object ({"name": value, ...}).')
            % {'what': what})
    internal = contract.internal_keys(value)
    if internal:
        raise django_forms.ValidationError(
            _('%(what)s cannot set Mistral\'s internal keys: %(keys)s.')
            % {'what': what, 'keys': ', '.join(internal)})
    return value


class FailureBlock(object):
    """The fields of one failure, and what the API said about it."""

    def __init__(self, form, index, failure, inbound):
        self.form = form
        self.prefix = 'failure%d_' % index
        self.failure = failure
        self.inbound = inbound          # visible in_context, or None
        self.requirements = []

    def field(self, name):
        return self.form[self.prefix + name]

    @property
    def fields(self):
        names = ['mode', 'context', 'context_mode', 'published']
        if self.failure.get('with_items'):
            names.append('reset')
        return [self.field(n) for n in names]

    @property
    def key(self):
        return presenting.failure_key(self.failure)


class ResumeForm(forms.SelfHandlingForm):
    env = _editor(_('Env update (JSON object)'),
                  _('Optional: an update of the execution\'s env, as '
                    'upstream resume and rerun take it.'), rows=4)
    reason = forms.CharField(
        label=_('Reason'), required=False, max_length=1024,
        help_text=_('Kept in the resume\'s audit record.'))
    # The contract's idempotency key, one per form shown: a second submit
    # of the same form (a double click, a reload) gets the first record
    # back and resumes nothing more. Horizon's own guard (disabling the
    # submit buttons) is off on this form, or "Dry run" would not be sent.
    request_id = forms.CharField(widget=forms.HiddenInput(), required=False)

    def __init__(self, request, *args, **kwargs):
        self.execution_id = kwargs.pop('execution_id')
        failures = kwargs.pop('failures')
        inbound = kwargs.pop('inbound')
        selected = kwargs.pop('selected', None)
        super(ResumeForm, self).__init__(request, *args, **kwargs)
        self.fields['request_id'].initial = 'horizon-%s' % uuid.uuid4()
        self.blocks = []
        self.plan = None
        self.general_requirements = []
        names = [f.get('path') or f.get('task') for f in failures]
        keys = [presenting.failure_key(f) for f in failures]
        if not selected or selected[0] not in keys:
            # A task that is no failure of its own (a sub-workflow's task,
            # whose failures are inside): every block as by default.
            selected = None
        for index, failure in enumerate(failures):
            block = FailureBlock(self, index, failure,
                                 inbound.get(presenting.failure_key(failure)))
            # The dotted path reads best in the audit record; the task
            # execution id only when the path names several failures.
            name = names[index]
            block.point_name = (name if names.count(name) == 1
                                else block.key)
            self._add_fields(block, self._initial_mode(failure, selected))
            self.blocks.append(block)

    @staticmethod
    def _initial_mode(failure, selected):
        if selected:
            if selected[0] == presenting.failure_key(failure):
                return selected[1] if selected[1] in (RERUN, CONTINUE) \
                    else RERUN
            return LEAVE
        # Unhandled failures must be named; handled ones may be.
        return LEAVE if failure.get('error_handled') else RERUN

    def _add_fields(self, block, mode):
        failure = block.failure
        modes = [m for m in MODES
                 if m[0] == LEAVE or m[0] in failure.get('modes', ())]
        p = block.prefix
        self.fields[p + 'mode'] = forms.ChoiceField(
            label=_('Mode'), choices=modes, initial=mode,
            widget=forms.RadioSelect())
        self.fields[p + 'context'] = _editor(
            _('Context for the re-run (JSON object)'),
            _('Prefilled with the inbound context the task saw (Mistral\'s '
              '__ keys left out). In merge mode only the keys you change '
              'or add are sent.'))
        self.fields[p + 'context'].initial = presenting.pretty(
            block.inbound or {})
        self.fields[p + 'context_mode'] = forms.ChoiceField(
            label=_('Context mode'), choices=CONTEXT_MODES, initial=MERGE)
        self.fields[p + 'published'] = _editor(
            _('Published values for the continue (JSON object)'),
            _('Every variable the task\'s publish clause declares must '
              'have a value.'), rows=4)
        self.fields[p + 'published'].initial = presenting.pretty(
            {name: None for name in failure.get('publish') or ()})
        if failure.get('with_items'):
            self.fields[p + 'reset'] = forms.BooleanField(
                label=_('Re-run every iteration (unticked: only the failed '
                        'ones)'), required=False, initial=True)

    def clean(self):
        data = super(ResumeForm, self).clean()
        points = []
        for block in self.blocks:
            point = self._clean_block(block, data)
            if point is not None:
                points.append(point)
        data['points'] = points
        env = (data.get('env') or '').strip()
        data['env_object'] = None
        if env:
            try:
                data['env_object'] = _json_object(env, _('Env update'))
            except django_forms.ValidationError as e:
                self.add_error('env', e)
        return data

    def _clean_block(self, block, data):
        p = block.prefix
        mode = data.get(p + 'mode')
        if mode not in (RERUN, CONTINUE):
            return None
        point = {'task': block.point_name, 'mode': mode}
        try:
            if mode == RERUN:
                self._rerun_fields(block, data, point)
            else:
                point['published'] = _json_object(
                    data.get(p + 'published') or '{}',
                    _('Published values'))
        except django_forms.ValidationError as e:
            self.add_error(p + ('context' if mode == RERUN else 'published'),
                           e)
            return None
        return point

    @staticmethod
    def _rerun_fields(block, data, point):
        p = block.prefix
        context = _json_object(data.get(p + 'context') or '{}',
                               _('Context'))
        context_mode = data.get(p + 'context_mode') or MERGE
        if context_mode == REPLACE:
            point['context'] = context
            point['context_mode'] = REPLACE
        else:
            # Only what differs from what the task saw: the audit record
            # then shows the operator's delta, not the whole context.
            inbound = block.inbound or {}
            delta = {k: v for k, v in context.items()
                     if k not in inbound or inbound[k] != v}
            if delta:
                point['context'] = delta
        if block.failure.get('with_items') and not data.get(p + 'reset'):
            point['reset'] = False

    def handle(self, request, data):
        dry_run = 'dry_run' in request.POST
        try:
            record = api.resume(request, self.execution_id, data['points'],
                                env=data.get('env_object'),
                                reason=data.get('reason') or None,
                                request_id=None if dry_run
                                else data.get('request_id') or None,
                                dry_run=dry_run)
        except api.RequirementsUnmet as e:
            self.show_requirements(e.requirements)
            self._refused(e.error_message)
            return False
        except mistral_base.APIException as e:
            self._refused(e.error_message)
            return False
        if dry_run:
            self.plan = record
            self.show_requirements(record.get('requirements'))
            return False
        messages.success(request, _('Execution %s resumed.')
                         % self.execution_id)
        return record

    def _refused(self, message):
        self.api_error(_('Nothing was changed: %s') % message)
        # The corrected form is another request: a fresh idempotency key.
        self.data = self.data.copy()
        self.data['request_id'] = 'horizon-%s' % uuid.uuid4()

    def show_requirements(self, requirements):
        by_key, others = presenting.requirements_by_failure(
            [b.failure for b in self.blocks], requirements)
        for block in self.blocks:
            block.requirements = by_key.get(block.key, [])
        self.general_requirements = others
