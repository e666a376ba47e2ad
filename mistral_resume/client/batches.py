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

"""Resume batches for Python programs, in python-mistralclient's style.

::

    from mistral_resume.client import batches, resumes

    manager = batches.get_manager(mistral)   # also mistral.resume_batches
    batch = manager.create(
        workflow_name='deploy', failed_task='call_vendor',
        points=[resumes.point('call_vendor')],
        reason='vendor outage', request_id='outage-2026-12-01')
    batch = manager.wait(batch.id)           # until every outcome is in
    for outcome in manager.outcomes(batch.id, outcome='refused'):
        print(outcome['execution_id'], outcome['requirements'])

A batch is a ``ResumeBatch`` resource; its outcomes (and filter, points)
stay plain JSON data as the contract spells them.
"""

import time

from keystoneauth1 import exceptions as ks_exceptions
from mistralclient.api import base
from oslo_serialization import jsonutils

from mistral_resume.client import resumes

DONE = 'DONE'

# How many outcomes ``outcomes`` asks for per page.
PAGE_SIZE = 500

_FILTER_FIELDS = ('workflow_name', 'workflow_namespace', 'state',
                  'failed_task', 'created_at_from', 'created_at_to',
                  'execution_ids')


class ResumeBatch(base.Resource):
    """A resume batch (``outcomes`` only as asked for by ``get``)."""
    resource_name = 'ResumeBatch'


class BatchTimeout(base.APIException):
    """``wait`` gave up: the batch goes on in the engines."""

    def __init__(self, batch):
        super(BatchTimeout, self).__init__(
            408, 'Resume batch %s still RUNNING (%s of %s executions done).'
            % (batch.id, done_count(batch), batch.total))
        self.batch = batch


def done_count(batch):
    """How many executions of a batch have their outcome."""
    return batch.applied + batch.refused + batch.errors


class ResumeBatchManager(base.ResourceManager):
    resource_class = ResumeBatch

    # The error handling of the resume API: 409s with requirements.
    _get_json = resumes.ResumeManager._get_json
    _raise_api_exception = staticmethod(
        resumes.ResumeManager._raise_api_exception)

    def create(self, points=None, env=None, reason=None, request_id=None,
               dry_run=False, max_executions=None, **batch_filter):
        """POST /resume_batches

        :param batch_filter: the filter's fields (``workflow_name``,
            ``workflow_namespace``, ``state``, ``failed_task``,
            ``created_at_from``, ``created_at_to``, ``execution_ids``).
        :returns: the batch (RUNNING: the engines work on it), the first
            batch again for a repeated ``request_id``, or for ``dry_run``
            every matched execution's outcome.
        """
        unknown = sorted(set(batch_filter) - set(_FILTER_FIELDS))
        if unknown:
            raise TypeError('Unknown filter field(s): %s' % ', '.join(unknown))
        body = {'filter': {k: v for k, v in batch_filter.items()
                           if v is not None},
                'points': list(points or [])}
        for key, value in (('env', env), ('reason', reason),
                           ('request_id', request_id),
                           ('max_executions', max_executions)):
            if value is not None:
                body[key] = value
        if dry_run:
            body['dry_run'] = True
        try:
            resp = self.http_client.post('/resume_batches',
                                         jsonutils.dumps(body))
        except ks_exceptions.HttpError as ex:
            self._raise_api_exception(ex.response)
        # 202 for a new batch; 200 for a dry run or a repeated request_id.
        if resp.status_code not in (200, 202):
            self._raise_api_exception(resp)
        return ResumeBatch(self, base.get_json(resp))

    def list(self, marker=None, limit=None, sort_keys=None, sort_dirs=None):
        """GET /resume_batches: newest first (without their outcomes)."""
        query = self._build_query_params(
            marker=marker, limit=limit,
            sort_keys=resumes._comma_list(sort_keys),
            sort_dirs=resumes._comma_list(sort_dirs))
        return self._list('/resume_batches%s' % query,
                          response_key='resume_batches')

    def get(self, batch_id, marker=None, limit=None, outcome=None):
        """GET /resume_batches/{id}, with one page of its outcomes.

        ``marker``: the execution id of the previous page's last outcome;
        ``outcome``: applied, refused, error or pending only.
        """
        self._ensure_not_empty(batch_id=batch_id)
        query = self._build_query_params(marker=marker, limit=limit,
                                         filters={'outcome': outcome}
                                         if outcome else None)
        return ResumeBatch(self, self._get_json(
            '/resume_batches/%s%s' % (batch_id, query)))

    def outcomes(self, batch_id, outcome=None, page_size=PAGE_SIZE):
        """Every outcome of a batch (page after page), in match order."""
        found = []
        marker = None
        while True:
            page = self.get(batch_id, marker=marker, limit=page_size,
                            outcome=outcome).outcomes
            found.extend(page)
            if len(page) < page_size:
                return found
            marker = page[-1]['execution_id']

    def wait(self, batch_id, interval=1.0, timeout=None, progress=None):
        """Poll a batch until every outcome is in; return it.

        :param progress: called with the batch after each poll.
        :raises BatchTimeout: still RUNNING after ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            # One outcome is enough to learn the counts.
            batch = self.get(batch_id, limit=1)
            if progress is not None:
                progress(batch)
            if batch.state == DONE:
                return batch
            if deadline is not None and time.monotonic() > deadline:
                raise BatchTimeout(batch)
            time.sleep(interval)


def get_manager(mistral_client):
    """The ResumeBatchManager of a mistralclient ``Client``.

    Kept as ``mistral_client.resume_batches``, like the client's own
    managers.
    """
    manager = getattr(mistral_client, 'resume_batches', None)
    if not isinstance(manager, ResumeBatchManager):
        executions = mistral_client.executions
        manager = ResumeBatchManager(executions.http_client,
                                     executions.enforce_raw_definitions)
        mistral_client.resume_batches = manager
    return manager
