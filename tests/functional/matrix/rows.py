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

"""The rows of the conformance matrix (see model.Row).

Every expected end state is "as if the named tasks had run as the operator
said": the task re-ran (or completed with the given values) at the moment
it failed, and everything else happened as it would have then. Failures
read FIX() values (model.workflow), so that both a resume's context and
stock rerun's env can fix them. Parallel branches hold on std.async_noop
until a step releases them, so "before" and "after" the failure are
orders set by the test.
"""

from tests.functional.matrix.model import Differs
from tests.functional.matrix.model import End
from tests.functional.matrix.model import Refused
from tests.functional.matrix.model import Row
from tests.functional.matrix.model import Stock

S = 'SUCCESS'
E = 'ERROR'
P = 'PAUSED'

# Stock rerun has nothing like these.
NO_CONTINUE = ('No equivalent: stock Mistral cannot complete a failed task '
               'with supplied values (skipping it publishes nothing).')


def rerun(task, **point):
    return dict(point, task=task)


def cont(task, **published):
    return {'task': task, 'mode': 'continue', 'published': published}


def body(*points, **extra):
    return dict(extra, points=list(points))


ROWS = []


def row(*args, **kwargs):
    ROWS.append(Row(*args, **kwargs))


# -- Joins and parallel siblings ----------------------------------------

# c fails evaluating its input; a holds until released.
JOIN_ALL_LATE = """
version: '2.0'
wf:
  tasks:
    start:
      action: std.noop
      on-success: [a, c]
    a:
      action: std.async_noop
      publish:
        av: 1
      on-success: [done]
    c:
      action: std.echo
      input:
        output: <% 10 / FIX(n) %>
      publish:
        cv: <% task().result %>
      on-success: [done]
    done:
      join: all
      action: std.echo output=<% [$.av, $.cv] %>
      publish:
        out: <% task().result %>
"""

JOINED = End(S, {'start': 1, 'a': 1, 'c': 1, 'done': 1},
             'SUCCESS; the join runs once, with both branches\' values.',
             published={'done': {'out': [1, 5]}})

# What Mistral does: the late sibling's transitions never run, so the join
# fails on its behalf.
JOIN_FAILED_BY_SIBLING = End(E, {'start': 1, 'a': 1, 'c': 1, 'done': 0},
                             'ERROR; the join fails "by tasks [\'a\']" and '
                             'never runs.', errors=['done'])

row('join_all_late_sibling_rerun', 'join: all; the sibling finishes after '
    'the failure', 'rerun with context', JOIN_ALL_LATE,
    body(rerun('c', context={'n': 2})), JOINED, env={'n': 0},
    before=[('state', E), ('release', 'a')],
    stock=Stock('c', {'n': 2}, JOIN_FAILED_BY_SIBLING),
    warnings=['a'])

row('join_all_late_sibling_continue', 'join: all; the sibling finishes '
    'after the failure', 'continue', JOIN_ALL_LATE,
    body(cont('c', cv=5)),
    End(S, {'start': 1, 'a': 1, 'c': 0, 'done': 1},
        'SUCCESS; the join runs once, with the supplied value.',
        published={'c': {'cv': 5}, 'done': {'out': [1, 5]}}),
    env={'n': 0}, before=[('state', E), ('release', 'a')],
    stock=NO_CONTINUE,
    warnings=['a'])

# The same, with c held behind g until a has finished.
JOIN_ALL_EARLY = """
version: '2.0'
wf:
  tasks:
    start:
      action: std.noop
      on-success: [a, g]
    a:
      action: std.noop
      publish:
        av: 1
      on-success: [done]
    g:
      action: std.async_noop
      on-success: [c]
    c:
      action: std.echo
      input:
        output: <% 10 / FIX(n) %>
      publish:
        cv: <% task().result %>
      on-success: [done]
    done:
      join: all
      action: std.echo output=<% [$.av, $.cv] %>
      publish:
        out: <% task().result %>
"""

JOINED_EARLY = End(S, {'start': 1, 'a': 1, 'g': 1, 'c': 1, 'done': 1},
                   JOINED.says, published={'done': {'out': [1, 5]}})

row('join_all_early_sibling_rerun', 'join: all; the sibling finishes '
    'before the failure', 'rerun with context', JOIN_ALL_EARLY,
    body(rerun('c', context={'n': 2})), JOINED_EARLY, env={'n': 0},
    before=[('done', 'a'), ('release', 'g')],
    stock=Stock('c', {'n': 2}))

row('join_all_early_sibling_continue', 'join: all; the sibling finishes '
    'before the failure', 'continue', JOIN_ALL_EARLY,
    body(cont('c', cv=5)),
    End(S, {'start': 1, 'a': 1, 'g': 1, 'c': 0, 'done': 1},
        'SUCCESS; the join runs once, with the supplied value.',
        published={'done': {'out': [1, 5]}}),
    env={'n': 0}, before=[('done', 'a'), ('release', 'g')],
    stock=NO_CONTINUE)

# Two of three branches are enough; a and b finish after c failed.
JOIN_NUMBER = """
version: '2.0'
wf:
  tasks:
    start:
      action: std.noop
      on-success: [a, b, c]
    a:
      action: std.async_noop
      publish:
        av: 1
      on-success: [done]
    b:
      action: std.async_noop
      publish:
        bv: 2
      on-success: [done]
    c:
      action: std.echo
      input:
        output: <% 10 / FIX(n) %>
      on-success: [done]
    done:
      join: 2
      action: std.echo output=<% [$.av, $.bv] %>
      publish:
        out: <% task().result %>
"""

JOINED_NUMBER = End(S, {'start': 1, 'a': 1, 'b': 1, 'c': 1, 'done': 1},
                    'SUCCESS; the join runs once, when two branches are '
                    'done.', published={'done': {'out': [1, 2]}})

JOIN_NUMBER_FAILED = End(E, {'start': 1, 'a': 1, 'b': 1, 'c': 1, 'done': 0},
                         'ERROR; the join fails "by tasks [\'a\', \'b\']" '
                         'and never runs.', errors=['done'])

row('join_number_late_siblings_rerun', 'join: 2 of 3; the siblings finish '
    'after the failure', 'rerun with context', JOIN_NUMBER,
    body(rerun('c', context={'n': 2})), JOINED_NUMBER, env={'n': 0},
    before=[('state', E), ('release', 'a'), ('release', 'b')],
    stock=Stock('c', {'n': 2}, JOIN_NUMBER_FAILED),
    warnings=['a', 'b'])

JOIN_ONE = """
version: '2.0'
wf:
  tasks:
    start:
      action: std.noop
      on-success: [a, g]
    a:
      action: std.async_noop
      publish:
        av: 1
      on-success: [done]
    g:
      action: std.async_noop
      on-success: [c]
    c:
      action: std.echo
      input:
        output: <% 10 / FIX(n) %>
      on-success: [done]
    done:
      join: one
      action: std.noop
"""

# Mistral runs a "join: one" task again for each later branch whose
# completion finds the join's run over (in a run without failure too); a
# completion that arrives while the join waits or runs joins that run. The
# resume starts the join for a and re-runs c together, so either happens.
JOINED_ONE = End(S, {'start': 1, 'a': 1, 'g': 1, 'c': 1, 'done': (1, 2)},
                 'SUCCESS; the join runs for a, and for c again unless c\'s '
                 're-run ends while that run is still on, as Mistral does '
                 'for branches that end together.')

JOIN_ONE_ONCE = End(S, {'start': 1, 'a': 1, 'g': 1, 'c': 1, 'done': 1},
                    'SUCCESS, but the join runs for c only: a\'s '
                    'transition never runs.')

row('join_one_late_sibling_rerun', 'join: one; the sibling finishes after '
    'the failure', 'rerun with context', JOIN_ONE,
    body(rerun('c', context={'n': 2})), JOINED_ONE, env={'n': 0},
    before=[('release', 'g'), ('state', E), ('release', 'a')],
    stock=Stock('c', {'n': 2}, JOIN_ONE_ONCE),
    warnings=['a'])

row('join_one_early_sibling_rerun', 'join: one; the sibling finishes '
    'before the failure', 'rerun with context', JOIN_ONE,
    body(rerun('c', context={'n': 2})), JOINED_ONE, env={'n': 0},
    before=[('release', 'a'), ('done', 'done'), ('release', 'g')],
    stock=Stock('c', {'n': 2}))

# No join: a's own successor must still run.
SIBLING = """
version: '2.0'
wf:
  tasks:
    start:
      action: std.noop
      on-success: [a, c]
    a:
      action: std.async_noop
      publish:
        av: 1
      on-success: [a2]
    a2:
      action: std.echo output=<% $.av %>
      publish:
        out: <% task().result %>
    c:
      action: std.echo
      input:
        output: <% 10 / FIX(n) %>
"""

SIBLING_END = End(S, {'start': 1, 'a': 1, 'a2': 1, 'c': 1},
                  'SUCCESS; the sibling\'s successor runs once.',
                  published={'a2': {'out': 1}})

SIBLING_LOST = End(S, {'start': 1, 'a': 1, 'c': 1}, 'SUCCESS, but the '
                   'sibling\'s successor never runs.')

row('sibling_late_rerun', 'parallel sibling (no join) finishes after the '
    'failure', 'rerun', SIBLING, body(rerun('c'), env={'n': 2}),
    SIBLING_END, env={'n': 0}, before=[('state', E), ('release', 'a')],
    stock=Stock('c', {'n': 2}, SIBLING_LOST),
    warnings=['a'])

SIBLING_EARLY = """
version: '2.0'
wf:
  tasks:
    start:
      action: std.noop
      on-success: [a, g]
    a:
      action: std.noop
      publish:
        av: 1
      on-success: [a2]
    a2:
      action: std.echo output=<% $.av %>
      publish:
        out: <% task().result %>
    g:
      action: std.async_noop
      on-success: [c]
    c:
      action: std.echo
      input:
        output: <% 10 / FIX(n) %>
"""

row('sibling_early_rerun', 'parallel sibling (no join) finishes before '
    'the failure', 'rerun', SIBLING_EARLY, body(rerun('c'), env={'n': 2}),
    End(S, {'start': 1, 'a': 1, 'a2': 1, 'g': 1, 'c': 1},
        SIBLING_END.says, published={'a2': {'out': 1}}),
    env={'n': 0}, before=[('done', 'a2'), ('release', 'g')],
    stock=Stock('c', {'n': 2}))

# -- Cycles ------------------------------------------------------------

# Iterations 0..3, publishing i and what it has seen; fails at fail_at.
CYCLE = """
version: '2.0'
wf:
  tasks:
    init:
      action: std.noop
      publish:
        i: 0
        seen: []
      on-success: [step]
    step:
      action: test.check value=<% $.i != FIX(fail_at) %>
      publish:
        i: <% $.i + 1 %>
        seen: <% $.seen + [$.i] %>
      on-success:
        - step: <% $.i < 4 %>
        - done: <% $.i >= 4 %>
    done:
      action: std.echo output=<% $.seen %>
      publish:
        out: <% task().result %>
"""

CYCLE_RESTARTED = End(S, {'init': 1, 'step': 7, 'done': 1},
                      'SUCCESS, but the re-run starts from the loop\'s '
                      'entry context: iterations 1 and 2 run again.',
                      iterations={'step': 6},
                      published={'done': {'out': [0, 1, 2, 3]}})

row('cycle_rerun_at_later_iteration', 'cycle; fails at its 3rd iteration',
    'rerun with context', CYCLE,
    body(rerun('step', context={'fail_at': -1})),
    End(S, {'init': 1, 'step': 5, 'done': 1},
        'SUCCESS; the 3rd iteration re-runs from its own context, '
        'no earlier iteration runs again.',
        iterations={'step': 4},
        published={'done': {'out': [0, 1, 2, 3]}}),
    env={'fail_at': 2},
    stock=Stock('step', {'fail_at': -1}, CYCLE_RESTARTED))

row('cycle_continue_at_later_iteration', 'cycle; fails at its 3rd '
    'iteration', 'continue', CYCLE,
    body(cont('step', i=3, seen=[0, 1, 2])),
    End(S, {'init': 1, 'step': 4, 'done': 1},
        'SUCCESS; the loop goes on from the supplied values.',
        iterations={'step': 4},
        published={'done': {'out': [0, 1, 2, 3]}}),
    env={'fail_at': 2}, stock=NO_CONTINUE,
    # step reads fail_at as coalesce($.get(fail_at), env().get(fail_at)):
    # the analysis sees a context variable nothing supplies (the env
    # does); an advisory warning, the resume goes ahead.
    warnings=['step'])

# -- with-items --------------------------------------------------------

# Items 2 and 4 fail while "bad" lists them.
WITH_ITEMS = """
version: '2.0'
wf:
  tasks:
    t:
      with-items: x in <%% [1, 2, 3, 4, 5] %%>%s
      action: test.check
      input:
        value: <%% switch($.x in FIX(bad) => 'bad', true => $.x * 10) %%>
      publish:
        r: <%% task().result %%>
      on-success: [after]
    after:
      action: std.echo output=<%% $.r %%>
      publish:
        out: <%% task().result %%>
"""
ITEMS = WITH_ITEMS % ''
ITEMS_CONCURRENCY = WITH_ITEMS % '\n      concurrency: 2'
ITEMS_ENV = {'bad': [2, 4]}
ITEMS_OUT = {'after': {'out': [10, 20, 30, 40, 50]}}

ALL_ITEMS_AGAIN = End(S, {'t': 10, 'after': 1},
                      'SUCCESS; each item runs once more.',
                      published=ITEMS_OUT)
FAILED_ITEMS_AGAIN = End(S, {'t': 7, 'after': 1},
                         'SUCCESS; only the failed items run again.',
                         published=ITEMS_OUT)

row('with_items_reset', 'with-items', 'rerun with context, reset true',
    ITEMS, body(rerun('t', context={'bad': []})), ALL_ITEMS_AGAIN,
    env=ITEMS_ENV, stock=Stock('t', {'bad': []}))

row('with_items_no_reset', 'with-items', 'rerun with context, reset false',
    ITEMS, body(rerun('t', context={'bad': []}, reset=False)),
    FAILED_ITEMS_AGAIN, env=ITEMS_ENV,
    stock=Stock('t', {'bad': []}, reset=False, end=End(
        'RUNNING', {'t': 8}, 'Stuck RUNNING: an item that had succeeded '
        'runs again and the task never completes (until Mistral\'s '
        'integrity check, [engine] execution_integrity_check_delay).',
        unfinished=['t is RUNNING'])))

ITEMS_MIXED = Differs('SUCCESS with wrong results: some item runs twice, '
                      'another never (which ones varies).')

row('with_items_concurrency_reset', 'with-items, concurrency: 2',
    'rerun with context, reset true', ITEMS_CONCURRENCY,
    body(rerun('t', context={'bad': []})), ALL_ITEMS_AGAIN,
    env=ITEMS_ENV, stock=Stock('t', {'bad': []}, ITEMS_MIXED))

row('with_items_concurrency_no_reset', 'with-items, concurrency: 2',
    'rerun with context, reset false', ITEMS_CONCURRENCY,
    body(rerun('t', context={'bad': []}, reset=False)),
    FAILED_ITEMS_AGAIN, env=ITEMS_ENV,
    stock=Stock('t', {'bad': []}, reset=False))

row('with_items_continue', 'with-items', 'continue', ITEMS,
    body(cont('t', r=[1, 2, 3, 4, 5])),
    End(S, {'t': 5, 'after': 1},
        'SUCCESS; the next task gets the supplied list.',
        published={'after': {'out': [1, 2, 3, 4, 5]}}),
    env=ITEMS_ENV, stock=NO_CONTINUE)

# -- Task policies -----------------------------------------------------

# A task failing while FIX(v) is "bad", with its policies; `after` echoes
# what it published.
POLICY = """
version: '2.0'
wf:
  tasks:
    t:
      action: test.check value=<%% FIX(v) %%>%s
      publish:
        r: <%% task().result %%>
      on-success: [after]
    after:
      action: std.echo output=<%% $.r %%>
      publish:
        out: <%% task().result %%>
"""


def policy(text):
    return POLICY % ''.join('\n      ' + line for line in text.split('\n'))


BAD = {'v': 'bad'}
OK = {'v': 'ok'}
RAN_OK = {'after': {'out': 'ok'}}

RETRY = policy('retry:\n  count: 2\n  delay: 0')

row('retry_count', 'retry (count: 2)', 'rerun', RETRY,
    body(rerun('t'), env=OK),
    End(S, {'t': 4, 'after': 1}, 'SUCCESS after one more run.',
        published=RAN_OK),
    env=BAD, stock=Stock('t', OK))

row('retry_count_fails_again', 'retry (count: 2)', 'rerun, still failing',
    RETRY, body(rerun('t')),
    End(E, {'t': 6}, 'ERROR after the re-run is retried twice, as a first '
        'run would be.', errors=['t']),
    env=BAD, stock=Stock('t', None))

row('retry_delay', 'retry (count: 1, delay: 1)', 'rerun with context',
    policy('retry:\n  count: 1\n  delay: 1'),
    body(rerun('t', context=OK)),
    End(S, {'t': 3, 'after': 1}, 'SUCCESS after one more run.',
        published=RAN_OK),
    env=BAD, stock=Stock('t', OK))

row('retry_break_on', 'retry with break-on', 'rerun with context (break-on '
    'now false)',
    policy('retry:\n  count: 3\n  delay: 0\n  break-on: <% FIX(give_up) %>'),
    body(rerun('t', context={'give_up': False})),
    End(E, {'t': 5}, 'ERROR after the re-run is retried 3 times: break-on '
        'reads the changed context.', errors=['t']),
    env={'v': 'bad', 'give_up': True}, stock=Stock('t', {'give_up': False}))

# continue-on decides every iteration, a failed one too: false breaks the
# loop ("If it evaluates to 'false' then policy will break the iteration",
# Mistral's language reference). Here the failed run's error is not
# "again": it was not retried, and the re-run is retried twice.
row('retry_continue_on', 'retry with continue-on', 'rerun with context',
    policy('retry:\n  count: 2\n  delay: 0\n'
           '  continue-on: <% task().result = "again" %>'),
    body(rerun('t', context={'v': 'again'})),
    End(S, {'t': 4, 'after': 1}, 'SUCCESS after the re-run is retried '
        'twice while continue-on holds (the failed run was not retried: '
        'continue-on was false).', published={'after': {'out': 'again'}}),
    env=BAD, stock=Stock('t', {'v': 'again'}))

# Here continue-on holds for the failed run's error too: it was retried
# twice, and its retry count is still stored on the task. The re-run counts
# its own retries from zero, as a first run does.
row('retry_continue_on_exhausted', 'retry with continue-on, retried until '
    'exhausted', 'rerun with context',
    policy('retry:\n  count: 2\n  delay: 0\n'
           '  continue-on: <% task().result != "done" %>'),
    body(rerun('t', context={'v': 'again'})),
    End(S, {'t': 6, 'after': 1}, 'SUCCESS after the re-run is retried '
        'twice while continue-on holds, as the failed run was.',
        published={'after': {'out': 'again'}}),
    env=BAD, stock=Stock('t', {'v': 'again'}))

row('wait_before_action_failure', 'wait-before: 1; the action fails',
    'rerun with context', policy('wait-before: 1'),
    body(rerun('t', context=OK)),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS; the re-run waits first.',
        published=RAN_OK),
    env=BAD, stock=Stock('t', OK))

# Fails evaluating its input (no action runs).
INPUT_POLICY = """
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo
      input:
        output: <%% 10 / FIX(n) %%>
      %s
      publish:
        r: <%% task().result %%>
      on-success: [after]
    after:
      action: std.echo output=<%% $.r %%>
      publish:
        out: <%% task().result %%>
"""

INPUT_FIXED = End(S, {'t': 1, 'after': 1}, 'SUCCESS; the re-run waits '
                  'first.', published={'after': {'out': 5}})

DELAYED_FOREVER = End('RUNNING', {'t': 0}, 'RUNNING forever: the task '
                      'stays DELAYED ("Delayed by \'wait-before\' '
                      'policy"), nothing wakes it.',
                      unfinished=['t is DELAYED'])

row('wait_before_input_failure', 'wait-before: 1; the input fails',
    'rerun with context', INPUT_POLICY % 'wait-before: 1',
    body(rerun('t', context={'n': 2})), INPUT_FIXED, env={'n': 0},
    stock=Stock('t', {'n': 2}, DELAYED_FOREVER))

row('wait_after_action_failure', 'wait-after: 1; the action fails',
    'rerun with context', policy('wait-after: 1'),
    body(rerun('t', context=OK)),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS; the re-run waits after.',
        published=RAN_OK),
    env=BAD, stock=Stock('t', OK))

row('wait_after_input_failure', 'wait-after: 1; the input fails',
    'rerun with context', INPUT_POLICY % 'wait-after: 1',
    body(rerun('t', context={'n': 2})),
    End(S, {'t': 1, 'after': 1}, 'SUCCESS; the re-run waits after.',
        published={'after': {'out': 5}}),
    env={'n': 0}, stock=Stock('t', {'n': 2}))

# The held action never answers in time; the re-run's does.
TIMEOUT = """
version: '2.0'
wf:
  tasks:
    t:
      action: std.async_noop
      timeout: 1
      publish:
        r: done
      on-success: [after]
    after:
      action: std.echo output=<% $.r %>
      publish:
        out: <% task().result %>
"""

row('timeout', 'timeout: 1', 'rerun', TIMEOUT, body(rerun('t')),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS; the re-run\'s action answers '
        'in time.', published={'after': {'out': 'done'}}),
    after=[('release', 't', 2)], stock=Stock('t', None))

row('timeout_stale_result', 'timeout: 1; the timed-out action answers '
    'after the re-run started', 'rerun', TIMEOUT, body(rerun('t')),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS; the superseded action\'s late '
        'answer does not change the re-run.',
        published={'after': {'out': 'done'}}),
    after=[('release_stale', 't'), ('release', 't', 2)],
    stock=Stock('t', None))

row('pause_before', 'pause-before: true', 'rerun with context',
    policy('pause-before: true'), body(rerun('t', context=OK)),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS; the re-run pauses first, as a '
        'first run does, and goes on at a plain resume.',
        published=RAN_OK),
    env=BAD, before=[('state', P), ('resume',)],
    after=[('state', P), ('resume',)], stock=Stock('t', OK))

row('fail_on', 'fail-on', 'rerun with context',
    """
version: '2.0'
wf:
  tasks:
    t:
      action: std.echo output=<% FIX(v) %>
      fail-on: <% task().result = 'bad' %>
      publish:
        r: <% task().result %>
      on-success: [after]
    after:
      action: std.echo output=<% $.r %>
      publish:
        out: <% task().result %>
""", body(rerun('t', context=OK)),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS; fail-on is evaluated on the '
        're-run\'s result.', published=RAN_OK),
    env=BAD, stock=Stock('t', OK))

row('safe_rerun', 'safe-rerun: true', 'rerun with context',
    policy('safe-rerun: true'), body(rerun('t', context=OK)),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS.', published=RAN_OK),
    env=BAD, stock=Stock('t', OK))

KEEP_RESULT = policy('keep-result: false')

row('keep_result_false_rerun', 'keep-result: false', 'rerun with context',
    KEEP_RESULT, body(rerun('t', context=OK)),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS.', published=RAN_OK),
    env=BAD, stock=Stock('t', OK))

row('keep_result_false_continue', 'keep-result: false', 'continue',
    KEEP_RESULT, body(cont('t', r='given')),
    End(S, {'t': 1, 'after': 1}, 'SUCCESS; the next task gets the '
        'supplied value.', published={'after': {'out': 'given'}}),
    env=BAD, stock=NO_CONTINUE)

row('task_defaults_retry', 'task-defaults (retry: count 1)', 'rerun',
    """
version: '2.0'
wf:
  task-defaults:
    retry:
      count: 1
      delay: 0
  tasks:
    t:
      action: test.check value=<% FIX(v) %>
      publish:
        r: <% task().result %>
      on-success: [after]
    after:
      action: std.echo output=<% $.r %>
      publish:
        out: <% task().result %>
""", body(rerun('t'), env=OK),
    End(S, {'t': 3, 'after': 1}, 'SUCCESS after one more run.',
        published=RAN_OK),
    env=BAD, stock=Stock('t', OK))

# -- Transitions and publishing ----------------------------------------

row('on_complete', 'on-complete', 'rerun with context', """
version: '2.0'
wf:
  tasks:
    t:
      action: test.check value=<% FIX(v) %>
      on-complete: [log]
      on-success: [after]
    log:
      action: std.noop
    after:
      action: std.noop
""", body(rerun('t', context=OK)),
    End(S, {'t': 2, 'log': 2, 'after': 1}, 'SUCCESS; on-complete runs '
        'again for the re-run\'s completion.', iterations={'log': 2}),
    env=BAD, stock=Stock('t', OK))

ON_ERROR = """
version: '2.0'
wf:
  tasks:
    t:
      action: test.check value=<%% FIX(v) %%>
      publish:
        r: <%% task().result %%>
      on-success: [after]
      on-error: %s
    log:
      action: std.noop
    after:
      action: std.echo output=<%% $.r %%>
      publish:
        out: <%% task().result %%>
"""
ON_ERROR_FAIL = ON_ERROR % '[log, fail]'
ON_ERROR_PAUSE = ON_ERROR % '[log, pause]'

row('on_error_fail_plain', 'on-error: [log, fail]', 'plain resume',
    ON_ERROR_FAIL, body(),
    Refused(['RESUME_POINT_REQUIRED'], 'Refused: the handled failure must '
            'be named.'),
    env=BAD, stock=Stock(None, None, Refused(
        'unchanged', 'Accepted, nothing happens: resuming an ERROR '
        'execution is a no-op.')))

row('on_error_fail_rerun', 'on-error: [log, fail]', 'rerun with context',
    ON_ERROR_FAIL, body(rerun('t', context=OK)),
    End(S, {'t': 2, 'log': 1, 'after': 1}, 'SUCCESS; the handler ran once, '
        'for the first failure.', published=RAN_OK),
    env=BAD, stock=Stock('t', OK))

row('on_error_succeed', 'on-error: [log, succeed]', 'rerun with context',
    ON_ERROR % '[log, succeed]', body(rerun('t', context=OK)),
    Refused(['EXECUTION_NOT_RESUMABLE'], 'Refused: the execution '
            'succeeded.'),
    fails=S, env=BAD, stock=Stock('t', OK, Refused(
        403, 'Refused (403): the env of a SUCCESS execution cannot change.',
        'Updating env to workflow execution is only permitted')))

# The handler runs while the execution pauses. The plain resume starts
# once it ended: stock's resume would start it a second time when its own
# start is still on its way (the _idle rows).
LOGGED = [('done', 'log')]
# The resume arrives while the handler is IDLE, its own start still on its
# way; that start reaches the engine first, then the resume's.
IDLE = [('idle', 'log')]
DELIVERED = [('deliver', 'log')]

LEFT_BEHIND = End(S, {'t': 1, 'log': 1}, 'SUCCESS with the failed task '
                  'left in ERROR; its on-success task never runs.',
                  errors=['t'])

row('on_error_pause_plain', 'on-error: [log, pause]', 'plain resume',
    ON_ERROR_PAUSE, body(),
    Refused(['RESUME_POINT_REQUIRED'], 'Refused: the failed task must be '
            'named (Mistral\'s own resume would leave it behind).'),
    fails=P, env=BAD, before=LOGGED, stock=Stock(None, None, LEFT_BEHIND),
    )

PAUSE_RERUN = End(S, {'t': 2, 'log': 1, 'after': 1}, 'SUCCESS.',
                  published=RAN_OK)
PAUSE_CONTINUE = End(S, {'t': 1, 'log': 1, 'after': 1}, 'SUCCESS; the next '
                     'task gets the supplied value.',
                     published={'after': {'out': 'given'}})
PAUSED_RERUN = Refused('unchanged', 'Accepted, nothing happens: Mistral\'s '
                       'rerun returns early on a PAUSED execution.')

row('on_error_pause_rerun', 'on-error: [log, pause]', 'rerun with context',
    ON_ERROR_PAUSE, body(rerun('t', context=OK)), PAUSE_RERUN,
    fails=P, env=BAD, stock=Stock('t', OK, PAUSED_RERUN))

row('on_error_pause_continue', 'on-error: [log, pause]', 'continue',
    ON_ERROR_PAUSE, body(cont('t', r='given')), PAUSE_CONTINUE,
    fails=P, env=BAD, stock=NO_CONTINUE)

row('on_error_pause_rerun_idle', 'on-error: [log, pause], resumed while '
    'log is IDLE', 'rerun with context',
    ON_ERROR_PAUSE, body(rerun('t', context=OK)), PAUSE_RERUN,
    fails=P, env=BAD, before=IDLE, after=DELIVERED,
    stock=Stock('t', OK, PAUSED_RERUN))

row('on_error_pause_continue_idle', 'on-error: [log, pause], resumed '
    'while log is IDLE', 'continue',
    ON_ERROR_PAUSE, body(cont('t', r='given')), PAUSE_CONTINUE,
    fails=P, env=BAD, before=IDLE, after=DELIVERED, stock=NO_CONTINUE)

CONDITIONAL = """
version: '2.0'
wf:
  tasks:
    t:
      action: test.check value=<% FIX(route) %>
      publish:
        route: <% task().result %>
      on-success:
        - left: <% $.route = 'left' %>
        - right: <% $.route = 'right' %>
    left:
      action: std.noop
    right:
      action: std.noop
"""

row('conditional_rerun', 'conditional transitions', 'rerun with context '
    '(the branch follows it)', CONDITIONAL,
    body(rerun('t', context={'route': 'right'})),
    End(S, {'t': 2, 'right': 1}, 'SUCCESS; only the branch the changed '
        'context selects runs.'),
    env={'route': 'bad'}, stock=Stock('t', {'route': 'right'}))

row('conditional_continue', 'conditional transitions', 'continue',
    CONDITIONAL, body(cont('t', route='left')),
    End(S, {'t': 1, 'left': 1}, 'SUCCESS; only the branch the supplied '
        'value selects runs.'),
    env={'route': 'bad'}, stock=NO_CONTINUE)

PUBLISH_BRANCHES = """
version: '2.0'
wf:
  tasks:
    t:
      action: test.check value=<% FIX(v) %>
      on-success:
        publish:
          branch:
            r: <% task().result %>
        next: [after]
      on-error:
        publish:
          branch:
            err: failed
        next: [fail]
    after:
      action: std.echo output=<% $.r %>
      publish:
        out: <% task().result %>
"""

row('publish_branches_rerun', 'publish in on-success / on-error',
    'rerun with context', PUBLISH_BRANCHES, body(rerun('t', context=OK)),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS; the task publishes what its '
        'on-success branch says, nothing of on-error.',
        published={'t': {'r': 'ok'}, 'after': {'out': 'ok'}}),
    env=BAD, stock=Stock('t', OK))

row('publish_branches_continue', 'publish in on-success / on-error',
    'continue', PUBLISH_BRANCHES, body(cont('t', r='given')),
    End(S, {'t': 1, 'after': 1}, 'SUCCESS; the next task gets the '
        'supplied value.',
        published={'t': {'r': 'given'}, 'after': {'out': 'given'}}),
    env=BAD, stock=NO_CONTINUE)

PUBLISH_ON_ERROR = policy('publish-on-error:\n  err: failed')

row('publish_on_error_rerun', 'publish-on-error', 'rerun with context',
    PUBLISH_ON_ERROR, body(rerun('t', context=OK)),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS; the task publishes its publish '
        'clause only.',
        published={'t': {'r': 'ok'}, 'after': {'out': 'ok'}}),
    env=BAD, stock=Stock('t', OK))

row('publish_on_error_continue', 'publish-on-error', 'continue',
    PUBLISH_ON_ERROR, body(cont('t', r='given')),
    End(S, {'t': 1, 'after': 1}, 'SUCCESS; the task publishes the '
        'supplied values only.',
        published={'t': {'r': 'given'}, 'after': {'out': 'given'}}),
    env=BAD, stock=NO_CONTINUE)

row('output_on_error', 'output-on-error', 'rerun with context', """
version: '2.0'
wf:
  output:
    out: <% $.r %>
  output-on-error:
    err: failed
  tasks:
    t:
      action: test.check value=<% FIX(v) %>
      publish:
        r: <% task().result %>
""", body(rerun('t', context=OK)),
    End(S, {'t': 2}, 'SUCCESS; the execution\'s output is its output '
        'clause.', output={'out': 'ok'}),
    env=BAD, stock=Stock('t', OK))

# -- Sub-workflows -----------------------------------------------------

SUB_INPUT = """
version: '2.0'
wf:
  tasks:
    a:
      workflow: child
      input:
        x: <% 10 / FIX(n) %>
      publish:
        r: <% task().result.out %>
      on-success: [after]
    after:
      action: std.echo output=<% $.r %>
      publish:
        out: <% task().result %>

child:
  input:
    - x
  tasks:
    t:
      action: std.echo output=<% $.x %>
      publish:
        cx: <% task().result %>
  output:
    out: <% $.cx %>
"""

row('sub_workflow_input_failure', 'sub-workflow; its input fails',
    'rerun with context', SUB_INPUT, body(rerun('a', context={'n': 2})),
    End(S, {'a': 1, 'a.t': 1, 'after': 1}, 'SUCCESS; the sub-workflow '
        'starts once.', published={'after': {'out': 5}}),
    env={'n': 0}, stock=Stock('a', {'n': 2}))

NESTED = """
version: '2.0'
top:
  tasks:
    a:
      workflow: mid
      publish:
        top_out: <% task().result.mid_out %>
      on-success: [done]
    done:
      action: std.echo output=<% $.top_out %>
      publish:
        out: <% task().result %>

mid:
  tasks:
    b:
      workflow: low
      publish:
        mid_out: <% task().result.low_out %>
  output:
    mid_out: <% $.mid_out %>

low:
  tasks:
    c:
      action: test.check value=<% FIX(v) %>
      publish:
        low_out: <% task().result %>
  output:
    low_out: <% $.low_out %>
"""

NESTED_OK = End(S, {'a': 1, 'a.b': 1, 'a.b.c': 2, 'done': 1},
                'SUCCESS; the failed sub-workflows go on, none starts '
                'anew.', published={'done': {'out': 'ok'}})

# Stock puts the env on the sub-workflow's execution; expressions read the
# top execution's env.
ENV_NOT_SEEN = End(E, {'a': 1, 'a.b': 1, 'a.b.c': 2}, 'ERROR: the env update '
                   'lands on the sub-workflow, which reads its root\'s env; '
                   'the task fails again.', errors=['a', 'a.b', 'a.b.c'])

row('sub_workflow_path_rerun', 'sub-workflows 2 levels deep; named by '
    'dotted path', 'rerun with context', NESTED,
    body(rerun('a.b.c', context=OK)), NESTED_OK, env=BAD, start='top',
    stock=Stock('a.b.c', OK, ENV_NOT_SEEN))

row('sub_workflow_id_rerun', 'sub-workflows 2 levels deep; named by task '
    'execution id', 'rerun', NESTED, body(rerun('@a.b.c'), env=OK),
    NESTED_OK, env=BAD, start='top', stock=Stock('a.b.c', OK, ENV_NOT_SEEN))

row('sub_workflow_parent_rerun', 'sub-workflows 2 levels deep; the top '
    'task named', 'rerun (the failure inside re-runs)', NESTED,
    body(rerun('a'), env=OK), NESTED_OK, env=BAD, start='top',
    stock=Stock('a', OK, End(
        S, {'a': 2, 'a.b': 2, 'a.b.c': 2, 'done': 1}, 'SUCCESS, but both '
        'sub-workflows start anew (their finished tasks would run again).',
        iterations={'a.b': 2, 'a.b.c': 2}, errors=['a.b', 'a.b.c'],
        published={'done': {'out': 'ok'}})))

row('sub_workflow_path_continue', 'sub-workflows 2 levels deep; named by '
    'dotted path', 'continue', NESTED,
    body(cont('a.b.c', low_out='given')),
    End(S, {'a': 1, 'a.b': 1, 'a.b.c': 1, 'done': 1}, 'SUCCESS; the '
        'supplied value goes up through both outputs.',
        published={'done': {'out': 'given'}}),
    env=BAD, start='top', stock=NO_CONTINUE)

# -- Reverse workflows -------------------------------------------------

REVERSE = """
version: '2.0'
rev:
  type: reverse
  tasks:
    r1:
      action: std.noop
      publish:
        a: 1
    r2:
      action: test.check value=<% FIX(v) %>
      publish:
        y: <% task().result %>
      requires: [r1]
    final:
      action: std.echo output=<% $.y %>
      publish:
        out: <% task().result %>
      requires: [r2]
"""

row('reverse_rerun', 'reverse workflow', 'rerun with context', REVERSE,
    body(rerun('r2', context=OK)),
    End(S, {'r1': 1, 'r2': 2, 'final': 1}, 'SUCCESS.',
        published={'final': {'out': 'ok'}}),
    env=BAD, start=('rev', 'final'), stock=Stock('r2', OK))

row('reverse_continue', 'reverse workflow', 'continue', REVERSE,
    body(cont('r2', y='given')),
    End(S, {'r1': 1, 'r2': 1, 'final': 1}, 'SUCCESS; the required task '
        'gets the supplied value.', published={'final': {'out': 'given'}}),
    env=BAD, start=('rev', 'final'), stock=NO_CONTINUE)

# -- The definition changes after the failure --------------------------

REDEFINED = """
version: '2.0'
wf:
  tasks:
    t:
      action: test.check value=<%% FIX(v) %%>
      on-success: [after]
    after:
      action: std.echo output="%s"
      publish:
        out: <%% task().result %%>
"""

row('definition_updated', 'the definition is updated after the failure',
    'rerun with context', REDEFINED % 'old', body(rerun('t', context=OK)),
    End(S, {'t': 2, 'after': 1}, 'SUCCESS; the execution goes on with the '
        'definition it started with.', published={'after': {'out': 'old'}}),
    env=BAD, before=[('state', E), ('upload', REDEFINED % 'new')],
    stock=Stock('t', OK))
