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

"""The RPC endpoint served by the engine on the resume topic."""

from oslo_log import log as logging

from mistral_resume.core import quoting
from mistral_resume.engine import batches
from mistral_resume.engine import service

LOG = logging.getLogger(__name__)


class ResumeEndpoint(object):
    """Methods callable over RPC; each takes the RPC context first."""

    def resume_requirements(self, rpc_ctx, execution_id):
        LOG.info("Received RPC request 'resume_requirements' "
                 "[execution_id=%s]", quoting.quote(execution_id))
        return service.resume_requirements(execution_id)

    def create_resume(self, rpc_ctx, execution_id, request):
        LOG.info("Received RPC request 'create_resume' [execution_id=%s]",
                 quoting.quote(execution_id))
        return service.create_resume(execution_id, request)

    def run_batch_chunk(self, rpc_ctx, batch_id, number):
        LOG.info("Received RPC request 'run_batch_chunk' [batch_id=%s, "
                 "chunk=%s]", batch_id, number)
        batches.run_chunk(batch_id, number)

    def dry_run_batch(self, rpc_ctx, execution_ids, request):
        LOG.info("Received RPC request 'dry_run_batch' [%d execution(s)]",
                 len(execution_ids))
        return batches.dry_run(execution_ids, request)
