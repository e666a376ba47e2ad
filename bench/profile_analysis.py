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

"""Profile the engine side of the analysis, in this process, with cProfile.

What the engine runs for ``resume_requirements`` and for a dry-run
``create_resume``, without HTTP or RPC around it, against a database the
benchmark wrote (the server stopped, or a copy of its file)::

    python -m bench.profile_analysis \\
        --connection sqlite:////tmp/.../data/mistral-resume.sqlite \\
        --execution ID [--points '[{"task": "b0005_build"}]'] [--limit 30]

Each call runs once to warm the spec cache, then once under cProfile; the
top functions by cumulative and by own time are printed.

``--gc-timing N`` instead times ``resume_requirements`` N times for each
``--execution`` (repeatable) with Python's cyclic garbage collector as is,
disabled around the call, and after ``gc.freeze()`` (the objects of the
process start moved out of the collector's reach), interleaved; the
medians show how much of the time is the collector's. The service pauses
the collector during the analysis itself (``engine/collector.py``): before
that pause, "gc on" was twice "gc off" (0.33 s against 0.15 s for a wide
execution of 5,000 task executions, 0.62 s against 0.31 s for a deep one of
10,000); with it, they are within 10%.
"""

import mistral.cmd  # noqa

import argparse
import cProfile
import gc
import json
import pstats
import statistics
import sys
import time

from mistral import config  # noqa: F401  registers Mistral's options
from mistral import context as auth_ctx
from oslo_config import cfg

# Registers the [resume] options.
from mistral_resume import config as resume_config  # noqa: F401
from mistral_resume.engine import service

CONF = cfg.CONF


def _configure(connection):
    CONF([], project='mistral', default_config_files=[],
         default_config_dirs=[])
    CONF.set_override('connection', connection, group='database')
    CONF.set_override('auth_enable', False, group='pecan')
    auth_ctx.set_ctx(auth_ctx.MistralContext(
        user_id=None, project_id=None, auth_token=None, is_admin=True))


def profile(label, call, limit):
    call()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(call)
    elapsed = time.perf_counter() - started
    print('=== %s: %.3f s under cProfile' % (label, elapsed))
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats('cumulative').print_stats(limit)
    stats.sort_stats('tottime').print_stats(limit)


def _timed(call, collector):
    if collector == 'off':
        gc.disable()
    try:
        started = time.perf_counter()
        call()
        return time.perf_counter() - started
    finally:
        gc.enable()


def gc_timing(executions, reps):
    calls = {ex: (lambda ex=ex: service.resume_requirements(ex))
             for ex in executions}
    for call in calls.values():
        call()
    samples = {(ex, mode): [] for ex in executions
               for mode in ('on', 'off', 'frozen')}
    for phase in (('on', 'off'), ('frozen',)):
        if phase == ('frozen',):
            gc.collect()
            gc.freeze()
        for i in range(reps):
            for ex in executions:
                for mode in phase[i % len(phase):] + phase[:i % len(phase)]:
                    samples[(ex, mode)].append(_timed(calls[ex], mode))
    print('%-38s %10s %10s %10s'
          % ('execution', 'gc on', 'gc off', 'gc frozen'))
    for ex in executions:
        print('%-38s %9.3fs %9.3fs %9.3fs' % ((ex,) + tuple(
            statistics.median(samples[(ex, m)])
            for m in ('on', 'off', 'frozen'))))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--connection', required=True)
    parser.add_argument('--execution', required=True, action='append')
    parser.add_argument('--points', default=None,
                        help='JSON list of points for the dry run')
    parser.add_argument('--limit', type=int, default=30)
    parser.add_argument('--gc-timing', type=int, metavar='N',
                        help='time N calls per execution and GC mode '
                             'instead of profiling')
    args = parser.parse_args(argv)
    _configure(args.connection)
    if args.gc_timing:
        gc_timing(args.execution, args.gc_timing)
        return 0
    execution = args.execution[0]

    profile('resume_requirements',
            lambda: service.resume_requirements(execution), args.limit)
    if args.points:
        body = {'points': json.loads(args.points), 'dry_run': True}
        profile('create_resume (dry run)',
                lambda: service.create_resume(execution, body),
                args.limit)
    return 0


if __name__ == '__main__':
    sys.exit(main())
