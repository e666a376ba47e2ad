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

"""Keep Python warnings off the embedded server's console.

Importing Mistral's stack warns about things only its maintainers can fix
(eventlet's deprecation, setuptools' pkg_resources...). An operator who
starts ``./tools/serve`` should see the "ready on" line, not those. Until
the log is set up the warnings are held here; ``to_log()`` then sends them,
and every later one, to the log file. With ``--debug`` nothing changes:
they stay on the console.

Imports nothing but the standard library: it must be in place before the
first Mistral import.
"""

import logging
import sys
import warnings

_held = []
_original_showwarning = None


def _hold(message, category, filename, lineno, file=None, line=None):
    _held.append((message, category, filename, lineno, line))


def wants_embedded(argv):
    """Whether the command line asks for the embedded server.

    Decided before oslo.config parses anything: the two modes parse the
    command line differently (Mistral's launcher reorders it itself).
    """
    wanted = False
    for arg in argv:
        if arg in ('--embedded', '--noembedded'):
            wanted = arg == '--embedded'
    return wanted


def hold_warnings(argv):
    """Hold the warnings of an embedded server started without --debug."""
    global _original_showwarning
    if not wants_embedded(argv) or {'--debug', '-d'} & set(argv):
        return False
    if _original_showwarning is None:
        _original_showwarning = warnings.showwarning
        warnings.showwarning = _hold
    return True


def to_log():
    """Send the held warnings, and the ones to come, to the log."""
    global _original_showwarning
    if _original_showwarning is None:
        return
    warnings.showwarning = _original_showwarning
    _original_showwarning = None
    # The "py.warnings" logger, configured like any other by oslo.log.
    logging.captureWarnings(True)
    held = list(_held)
    del _held[:]
    for message, category, filename, lineno, line in held:
        warnings.showwarning(message, category, filename, lineno, line=line)


# Imported before anything else by mistral_resume.cmd.server.
hold_warnings(sys.argv[1:])
