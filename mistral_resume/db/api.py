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

"""Access to the resume records, inside Mistral's transactions."""

from mistral import context as auth_ctx
from mistral.db.sqlalchemy import base as db_base
from mistral import exceptions as exc
from mistral.services import security
from oslo_db.sqlalchemy import utils as db_utils

from mistral_resume.db import models

SORT_KEYS = ('created_at', 'updated_at', 'id', 'request_id', 'user_id',
             'execution_state_before')


def visible(model, query=None):
    """Rows the caller may see: its project's, or all for an admin."""
    query = db_base.model_query(model) if query is None else query
    if auth_ctx.has_ctx() and auth_ctx.ctx().is_admin:
        return query
    # Mistral's notion of the caller's project (its default project when
    # authentication is off), as its own queries use.
    return query.filter(model.project_id == security.get_project_id())


def _query():
    return visible(models.ResumeRecord)


@db_base.session_aware()
def create_record(values, session=None):
    record = models.ResumeRecord()
    record.update(values)
    session.add(record)
    session.flush()
    return record


def get_record(record_id):
    record = _query().filter(models.ResumeRecord.id == record_id).first()
    if record is None:
        raise exc.DBEntityNotFoundError(
            'Resume record not found [id=%s]' % record_id
        )
    return record


def find_by_request_id(execution_id, request_id):
    return _query().filter(
        models.ResumeRecord.execution_id == execution_id,
        models.ResumeRecord.request_id == request_id
    ).first()


def list_records(execution_id, marker=None, limit=None,
                 sort_keys=('created_at',), sort_dirs=('desc',)):
    """Records of an execution, newest first unless told otherwise."""
    sort_keys = list(sort_keys)
    sort_dirs = list(sort_dirs)
    if 'id' not in sort_keys:
        # A total order, so that a marker pages without gaps or repeats.
        sort_keys.append('id')
        sort_dirs.append(sort_dirs[-1] if sort_dirs else 'desc')
    marker_obj = get_record(marker) if marker else None
    query = _query().filter(
        models.ResumeRecord.execution_id == execution_id
    )
    query = db_utils.paginate_query(
        query, models.ResumeRecord, limit, sort_keys,
        marker=marker_obj, sort_dirs=sort_dirs
    )
    return query.all()


def count_records(execution_id=None):
    query = db_base.model_query(models.ResumeRecord)
    if execution_id:
        query = query.filter(
            models.ResumeRecord.execution_id == execution_id
        )
    return query.count()
