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

# Mistral selects the eventlet oslo.service backend as soon as almost any of
# its modules is imported; its own test package (like mistral.cmd) selects
# the threading backend, which the engine harness needs. It must therefore be
# the first Mistral import of every test run.
import mistral.tests.unit  # noqa
