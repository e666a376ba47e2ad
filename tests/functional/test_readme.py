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

"""The README's walkthrough, run literally, top to bottom.

The command blocks (reStructuredText literal blocks) from "A first resume"
up to the next top-level section are taken from README.rst itself, in
order, and run in one bash shell, as a reader pastes them one after the
other into one terminal, against an embedded server: what the README says
cannot drift from what works. The blocks before that section start the
server and the test suite, which this test stands in for.

Only two things differ from a reader's machine, both stated here: the
server listens on a free port rather than on the README's 127.0.0.1:8989
(the address is replaced), and ``.venv`` is the environment running the
tests. Between two blocks the test waits until no execution is RUNNING, as
a reader reads the next paragraph while the execution stops. Ids are never
filled in by the test: the README keeps them in shell variables itself.
"""

import os
import re
import subprocess
import sys

import fixtures
from testtools import content

from tests import embedded

README = os.path.join(embedded.REPO, 'README.rst')
FIRST_SECTION = 'A first resume'
DOCUMENTED_URL = 'http://127.0.0.1:8989'
RUN_TIMEOUT = 600

_SECTION_UNDERLINE = re.compile(r'^(-{3,}|={3,})$')


def sections(lines):
    """[(title, first line index, end index)] of the README's sections."""
    starts = [i - 1 for i, line in enumerate(lines)
              if i > 0 and _SECTION_UNDERLINE.match(line) and lines[i - 1]
              and len(line) >= len(lines[i - 1].rstrip())]
    ends = starts[1:] + [len(lines)]
    return [(lines[s].strip(), s, e) for s, e in zip(starts, ends)]


def literal_blocks(lines):
    """The literal blocks ("::" then an indented block), in order."""
    blocks = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.rstrip().endswith('::'):
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        i += 1
        block = []
        while i < len(lines) and (
                not lines[i].strip() or
                len(lines[i]) - len(lines[i].lstrip()) > indent):
            block.append(lines[i])
            i += 1
        body = [b for b in block if b.strip()]
        if body:
            margin = min(len(b) - len(b.lstrip()) for b in body)
            blocks.append('\n'.join(b[margin:] for b in block).strip())
    return blocks


def walkthrough_blocks(text):
    lines = text.splitlines()
    for title, start, end in sections(lines):
        if title == FIRST_SECTION:
            first = start
        elif title == 'Requirements':
            return literal_blocks(lines[first:start])
    raise AssertionError('README.rst lost its "%s" or "Requirements" '
                         'section.' % FIRST_SECTION)


# Waits (bounded) until the server has no RUNNING execution.
SETTLE = '''
readme_settle() {
    for _ in $(seq 600); do
        curl -s "$OS_MISTRAL_URL/executions?state=RUNNING&fields=id" \\
            | grep -q '"id"' || return 0
        sleep 0.1
    done
    echo "executions still RUNNING after 60 s" >&2
    return 1
}
'''


class ReadmeTest(embedded.ServerTestCase):

    # Every example: the README walks through all of them.
    EXAMPLES = None

    def test_the_walkthrough_runs_as_written(self):
        with open(README) as f:
            blocks = walkthrough_blocks(f.read())
        # The walkthrough: start, look, resume; then every other example.
        self.assertGreater(len(blocks), 10)

        tmp = self.useFixture(fixtures.TempDir()).path
        os.symlink(sys.prefix, os.path.join(tmp, '.venv'))
        script = ['set -e', SETTLE]
        for n, block in enumerate(blocks, 1):
            script.append('echo "### README block %d" >&2' % n)
            script.append(block.replace(DOCUMENTED_URL, self.server.url))
            script.append('readme_settle')
        script = '\n'.join(script) + '\n'
        self.addDetail('script', content.text_content(script))

        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('OS_', 'MISTRAL', 'VIRTUAL_ENV'))}
        run = subprocess.run(['bash', '-c', script], cwd=tmp, env=env,
                             stdin=subprocess.DEVNULL, capture_output=True,
                             text=True, timeout=RUN_TIMEOUT)
        self.addDetail('stdout', content.text_content(run.stdout))
        self.addDetail('stderr', content.text_content(run.stderr))
        self.assertEqual(0, run.returncode, run.stderr[-2000:])
        self.assertEqual(len(blocks), run.stderr.count('### README block'))

        # Every execution the README started ended as it says: resumed to
        # SUCCESS (a refused resume would leave one in ERROR or PAUSED).
        executions = self.server.get('/executions')['executions']
        self.assertTrue({'resume_plain_failure', 'resume_parallel_branches',
                         'resume_on_error_pause', 'resume_with_items',
                         'resume_sub_workflow'}.issubset(
                             e['workflow_name'] for e in executions))
        self.assertEqual(
            {}, {e['id']: (e['workflow_name'], e['state'])
                 for e in executions if e['state'] != 'SUCCESS'})
