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

"""Hold the engine's start of a task, to order it against a resume.

A task created by a transition is IDLE until Mistral's start_task cast,
sent after the creating transaction commits, reaches an engine. A test
holds every start of one task at the engine's RPC endpoint and delivers
them in the order it chooses, as the broker may deliver them; the held
call then runs Mistral's own start_task unchanged.
"""

import threading

from mistral.db.v2 import api as db_api
from mistral.engine import default_engine

from tests import base


class Held(object):
    def __init__(self, first_run):
        self.first_run = first_run
        self.release = threading.Event()
        self.done = threading.Event()


class StartGate(object):
    """Holds the start_task deliveries of every task named task_name."""

    def __init__(self, test, task_name):
        self.held = []
        self._open = False
        original = default_engine.DefaultEngine.start_task
        gate = self

        def start_task(engine, task_ex_id, first_run, *args, **kwargs):
            entry = None
            with db_api.transaction():
                if (not gate._open and
                        db_api.get_task_execution(task_ex_id).name ==
                        task_name):
                    entry = Held(first_run)
                    gate.held.append(entry)
            if entry is not None:
                entry.release.wait(base.TIMEOUT)
            try:
                return original(engine, task_ex_id, first_run, *args,
                                **kwargs)
            finally:
                if entry is not None:
                    entry.done.set()

        test.patch(default_engine.DefaultEngine, 'start_task', start_task)
        # Never leave an engine thread waiting after the test.
        test.addCleanup(self.open)

    def deliver(self, entry):
        """Let one held start run; return once it has committed."""
        entry.release.set()
        if not entry.done.wait(base.TIMEOUT):
            raise AssertionError('start_task was not delivered')

    def open(self):
        """Release every held start; later ones pass through."""
        self._open = True
        for entry in self.held:
            entry.release.set()
