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

import threading

from mistral import context as auth_ctx
from mistral.rpc import base as rpc

from mistral_resume.engine import server

_LOCK = threading.Lock()
_CLIENT = None


class ResumeClient(object):
    """Synchronous calls to whichever engine takes them off the topic."""

    def __init__(self, transport):
        self.transport = transport
        self._client = rpc.get_rpc_client_driver()(server.rpc_target_conf())

    @rpc.wrap_messaging_exception
    def resume_requirements(self, execution_id):
        return self._client.sync_call(
            auth_ctx.ctx(), 'resume_requirements', execution_id=execution_id
        )

    @rpc.wrap_messaging_exception
    def create_resume(self, execution_id, request):
        return self._client.sync_call(
            auth_ctx.ctx(), 'create_resume',
            execution_id=execution_id, request=request
        )


def get_client():
    """The process's client, rebuilt when Mistral's transport was reset."""
    global _CLIENT
    transport = rpc.get_transport()
    with _LOCK:
        if _CLIENT is None or _CLIENT.transport is not transport:
            _CLIENT = ResumeClient(transport)
        return _CLIENT
