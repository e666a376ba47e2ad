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

"""Policy rules of mistral-resume, declared in code.

Mistral's enforcer only knows Mistral's own rules and answers an unknown
rule with PolicyNotRegistered (an HTTP 500), so ours are registered on it
before every check (see ``enforce``).

Every rule is checked against a target describing the execution it is
about (``execution_target``): without one, Mistral's enforce() fills in
the caller's own project and user, and an operator's rule such as
``project_id:%(project_id)s`` would hold for every caller.
"""

from mistral.api import access_control as acl
from mistral.policies import base
from oslo_config import cfg
from oslo_policy import policy

RESUMES = 'resumes:%s'
BATCHES = 'resume_batches:%s'

rules = [
    policy.DocumentedRuleDefault(
        name=RESUMES % 'create',
        check_str=base.RULE_ADMIN_OR_OWNER,
        description='Resume a paused or failed workflow execution, or ask '
                    'what a resume would do (dry run).',
        operations=[{'path': '/v2/executions/{execution_id}/resumes',
                     'method': 'POST'}]
    ),
    policy.DocumentedRuleDefault(
        name=RESUMES % 'list',
        check_str=base.RULE_ADMIN_OR_OWNER,
        description='List the resume records of a workflow execution.',
        operations=[{'path': '/v2/executions/{execution_id}/resumes',
                     'method': 'GET'}]
    ),
    policy.DocumentedRuleDefault(
        name=RESUMES % 'get',
        check_str=base.RULE_ADMIN_OR_OWNER,
        description='Return one resume record.',
        operations=[{'path': '/v2/resumes/{resume_id}', 'method': 'GET'}]
    ),
    policy.DocumentedRuleDefault(
        name='resume_requirements:get',
        check_str=base.RULE_ADMIN_OR_OWNER,
        description='Return what it takes to resume a workflow execution.',
        operations=[{'path': '/v2/executions/{execution_id}/'
                             'resume_requirements',
                     'method': 'GET'}]
    ),
    policy.DocumentedRuleDefault(
        name=BATCHES % 'create',
        check_str=base.RULE_ADMIN_OR_OWNER,
        description='Resume every execution that a filter matches (a resume '
                    'batch), or ask what it would do (dry run).',
        operations=[{'path': '/v2/resume_batches', 'method': 'POST'}]
    ),
    policy.DocumentedRuleDefault(
        name=BATCHES % 'list',
        check_str=base.RULE_ADMIN_OR_OWNER,
        description='List resume batches.',
        operations=[{'path': '/v2/resume_batches', 'method': 'GET'}]
    ),
    policy.DocumentedRuleDefault(
        name=BATCHES % 'get',
        check_str=base.RULE_ADMIN_OR_OWNER,
        description='Return a resume batch with its outcomes (enforced with '
                    'the batch\'s project_id and user_id as the target).',
        operations=[{'path': '/v2/resume_batches/{batch_id}',
                     'method': 'GET'}]
    ),
    policy.DocumentedRuleDefault(
        name='tasks:context',
        check_str=base.RULE_ADMIN_OR_OWNER,
        description='Return the inbound context of a task execution.',
        operations=[{'path': '/v2/tasks/{task_id}/context', 'method': 'GET'}]
    ),
]


def list_rules():
    """Entry point for oslopolicy-sample-generator."""
    return rules


def execution_target(wf_ex):
    """The target of a rule about this workflow execution.

    ``project_id`` is the execution's. Mistral stores no owner user on an
    execution; ``user_id`` is the user who started it as Mistral recorded
    it in the execution's context (``openstack``, with authentication on),
    or None where nothing was recorded. No target with authentication off
    (owner_target).
    """
    started_by = ((wf_ex.context or {}).get('openstack') or {}).get('user')
    return owner_target({'project_id': wf_ex.project_id,
                         'user_id': started_by})


def authorizer(action, context):
    """A check of ``action`` for the execution it is handed."""
    def authorize(wf_ex):
        enforce(action, context, execution_target(wf_ex))
    return authorize


def owner_target(resource):
    """The policy target of a resource that has an owner.

    Without authentication there are no projects to tell apart: the
    caller has none, every row is in Mistral's default project, and the
    check goes as Mistral's own do (no target: the caller's own).
    """
    if not cfg.CONF.pecan.auth_enable:
        return None
    return {'project_id': resource['project_id'],
            'user_id': resource['user_id']}


def enforce(action, context, target=None):
    """Check a mistral-resume rule with Mistral's own enforcer.

    Mistral may create its enforcer lazily or anew (tests reset it), so the
    registration is checked on each call; it costs a dict look-up.
    """
    acl._ensure_enforcer_initialization()
    enforcer = acl._ENFORCER
    if action not in enforcer.registered_rules:
        enforcer.register_defaults(
            [r for r in rules if r.name not in enforcer.registered_rules]
        )
    return acl.enforce(action, context, target)
