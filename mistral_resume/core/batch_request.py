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

"""The resume batch request: a filter, and one resume request for each
execution it matches.

Its resume part (points, env, reason, request_id, dry_run) is checked by
core.request exactly as for one execution; a malformed batch is refused as
a whole with InvalidRequest (HTTP 400).
"""

import datetime
import uuid

from oslo_utils import timeutils

from mistral_resume.core import request as request_mod

STATES = ('ERROR', 'PAUSED')

_FILTER_FIELDS = ('workflow_name', 'workflow_namespace', 'state',
                  'failed_task', 'created_at_from', 'created_at_to',
                  'execution_ids')
_BATCH_FIELDS = ('filter', 'max_executions')
_REQUEST_FIELDS = ('points', 'env', 'reason', 'request_id', 'dry_run')

DEFAULT_MAX_EXECUTIONS = 1000
MAX_NAME_LENGTH = 255


class BatchRequest(object):
    def __init__(self, batch_filter, resume, max_executions):
        self.filter = batch_filter
        self.resume = resume
        self.max_executions = max_executions

    @property
    def request_id(self):
        return self.resume.request_id

    @property
    def dry_run(self):
        return self.resume.dry_run

    def execution_body(self, request_id=None, dry_run=False):
        """The body of one execution's resume, as core.request takes it."""
        body = {'points': [p.to_dict() for p in self.resume.points],
                'dry_run': dry_run}
        for key in ('env', 'reason'):
            if getattr(self.resume, key) is not None:
                body[key] = getattr(self.resume, key)
        if request_id is not None:
            body['request_id'] = request_id
        return body


def _string(value, key, limit=MAX_NAME_LENGTH):
    if not isinstance(value, str):
        raise request_mod.InvalidRequest(
            '"%s" in the filter must be a string, not %s.'
            % (key, request_mod._type_name(value)))
    if len(value) > limit:
        raise request_mod.InvalidRequest(
            '"%s" in the filter is longer than %d characters.' % (key, limit))
    return value


def _timestamp(value, key):
    """An ISO 8601 time, as naive UTC (how Mistral stores created_at)."""
    _string(value, key)
    try:
        parsed = timeutils.parse_isotime(value)
    except ValueError:
        raise request_mod.InvalidRequest(
            '"%s" in the filter is not an ISO 8601 time (e.g. '
            '2026-12-01T08:00:00Z): %r.' % (key, value))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(
            tzinfo=None)
    return parsed


def _execution_ids(value, max_executions):
    if not isinstance(value, list):
        raise request_mod.InvalidRequest(
            '"execution_ids" in the filter must be a list, not %s.'
            % request_mod._type_name(value))
    ids = []
    for item in value:
        try:
            ids.append(str(uuid.UUID(item)) if isinstance(item, str)
                       else None)
        except ValueError:
            ids.append(None)
        if ids[-1] is None:
            raise request_mod.InvalidRequest(
                '"execution_ids" in the filter holds %r, which is not an '
                'execution id (a UUID).' % (item,))
    # Each execution once, in the order given.
    ids = list(dict.fromkeys(ids))
    if len(ids) > max_executions:
        raise request_mod.InvalidRequest(
            '"execution_ids" names %d executions, more than max_executions '
            '(%d).' % (len(ids), max_executions))
    return ids


def parse_filter(body, max_executions):
    """The filter, normalized: only the fields given (times as datetimes)."""
    if not isinstance(body, dict):
        raise request_mod.InvalidRequest(
            '"filter" must be an object, not %s.'
            % request_mod._type_name(body))
    request_mod._check_unknown(body, _FILTER_FIELDS, 'the filter')
    found = {}
    if body.get('workflow_name') is not None:
        found['workflow_name'] = _string(body['workflow_name'],
                                         'workflow_name')
        found['workflow_namespace'] = _string(
            body.get('workflow_namespace') or '', 'workflow_namespace')
    elif body.get('workflow_namespace'):
        raise request_mod.InvalidRequest(
            '"workflow_namespace" in the filter goes with "workflow_name".')
    if body.get('execution_ids') is not None:
        found['execution_ids'] = _execution_ids(body['execution_ids'],
                                                max_executions)
    if not found.get('workflow_name') and not found.get('execution_ids'):
        raise request_mod.InvalidRequest(
            'The filter must name a workflow ("workflow_name") or '
            'executions ("execution_ids"); a batch never resumes every '
            'execution there is.')
    if body.get('state') is not None:
        state = _string(body['state'], 'state')
        if state not in STATES:
            raise request_mod.InvalidRequest(
                '"state" in the filter must be one of %s, not %r: only '
                'those executions can be resumed.'
                % (', '.join(STATES), state))
        found['state'] = state
    if body.get('failed_task') is not None:
        task = _string(body['failed_task'], 'failed_task',
                       request_mod.MAX_TASK_LENGTH).strip()
        if not task:
            raise request_mod.InvalidRequest(
                '"failed_task" in the filter must not be blank.')
        found['failed_task'] = task
    for key in ('created_at_from', 'created_at_to'):
        if body.get(key) is not None:
            found[key] = _timestamp(body[key], key)
    if (found.get('created_at_from') and found.get('created_at_to') and
            found['created_at_from'] > found['created_at_to']):
        raise request_mod.InvalidRequest(
            '"created_at_from" is later than "created_at_to" in the filter.')
    return found


def filter_to_dict(batch_filter):
    """The filter as JSON data (times in ISO 8601, UTC)."""
    return {k: (v.isoformat() + 'Z' if isinstance(v, datetime.datetime)
                else v)
            for k, v in batch_filter.items()}


def parse(body, size_limit_kb=None, max_limit=None):
    """Check a batch body (decoded from JSON) and return it.

    :param max_limit: the largest ``max_executions`` accepted.
    """
    if not isinstance(body, dict):
        raise request_mod.InvalidRequest(
            'The request body must be a JSON object, not %s.'
            % request_mod._type_name(body))
    request_mod._check_unknown(body, _BATCH_FIELDS + _REQUEST_FIELDS,
                               'the request')
    max_executions = body.get('max_executions')
    if max_executions is None:
        max_executions = DEFAULT_MAX_EXECUTIONS
        if max_limit is not None:
            max_executions = min(max_executions, max_limit)
    elif (not isinstance(max_executions, int) or
            isinstance(max_executions, bool) or max_executions < 1):
        raise request_mod.InvalidRequest(
            '"max_executions" must be a positive whole number, not %r.'
            % (max_executions,))
    if max_limit is not None and max_executions > max_limit:
        raise request_mod.InvalidRequest(
            '"max_executions" is %d, more than this deployment allows in '
            'one batch ([resume] batch_max_executions = %d).'
            % (max_executions, max_limit))
    if 'filter' not in body:
        raise request_mod.InvalidRequest(
            'The request needs "filter": which executions to resume.')
    batch_filter = parse_filter(body['filter'], max_executions)
    resume = request_mod.parse(
        {k: v for k, v in body.items() if k in _REQUEST_FIELDS},
        size_limit_kb)
    return BatchRequest(batch_filter, resume, max_executions)
