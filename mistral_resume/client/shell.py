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

"""mistral-resume: the ``mistral`` command line, plus the resume commands.

Every ``mistral`` command and option is here as is (``--os-mistral-url``,
the Keystone options, ``-f json``...). ``mistral`` itself cannot take
plugin commands: its ``initialize_app`` clears the commands that the
``mistral.cli`` entry points added and sets its own list again, from
``_get_commands_v2``. That list is what this shell extends.
"""

import sys

from mistralclient import shell as mistral_shell
import pbr.version

from mistral_resume.client import batch_commands
from mistral_resume.client import commands

RESUME_COMMANDS = {
    'execution-resume-requirements': commands.RequirementsShow,
    'execution-resume': commands.Resume,
    'execution-resume-list': commands.ResumeList,
    'execution-resume-show': commands.ResumeShow,
    'task-context': commands.TaskContextShow,
    'execution-resume-batch': batch_commands.ResumeBatchCreate,
    'resume-batch-list': batch_commands.ResumeBatchList,
    'resume-batch-show': batch_commands.ResumeBatchShow,
}

DESCRIPTION = ('Command-line interface to the Mistral APIs, with '
               'mistral-resume\'s commands')


def _version():
    try:
        return pbr.version.VersionInfo('mistral-resume').version_string()
    except Exception:
        # Run from a source tree that was never installed.
        return 'unknown'


class ResumeShell(mistral_shell.MistralShell):

    # cliff takes the program name from sys.argv[0], which is "shell.py"
    # or "-c" when not run through the console script.
    NAME = 'mistral-resume'

    def build_option_parser(self, description, version,
                            argparse_kwargs=None):
        parser = super(ResumeShell, self).build_option_parser(
            DESCRIPTION, _version(), argparse_kwargs)
        # The README (and curl) use MISTRAL_URL; mistral's own variable,
        # OS_MISTRAL_URL, still comes first.
        url = mistral_shell.env('OS_MISTRAL_URL', 'MISTRAL_URL')
        parser.set_defaults(mistral_url=url)
        parser._option_string_actions['--os-mistral-url'].help = (
            'Mistral API URL, e.g. http://127.0.0.1:8989/v2 (Env: '
            'OS_MISTRAL_URL or MISTRAL_URL)'
        )
        return parser

    @staticmethod
    def _get_commands_v2():
        cmds = mistral_shell.MistralShell._get_commands_v2()
        cmds.update(RESUME_COMMANDS)
        return cmds


def main(argv=None):
    return ResumeShell().run(sys.argv[1:] if argv is None else argv)


if __name__ == '__main__':
    sys.exit(main())
