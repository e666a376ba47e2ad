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

from django.urls import re_path

from mistral_resume.dashboard import views

EXECUTION = r'^(?P<execution_id>[^/]+)/%s/$'
TASK = r'^tasks/(?P<task_id>[^/]+)/%s/$'

urlpatterns = [
    re_path(r'^$', views.IndexView.as_view(), name='index'),
    re_path(EXECUTION % 'requirements', views.RequirementsView.as_view(),
            name='requirements'),
    re_path(EXECUTION % 'resume', views.ResumeView.as_view(), name='resume'),
    re_path(EXECUTION % 'history', views.HistoryView.as_view(),
            name='history'),
    re_path(TASK % 'context', views.ContextView.as_view(), name='context'),
]
