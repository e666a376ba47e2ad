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


"""Run Mistral's engine tests as a peer suite (see tests/peer/__init__.py).

    python -m tests.peer                  patched run, compared with
                                          expected-outcomes.txt
    python -m tests.peer --unpatched --write-expected
                                          record the unpatched outcomes

The tests run in worker processes (``--workers``, by module). Mistral's
test classes leave threads behind that hold a process for about five
minutes after its last test, so each worker reports its outcomes to a file
and then ends itself with os._exit(); nothing waits for those threads.
"""

import argparse
import collections
import functools
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, 'expected-outcomes.txt')

# Mistral 23's engine tests of everything the patches touch or sit next
# to: reruns (direct, reverse, cancelled), with-items, joins, cycles,
# policies, sub-workflows, resume, set_state, skip, races, safe-rerun,
# dataflow; and its DB locking tests (the SQLite lock patch).
MODULES = tuple(
    ['mistral.tests.unit.engine.test_%s' % name for name in (
        'direct_workflow_rerun',
        'direct_workflow_rerun_cancelled',
        'reverse_workflow_rerun',
        'reverse_workflow_rerun_cancelled',
        'with_items',
        'with_items_task',
        'join',
        'direct_workflow_with_cycles',
        'policies',
        'subworkflows',
        'workflow_resume',
        'set_state',
        'task_skip',
        'race_condition',
        'safe_rerun',
        'dataflow',
    )] + ['mistral.tests.unit.db.v2.test_locking']
)

# Patched functions these tests are known not to reach (none today). Any
# other patched function that no test called fails the run: the suite
# would prove nothing about it.
NOT_EXERCISED = frozenset()

WORKER_TIMEOUT = 1800
PASS, FAIL, ERROR, SKIP = 'pass', 'fail', 'error', 'skip'
XFAIL, UXSUCCESS = 'expected-failure', 'unexpected-success'


# --- worker ----------------------------------------------------------------

class Outcomes(unittest.TestResult):
    """Each test's outcome, and the traceback of those that did not pass."""

    def __init__(self, log):
        super().__init__()
        self.log = log
        self.outcomes = {}
        self.details = {}
        self._started = {}

    def startTest(self, test):
        super().startTest(test)
        self._started[test.id()] = time.monotonic()

    def _record(self, test, outcome, detail=None):
        self.outcomes[test.id()] = outcome
        if detail:
            self.details[test.id()] = detail
        took = time.monotonic() - self._started.get(test.id(),
                                                    time.monotonic())
        self.log.write('%s %s %.1fs\n' % (test.id(), outcome, took))
        self.log.flush()

    def addSuccess(self, test):
        self._record(test, PASS)

    def addFailure(self, test, err):
        self._record(test, FAIL, self._exc_info_to_string(err, test))

    def addError(self, test, err):
        self._record(test, ERROR, self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        self._record(test, SKIP, reason)

    def addExpectedFailure(self, test, err):
        self._record(test, XFAIL)

    def addUnexpectedSuccess(self, test):
        self._record(test, UXSUCCESS)


def _patched_attributes():
    """Every attribute of a Mistral module or class that holds a patch.

    Found by looking, not listed: a patch added to patches.py is covered
    without touching this file.
    """
    found = []
    for name, module in sorted(sys.modules.items()):
        if not name.startswith('mistral.') or name.startswith(
                'mistral.tests') or module is None:
            continue
        for attr, value in vars(module).items():
            if _is_patch(value):
                found.append((module, attr, '%s.%s' % (name, attr)))
            elif (inspect.isclass(value) and
                    value.__module__ == module.__name__):
                for cls_attr, cls_value in vars(value).items():
                    if _is_patch(cls_value):
                        found.append((value, cls_attr, '%s.%s.%s' % (
                            name, value.__name__, cls_attr)))
    return found


def _is_patch(value):
    return (inspect.isfunction(value) and
            value.__module__ == 'mistral_resume.patches')


def _count_calls(patched, calls):
    """Wrap each patched function so that its calls are counted."""
    wrappers = {}
    for owner, attr, key in patched:
        function = getattr(owner, attr)

        def counted(*args, __function=function, __key=key, **kwargs):
            calls[__key] += 1
            return __function(*args, **kwargs)

        functools.update_wrapper(counted, function)
        setattr(owner, attr, counted)
        wrappers[key] = (owner, attr, counted)
    return wrappers


def run_worker(modules, result_file, patched):
    # Imported here: the parent process never loads Mistral (its test
    # threads would hold it too).
    import mistral.tests.unit.base  # noqa: F401  (avoids an import cycle)

    calls = collections.Counter()
    wrappers = {}
    if patched:
        from mistral_resume import patches
        patches.apply()
        found = _patched_attributes()
        if not found:
            raise SystemExit('patches.apply() patched nothing in Mistral')
        wrappers = _count_calls(found, calls)

    suite = unittest.TestLoader().loadTestsFromNames(modules)
    result = Outcomes(sys.stderr)
    suite.run(result)

    # Still ours at the end (a test restores what it mocks), so every call
    # counted went through the patched function.
    replaced = sorted(key for key, (owner, attr, counted) in wrappers.items()
                      if getattr(owner, attr) is not counted)
    with open(result_file, 'w') as f:
        json.dump({'outcomes': result.outcomes, 'details': result.details,
                   'calls': {k: calls[k] for k in wrappers},
                   'replaced': replaced}, f)


# --- parent ----------------------------------------------------------------

def read_expected(path=EXPECTED):
    expected = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                test_id, outcome = line.split()
                expected[test_id] = outcome
    return expected


def write_expected(outcomes, path=EXPECTED):
    with open(path, 'w') as f:
        f.write('# Outcomes of Mistral 23.0.0\'s engine tests without '
                'mistral-resume\'s patches\n# (python -m tests.peer '
                '--unpatched --write-expected). The patched run must\n'
                '# end every test the same way.\n')
        for test_id in sorted(outcomes):
            f.write('%s %s\n' % (test_id, outcomes[test_id]))


def differences(expected, outcomes, details):
    """Each test that did not end as expected (or ran, or did not run)."""
    found = []
    for test_id in sorted(set(expected) | set(outcomes)):
        want = expected.get(test_id, 'absent')
        got = outcomes.get(test_id, 'absent')
        if want != got:
            found.append('%s: expected %s, got %s\n%s' % (
                test_id, want, got, details.get(test_id, '')))
    return found


def _split(modules, workers, expected):
    """Modules spread over the workers, the biggest first."""
    sizes = collections.Counter()
    for test_id in expected:
        for module in modules:
            if test_id.startswith(module + '.'):
                sizes[module] += 1
    shares = [[] for _ in range(max(1, workers))]
    loads = [0] * len(shares)
    for module in sorted(modules, key=lambda m: -sizes.get(m, 1)):
        i = loads.index(min(loads))
        shares[i].append(module)
        loads[i] += sizes.get(module, 1)
    return [s for s in shares if s]


def _tail(path, lines=40):
    with open(path, errors='replace') as f:
        return ''.join(f.readlines()[-lines:])


def run(args):
    started = time.monotonic()
    expected = {} if args.write_expected else read_expected()
    tmp = tempfile.mkdtemp(prefix='mistral-resume-peer-')
    env = dict(os.environ)
    env.setdefault('OS_TEST_TIMEOUT', '180')
    procs = []
    for i, modules in enumerate(_split(MODULES, args.workers, expected)):
        result_file = os.path.join(tmp, 'worker-%d.json' % i)
        log_file = os.path.join(tmp, 'worker-%d.log' % i)
        cmd = [sys.executable, '-m', 'tests.peer', '--worker', result_file]
        if args.unpatched:
            cmd.append('--unpatched')
        with open(log_file, 'w') as log:
            procs.append((subprocess.Popen(
                cmd + list(modules), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=env), result_file, log_file))

    outcomes, details, calls, problems = {}, {}, collections.Counter(), []
    deadline = time.monotonic() + WORKER_TIMEOUT
    for proc, result_file, log_file in procs:
        try:
            proc.wait(max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.returncode != 0 or not os.path.exists(result_file):
            problems.append('worker %s ended with status %s without its '
                            'report:\n%s' % (log_file, proc.returncode,
                                             _tail(log_file)))
            continue
        with open(result_file) as f:
            report = json.load(f)
        outcomes.update(report['outcomes'])
        details.update(report['details'])
        calls.update(report['calls'])
        for key in report['replaced']:
            problems.append('%s was replaced during the run: calls through '
                            'it were not counted' % key)

    counts = collections.Counter(outcomes.values())
    summary = ', '.join('%d %s' % (n, o) for o, n in sorted(counts.items()))
    mode = 'unpatched' if args.unpatched else 'patched'
    print('Mistral engine tests (peer suite, %s): %d tests: %s'
          % (mode, len(outcomes), summary))

    if not args.unpatched:
        if not calls:
            problems.append('no patched function was found in Mistral')
        for key, n in sorted(calls.items()):
            print('  patched %s ran %d times' % (key, n))
            if n == 0 and key not in NOT_EXERCISED:
                problems.append('patched %s never ran: these tests prove '
                                'nothing about it' % key)

    if args.write_expected:
        if problems:
            print('\n'.join(problems))
            return 1
        write_expected(outcomes)
        print('Recorded in %s' % EXPECTED)
    else:
        problems.extend(differences(expected, outcomes, details))
        if not problems:
            print('  every outcome equals the unpatched run (%s)'
                  % os.path.relpath(EXPECTED))
    print('Peer suite wall time: %d s' % (time.monotonic() - started))
    if problems:
        print('PEER SUITE FAILED:\n' + '\n'.join(problems))
        print('Worker logs: %s' % tmp)
        return 1
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.peer')
    parser.add_argument('--unpatched', action='store_true',
                        help='run without the patches')
    parser.add_argument('--write-expected', action='store_true',
                        help='record the outcomes in expected-outcomes.txt')
    # Mistral's engine tests mostly wait (polling): more workers than
    # cores still shorten the run.
    parser.add_argument('--workers', type=int,
                        default=int(os.environ.get('MISTRAL_RESUME_PEER_'
                                                   'WORKERS', '4')))
    parser.add_argument('--worker', metavar='RESULT_FILE',
                        help=argparse.SUPPRESS)
    parser.add_argument('modules', nargs='*', help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        status = 0
        try:
            run_worker(args.modules, args.worker, not args.unpatched)
        except BaseException:
            traceback.print_exc()
            status = 1
        sys.stdout.flush()
        sys.stderr.flush()
        # Mistral's leftover threads would hold the process for minutes.
        os._exit(status)
    return run(args)


if __name__ == '__main__':
    sys.exit(main())
