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

"""The client the API uses to call the resume endpoint in the engines."""

import functools
import threading

from mistral import context as auth_ctx
from mistral import exceptions as exc
from mistral.rpc import base as rpc
from oslo_config import cfg
import oslo_messaging as messaging

from mistral_resume.engine import server

_LOCK = threading.Lock()
_CLIENT = None


class EngineTimeout(exc.MistralException):
    """No engine answered in time: the outcome is unknown to the API."""

    http_code = 504


def _engine_timeout(hint):
    """Answer an RPC timeout as 504, with what the operator can do.

    Mistral answers it as a 500. A resume call is acknowledged when an
    engine takes it off the queue, so if that engine dies no other engine
    takes it over, and the API cannot know whether it was applied. Goes
    inside wrap_messaging_exception, which passes Mistral exceptions on.
    """
    def decorator(method):
        @functools.wraps(method)
        def wrapped(self, execution_id, *args, **kwargs):
            try:
                return method(self, execution_id, *args, **kwargs)
            except messaging.MessagingTimeout:
                raise EngineTimeout(
                    'No engine answered %s for execution %s within %s s '
                    '(rpc_response_timeout). %s'
                    % (method.__name__, execution_id,
                       cfg.CONF.rpc_response_timeout,
                       hint % {'id': execution_id}))
        return wrapped
    return decorator


class ResumeClient(object):
    """Synchronous calls to whichever engine takes them off the topic."""

    def __init__(self, transport):
        self.transport = transport
        self._client = rpc.get_rpc_client_driver()(server.rpc_target_conf())

    @rpc.wrap_messaging_exception
    @_engine_timeout('Check that an engine runs mistral-resume, then ask '
                     'again.')
    def resume_requirements(self, execution_id):
        return self._client.sync_call(
            auth_ctx.ctx(), 'resume_requirements', execution_id=execution_id
        )

    @rpc.wrap_messaging_exception
    @_engine_timeout('The resume may or may not have been applied: see GET '
                     '/v2/executions/%(id)s/resumes, or send the request '
                     'again with the same request_id, which is applied at '
                     'most once.')
    def create_resume(self, execution_id, request):
        return self._client.sync_call(
            auth_ctx.ctx(), 'create_resume',
            execution_id=execution_id, request=request
        )

    @rpc.wrap_messaging_exception
    def run_batch_chunk(self, batch_id, number):
        """Announce a chunk of a resume batch: a cast, taken by one engine.

        The engine works as the batch's user (it reads who from the batch),
        whoever announces the chunk: the API, or an engine handing out the
        chunk of a dead one.
        """
        ctx = (auth_ctx.ctx() if auth_ctx.has_ctx()
               else auth_ctx.MistralContext())
        self._client.async_call(ctx, 'run_batch_chunk', batch_id=batch_id,
                                number=number)

    @rpc.wrap_messaging_exception
    @_engine_timeout('Nothing was changed by a dry run; ask again.')
    def dry_run_batch(self, execution_id, execution_ids, request):
        """What a batch would do to these executions (one engine's call).

        ``execution_id`` (the first of them) only names the call in a
        timeout's message.
        """
        return self._client.sync_call(
            auth_ctx.ctx(), 'dry_run_batch',
            execution_ids=execution_ids, request=request
        )


def get_client():
    """The process's client, rebuilt when Mistral's transport was reset."""
    global _CLIENT
    transport = rpc.get_transport()
    with _LOCK:
        if _CLIENT is None or _CLIENT.transport is not transport:
            _CLIENT = ResumeClient(transport)
        return _CLIENT
