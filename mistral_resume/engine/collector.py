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

"""Python's cyclic garbage collector, paused while an analysis runs.

Loading an execution tree of 10,000 task executions allocates hundreds of
thousands of container objects, and every burst of allocations starts a
collection that walks the whole heap of the engine process: half the time
of an analysis went there, growing with the process's heap rather than
with the tree (bench/profile_analysis.py --gc-timing). What an
analysis builds is freed by reference counting when it ends (the core's
tree refers upwards by weak references); the few cycles the ORM leaves
are collected once the collector runs again.

The pause is shared by the threads of the process: the collector is
enabled again when the last analysis ends, and only if it was enabled
when the first one began.
"""

import contextlib
import gc
import threading

_lock = threading.Lock()
_running = 0
_was_enabled = False


@contextlib.contextmanager
def paused():
    global _running, _was_enabled
    with _lock:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _was_enabled:
                gc.enable()
