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


"""What the integration run did with Keystone on, printed after the run.

The test processes append lines to one file (stestr captures their
output); ``python -m tests.integration.summary`` prints them, and
``--reset`` empties the file before a run. tox -e integration and
tools/test do both.
"""

import argparse
import collections
import os

from tests.integration import services

PATH = os.environ.get('MISTRAL_RESUME_IT_SUMMARY') or os.path.join(
    services.STATE_DIR, 'summary.txt')


def record(kind, value):
    """One line: a test that ran with Keystone on, or a figure."""
    os.makedirs(os.path.dirname(PATH), exist_ok=True)
    with open(PATH, 'a') as f:
        f.write('%s %s\n' % (kind, value))


def read():
    lines = collections.defaultdict(list)
    if os.path.exists(PATH):
        with open(PATH) as f:
            for line in f:
                kind, _, value = line.rstrip('\n').partition(' ')
                lines[kind].append(value)
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tests.integration.'
                                          'summary')
    parser.add_argument('--reset', action='store_true')
    args = parser.parse_args(argv)
    if args.reset:
        if os.path.exists(PATH):
            os.remove(PATH)
        return 0
    lines = read()
    print('Integration tests run with Keystone authentication on: %d'
          % len(set(lines['keystone-test'])))
    for figure in lines['figure']:
        print('  %s' % figure)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
