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

"""Throughput: requests per second of two read endpoints vs a stock one.

On one failed bench_latency execution: ``GET /v2/tasks/{id}/context`` and
``GET /v2/executions/{id}/resume_requirements`` against Mistral's own
``GET /v2/tasks/{id}`` of the same task, with 1 and 4 client threads (one
keep-alive connection each). Every (endpoint, threads) cell runs for the
same total time, cut into slices run in a rotating order, so drift hits
all cells alike. Loopback only, bounded by time.
"""

import threading
import time

import requests

ENDPOINTS = ('task', 'context', 'requirements')
LABELS = {
    'task': 'GET /v2/tasks/{id} (stock)',
    'context': 'GET /v2/tasks/{id}/context',
    'requirements': 'GET /v2/executions/{id}/resume_requirements',
}
THREADS = (1, 4)


def _paths(ex_id, task_id):
    return {
        'task': '/tasks/%s' % task_id,
        'context': '/tasks/%s/context' % task_id,
        'requirements': '/executions/%s/resume_requirements' % ex_id,
    }


def _slice(url, threads, seconds):
    """Run for seconds; return (completed requests, errors, elapsed)."""
    counts = [0] * threads
    errors = [0] * threads
    stop = threading.Event()

    def worker(i):
        with requests.Session() as session:
            while not stop.is_set():
                try:
                    resp = session.get(url, timeout=60)
                    if resp.status_code == 200:
                        counts[i] += 1
                    else:
                        errors[i] += 1
                except requests.RequestException:
                    errors[i] += 1

    workers = [threading.Thread(target=worker, args=(i,), daemon=True)
               for i in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    time.sleep(seconds)
    stop.set()
    for w in workers:
        w.join(120)
    # Requests in flight at the stop finish and count: the elapsed time
    # runs until the last one does.
    return sum(counts), sum(errors), time.perf_counter() - started


def run(server, ex_id, task_id, seconds, slices):
    paths = _paths(ex_id, task_id)
    cells = [(e, t) for t in THREADS for e in ENDPOINTS]
    totals = {c: [0, 0, 0.0] for c in cells}
    # Warm every path once (first-request costs are not throughput).
    for path in paths.values():
        server.call('GET', path)
    for i in range(slices):
        order = cells[i % len(cells):] + cells[:i % len(cells)]
        for endpoint, threads in order:
            done, errors, elapsed = _slice(server.api_url + paths[endpoint],
                                           threads, seconds / slices)
            cell = totals[(endpoint, threads)]
            cell[0] += done
            cell[1] += errors
            cell[2] += elapsed
    result = {'seconds_per_cell': seconds, 'slices': slices, 'cells': []}
    rps = {}
    for (endpoint, threads), (done, errors, elapsed) in totals.items():
        rps[(endpoint, threads)] = done / elapsed if elapsed else 0.0
        result['cells'].append({
            'endpoint': endpoint, 'label': LABELS[endpoint],
            'threads': threads, 'requests': done, 'errors': errors,
            'seconds': round(elapsed, 2),
            'rps': round(rps[(endpoint, threads)], 1),
        })
    result['ratios'] = {}
    for threads in THREADS:
        base = rps[('task', threads)]
        for endpoint in ('context', 'requirements'):
            result['ratios']['%s/task %d thr' % (endpoint, threads)] = (
                round(rps[(endpoint, threads)] / base, 3) if base else None)
    return result
