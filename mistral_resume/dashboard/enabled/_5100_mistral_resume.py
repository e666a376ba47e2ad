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

# Sorts after mistral-dashboard's _50_mistral.py, which registers the
# "mistral" dashboard this panel joins. Delete this file (or set DISABLED)
# to disable the plugin: mistral-dashboard's pages are then untouched.

PANEL = 'resumes'
PANEL_DASHBOARD = 'mistral'
PANEL_GROUP = 'default'
ADD_PANEL = 'mistral_resume.dashboard.panel.Resumes'
