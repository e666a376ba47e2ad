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

"""Scaling of the requirements analysis with the number of task executions.

The executions (bench/shapes.py) are written straight into the embedded
server's SQLite file by ``bench.dbgen`` while the server is stopped; then,
one server start per size (so that the peak RSS, VmHWM, belongs to that
size), for each shape:

- ``listing``: Mistral's ``GET /v2/executions/{id}/tasks`` for every
  execution of the tree (the top and each sub-workflow for ``deep`` and
  ``fanout``), following the pages of 1,000 (``[api] max_limit``): what
  the analysis reads, read the stock way;
- ``listing_top``: the same call on the top execution alone (``deep``,
  ``fanout``);
- ``requirements``: ``GET /v2/executions/{id}/resume_requirements``;
- ``dry_run``: ``POST /v2/executions/{id}/resumes`` naming every failure,
  ``"dry_run": true``.

The first call of each is timed apart (``cold``: the spec cache of the
engine is empty after the start); then ``reps`` rounds in a rotating order,
and the median is reported.
"""

import json
import math
import os
import statistics
import subprocess
import sys
import time

from bench import server as bench_server

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SHAPES = ('wide', 'fanout', 'deep')
# Mistral's default [api] max_limit: the largest page it serves.
PAGE = 1000
# Growth below this size is not fitted nor checked: tens of milliseconds,
# fixed costs and noise.
GROWTH_MIN_SIZE = 1000


def write(server, sizes, shapes=SHAPES, log=print):
    """Write every shape at every size; the server must be stopped."""
    builds = ['%s:%d' % (shape, size) for size in sizes for shape in shapes]
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        p for p in (REPO, env.get('PYTHONPATH')) if p)
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, '-m', 'bench.dbgen', '--connection', server.db_url]
        + builds, cwd=REPO, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    built = []
    for line in proc.stdout:
        item = json.loads(line)
        built.append(item)
        log('  wrote %s:%d: %d task executions in %d execution(s), %.1f s'
            % (item['shape'], item['size'], item['task_executions'],
               item['executions'], item['write_seconds']))
    stderr = proc.stderr.read()
    if proc.wait() != 0:
        raise bench_server.BenchError('bench.dbgen failed:\n%s'
                                      % stderr[-3000:])
    log('  written in %.0f s' % (time.monotonic() - started))
    return built


def _list_tasks(server, ex_id):
    """Every task execution of one execution, page after page.

    Mistral caps a page at [api] max_limit (1,000 here) and links the next
    one; a client that wants them all follows the marker.
    """
    count, marker = 0, None
    while True:
        params = {'limit': PAGE}
        if marker:
            params['marker'] = marker
        body = server.json('GET', '/executions/%s/tasks' % ex_id,
                           params=params)
        count += len(body['tasks'])
        if not body.get('next') or not body['tasks']:
            return count
        marker = body['tasks'][-1]['id']


def _calls(server, item):
    ex_id = item['execution_id']

    def listing():
        return sum(_list_tasks(server, sub_id)
                   for sub_id in item['execution_ids'])

    def listing_top():
        return _list_tasks(server, ex_id)

    def requirements():
        body = server.json('GET', '/executions/%s/resume_requirements'
                           % ex_id)
        return len(body['failures'])

    def dry_run():
        resp = server.call('POST', '/executions/%s/resumes' % ex_id,
                           expect=(200, 409),
                           json={'points': item['points'], 'dry_run': True})
        body = resp.json()
        return (resp.status_code, len(body.get('points') or []),
                len(body.get('requirements') or []))

    calls = {'listing': listing, 'requirements': requirements,
             'dry_run': dry_run}
    if len(item['execution_ids']) > 1:
        calls['listing_top'] = listing_top
    return calls


def _timed(call):
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _summary(item, samples):
    """An item's row: its size and, per call, the median and the samples."""
    return {
        'shape': item['shape'], 'size': item['size'],
        'task_executions': item['task_executions'],
        'median_s': {n: round(statistics.median(v), 3)
                     for n, v in samples.items()},
        'samples_s': {n: [round(x, 3) for x in v]
                      for n, v in samples.items()},
    }


def measure_shape(server, item, reps):
    calls = _calls(server, item)
    names = sorted(calls)
    cold, outcome = {}, {}
    for name in names:
        cold[name], outcome[name] = _timed(calls[name])
    samples = {name: [] for name in names}
    for i in range(reps):
        order = names[i % len(names):] + names[:i % len(names)]
        for name in order:
            seconds, outcome[name] = _timed(calls[name])
            samples[name].append(seconds)
    row = dict(_summary(item, samples),
               executions=item['executions'], params=item['params'],
               cold_s={n: round(v, 3) for n, v in cold.items()})
    row.update({
        'listed_tasks': outcome['listing'],
        'failures_listed': outcome['requirements'],
        'dry_run': {'status': outcome['dry_run'][0],
                    'points': outcome['dry_run'][1],
                    'requirements': outcome['dry_run'][2]},
    })
    med = row['median_s']
    row['ratios'] = {
        'requirements/listing': round(med['requirements'] / med['listing'],
                                      3),
        'dry_run/listing': round(med['dry_run'] / med['listing'], 3),
    }
    if row['listed_tasks'] != item['task_executions']:
        row['warning'] = ('the listing returned %d task executions, %d '
                          'were written' % (row['listed_tasks'],
                                            item['task_executions']))
    if row['failures_listed'] != item['failures']:
        row['warning'] = ('resume_requirements listed %d failures, %d were '
                          'written' % (row['failures_listed'],
                                       item['failures']))
    return row


def run(server, built, reps, log=print):
    """Start the server, measure every item of built, stop it.

    Return (rows, memory): the peak RSS (VmHWM) is that of this start, so
    the runner calls this once per size for a peak per size.
    """
    rows = []
    server.start()
    mem = {'sizes': sorted({item['size'] for item in built}),
           'start': server.memory(), 'after': {}}
    try:
        for item in sorted(built, key=lambda b: (b['size'], b['shape'])):
            started = time.monotonic()
            row = measure_shape(server, item, reps)
            mem['after']['%s:%d' % (item['shape'], item['size'])] = (
                server.memory())
            rows.append(row)
            log('  %s:%d (%d tasks): listing %.3f s, requirements %.3f s, '
                'dry run %.3f s  [%.0f s]'
                % (item['shape'], item['size'], row['task_executions'],
                   row['median_s']['listing'],
                   row['median_s']['requirements'],
                   row['median_s']['dry_run'], time.monotonic() - started))
        mem['end'] = server.memory()
    finally:
        server.stop()
    return rows, [mem]


def interleaved(server, built, reps, log=print):
    """The analysis of every shape and size, side by side in one start.

    Each size's own start (run()) gives its memory, but a start minutes
    after another meets another machine: growth between sizes measured
    that way moves with the machine's load. Here every (shape, size, call)
    is timed once per round, in a rotating order, in one server start, so
    the growth from one size to the next is a side-by-side ratio. Mistral's
    listing is left out (minutes a round at these sizes).
    """
    items = sorted(built, key=lambda b: (b['shape'], b['size']))
    samples = [{'requirements': [], 'dry_run': []} for _ in items]
    cells = [(i, name, _calls(server, item)[name])
             for i, item in enumerate(items) for name in samples[i]]
    server.start()
    try:
        for _, _, call in cells:
            call()  # warm the spec cache
        for r in range(reps):
            started = time.monotonic()
            shift = r * len(cells) // reps
            for i, name, call in cells[shift:] + cells[:shift]:
                samples[i][name].append(_timed(call)[0])
            log('  interleaved round %d/%d: %.0f s'
                % (r + 1, reps, time.monotonic() - started))
    finally:
        server.stop()
    return [_summary(item, mine) for item, mine in zip(items, samples)]


def _per_2x_fit(points):
    """2 ** the least-squares slope of log(time) against log(tasks).

    Every size weighs in, so one noisy median moves it less than it moves
    the ratio of two consecutive sizes.
    """
    xs = [math.log(tasks) for tasks, _ in points]
    ys = [math.log(seconds) for _, seconds in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) /
             sum((x - mean_x) ** 2 for x in xs))
    return round(2 ** slope, 2)


def _fit(shape, mine):
    entry = {'shape': shape, 'from': mine[0]['size'], 'to': mine[-1]['size'],
             'fit': True,
             'tasks_x': round(mine[-1]['task_executions'] /
                              mine[0]['task_executions'], 2)}
    for name in sorted(mine[0]['median_s']):
        entry[name + '_x'] = round(mine[-1]['median_s'][name] /
                                   mine[0]['median_s'][name], 2)
        entry[name + '_per_2x'] = _per_2x_fit(
            [(r['task_executions'], r['median_s'][name]) for r in mine])
    return entry


def growth(rows, min_size=GROWTH_MIN_SIZE):
    """Time ratio between consecutive sizes, per shape and call.

    Plus, per shape, the growth fitted over every size from ``min_size``
    (an entry with ``fit``).
    """
    result = []
    for shape in SHAPES:
        mine = sorted((r for r in rows if r['shape'] == shape),
                      key=lambda r: r['task_executions'])
        fitted = [r for r in mine if r['size'] >= min_size]
        if len(fitted) > 2:
            result.append(_fit(shape, fitted))
        for small, big in zip(mine, mine[1:]):
            tasks = big['task_executions'] / small['task_executions']
            entry = {'shape': shape, 'from': small['size'],
                     'to': big['size'], 'tasks_x': round(tasks, 2)}
            for name in sorted(small['median_s']):
                t = big['median_s'][name] / small['median_s'][name]
                entry[name + '_x'] = round(t, 2)
                # Normalised to a doubling of the task count.
                entry[name + '_per_2x'] = round(
                    t ** (math.log(2) / math.log(tasks)), 2)
            result.append(entry)
    return result
