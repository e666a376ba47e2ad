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

"""CPU time spent by process trees.

A tree's time counts its processes that still run and, through each
parent's cumulative children times, those that ended and were reaped: a
PostgreSQL backend that closed its connection during a benchmark still
counts for the postmaster's tree.
"""

import psutil


def _seconds(proc):
    times = proc.cpu_times()
    return (times.user + times.system + times.children_user +
            times.children_system)


def tree_seconds(pid):
    """User + system CPU seconds of a process and all its descendants."""
    try:
        proc = psutil.Process(pid)
        tree = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0.0
    total = 0.0
    for member in tree:
        try:
            total += _seconds(member)
        except psutil.Error:
            # Ended meanwhile: its parent's children times count it.
            pass
    return total


def named_seconds(marker, name):
    """CPU seconds of the processes called ``name`` that hold ``marker``.

    Counted from their roots: the processes whose command line holds
    ``marker`` and whose parent is not one of them (a service's first
    process), each with its whole tree.
    """
    found = {}
    for proc in psutil.process_iter(['pid', 'ppid', 'name', 'cmdline']):
        info = proc.info
        if info['name'] == name and marker in ' '.join(
                info['cmdline'] or ()):
            found[info['pid']] = info['ppid']
    return sum(tree_seconds(pid) for pid, ppid in found.items()
               if ppid not in found)


def spent(before, after):
    """CPU seconds per group between two readings (dicts of seconds)."""
    return {group: round(after[group] - before.get(group, 0.0), 2)
            for group in after}
