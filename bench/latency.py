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

"""Latency: from the recovery request to the execution's SUCCESS.

Three ways to recover the same failure (bench/workflows/bench_latency.yaml,
"middle" failed on env().size), each on its own fresh failed execution:

a. ``POST /v2/executions/{id}/resumes`` in rerun mode, with a context
   (``{"state": "ready"}``, the value "first" published: the context path
   of the engine is exercised without changing what the task computes) and
   the env fix ``{"size": 3}`` in the resume's ``env``;
b. upstream ``PUT /v2/tasks/{id}`` ``{"state": "RUNNING", "reset": true,
   "env": "{\\"size\\": 3}"}`` (Mistral takes env as a JSON string);
c. ``POST .../resumes`` in continue mode, with what "middle" would have
   published.

Each round prepares three failed executions (not timed), then times a, b
and c one after the other in a rotating order (abc, bca, cab, ...), so that
drift on a shared machine hits all three alike. The clock runs from just
before the request to the first poll that sees SUCCESS; the execution is
polled every POLL seconds on a keep-alive connection.
"""

import json
import statistics
import time

MODES = ('a', 'b', 'c')
LABELS = {
    'a': 'resume rerun (context + env)',
    'b': 'upstream PUT /v2/tasks rerun (env)',
    'c': 'resume continue (published)',
}
POLL = 0.01
RUN_TIMEOUT = 60
# Between two timed runs: the engine's post-completion work (integrity
# check scheduling, notifications) of one run does not land in the next.
SETTLE = 0.1

FIX_ENV = {'size': 3}


def send(server, mode, ex_id, task_id):
    """One request of mode a, b or c (see the module's docstring)."""
    if mode == 'a':
        return server.call(
            'POST', '/executions/%s/resumes' % ex_id, expect=(201,),
            json={'points': [{'task': 'middle',
                              'context': {'state': 'ready'}}],
                  'env': FIX_ENV, 'reason': 'bench'})
    if mode == 'b':
        return server.call(
            'PUT', '/tasks/%s' % task_id, expect=(200,),
            json={'id': task_id, 'state': 'RUNNING', 'reset': True,
                  'env': json.dumps(FIX_ENV)})
    return server.call(
        'POST', '/executions/%s/resumes' % ex_id, expect=(201,),
        json={'points': [{'task': 'middle', 'mode': 'continue',
                          'published': {'items': {'item-0': 'ready'}}}],
              'reason': 'bench'})


def time_one(server, mode, ex_id, task_id, poll=POLL):
    """Seconds from the request to SUCCESS, and the request's own time."""
    started = time.perf_counter()
    send(server, mode, ex_id, task_id)
    answered = time.perf_counter()
    deadline = time.monotonic() + RUN_TIMEOUT
    polls = 0
    while True:
        state = server.json('GET', '/executions/%s' % ex_id)['state']
        polls += 1
        if state == 'SUCCESS':
            done = time.perf_counter()
            return done - started, answered - started, polls
        # ERROR right after the request is the state before the engine
        # took it: only a timeout is a failure.
        if time.monotonic() > deadline:
            raise RuntimeError('Mode %s: execution %s still %s after %s s.'
                               % (mode, ex_id, state, RUN_TIMEOUT))
        time.sleep(poll)


def percentile(values, pct):
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, int(round(pct / 100.0 * len(ordered) + 0.4999)))
    return ordered[min(rank, len(ordered)) - 1]


def summarize(samples):
    return {
        'n': len(samples),
        'median_ms': round(statistics.median(samples) * 1000, 1),
        'p90_ms': round(percentile(samples, 90) * 1000, 1),
        'mean_ms': round(statistics.mean(samples) * 1000, 1),
        'min_ms': round(min(samples) * 1000, 1),
        'max_ms': round(max(samples) * 1000, 1),
    }


def run(server, runs, log=print):
    totals = {m: [] for m in MODES}
    requests_ = {m: [] for m in MODES}
    started = time.monotonic()
    for i in range(runs):
        order = MODES[i % 3:] + MODES[:i % 3]
        prepared = dict(zip(order, server.start_failed(len(order))))
        for mode in order:
            ex_id, task_id = prepared[mode]
            total, request, _polls = time_one(server, mode, ex_id, task_id)
            totals[mode].append(total)
            requests_[mode].append(request)
            time.sleep(SETTLE)
        if (i + 1) % 10 == 0:
            log('  latency: %d/%d rounds (%.0f s)'
                % (i + 1, runs, time.monotonic() - started))
    result = {'modes': {}, 'poll_s': POLL, 'rounds': runs}
    for mode in MODES:
        result['modes'][mode] = {
            'label': LABELS[mode],
            'to_success': summarize(totals[mode]),
            'request': summarize(requests_[mode]),
            'samples_ms': [round(s * 1000, 1) for s in totals[mode]],
        }
    med = {m: result['modes'][m]['to_success']['median_ms'] for m in MODES}
    p90 = {m: result['modes'][m]['to_success']['p90_ms'] for m in MODES}
    result['ratios'] = {
        'a/b median': round(med['a'] / med['b'], 3),
        'c/b median': round(med['c'] / med['b'], 3),
        'a/b p90': round(p90['a'] / p90['b'], 3),
        'c/b p90': round(p90['c'] / p90['b'], 3),
    }
    # Per-round ratios: each pair ran seconds apart, so drift cancels.
    result['paired'] = {
        'a/b median of per-round ratios': round(statistics.median(
            a / b for a, b in zip(totals['a'], totals['b'])), 3),
        'c/b median of per-round ratios': round(statistics.median(
            c / b for c, b in zip(totals['c'], totals['b'])), 3),
    }
    return result
