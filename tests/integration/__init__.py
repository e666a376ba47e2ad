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

"""Integration tests: a multi-process deployment on RabbitMQ, PostgreSQL
and Keystone.

The tests start everything themselves (services.py: the broker, the
database server and Keystone, installed if missing; keystone.py: the
projects and users of one deployment; deployment.py: one API, two engines,
one executor and one notifier, each a ``mistral-resume-server`` process
with Keystone authentication on) and stop all of it when they end.
summary.py prints how many ran with Keystone on.
"""
