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

"""Workflow specs of executions, parsed once per distinct stored text.

Mistral caches parsed specs by execution id, 100 of them
(lang/parser.py, 23.0.0): a fan-out over more sub-workflows than that
missed it for every one, with a query and a parse each, which was most of
the analysis time of the ``fanout`` benchmark. Its sub-workflows all store
the same spec text. Here the key is a digest of that text: the same text
always parses to the same spec, so no entry can answer for anything but
the text it was parsed from, whatever changes in the database.
"""

import collections
import hashlib
import threading

import cachetools
from mistral.lang import parser as spec_parser

from mistral_resume.db import stored

# As many as Mistral keeps by execution id; a tree usually has few
# distinct specs (its workflow and those of its sub-workflows).
CACHE_SIZE = 100

# spec: the WorkflowSpec; workflow_tasks: the names of its tasks that
# start sub-workflows (none: no sub-workflow can hang below it).
Parsed = collections.namedtuple('Parsed', ('spec', 'workflow_tasks'))

_cache = cachetools.LRUCache(maxsize=CACHE_SIZE)
_lock = threading.Lock()


def _parse(text):
    spec = spec_parser.get_workflow_spec(stored.decode(text))
    return Parsed(spec, frozenset(
        t.get_name() for t in spec.get_tasks() if t.get_workflow_name()))


def parsed(text):
    """The Parsed spec of an execution's stored ``spec`` text."""
    key = hashlib.sha256(text.encode('utf-8')).digest()
    with _lock:
        entry = _cache.get(key)
    if entry is None:
        # Parsed outside the lock: a large spec takes a while, and two
        # threads parsing the same text store equal specs.
        entry = _parse(text)
        with _lock:
            _cache[key] = entry
    return entry
