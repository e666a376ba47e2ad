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

"""Caller-supplied text, made safe to put in a message or a log line.

A name, key or mode from a request goes into error messages, and those go
into logs: raw, a newline in it would forge a log line, and a megabyte of
it would fill one. Quoted, it is one line (Python's escapes for newlines
and any other unprintable character) and at most MAX_QUOTED characters of
the original.
"""

MAX_QUOTED = 80


def quote(value, limit=MAX_QUOTED):
    """value as a one-line quoted string, cut at ``limit`` characters."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text)
    return '%s... (%d characters)' % (repr(text[:limit]), len(text))


MAX_LISTED = 10


def one_line(text, limit):
    """A message on one line, cut at ``limit`` characters.

    Unlike quote(), text that is printable stays as it is (a message that
    already quotes what the caller sent reads the same); line breaks and
    other unprintable characters are escaped.
    """
    text = ''.join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) > limit:
        text = '%s... (cut at %d characters)' % (text[:limit], limit)
    return text


def quote_all(values, limit=MAX_QUOTED, most=MAX_LISTED):
    """Several values quoted, comma-separated: the first ``most`` of them."""
    values = list(values)
    text = ', '.join(quote(v, limit) for v in values[:most])
    if len(values) > most:
        text += ' and %d more' % (len(values) - most)
    return text
