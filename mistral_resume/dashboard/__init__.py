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

"""The Horizon plugin: resume from mistral-dashboard's Workflow dashboard.

Enabled by copying enabled/_5100_mistral_resume.py into Horizon's
openstack_dashboard/local/enabled/ (see doc/source/dashboard.rst). It
adds a "Resumes" panel to the mistral dashboard and, from its
panel.py, sets subclasses of mistral-dashboard's executions and tasks
tables (with the resume row actions) as the table_class of its views.
No file of Horizon or mistral-dashboard is changed.

Everything is called through mistral_resume.client on top of
mistral-dashboard's api.mistralclient(request): the user's token and
the workflowv2 endpoint of the catalog.
"""
