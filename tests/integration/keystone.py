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


"""Projects and users of one test deployment, on the shared Keystone.

tools/integration-services.sh runs Keystone (bootstrapped with an admin);
each deployment creates what it needs under a name of its own (so that two
test processes never share a project): two projects with a member user
each, an operator of project A with an extra role (for the policy test),
and a service user for Mistral's keystonemiddleware. All of it through one
keystoneauth1 session (the openstack CLI costs seconds a call).
"""

import secrets

from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
from keystoneclient.v3 import client as ks_client

DOMAIN = 'default'
MEMBER_ROLE = 'member'
SERVICE_ROLE = 'service'
# The extra role the policy test restricts resumes:create to.
OPERATOR_ROLE = 'resume_operator'


class User(object):
    """A user scoped to a project, and its keystoneauth1 session."""

    def __init__(self, auth_url, name, password, project):
        self.auth_url = auth_url
        self.name = name
        self.password = password
        self.project = project
        self.session = ks_session.Session(auth=v3.Password(
            auth_url=auth_url, username=name, password=password,
            project_name=project, user_domain_id=DOMAIN,
            project_domain_id=DOMAIN))

    @property
    def project_id(self):
        return self.session.get_project_id()

    def token(self):
        return self.session.get_token()

    def os_environ(self):
        """The OS_* variables of a command line client (password auth)."""
        return {
            'OS_AUTH_URL': self.auth_url,
            'OS_AUTH_TYPE': 'password',
            'OS_USERNAME': self.name,
            'OS_PASSWORD': self.password,
            'OS_PROJECT_NAME': self.project,
            'OS_USER_DOMAIN_ID': DOMAIN,
            'OS_PROJECT_DOMAIN_ID': DOMAIN,
            'OS_IDENTITY_API_VERSION': '3',
        }


class KeystoneTenant(object):
    """What one deployment creates in Keystone, and removes again."""

    def __init__(self, env, prefix):
        self.auth_url = env['KEYSTONE_URL']
        self.prefix = prefix
        self.admin = User(self.auth_url, env['KEYSTONE_ADMIN_USER'],
                          env['KEYSTONE_ADMIN_PASSWORD'],
                          env['KEYSTONE_ADMIN_PROJECT'])
        self.client = ks_client.Client(session=self.admin.session)
        self._projects = []
        self._users = []
        self.service_project = prefix + '-service'
        self.service_user = None
        self.project_a = self.project_b = None
        self.user_a = self.user_b = self.operator_a = None

    def _role(self, name):
        found = self.client.roles.list(name=name)
        if found:
            return found[0]
        try:
            return self.client.roles.create(name)
        except ks_exc.Conflict:  # another deployment created it meanwhile
            return self.client.roles.list(name=name)[0]

    def _project(self, name):
        project = self.client.projects.create(name, DOMAIN)
        self._projects.append(project)
        return project

    def _user(self, name, project, roles):
        password = secrets.token_urlsafe(16)
        user = self.client.users.create(name, domain=DOMAIN,
                                        password=password,
                                        default_project=project)
        self._users.append(user)
        for role in roles:
            self.client.roles.grant(role, user=user, project=project)
        return User(self.auth_url, name, password, project.name)

    def create(self):
        member = self._role(MEMBER_ROLE)
        service = self._role(SERVICE_ROLE)
        operator = self._role(OPERATOR_ROLE)
        a = self._project(self.prefix + '-a')
        b = self._project(self.prefix + '-b')
        svc = self._project(self.service_project)
        self.project_a, self.project_b = a.id, b.id
        self.user_a = self._user(self.prefix + '-a-member', a, [member])
        self.user_b = self._user(self.prefix + '-b-member', b, [member])
        self.operator_a = self._user(self.prefix + '-a-operator', a,
                                     [member, operator])
        # keystonemiddleware validates tokens as this user: Keystone lets
        # the service role do it.
        self.service_user = self._user(self.prefix + '-mistral', svc,
                                       [service])

    def delete(self):
        errors = []
        for user in self._users:
            try:
                self.client.users.delete(user)
            except ks_exc.ClientException as e:
                errors.append('user %s: %s' % (user.name, e))
        for project in self._projects:
            try:
                self.client.projects.delete(project)
            except ks_exc.ClientException as e:
                errors.append('project %s: %s' % (project.name, e))
        self._users, self._projects = [], []
        return errors

    def authtoken_config(self):
        """Mistral's [keystone_authtoken] section, as lines."""
        return [
            '[keystone_authtoken]',
            'www_authenticate_uri = %s' % self.auth_url,
            'auth_url = %s' % self.auth_url,
            'auth_type = password',
            'username = %s' % self.service_user.name,
            'password = %s' % self.service_user.password,
            'project_name = %s' % self.service_project,
            'user_domain_id = %s' % DOMAIN,
            'project_domain_id = %s' % DOMAIN,
        ]
