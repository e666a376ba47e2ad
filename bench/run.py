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

"""Run the mistral-resume benchmark: latency, scaling, throughput.

``python -m bench.run [--quick] [--out DIR]`` (see bench/README.rst). One
embedded server, in a temporary directory: latency and throughput first,
then it is stopped; the throughput on the RabbitMQ + PostgreSQL
deployment of tests/integration (bench/deployed.py); then the scaling
executions are written into the embedded server's database, and it is
started again once per size.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

from bench import deployed
from bench import latency
from bench import report
from bench import scaling
from bench import server as bench_server
from bench import throughput

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, 'results')

FULL = {
    'runs': 40, 'sizes': (1000, 5000, 10000, 20000), 'reps': 5,
    'seconds': 5.0, 'slices': 5, 'restart_per_size': True,
}
QUICK = {
    'runs': 3, 'sizes': (100, 200), 'reps': 1,
    'seconds': 0.6, 'slices': 1, 'restart_per_size': False,
}
PARTS = ('latency', 'throughput', 'deployment', 'scaling')


def _log(message):
    print(message, file=sys.stderr, flush=True)


def _meta(quick):
    try:
        commit = subprocess.run(
            ['git', 'rev-parse', '--short', 'HEAD'], cwd=HERE,
            capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {
        'quick': quick,
        'started': datetime.datetime.now().isoformat(timespec='seconds'),
        'loadavg': [round(x, 2) for x in os.getloadavg()],
        'cpus': os.cpu_count(),
        'python': platform.python_version(),
        'commit': commit,
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog='python -m bench.run',
        description='Benchmark mistral-resume on the embedded server.')
    parser.add_argument('--quick', action='store_true',
                        help='a tiny smoke run (under a minute)')
    parser.add_argument('--out', default=DEFAULT_OUT,
                        help='where the JSON and the PNG go '
                             '(default: bench/results/)')
    parser.add_argument('--only', action='append', choices=PARTS,
                        help='run only this part (repeatable)')
    parser.add_argument('--runs', type=int,
                        help='latency rounds (each times a, b and c once)')
    parser.add_argument('--sizes', type=lambda s: tuple(
        int(x) for x in s.split(',')),
        help='scaling sizes, comma-separated task execution counts')
    parser.add_argument('--reps', type=int,
                        help='scaling repetitions per call')
    parser.add_argument('--seconds', type=float,
                        help='throughput seconds per (endpoint, threads)')
    args = parser.parse_args(argv)
    settings = dict(QUICK if args.quick else FULL)
    for key in ('runs', 'sizes', 'reps', 'seconds'):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    return args, settings


def run(args, settings):
    parts = args.only or PARTS
    results = {'meta': _meta(args.quick), 'settings': dict(
        settings, sizes=list(settings['sizes']))}
    server = bench_server.BenchServer()
    try:
        started = time.monotonic()
        _log('Starting the embedded server (%s)...' % server.tmp_dir)
        server.start()
        results['meta']['server_start_s'] = round(
            time.monotonic() - started, 1)
        results['meta']['memory_at_start'] = server.memory()

        if 'latency' in parts:
            _log('Latency: %d rounds of a, b, c...' % settings['runs'])
            results['latency'] = latency.run(server, settings['runs'],
                                             log=_log)
            results['meta']['memory_after_latency'] = server.memory()

        if 'throughput' in parts:
            _log('Throughput: %.1f s per cell...' % settings['seconds'])
            (ex_id, task_id), = server.start_failed(1)
            results['throughput'] = throughput.run(
                server, ex_id, task_id, settings['seconds'],
                settings['slices'])
        server.stop()

        if 'deployment' in parts:
            # The embedded server is stopped: two deployments would share
            # the two cores.
            results['deployment'] = deployed.run(
                settings['seconds'], settings['slices'], log=_log)

        if 'scaling' in parts:
            _log('Scaling: writing %s task executions per shape...'
                 % ', '.join(str(s) for s in settings['sizes']))
            built = scaling.write(server, settings['sizes'], log=_log)
            rows, memory = [], []
            groups = ([[s] for s in sorted(settings['sizes'])]
                      if settings['restart_per_size']
                      else [sorted(settings['sizes'])])
            for group in groups:
                # One start per group; sizes of a group share a server.
                part_rows, part_memory = scaling.run(
                    server, [b for b in built if b['size'] in group],
                    settings['reps'], log=_log)
                rows += part_rows
                memory += part_memory
            _log('Scaling: every shape and size interleaved, one start...')
            side_by_side = scaling.interleaved(server, built,
                                               settings['reps'], log=_log)
            results['scaling'] = {'reps': settings['reps'], 'rows': rows,
                                  'memory': memory,
                                  'interleaved': side_by_side,
                                  'growth': scaling.growth(side_by_side),
                                  'growth_per_start': scaling.growth(rows)}
    finally:
        server.cleanup()
    results['meta']['seconds'] = round(time.monotonic() - started, 1)
    return results


def main(argv=None):
    args, settings = parse_args(sys.argv[1:] if argv is None else argv)
    results = run(args, settings)

    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    base = os.path.join(args.out, 'bench-%s%s' % (
        stamp, '-quick' if args.quick else ''))
    with open(base + '.json', 'w') as f:
        json.dump(results, f, indent=1, sort_keys=True)
    report.plot(results, base + '.png')

    print(report.text(results))
    print('\nResults: %s.json\nPlot:    %s.png\nWall time: %.0f s'
          % (base, base, results['meta']['seconds']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
