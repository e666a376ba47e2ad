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
    cfg.IntOpt(
        'batch_chunk_size',
        default=25,
        min=1,
        help='How many executions of a resume batch go in one chunk: the '
             'unit of work an engine takes at a time. Smaller chunks spread '
             'a batch more evenly over the engines.'
    ),
    cfg.FloatOpt(
        'batch_lease',
        default=60.0,
        min=0.1,
        help='Seconds an engine holds a chunk of a resume batch without '
             'renewing its lease (it renews it after each execution). A '
             'chunk whose lease ended (its engine died) is handed out again '
             'by another engine: within batch_lease + batch_claim_interval. '
             'Engines compare their clocks through it: keep them in sync, '
             'as Mistral\'s scheduler needs too.'
    ),
    cfg.FloatOpt(
        'batch_claim_interval',
        default=10.0,
        min=0.05,
        help='Seconds between two looks, by every engine, for chunks of '
             'resume batches whose lease ended.'
    ),
    cfg.IntOpt(
        'batch_max_executions',
        default=10000,
        min=1,
        help='The largest max_executions a resume batch may give: the most '
             'executions one batch can resume.'
    ),
    cfg.FloatOpt(
        'start_check_delay',
        default=30.0,
        min=0.1,
        help='Seconds after a resume commits before any engine checks '
             'that what it must start (re-run tasks, next tasks, joins, '
             'the completion check) did start, and starts what did not. '
             'The check is cancelled as soon as the engine that applied '
             'the resume has sent all of it, so it runs only when that '
             'engine died (or its messages failed) in between. Keep it '
             'well above the time an engine takes to send its messages '
             'after a commit.'
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
    cfg.BoolOpt(
        'test_drop_post_commit',
        default=False,
        advanced=True,
        help='For fault-injection tests only; never set it in production. '
             'An engine that applies a resume drops the work Mistral does '
             'after the commit (the messages that start its tasks), as if '
             'it died right after the commit; only the start check '
             '(start_check_delay) then starts them.'
    ),
    cfg.FloatOpt(
        'test_post_commit_delay',
        default=0.0,
        min=0.0,
        advanced=True,
        help='For fault-injection tests only; never set it in production. '
             'Seconds an engine waits after a resume committed before it '
             'sends the messages that start its tasks, so that a test can '
             'kill the engine in between.'
    ),
]


def register_opts(conf=CONF):
    conf.register_opts(resume_opts, group=GROUP)


def list_opts():
    """Entry point for oslo-config-generator."""
    return [(GROUP, resume_opts)]


register_opts()
