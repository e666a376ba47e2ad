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

"""Resume batches applied by the in-process engine, over the REST API.

Each execution of a batch is resumed by the single-execution path; these
tests look at what the executions became, at their resume records and at
the batch's outcomes.
"""

from mistral.db.sqlalchemy import base as db_sa_base
from mistral.db.v2 import api as db_api

from mistral_resume.db import batches as db_batches
from mistral_resume.db import models
from mistral_resume.engine import batch_service
from mistral_resume.engine import batches as engine_batches
from mistral_resume.engine import service
from tests import base

# t2 fails unless x is "ok", t3 unless y is: an execution started with
# x=bad fails at t2; re-run with x=ok it goes on, and fails at t3 too when
# y is bad.
WORKFLOWS = """
version: '2.0'
batch_chain:
  input:
    - x: null
    - y: ok
  tasks:
    t1:
      action: std.noop
      on-success: t2
    t2:
      action: test.check value=<% $.x %>
      publish:
        r2: <% task().result %>
      on-success: t3
    t3:
      action: test.check value=<% $.y %>
batch_other:
  tasks:
    u1:
      action: test.check value=bad
batch_sleepy:
  tasks:
    s:
      action: std.sleep seconds=0.5
      on-success: t2
    t2:
      action: std.noop
"""

RERUN_T2 = [{'task': 't2', 'context': {'x': 'ok'}}]

URL = '/v2/resume_batches'


class BatchTestCase(base.ApiTestCase):

    def setUp(self):
        # Expired leases are looked for often, so that a takeover is quick.
        self.override_config('batch_claim_interval', 0.1, 'resume')
        self.override_config('batch_chunk_size', 10, 'resume')
        super().setUp()
        self.start_definitions(WORKFLOWS)

    def failed(self, count, workflow='batch_chain', **wf_input):
        if workflow == 'batch_chain':
            wf_input.setdefault('x', 'bad')
        ids = [self.engine.start_workflow(workflow, wf_input=wf_input).id
               for _ in range(count)]
        for ex_id in ids:
            self.await_workflow_error(ex_id)
        return ids

    def ordered(self, ids):
        """Executions in the order a batch matches them: oldest first.

        (Mistral keeps created_at to the second: ties go by id.)
        """
        with db_api.transaction():
            return sorted(ids, key=lambda ex_id: (
                db_api.get_workflow_execution(ex_id).created_at, ex_id))

    def batch(self, batch_id, **query):
        return self.get('%s/%s' % (URL, batch_id), params=query).json

    def await_done(self, batch_id):
        self._await(lambda: self.batch(batch_id)['state'] == 'DONE')
        return self.batch(batch_id)

    def post(self, body, status):
        res = self.post_json(URL, body)
        self.assertEqual(status, res.status_int, res.body)
        return res.json

    def records(self, ex_id):
        return self.get('/v2/executions/%s/resumes' % ex_id).json['resumes']

    def chunks(self, batch_id):
        with db_api.transaction():
            return [(c.number, c.owner, c.attempts, c.done)
                    for c in db_sa_base.model_query(models.BatchChunk).filter(
                        models.BatchChunk.batch_id == batch_id).order_by(
                        models.BatchChunk.number)]

    def store(self, body):
        """Store a batch as the API does, without announcing its chunks."""
        request = batch_service.parse_request(body)
        status, view, chunks = batch_service.store(request)
        self.assertEqual(batch_service.CREATED, status)
        return view, chunks

    def actions(self, ex_id, task):
        return [t['actions'] for t in self.tasks(ex_id, task)]


class TestBatch(BatchTestCase):

    def test_thirty_executions_three_changed_in_between(self):
        chain = self.failed(29)
        other = self.failed(1, 'batch_other')[0]
        ids = chain + [other]

        view, chunks = self.store({
            'filter': {'execution_ids': ids}, 'points': RERUN_T2,
            'reason': 'outage of the check service'})
        self.assertEqual((30, 3, 'RUNNING'),
                         (view['total'], chunks, view['state']))

        # Between the match and the engines' work, other resumes change
        # two of them: one succeeds, one fails at its next task.
        succeeded, elsewhere = chain[0], chain[1]
        self.assertEqual(service.CREATED, self.resume(
            succeeded, points=RERUN_T2)['status'])
        self.assertEqual(service.CREATED, self.resume(
            elsewhere, points=[{'task': 't2', 'context': {
                'x': 'ok', 'y': 'bad'}}])['status'])
        self.await_workflow_success(succeeded)
        self.await_workflow_error(elsewhere)
        self.assertEqual('ERROR', self.task(elsewhere, 't3')['state'])

        batch_service.dispatch(view['id'], chunks)
        done = self.await_done(view['id'])

        self.assertEqual((30, 27, 3, 0), (done['total'], done['applied'],
                                          done['refused'], done['errors']))
        self.assertEqual(self.ordered(ids),
                         [o['execution_id'] for o in done['outcomes']])
        outcomes = {o['execution_id']: o for o in done['outcomes']}
        codes = {ex_id: sorted(r['code'] for r in o['requirements'])
                 for ex_id, o in outcomes.items()
                 if o['outcome'] == 'refused'}
        self.assertEqual({
            # Every requirement is reported, as for one execution.
            succeeded: ['ALREADY_SUCCEEDED', 'EXECUTION_NOT_RESUMABLE'],
            elsewhere: ['ALREADY_SUCCEEDED', 'UNRESOLVED_FAILURE'],
            other: ['UNKNOWN_TASK', 'UNRESOLVED_FAILURE'],
        }, codes)
        for ex_id in codes:
            self.assertIsNone(outcomes[ex_id]['resume_id'])
            for code in codes[ex_id]:
                self.assertIn(code, outcomes[ex_id]['message'])

        applied = [ex_id for ex_id in chain if ex_id not in codes]
        self.assertEqual(27, len(applied))
        for ex_id in applied:
            self.await_workflow_success(ex_id)
            [record] = self.records(ex_id)
            self.assertEqual(view['id'], record['batch_id'])
            self.assertEqual(outcomes[ex_id]['resume_id'], record['id'])
            self.assertEqual('outage of the check service', record['reason'])
            self.assertEqual(
                engine_batches.execution_request_id(view['id'], ex_id),
                record['request_id'])
            # t2 ran twice: the failure, and the batch's re-run.
            self.assertEqual([2], self.actions(ex_id, 't2'))
        # The refused ones kept what they had: no record of the batch.
        self.assertEqual([None], [r['batch_id']
                                  for r in self.records(succeeded)])
        self.assertEqual([], self.records(other))
        self.assertEqual('ERROR', self.execution(other).state)
        # Every chunk was finished.
        self.assertEqual([True] * 3, [c[3] for c in self.chunks(view['id'])])

    def test_dry_run_changes_nothing(self):
        ids = self.failed(4)
        # Failed at t3 (t2 already succeeded): refused.
        late = self.failed(1, x='ok', y='bad')[0]
        before = {ex_id: self.tasks(ex_id) for ex_id in ids + [late]}

        answer = self.post({'filter': {'workflow_name': 'batch_chain'},
                            'points': RERUN_T2, 'dry_run': True}, 200)

        self.assertTrue(answer['dry_run'])
        self.assertEqual(('DONE', 5, 4, 1, 0), (
            answer['state'], answer['total'], answer['applied'],
            answer['refused'], answer['errors']))
        self.assertEqual(self.ordered(ids + [late]),
                         [o['execution_id'] for o in answer['outcomes']])
        [refused] = [o for o in answer['outcomes']
                     if o['execution_id'] == late]
        self.assertEqual('refused', refused['outcome'])
        self.assertEqual(['ALREADY_SUCCEEDED', 'UNRESOLVED_FAILURE'],
                         sorted(r['code'] for r in refused['requirements']))
        # Nothing changed: states, tasks, records, batches.
        for ex_id, tasks in before.items():
            self.assertEqual('ERROR', self.execution(ex_id).state)
            self.assertEqual(tasks, self.tasks(ex_id))
            self.assertEqual([], self.records(ex_id))
        self.assertEqual([], self.get(URL).json['resume_batches'])

    def test_filter_fields_combine(self):
        ids = self.failed(3)
        late = self.failed(1, x='ok', y='bad')[0]
        self.failed(1, 'batch_other')

        def matched(batch_filter):
            return [o['execution_id'] for o in self.post(
                {'filter': batch_filter, 'points': RERUN_T2,
                 'dry_run': True}, 200)['outcomes']]

        self.assertEqual(self.ordered(ids),
                         matched({'workflow_name': 'batch_chain',
                                  'failed_task': 't2'}))
        self.assertEqual([late], matched({'workflow_name': 'batch_chain',
                                          'failed_task': 't3'}))
        self.assertEqual([ids[1]], matched({'workflow_name': 'batch_chain',
                                            'execution_ids': [ids[1]]}))
        self.assertEqual([], matched({'workflow_name': 'batch_chain',
                                      'state': 'PAUSED'}))
        self.assertEqual([], matched({'workflow_name': 'batch_chain',
                                      'created_at_from': '2999-01-01'}))
        self.assertEqual(self.ordered(ids + [late]),
                         matched({'workflow_name': 'batch_chain',
                                  'created_at_to': '2999-01-01T00:00:00Z'}))

    def test_paging_outcome_filter_and_same_request_id(self):
        ids = self.failed(5)
        late = self.failed(1, x='ok', y='bad')[0]
        body = {'filter': {'workflow_name': 'batch_chain'},
                'points': RERUN_T2, 'request_id': 'outage-42'}

        first = self.post(body, 202)
        self.assertEqual(('RUNNING', 6), (first['state'], first['total']))
        done = self.await_done(first['id'])
        self.assertEqual((5, 1), (done['applied'], done['refused']))

        # The same request_id: the first batch, nothing more.
        again = self.post(body, 200)
        self.assertEqual(first['id'], again['id'])
        self.assertEqual(done['applied'], again['applied'])
        listed = self.get(URL).json['resume_batches']
        self.assertEqual([first['id']], [b['id'] for b in listed])
        self.assertNotIn('outcomes', listed[0])
        for ex_id in ids:
            self.assertEqual(1, len(self.records(ex_id)))

        page1 = self.batch(first['id'], limit=4)['outcomes']
        page2 = self.batch(first['id'], limit=4,
                           marker=page1[-1]['execution_id'])['outcomes']
        self.assertEqual(self.ordered(ids + [late]),
                         [o['execution_id'] for o in page1 + page2])
        self.assertEqual(4, len(page1))
        [refused] = self.batch(first['id'], outcome='refused')['outcomes']
        self.assertEqual(late, refused['execution_id'])
        self.assertEqual(self.ordered(ids), [
            o['execution_id'] for o in self.batch(
                first['id'], outcome='applied')['outcomes']])
        self.assertEqual([], self.batch(first['id'],
                                        outcome='pending')['outcomes'])

    def test_plain_resume_of_paused_executions(self):
        ids = []
        for _ in range(2):
            ex_id = self.engine.start_workflow('batch_sleepy').id
            self._await(lambda: self.tasks(ex_id, 's'))
            self.engine.pause_workflow(ex_id)
            self.await_workflow_paused(ex_id)
            self.await_task_done(ex_id, 's')
            ids.append(ex_id)

        batch = self.post({'filter': {'workflow_name': 'batch_sleepy',
                                      'state': 'PAUSED'}}, 202)
        done = self.await_done(batch['id'])

        self.assertEqual((2, 2), (done['total'], done['applied']))
        for ex_id in ids:
            self.await_workflow_success(ex_id)
            [record] = self.records(ex_id)
            self.assertEqual(('PAUSED', []), (
                record['execution_state_before'], record['points']))

    def test_empty_match_is_done_at_once(self):
        answer = self.post({'filter': {'workflow_name': 'batch_chain'},
                            'points': RERUN_T2}, 202)
        self.assertEqual(('DONE', 0, []), (
            answer['state'], answer['total'],
            self.batch(answer['id'])['outcomes']))


class TestLeaseTakeover(BatchTestCase):
    """A chunk whose engine died is taken over through its expired lease."""

    def test_expired_lease_is_taken_over_and_nothing_applied_twice(self):
        ids = self.failed(3)
        view, chunks = self.store({'filter': {'execution_ids': ids},
                                   'points': RERUN_T2})
        self.assertEqual(1, chunks)
        batch_id = view['id']

        # An engine claims the chunk, commits the first execution's resume
        # and dies before it writes its outcome: its lease (0 s) is over.
        with db_api.transaction():
            self.assertTrue(db_batches.claim_chunk(batch_id, 0,
                                                   'dead-engine:1', 0))
            batch = engine_batches._snapshot(db_batches.load_batch(batch_id))
        first = service.create_resume(
            ids[0], engine_batches.execution_body(batch, ids[0]),
            batch_id=batch_id)
        self.assertEqual(service.CREATED, first['status'])

        # Nobody announces the chunk again: the engines' claimers do.
        done = self.await_done(batch_id)

        self.assertEqual((3, 0, 0), (done['applied'], done['refused'],
                                     done['errors']))
        [(number, owner, attempts, finished)] = self.chunks(batch_id)
        self.assertEqual(engine_batches.engine_name(), owner)
        self.assertEqual((2, True), (attempts, finished))
        # The first execution's resume was found by its key, not made
        # again.
        [outcome] = [o for o in done['outcomes']
                     if o['execution_id'] == ids[0]]
        self.assertEqual(first['record']['id'], outcome['resume_id'])
        for ex_id in ids:
            self.await_workflow_success(ex_id)
            self.assertEqual(1, len(self.records(ex_id)))
            self.assertEqual([2], self.actions(ex_id, 't2'))

    def test_a_held_lease_is_not_taken(self):
        ids = self.failed(1)
        view, _ = self.store({'filter': {'execution_ids': ids},
                              'points': RERUN_T2})
        with db_api.transaction():
            self.assertTrue(db_batches.claim_chunk(view['id'], 0,
                                                   'live-engine:1', 3600))
        # Announced again while another engine holds it: skipped.
        engine_batches.run_chunk(view['id'], 0)
        self.assertEqual([(0, 'live-engine:1', 1, False)],
                         self.chunks(view['id']))
        self.assertEqual('RUNNING', self.batch(view['id'])['state'])
        self.assertEqual('ERROR', self.execution(ids[0]).state)
