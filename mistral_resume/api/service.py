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

"""Mistral's API service, with a listen backlog fit for bursts."""

from mistral.api import service as api_service

from mistral_resume import config

CONF = config.CONF


def wsgi_service():
    """Mistral's WSGIService (cheroot), listening with [resume] api_backlog.

    Mistral 23.0.0 builds its cheroot server with cheroot's default backlog
    of 5 and no option for it: a burst of concurrent requests (operators'
    scripts resuming many executions) gets connections reset before the
    server reads them. The server object is ours to configure before it
    starts; Mistral's code is unchanged.
    """
    service = api_service.WSGIService('mistral_api')
    service.server.request_queue_size = CONF.resume.api_backlog
    return service
