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

"""The embedded server under benchmark, and a few HTTP helpers.

The server is tests.embedded.EmbeddedServer (a separate process started as
an operator starts it, port read from its ready line) loading only the
benchmark's workflow, with a longer RPC timeout: at 20,000 task
executions an analysis on a loaded 2-core machine may take longer than
Mistral's 60 s default, and a timeout would hide the number.
"""

import json
import os
import time

import psutil
import requests

from bench import cpu
from tests import embedded

WORKFLOWS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         'workflows')
DB_FILE = 'mistral-resume.sqlite'
RPC_TIMEOUT = 600


class BenchError(Exception):
    pass


class BenchServer(embedded.EmbeddedServer):

    def __init__(self, tmp_dir=None):
        super(BenchServer, self).__init__(tmp_dir=tmp_dir,
                                          examples_dir=WORKFLOWS)
        self.session = None

    def write_config(self):
        path = super(BenchServer, self).write_config()
        with open(path, 'a') as f:
            f.write('[DEFAULT]\nrpc_response_timeout = %d\n' % RPC_TIMEOUT)
        return path

    def start(self, timeout=embedded.START_TIMEOUT * 3):
        url = super(BenchServer, self).start(timeout=timeout)
        self.session = requests.Session()
        return url

    def stop(self, timeout=embedded.STOP_TIMEOUT * 3):
        if self.session is not None:
            self.session.close()
            self.session = None
        return super(BenchServer, self).stop(timeout=timeout)

    @property
    def pid(self):
        return self.proc.pid

    @property
    def db_url(self):
        return 'sqlite:///' + os.path.join(self.data_dir, DB_FILE)

    def memory(self):
        """The server process's RSS now and its peak so far, in MiB."""
        status = {}
        try:
            with open('/proc/%d/status' % self.pid) as f:
                for line in f:
                    key, _, value = line.partition(':')
                    if key in ('VmRSS', 'VmHWM'):
                        status[key] = int(value.split()[0]) / 1024.0
        except OSError:
            pass
        if 'VmRSS' not in status:
            status['VmRSS'] = psutil.Process(self.pid).memory_info().rss / (
                1024.0 * 1024.0)
        return {'rss_mib': round(status['VmRSS'], 1),
                'peak_mib': round(status.get('VmHWM', status['VmRSS']), 1)}

    def cpu_seconds(self):
        """CPU seconds the server (one process) has spent so far."""
        return {'server': cpu.tree_seconds(self.pid)}

    # HTTP, on one keep-alive session.

    def call(self, method, path, expect=(200,), **kwargs):
        kwargs.setdefault('timeout', RPC_TIMEOUT + 30)
        resp = self.session.request(method, self.api_url + path, **kwargs)
        if resp.status_code not in expect:
            raise BenchError('%s %s: %s %s' % (method, path, resp.status_code,
                                               resp.text[:500]))
        return resp

    def json(self, method, path, expect=(200,), **kwargs):
        return self.call(method, path, expect, **kwargs).json()

    def start_failed(self, count, workflow='bench_latency',
                     env=None, timeout=60):
        """Start executions that fail; return [(execution, middle task)]."""
        params = json.dumps({'env': env or {'size': 'bad'}})
        ids = [self.json('POST', '/executions', expect=(201,),
                         json={'workflow_name': workflow,
                               'params': params})['id']
               for _ in range(count)]
        deadline = time.monotonic() + timeout
        pending = set(ids)
        while pending:
            for ex_id in sorted(pending):
                state = self.json('GET', '/executions/%s' % ex_id)['state']
                if state == 'ERROR':
                    pending.discard(ex_id)
                elif state in embedded.SETTLED:
                    raise BenchError('Execution %s ended %s, not ERROR.'
                                     % (ex_id, state))
            if pending:
                if time.monotonic() > deadline:
                    raise BenchError('Executions %s did not fail within '
                                     '%s s.' % (sorted(pending), timeout))
                time.sleep(0.05)
        result = []
        for ex_id in ids:
            tasks = self.json('GET', '/executions/%s/tasks' % ex_id)['tasks']
            middle = [t for t in tasks if t['name'] == 'middle']
            result.append((ex_id, middle[0]['id']))
        return result
