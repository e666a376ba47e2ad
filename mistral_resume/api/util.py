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

"""What every controller of ours shares: JSON in and out, errors as data.

Our controllers return plain JSON rather than WSME types because the
contract's bodies hold free-form objects (contexts, published values) that
WSME would serialize as strings.
"""

import functools
import json

from mistral import exceptions as exc
from oslo_log import log as logging
from oslo_utils import uuidutils
import pecan

from mistral_resume.core import quoting

LOG = logging.getLogger(__name__)

# The longest error message logged whole (a 409's names every requirement).
_LOGGED_MESSAGE = 2000


def fault(status, message, **extra):
    """Answer with Mistral's error shape, plus the contract's extras."""
    pecan.response.status = status
    body = {'faultstring': message}
    body.update(extra)
    return body


def json_errors(func):
    """Turn Mistral's exceptions into their HTTP status with a faultstring."""
    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (exc.MistralException, exc.MistralError) as e:
            # Our messages quote what the caller sent; Mistral's may not:
            # nothing in one may start a log line of its own.
            LOG.info('Error during API call: %s',
                     quoting.one_line(str(e), _LOGGED_MESSAGE))
            return fault(getattr(e, 'http_code', 500), str(e))
    return wrapped


def check_id(value, what):
    if not uuidutils.is_uuid_like(value):
        raise exc.InputException('Invalid %s id: %s is not a UUID.'
                                 % (what, quoting.quote(value)))


def keep_body_from_pecan(request):
    """Route a request whose body json_body() reads, not pecan.

    Pecan parses a JSON body to pass its keys as keyword arguments, before
    the controller runs: a body nested deeper than Python's recursion limit
    then answers 500, and one that is not UTF-8 an HTML 400. Our bodies
    are read whole by json_body(), so pecan is told it is opaque.
    """
    if request.method in ('POST', 'PUT', 'PATCH'):
        request.content_type = 'application/octet-stream'


def _not_json(constant):
    # Python reads NaN and Infinity; JSON (RFC 8259) has no such numbers,
    # and Mistral would store them where strict clients cannot read them.
    raise ValueError('%s is not a JSON value' % constant)


def json_body():
    """The request body as JSON, or a 400 that says why not."""
    raw = pecan.request.body
    if not raw or not raw.strip():
        return {}
    try:
        return json.loads(raw, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError) as e:
        raise exc.InputException('The request body is not valid JSON: %s'
                                 % e)
    except RecursionError:
        raise exc.InputException('The request body is nested too deeply '
                                 'to be read.')


_PAGING = ('marker', 'limit', 'sort_keys', 'sort_dirs')


def paging(query, allowed_keys):
    """Mistral's marker/limit/sort_keys/sort_dirs query parameters."""
    unknown = sorted(k for k in query if k not in _PAGING)
    if unknown:
        raise exc.InputException('Unknown query parameter(s) %s; use: %s.'
                                 % (quoting.quote_all(unknown),
                                    ', '.join(_PAGING)))
    marker, limit, sort_keys, sort_dirs = (query.get(k) for k in _PAGING)
    if marker:
        check_id(marker, 'marker')
    if limit is not None:
        try:
            limit = int(limit)
        except ValueError:
            raise exc.InputException('limit must be a whole number.')
        if limit <= 0:
            raise exc.InputException('limit must be positive.')
    keys = [k for k in (sort_keys or 'created_at').split(',') if k]
    dirs = [d for d in (sort_dirs or 'desc').split(',') if d]
    bad = [k for k in keys if k not in allowed_keys]
    if bad:
        raise exc.InputException('Unknown sort key(s) %s; use: %s.'
                                 % (quoting.quote_all(bad),
                                    ', '.join(allowed_keys)))
    if any(d not in ('asc', 'desc') for d in dirs):
        raise exc.InputException('sort_dirs takes asc or desc.')
    if len(dirs) > len(keys):
        raise exc.InputException('More sort_dirs than sort_keys.')
    dirs += [dirs[-1] if dirs else 'desc'] * (len(keys) - len(dirs))
    return {'marker': marker, 'limit': limit,
            'sort_keys': keys, 'sort_dirs': dirs}
