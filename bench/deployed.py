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

"""Throughput on the multi-process deployment: RabbitMQ and PostgreSQL.

The deployment of tests/integration (one API, two engines, an executor and
a notifier, each its own process, on a virtual host and a database of
their own on the machine's shared services), measured with the embedded
server's throughput part (bench/throughput.py) on one failed
bench_latency execution, twice: the read-only analyses answered by the
API process (``[resume] analysis_in_api``, the default), then by an
engine over RabbitMQ (the API restarted with it off).

Integration tests of every worktree share the services and must not run
at once: this takes the same lock as they do (``flock
/tmp/mr-integration.lock``), waiting for it if need be.
"""

import contextlib
import fcntl
import os
import shutil
import tempfile

import requests

from bench import server as bench_server
from bench import throughput
from tests.integration import deployment as deployment_mod
from tests.integration import services

LOCK = '/tmp/mr-integration.lock'
MODES = (('api', True), ('engine', False))


class DeployedApi(deployment_mod.Api):
    """The integration tests' API client, with the bench server's calls."""

    call = bench_server.BenchServer.call
    json = bench_server.BenchServer.json
    start_failed = bench_server.BenchServer.start_failed

    def __init__(self, url):
        super().__init__(url)
        self.session = requests.Session()


@contextlib.contextmanager
def _integration_lock(log):
    fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log('Deployment: waiting for %s (integration tests run)...'
                % LOCK)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _workflows():
    with open(os.path.join(bench_server.WORKFLOWS,
                           'bench_latency.yaml')) as f:
        return f.read()


def run(seconds, slices, log=print):
    """Throughput per place of the analysis; {'unavailable': why} if none.

    :return: {'api': throughput.run(...), 'engine': throughput.run(...)}
    """
    with _integration_lock(log):
        shared = services.SharedServices()
        try:
            env = shared.acquire()
        except services.Unavailable as e:
            return {'unavailable': str(e)}
        tenant = deployed = None
        tmp_dir = tempfile.mkdtemp(prefix='mistral-resume-bench-')
        try:
            tenant = services.Tenant(env)
            tenant.create()
            deployed = deployment_mod.Deployment(
                tmp_dir, tenant.transport_url, tenant.database_url)
            deployed.write_config()
            log('Deployment: preparing the database, starting 5 '
                'processes...')
            deployed.prepare_database()
            deployed.start()
            api = DeployedApi(deployed.url)
            api.create_workflows(_workflows())
            (ex_id, task_id), = api.start_failed(1)
            result = {'execution_id': ex_id, 'task_id': task_id}
            for mode, in_api in MODES:
                deployed.restart(['api'], ['[resume]',
                                           'analysis_in_api = %s' % in_api])
                log('Deployment: throughput, analysis in the %s...' % mode)
                result[mode] = throughput.run(api, ex_id, task_id, seconds,
                                              slices)
            return result
        finally:
            try:
                if deployed is not None:
                    deployed.stop()
            finally:
                if tenant is not None:
                    tenant.delete()
                shared.release()
                shutil.rmtree(tmp_dir, ignore_errors=True)
