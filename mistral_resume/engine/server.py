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

"""The engine service of mistral-resume.

Mistral's engine registers itself as the only endpoint of its RPC server, so
nothing can be added to it from outside. We run Mistral's engine unchanged
and, in the same process, a second oslo.messaging RPC server on our own
topic (``[resume] topic``) over Mistral's transport. Why a topic of our
own rather than new methods on Mistral's: only engines that run the plugin
ever consume it, so a deployment can upgrade its engines one by one and a
resume call never lands on a stock engine that would not know it.
"""

import types

from mistral.engine import default_engine
from mistral.engine import engine_server
from mistral.rpc import base as rpc
from oslo_log import log as logging

from mistral_resume import config
from mistral_resume.engine import batches
from mistral_resume.engine import endpoint
from mistral_resume.engine import rpc_client
from mistral_resume import patches

LOG = logging.getLogger(__name__)

CONF = config.CONF


def rpc_target_conf():
    """What Mistral's RPC drivers read from a config group: topic, host."""
    return types.SimpleNamespace(topic=CONF.resume.topic,
                                 host=CONF.engine.host)


class ResumeEngineServer(engine_server.EngineServer):
    """Mistral's engine server plus the resume endpoint on its own topic."""

    def __init__(self, engine, setup_profiler=True):
        super().__init__(engine, setup_profiler)
        self._resume_rpc_server = None
        self._claimer = None

    def start(self):
        patches.apply()
        # Built before Mistral's services start, so that a bad setting
        # fails the start before anything runs that would need stopping.
        resume_rpc_server = rpc.get_rpc_server_driver()(rpc_target_conf())
        super().start()

        self._resume_rpc_server = resume_rpc_server
        self._resume_rpc_server.register_endpoint(endpoint.ResumeEndpoint())
        self._resume_rpc_server.run(executor='threading')
        LOG.info('Resume endpoint listening on topic %s', CONF.resume.topic)

        # Every engine looks for chunks of resume batches whose engine died.
        self._claimer = batches.ChunkClaimer(
            lambda batch_id, number:
                rpc_client.get_client().run_batch_chunk(batch_id, number))
        self._claimer.start()

    def stop(self, graceful=False):
        # Stop taking resume calls before the engine itself goes away.
        if self._claimer:
            self._claimer.stop()
            self._claimer = None
        if self._resume_rpc_server:
            self._resume_rpc_server.stop(graceful)
            self._resume_rpc_server = None
        super().stop(graceful)


def get_oslo_service(setup_profiler=True):
    return ResumeEngineServer(
        default_engine.DefaultEngine(),
        setup_profiler=setup_profiler
    )
