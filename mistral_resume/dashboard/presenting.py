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

"""How the contract's JSON data reads on a page (no Django in here)."""

import json

from mistral_resume.core import request as contract

SHORT = 80


def split_internal(mapping):
    """(visible items, internal items) of a dict, each sorted by key.

    Mistral's own keys (__execution, __env, __task_execution ...) are
    folded away on the pages and never go into an editor: the API refuses
    them in context, published and env.
    """
    items = sorted((mapping or {}).items(), key=lambda kv: str(kv[0]))
    return ([(k, v) for k, v in items if not contract.is_internal(k)],
            [(k, v) for k, v in items if contract.is_internal(k)])


def without_internal(mapping):
    return dict(split_internal(mapping)[0])


def display(value):
    """A value as one line: strings as they are, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def shorten(text, limit=SHORT):
    """The first line of text, cut at limit characters ('' for None)."""
    text = '' if text is None else str(text)
    first = text.splitlines()[0] if text else ''
    if len(first) > limit:
        return first[:limit - 1].rstrip() + '\u2026'
    if first != text:
        return first + ' \u2026'
    return first


def pretty(value):
    """JSON for an editor or a raw block."""
    return json.dumps(value, indent=2, sort_keys=True)


def point_summary(point):
    """One line per resume point of an audit record."""
    name = point.get('task') or point.get('task_execution_id')
    mode = point.get('mode') or 'rerun'
    parts = ['%s %s' % (mode, name)]
    if point.get('context'):
        parts.append('context %s: %s' % (
            point.get('context_mode') or 'merge',
            ', '.join(sorted(point['context']))))
    if point.get('published'):
        parts.append('published: %s' % ', '.join(sorted(point['published'])))
    if point.get('reset') is False:
        parts.append('failed iterations only')
    return '; '.join(parts)


def failure_key(failure):
    return failure.get('task_execution_id')


def requirements_by_failure(failures, requirements):
    """Each requirement next to the failure it concerns.

    Returns ({task_execution_id: [requirement, ...]}, [the others]). A
    requirement concerns a failure when it names its task execution, or
    failing that its dotted path or task name (UNKNOWN_TASK and the like
    name no execution).
    """
    by_key = {failure_key(f): [] for f in failures}
    by_name = {}
    for f in failures:
        for name in (f.get('path'), f.get('task')):
            if name:
                by_name.setdefault(name, failure_key(f))
    others = []
    for req in requirements or []:
        key = req.get('task_execution_id')
        if key not in by_key:
            key = by_name.get(req.get('path')) or by_name.get(req.get('task'))
        if key in by_key:
            by_key[key].append(req)
        else:
            others.append(req)
    return by_key, others
