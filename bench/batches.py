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

``python -m bench.batches --plot PNG RESULT.json [RESULT.json]``

On the embedded server, or with ``--deployment`` on the two-engine
deployment of tests/integration (RabbitMQ, PostgreSQL): each round starts
3 x N failed ``bench_latency`` executions (not timed), then, in a rotating
order, resumes N of them by one ``POST /v2/resume_batches``, N by N
``POST /v2/executions/{id}/resumes`` sent one after the other by one
client, and N by Mistral's own rerun (``PUT /v2/tasks/{id}``, the same
env) one by one: what the same work costs without mistral-resume. Each
variant is timed from its first request to the poll that sees its N
executions SUCCESS; the batch's POST is timed alone too, and the CPU time
every process of the deployment spent meanwhile is counted (bench/cpu.py).

Reported: each variant's wall time, resumes per second, batch /
one-by-one, the POST's answer time, CPU milliseconds per resume by
process, and the peak memory (of the server, or of each engine).
``--plot`` draws the results of runs (the embedded server's, the
deployment's) side by side. Not part of the test suite; the machine is
likely shared: compare ratios, not seconds.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time

from bench import cpu
from bench import latency
from bench import server as bench_server

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, 'results')

FULL = {'size': 1000, 'rounds': 2}
QUICK = {'size': 10, 'rounds': 1}

POINTS = [{'task': 'middle'}]
FIX_ENV = {'size': 3}
POLL = 0.5
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


def _one_by_one(server, pairs, send):
    started = time.perf_counter()
    for ex_id, task_id in pairs:
        send(server, ex_id, task_id)
    sent = time.perf_counter() - started
    _await_success(server, [ex_id for ex_id, _ in pairs])
    return {'wall_s': time.perf_counter() - started, 'sent_s': sent}


def _resume(server, ex_id, task_id):
    server.json('POST', '/executions/%s/resumes' % ex_id, expect=(201,),
                json={'points': POINTS, 'env': FIX_ENV})


def _stock_rerun(server, ex_id, task_id):
    # Mistral's own rerun of the same task with the same env: what the
    # same work costs without mistral-resume.
    latency.send(server, 'b', ex_id, task_id)


def one_by_one(server, pairs):
    return _one_by_one(server, pairs, _resume)


def stock_one_by_one(server, pairs):
    return _one_by_one(server, pairs, _stock_rerun)


def batch(server, pairs):
    ids = [ex_id for ex_id, _ in pairs]
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


VARIANTS = (('batch', batch), ('one_by_one', one_by_one),
            ('stock_one_by_one', stock_one_by_one))


def _measure(server, measure, pairs):
    before = server.cpu_seconds()
    result = measure(server, pairs)
    result['cpu_s'] = cpu.spent(before, server.cpu_seconds())
    return result


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
                 % (number + 1, len(VARIANTS) * size))
            pairs = server.start_failed(len(VARIANTS) * size,
                                        timeout=TIMEOUT)
            # Each round in another order: none always runs first.
            order = (VARIANTS[number % len(VARIANTS):] +
                     VARIANTS[:number % len(VARIANTS)])
            row = {}
            for i, (name, measure) in enumerate(order):
                _log('Round %d: %s of %d...' % (number + 1, name, size))
                row[name] = _measure(server, measure,
                                     pairs[i * size:(i + 1) * size])
            row['memory'] = server.memory()
            rounds.append(row)
    finally:
        server.cleanup()
    return rounds


def cpu_ms_per_resume(variant, size):
    return {group: 1000.0 * seconds / size
            for group, seconds in variant['cpu_s'].items()}


def summary(size, rounds, where):
    lines = ['Resume batch vs one by one, %d executions each, %s'
             % (size, where)]
    for i, row in enumerate(rounds, 1):
        b, o, s = row['batch'], row['one_by_one'], row['stock_one_by_one']
        lines.append(
            'round %d: batch %.1f s (%.1f resumes/s, POST answered in '
            '%.3f s, outcomes in %.1f s); one by one %.1f s (%.1f '
            'resumes/s); stock rerun one by one %.1f s (%.1f/s); '
            'batch / one-by-one = %.2f; peak memory %.0f MiB'
            % (i, b['wall_s'], size / b['wall_s'], b['post_s'],
               b['outcomes_s'], o['wall_s'], size / o['wall_s'],
               s['wall_s'], size / s['wall_s'],
               b['wall_s'] / o['wall_s'], row['memory']['peak_mib']))
        for name, _ in VARIANTS:
            spent = cpu_ms_per_resume(row[name], size)
            lines.append('  CPU ms per resume, %s: %.0f (%s)' % (
                name, sum(spent.values()), ', '.join(
                    '%s %.0f' % item for item in sorted(spent.items()))))
    return '\n'.join(lines)


# The plot's process groups, in stacking order.
GROUPS = (('engines', ('engine-1', 'engine-2', 'server')),
          ('executor', ('executor',)), ('API', ('api',)),
          ('database', ('database',)), ('broker', ('broker', 'notifier')))
LABELS = {'batch': 'batch', 'one_by_one': 'one by one',
          'stock_one_by_one': 'stock rerun\none by one'}


def plot(results, path):
    """Wall time and CPU per resume of each variant, per run, as a PNG."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    fig, axes = pyplot.subplots(1, 2, figsize=(12, 4.8))
    wall_ax, cpu_ax = axes
    names = [name for name, _ in VARIANTS]
    width = 0.8 / len(results)
    for r, result in enumerate(results):
        size, rounds = result['settings']['size'], result['rounds']
        xs = [i + (r - (len(results) - 1) / 2.0) * width
              for i in range(len(names))]
        walls = [statistics.mean(row[n]['wall_s'] for row in rounds)
                 for n in names]
        bars = wall_ax.bar(xs, walls, width, label='%s: batch / one by one '
                           '= %.2f' % (result['where'], walls[0] / walls[1]))
        for bar, wall in zip(bars, walls):
            wall_ax.annotate('%.0f s\n%.1f/s' % (wall, size / wall),
                             (bar.get_x() + width / 2, wall),
                             ha='center', va='bottom', fontsize=8)
        bottoms = [0.0] * len(names)
        for g, (group, members) in enumerate(GROUPS):
            ms = [statistics.mean(
                sum(cpu_ms_per_resume(row[n], size).get(m, 0.0)
                    for m in members) for row in rounds) for n in names]
            cpu_ax.bar(xs, ms, width, bottom=bottoms,
                       color='C%d' % g, edgecolor='white',
                       hatch='//' if r else None,
                       label=group if r == 0 else None)
            bottoms = [b + m for b, m in zip(bottoms, ms)]
        for x, total in zip(xs, bottoms):
            cpu_ax.annotate('%.0f' % total, (x, total), ha='center',
                            va='bottom', fontsize=8)
    for ax in axes:
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels([LABELS[n] for n in names])
    wall_ax.set_ylabel('seconds until every execution is SUCCESS')
    wall_ax.set_title('Wall time, %s executions per variant, mean of %s '
                      'round(s)' % (
                          ' / '.join(str(r['settings']['size'])
                                     for r in results),
                          ' / '.join(str(len(r['rounds']))
                                     for r in results)))
    wall_ax.set_ylim(0, wall_ax.get_ylim()[1] * 1.3)
    wall_ax.legend(fontsize=8, loc='upper left')
    cpu_ax.set_ylabel('CPU ms per resume')
    cpu_ax.set_title('CPU per resume by process' + (
        ' (hatched: %s)' % results[-1]['where'] if len(results) > 1
        else ''))
    cpu_ax.set_ylim(0, cpu_ax.get_ylim()[1] * 1.3)
    # The embedded server is one process: all of it counts as engines.
    cpu_ax.legend(fontsize=8, loc='upper left', ncol=3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    pyplot.close(fig)


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
    parser.add_argument('--plot', nargs='+', metavar=('PNG', 'RESULT'),
                        help='draw the results of earlier runs into PNG '
                             'instead of running')
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.plot:
        if len(args.plot) < 2:
            parser.error('--plot needs the PNG and at least one result')
        results = []
        for result_path in args.plot[1:]:
            with open(result_path) as f:
                results.append(json.load(f))
        plot(results, args.plot[0])
        print('Plot: %s' % args.plot[0])
        return 0
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
