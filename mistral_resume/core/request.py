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

"""The resume request: its shape, checked before anything is looked up.

A malformed request is refused as a whole with InvalidRequest (HTTP 400)
naming what is wrong; nothing else in the request is then considered.
"""

import sys

from mistral_resume.core import quoting

RERUN = 'rerun'
CONTINUE = 'continue'
MODES = (RERUN, CONTINUE)

MERGE = 'merge'
REPLACE = 'replace'
CONTEXT_MODES = (MERGE, REPLACE)

_REQUEST_FIELDS = ('points', 'env', 'reason', 'request_id', 'dry_run')
_POINT_FIELDS = ('task', 'mode', 'context', 'context_mode', 'published',
                 'reset')

MAX_TASK_LENGTH = 1024
MAX_REQUEST_ID_LENGTH = 255
MAX_REASON_LENGTH = 65535
# Keys that Mistral keeps in contexts for itself (__execution,
# __task_execution, __env, the context versions joins merge by): a request
# may neither set nor overwrite them.
INTERNAL_PREFIX = '__'
# How deeply lists and objects may nest in a context, published or env.
# Deeper values could not cross RPC (oslo.serialization recurses once per
# level, within Python's recursion limit) nor be stored.
MAX_DEPTH = 100


class InvalidRequest(ValueError):
    """The request is malformed; the message says how."""


class Point(object):
    """A resume point: a task the operator names, with a mode."""

    def __init__(self, task, mode=RERUN, context=None, context_mode=MERGE,
                 published=None, reset=True):
        self.task = task
        self.mode = mode
        self.context = context
        self.context_mode = context_mode
        self.published = published
        self.reset = reset

    def to_dict(self):
        return {
            'task': self.task,
            'mode': self.mode,
            'context_mode': self.context_mode if self.mode == RERUN else None,
            'context': self.context,
            'published': self.published,
            'reset': self.reset if self.mode == RERUN else None,
        }


class ResumeRequest(object):
    def __init__(self, points=(), env=None, reason=None, request_id=None,
                 dry_run=False):
        self.points = list(points)
        self.env = env
        self.reason = reason
        self.request_id = request_id
        self.dry_run = dry_run

    def to_dict(self):
        return {
            'points': [p.to_dict() for p in self.points],
            'env': self.env,
            'reason': self.reason,
            'request_id': self.request_id,
            'dry_run': self.dry_run,
        }


def _type_name(value):
    return {dict: 'an object', list: 'a list', str: 'a string',
            bool: 'a boolean', int: 'a number', float: 'a number',
            type(None): 'null'}.get(type(value), type(value).__name__)


def _check_unknown(body, allowed, where):
    unknown = sorted(str(k) for k in body if k not in allowed)
    if unknown:
        raise InvalidRequest(
            'Unknown field(s) %s in %s; allowed: %s.'
            % (quoting.quote_all(unknown), where,
               ', '.join(allowed))
        )


def _optional(body, key, types, what, where):
    value = body.get(key)
    if value is None:
        return None
    # bool is an int in Python; a number is never accepted for a flag.
    if not isinstance(value, types) or (
            isinstance(value, bool) and bool not in types):
        raise InvalidRequest(
            '"%s" in %s must be %s, not %s.'
            % (key, where, what, _type_name(value))
        )
    return value


def _check_length(value, limit, key, where):
    if value is not None and len(value) > limit:
        raise InvalidRequest('"%s" in %s is longer than %d characters.'
                             % (key, where, limit))


def _depth(value):
    """How deeply lists and objects nest in value, up to MAX_DEPTH + 1.

    Iterative, so that no depth exhausts the stack.
    """
    deepest = 0
    stack = [(value, 1)]
    while stack and deepest <= MAX_DEPTH:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def is_internal(key):
    """Whether a key of a context is one Mistral keeps for itself."""
    return str(key).startswith(INTERNAL_PREFIX)


def internal_keys(mapping):
    """The internal keys of a context, published or env, sorted."""
    return sorted(k for k in (mapping or {}) if is_internal(k))


def _check_value(value, limit_kb, key, where):
    """A context, published or env that Mistral can carry and store."""
    internal = internal_keys(value)
    if internal:
        raise InvalidRequest(
            '"%s" in %s sets %s: keys starting with "%s" are Mistral\'s '
            'own and cannot be set by a resume.'
            % (key, where, quoting.quote_all(internal),
               INTERNAL_PREFIX))
    if _depth(value) > MAX_DEPTH:
        raise InvalidRequest(
            '"%s" in %s nests lists and objects more than %d levels deep.'
            % (key, where, MAX_DEPTH))
    _check_size(value, limit_kb, key, where)


def _check_size(value, limit_kb, key, where):
    """Refuse what Mistral would refuse to store, before anything changes.

    Measured as Mistral measures its fields (validate_long_type_length in
    its models): the size of the value's text, in whole KB.
    """
    if value is None or limit_kb is None or limit_kb < 0:
        return
    size_kb = int(sys.getsizeof(str(value)) / 1024)
    if size_kb > limit_kb:
        raise InvalidRequest(
            '"%s" in %s is %d KB, more than the %d KB Mistral stores in one '
            'field ([engine] execution_field_size_limit_kb).'
            % (key, where, size_kb, limit_kb))


def parse_point(body, index, size_limit_kb=None):
    where = 'points[%d]' % index
    if not isinstance(body, dict):
        raise InvalidRequest('%s must be an object, not %s.'
                             % (where, _type_name(body)))
    _check_unknown(body, _POINT_FIELDS, where)

    task = _optional(body, 'task', (str,), 'a string', where)
    if not task or not task.strip():
        raise InvalidRequest('%s needs "task": the task name, dotted path '
                             'or task execution id to resume from.' % where)
    _check_length(task, MAX_TASK_LENGTH, 'task', where)

    mode = _optional(body, 'mode', (str,), 'a string', where) or RERUN
    if mode not in MODES:
        raise InvalidRequest('Unknown mode %s in %s; use one of: %s.'
                             % (quoting.quote(mode), where,
                                ', '.join(MODES)))

    context = _optional(body, 'context', (dict,), 'an object', where)
    context_mode = _optional(body, 'context_mode', (str,), 'a string', where)
    published = _optional(body, 'published', (dict,), 'an object', where)
    reset = _optional(body, 'reset', (bool,), 'a boolean', where)
    _check_value(context, size_limit_kb, 'context', where)
    _check_value(published, size_limit_kb, 'published', where)

    if context_mode is not None and context_mode not in CONTEXT_MODES:
        raise InvalidRequest('Unknown context_mode %s in %s; use one of: '
                             '%s.' % (quoting.quote(context_mode), where,
                                      ', '.join(CONTEXT_MODES)))
    if mode == CONTINUE:
        for key, value in (('context', context),
                           ('context_mode', context_mode),
                           ('reset', reset)):
            if value is not None:
                raise InvalidRequest(
                    '"%s" in %s goes with mode "rerun"; mode "continue" '
                    'takes "published" instead.' % (key, where))
        return Point(task.strip(), CONTINUE, published=published or {})

    if published is not None:
        raise InvalidRequest('"published" in %s goes with mode "continue"; '
                             'mode "rerun" takes "context" instead.' % where)
    return Point(task.strip(), RERUN, context=context,
                 context_mode=context_mode or MERGE,
                 reset=True if reset is None else reset)


def parse(body, size_limit_kb=None):
    """Check a request body (already decoded from JSON) and return it.

    :param size_limit_kb: the largest context, published or env accepted
        (Mistral's field size limit); None or negative: no limit.
    """
    where = 'the request'
    if not isinstance(body, dict):
        raise InvalidRequest('The request body must be a JSON object, not '
                             '%s.' % _type_name(body))
    _check_unknown(body, _REQUEST_FIELDS, where)

    points = _optional(body, 'points', (list,), 'a list', where) or []
    parsed = [parse_point(p, i, size_limit_kb) for i, p in enumerate(points)]
    seen = set()
    for point in parsed:
        if point.task in seen:
            raise InvalidRequest('Task %s is named by more than one point.'
                                 % quoting.quote(point.task))
        seen.add(point.task)

    env = _optional(body, 'env', (dict,), 'an object', where)
    _check_value(env, size_limit_kb, 'env', where)
    reason = _optional(body, 'reason', (str,), 'a string', where)
    _check_length(reason, MAX_REASON_LENGTH, 'reason', where)
    request_id = _optional(body, 'request_id', (str,), 'a string', where)
    _check_length(request_id, MAX_REQUEST_ID_LENGTH, 'request_id', where)
    if request_id is not None and not request_id.strip():
        raise InvalidRequest('"request_id" must not be blank.')
    dry_run = _optional(body, 'dry_run', (bool,), 'a boolean', where)

    return ResumeRequest(parsed, env=env, reason=reason,
                         request_id=request_id, dry_run=bool(dry_run))
