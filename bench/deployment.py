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

"""The two-engine deployment under benchmark (RabbitMQ, PostgreSQL).

tests/integration's deployment (one API, two engines, one executor, one
notifier on the shared services), with the HTTP helpers of the embedded
bench server. Run it under ``flock /tmp/mr-integration.lock`` where other
test runs share the services.
"""

import os
import shutil
import tempfile

import requests

from bench import cpu
from bench import server as bench_server
from tests.integration import deployment
from tests.integration import services


class BenchDeployment(object):

    # The embedded bench server's HTTP helpers.
    call = bench_server.BenchServer.call
    json = bench_server.BenchServer.json
    start_failed = bench_server.BenchServer.start_failed

    def __init__(self):
        self.shared = services.SharedServices()
        self.tenant = None
        self.deployment = None
        self.session = None
        self.tmp_dir = tempfile.mkdtemp(prefix='mistral-resume-bench-')
        self.api_url = None

    def start(self):
        env = self.shared.acquire()
        self.tenant = services.Tenant(env)
        self.tenant.create()
        self.deployment = deployment.Deployment(
            self.tmp_dir, self.tenant.transport_url,
            self.tenant.database_url)
        self.deployment.write_config()
        self.deployment.prepare_database()
        self.deployment.start()
        self.api_url = self.deployment.url + '/v2'
        self.session = requests.Session()
        path = os.path.join(bench_server.WORKFLOWS, 'bench_latency.yaml')
        with open(path) as f:
            deployment.Api(self.deployment.url).create_workflows(f.read())

    def memory(self):
        """Peak RSS of each engine process so far, in MiB."""
        peaks = {}
        for service in self.deployment.services:
            if service.kind != 'engine':
                continue
            for pid in service.pids():
                try:
                    with open('/proc/%d/status' % pid) as f:
                        for line in f:
                            if line.startswith('VmHWM:'):
                                peaks[service.name] = max(
                                    peaks.get(service.name, 0),
                                    int(line.split()[1]) / 1024.0)
                except OSError:
                    pass
        return {'peak_mib': round(max(peaks.values() or [0]), 1),
                'engines_peak_mib': {k: round(v, 1)
                                     for k, v in peaks.items()}}

    def cpu_seconds(self):
        """CPU seconds so far: each service, the database, the broker.

        The database and the broker are the shared ones (all their
        processes): run under the integration lock, so that no other test
        uses them meanwhile.
        """
        seconds = {service.name: sum(cpu.tree_seconds(pid)
                                     for pid in service.pids()[:1])
                   for service in self.deployment.services}
        seconds['database'] = cpu.named_seconds(
            os.path.join(services.STATE_DIR, 'postgresql'), 'postgres')
        seconds['broker'] = cpu.named_seconds(
            os.path.join(services.STATE_DIR, 'rabbitmq'), 'beam.smp')
        return seconds

    def cleanup(self):
        if self.session is not None:
            self.session.close()
        try:
            if self.deployment is not None:
                self.deployment.stop()
        finally:
            try:
                if self.tenant is not None:
                    self.tenant.delete()
            finally:
                self.shared.release()
                shutil.rmtree(self.tmp_dir, ignore_errors=True)
