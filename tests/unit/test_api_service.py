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

from mistral.tests.unit import base as mistral_base

from mistral_resume.api import service


class TestApiService(mistral_base.BaseTest):

    def test_listen_backlog_is_ours(self):
        self.override_config('auth_enable', False, 'pecan')
        # Otherwise building the app starts the cron trigger thread, which
        # keeps the test process alive after the last test.
        self.override_config('enabled', False, 'cron_trigger')
        self.override_config('port', 0, 'api')
        self.override_config('api_backlog', 77, 'resume')
        wsgi = service.wsgi_service()
        self.assertEqual(77, wsgi.server.request_queue_size)
        self.assertEqual('mistral_api', wsgi.name)
