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

"""Configuration options of mistral-resume (the ``[resume]`` group)."""

import os

from oslo_config import cfg

CONF = cfg.CONF

GROUP = 'resume'

resume_opts = [
    cfg.StrOpt(
        'topic',
        default='mistral_resume',
        help='The oslo.messaging topic of the resume endpoint. Every engine '
             'process started by mistral-resume-server listens on it; '
             'stock Mistral engines do not, so only engines that run the '
             'plugin receive resume calls.'
    ),
    cfg.IntOpt(
        'api_backlog',
        default=128,
        min=1,
        help='The listen backlog of the API server started by '
             'mistral-resume-server (Mistral leaves cheroot at 5, which '
             'resets connections under a burst of concurrent requests).'
    ),
    cfg.StrOpt(
        'data_dir',
        default=os.path.join(
            os.environ.get('XDG_DATA_HOME') or
            os.path.join(os.path.expanduser('~'), '.local', 'share'),
            'mistral-resume'
        ),
        sample_default='$XDG_DATA_HOME/mistral-resume, or '
                       '~/.local/share/mistral-resume',
        help='Where the embedded server keeps its SQLite database and log '
             'file when the configuration does not name them.'
    ),
    cfg.BoolOpt(
        'load_examples',
        default=True,
        help='Whether the embedded server loads the example workflows '
             '(examples_dir) at start-up. Existing definitions are updated.'
    ),
    cfg.StrOpt(
        'examples_dir',
        help='The folder of example workflows loaded by the embedded server. '
             'By default, the examples shipped with mistral-resume.'
    ),
    cfg.BoolOpt(
        'analysis_in_api',
        default=True,
        help='Answer the read-only analyses, GET .../resume_requirements '
             'and a dry-run POST .../resumes, in the API process from the '
             'database, as an engine would (the same code, the same '
             'committed state, in a read-only transaction), instead of '
             'calling an engine over RPC. A resume that applies always '
             'goes to an engine, which runs the analysis again under the '
             'execution\'s lock. Turn it off to keep the analyses of large '
             'executions off the API workers, at the cost of an RPC round '
             'trip per call.'
    ),
    cfg.BoolOpt(
        'allow_untested_mistral',
        default=False,
        help='Start the engine even when the installed Mistral is not a '
             'version that every runtime patch of mistral-resume was '
             'verified on (see the architecture documentation). By '
             'default such an engine refuses to start, naming the patches '
             'and versions; with this option it logs that as a warning and '
             'starts, and resumes may then go wrong in ways no test has '
             'seen.'
    ),
    cfg.FloatOpt(
        'test_apply_delay',
        default=0.0,
        min=0.0,
        advanced=True,
        help='For fault-injection tests only; never set it in production. '
             'Seconds an engine waits after applying each point of a '
             'resume, inside its still uncommitted transaction and under '
             'the execution\'s lock, so that a test can kill the engine '
             'half-way through a resume.'
    ),
]


def register_opts(conf=CONF):
    conf.register_opts(resume_opts, group=GROUP)


def list_opts():
    """Entry point for oslo-config-generator."""
    return [(GROUP, resume_opts)]


register_opts()
