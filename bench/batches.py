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

"""Resume batch against the same resumes sent one by one.

``python -m bench.batches [--quick] [--deployment] [--size N] [--rounds R]``

On the embedded server, or with ``--deployment`` on the two-engine
deployment of tests/integration (RabbitMQ, PostgreSQL): each round starts
2 x N failed ``bench_latency`` executions (not timed), then, in a rotating
order, resumes N of them by one ``POST /v2/resume_batches`` and the other
N by N ``POST /v2/executions/{id}/resumes`` sent one after the other by
one client. Each variant is timed from its first request to the poll that
sees its N executions SUCCESS; the batch's POST is timed alone too.
Reported: each variant's wall time, resumes per second, batch /
one-by-one, the POST's answer time and the peak memory (of the server, or
of each engine). Not part of the test suite; the machine is likely shared:
compare ratios, not seconds.
"""

import argparse
import datetime
import json
import os
import sys
import time

from bench import server as bench_server

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, 'results')

FULL = {'size': 1000, 'rounds': 2}
QUICK = {'size': 10, 'rounds': 1}

POINTS = [{'task': 'middle'}]
FIX_ENV = {'size': 3}
POLL = 0.2
TIMEOUT = 3600
PAGE = 1000


def _log(message):
    print(message, file=sys.stderr, flush=True)


def _succeeded(server, ids):
    # Page by page: Mistral's API answers at most 1,000 executions a call.
    wanted = set(ids)
    found = set()
    params = {'workflow_name': 'bench_latency', 'state': 'SUCCESS',
              'fields': 'id', 'limit': PAGE}
    while True:
        page = server.json('GET', '/executions', params=params)['executions']
        found.update(e['id'] for e in page)
        if len(page) < PAGE:
            return len(wanted & found)
        params = dict(params, marker=page[-1]['id'])


def _await_success(server, ids):
    deadline = time.monotonic() + TIMEOUT
    while _succeeded(server, ids) < len(ids):
        if time.monotonic() > deadline:
            raise bench_server.BenchError('Executions not SUCCESS within '
                                          '%s s.' % TIMEOUT)
        time.sleep(POLL)


def one_by_one(server, ids):
    started = time.perf_counter()
    for ex_id in ids:
        server.json('POST', '/executions/%s/resumes' % ex_id, expect=(201,),
                    json={'points': POINTS, 'env': FIX_ENV})
    sent = time.perf_counter() - started
    _await_success(server, ids)
    return {'wall_s': time.perf_counter() - started, 'sent_s': sent}


def batch(server, ids):
    started = time.perf_counter()
    created = server.json('POST', '/resume_batches', expect=(202,), json={
        'filter': {'execution_ids': ids}, 'points': POINTS,
        'env': FIX_ENV, 'max_executions': len(ids)})
    answered = time.perf_counter() - started
    deadline = time.monotonic() + TIMEOUT
    while server.json('GET', '/resume_batches/%s' % created['id'],
                      params={'limit': 1})['state'] != 'DONE':
        if time.monotonic() > deadline:
            raise bench_server.BenchError('Batch not DONE within %s s.'
                                          % TIMEOUT)
        time.sleep(POLL)
    outcomes_s = time.perf_counter() - started
    _await_success(server, ids)
    return {'wall_s': time.perf_counter() - started, 'post_s': answered,
            'outcomes_s': outcomes_s}


def run(settings, on_deployment=False):
    size = settings['size']
    if on_deployment:
        from bench import deployment
        server = deployment.BenchDeployment()
    else:
        server = bench_server.BenchServer()
    rounds = []
    try:
        _log('Starting the %s (%s)...' % (
            'deployment' if on_deployment else 'embedded server',
            server.tmp_dir))
        server.start()
        for number in range(settings['rounds']):
            _log('Round %d: starting %d failed executions...'
                 % (number + 1, 2 * size))
            ids = [ex_id for ex_id, _ in server.start_failed(
                2 * size, timeout=TIMEOUT)]
            variants = [('batch', batch, ids[:size]),
                        ('one_by_one', one_by_one, ids[size:])]
            if number % 2:
                variants.reverse()
            row = {}
            for name, measure, chunk in variants:
                _log('Round %d: %s of %d...' % (number + 1, name, size))
                row[name] = measure(server, chunk)
            row['memory'] = server.memory()
            rounds.append(row)
    finally:
        server.cleanup()
    return rounds


def summary(size, rounds, where):
    lines = ['Resume batch vs one by one, %d executions each, %s'
             % (size, where)]
    for i, row in enumerate(rounds, 1):
        b, o = row['batch'], row['one_by_one']
        lines.append(
            'round %d: batch %.1f s (%.1f resumes/s, POST answered in '
            '%.3f s, outcomes in %.1f s); one by one %.1f s (%.1f '
            'resumes/s); batch / one-by-one = %.2f; peak memory %.0f MiB'
            % (i, b['wall_s'], size / b['wall_s'], b['post_s'],
               b['outcomes_s'], o['wall_s'], size / o['wall_s'],
               b['wall_s'] / o['wall_s'], row['memory']['peak_mib']))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m bench.batches',
                                     description=__doc__.split('\n')[0])
    parser.add_argument('--quick', action='store_true',
                        help='a smoke run: %(size)d executions, one '
                             'round' % QUICK)
    parser.add_argument('--deployment', action='store_true',
                        help='on the two-engine deployment (RabbitMQ and '
                             'PostgreSQL) instead of the embedded server')
    parser.add_argument('--size', type=int, help='executions per variant')
    parser.add_argument('--rounds', type=int, help='rounds')
    parser.add_argument('--out', default=DEFAULT_OUT)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    settings = dict(QUICK if args.quick else FULL)
    for key in ('size', 'rounds'):
        if getattr(args, key):
            settings[key] = getattr(args, key)

    rounds = run(settings, args.deployment)
    where = 'two-engine deployment' if args.deployment else 'embedded server'

    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    path = os.path.join(args.out, 'batches-%s%s%s.json' % (
        stamp, '-deployment' if args.deployment else '',
        '-quick' if args.quick else ''))
    with open(path, 'w') as f:
        json.dump({'settings': settings, 'where': where, 'rounds': rounds,
                   'loadavg': os.getloadavg()}, f, indent=1)
    print(summary(settings['size'], rounds, where))
    print('\nResults: %s' % path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
