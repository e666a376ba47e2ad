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

"""The "Resumes" panel, and the resume actions on mistral-dashboard's
tables.

Setting ``table_class`` on another panel's views is Horizon's documented
way of customising them ("Modifying existing dashboards and panels"):
mistral-dashboard's panels, URLs and templates stay its own; its views
render our subclasses of its tables, which only add row actions. This
runs when Horizon loads the panel, so an enabled file is all it takes,
and removing it restores mistral-dashboard exactly.
"""

from django.utils.translation import gettext_lazy as _
import horizon
from mistraldashboard.executions import views as executions_views
from mistraldashboard.tasks import views as tasks_views

from mistral_resume.dashboard import tables


class Resumes(horizon.Panel):
    name = _('Resumable Executions')
    slug = 'resumes'


for _view in (executions_views.IndexView, executions_views.TasksView):
    _view.table_class = tables.ExecutionsTable
for _view in (tasks_views.IndexView, tasks_views.ExecutionView):
    _view.table_class = tables.TaskTable
