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

"""CPU time spent by process trees, from /proc.

A tree's time counts its processes that still run and, through each
parent's cumulative children times, those that ended and were reaped: a
PostgreSQL backend that closed its connection during a benchmark still
counts for the postmaster's tree.
"""

import os

import psutil

TICKS = os.sysconf('SC_CLK_TCK')


def _stat(pid):
    with open('/proc/%d/stat' % pid) as f:
        # After the command (in parentheses, which may hold spaces):
        # state is field 3, utime..cstime are fields 14..17.
        fields = f.read().rsplit(')', 1)[1].split()
    return [int(v) for v in fields[11:15]]


def tree_seconds(pid):
    """User + system CPU seconds of a process and all its descendants."""
    try:
        utime, stime, cutime, cstime = _stat(pid)
        children = psutil.Process(pid).children()
    except (OSError, psutil.Error):
        return 0.0
    total = (utime + stime + cutime + cstime) / float(TICKS)
    return total + sum(tree_seconds(child.pid) for child in children)


def roots(marker, name):
    """The root PIDs of the processes called ``name`` that hold ``marker``.

    A root: a process whose command line holds ``marker`` and whose
    parent is not one of them (a service's first process).
    """
    found = {}
    for proc in psutil.process_iter(['pid', 'ppid', 'name', 'cmdline']):
        info = proc.info
        if info['name'] == name and marker in ' '.join(
                info['cmdline'] or ()):
            found[info['pid']] = info['ppid']
    return sorted(pid for pid, ppid in found.items() if ppid not in found)


def spent(before, after):
    """CPU seconds per group between two readings (dicts of seconds)."""
    return {group: round(after[group] - before.get(group, 0.0), 2)
            for group in after}
