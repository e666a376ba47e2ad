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

"""The client side of the resume API, on top of python-mistralclient.

- ``resumes``: ``ResumeManager``, the Python API (``get_manager(client)``).
- ``commands``: the cliff commands, shared by both command lines.
- ``shell``: ``mistral-resume``, the ``mistral`` CLI plus our commands.

The OpenStackClient commands are the same classes, registered in the
``openstack.workflow_engine.v2`` entry point group.

Only ``python-mistralclient`` (and what it requires) is imported from here:
a client machine needs no Mistral server code.
"""
