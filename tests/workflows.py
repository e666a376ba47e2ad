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

"""Workflow definitions shared by several test modules.

A definition used by one module only stays in that module.
"""

# A failed task between a success and a task that never ran: t2 fails
# unless its input x is "ok", publishes y and z, and t3 echoes y.
CHAIN = """
version: '2.0'
chain:
  input:
    - x: null
  tasks:
    t1:
      action: std.noop
      publish:
        a: 1
      on-success: t2
    t2:
      action: test.check value=<% $.x %>
      publish:
        y: <% task().result %>
        z: 2
      on-success: t3
    t3:
      action: std.echo output=<% $.y %>
      publish:
        out: <% task().result %>
"""

# A join after two branches, each held by an asynchronous action that the
# test completes (std.async_noop stays RUNNING until its result is sent),
# so that "a finishes before c fails" and "a finishes after c failed" are
# both deterministic, in-process and across processes. c fails on its own
# input (division by zero) as soon as gate_c completes; {"zero": 1} fixes
# it.
JOIN_LATE = """
version: '2.0'
join_late:
  input:
    - zero: 0
  tasks:
    start:
      action: std.noop
      on-success:
        - a
        - gate_c
    a:
      action: std.async_noop
      publish:
        av: <% task().result %>
      on-success:
        - done
    gate_c:
      action: std.async_noop
      on-success:
        - c
    c:
      action: std.echo output=<% 1 / $.zero %>
      publish:
        cv: <% task().result %>
      on-success:
        - done
    done:
      join: all
      action: std.echo output=<% [$.av, $.cv] %>
      publish:
        out: <% task().result %>
"""

# Two parallel branches into a join: each fails until its input is set.
PARALLEL = """
version: '2.0'
parallel:
  input:
    - v1: null
    - v2: null
  tasks:
    start:
      action: std.noop
      on-success:
        - b1
        - b2
    b1:
      action: test.check value=<% $.v1 %>
      publish:
        r1: <% task().result %>
      on-success: done
    b2:
      action: test.check value=<% $.v2 %>
      publish:
        r2: <% task().result %>
      on-success: done
    done:
      join: all
      action: std.echo output=<% [$.r1, $.r2] %>
      publish:
        out: <% task().result %>
"""

# Two branches fail on their input (no action runs); b is re-run with a
# context that fixes it, c is continued with the value it would have
# published; the join then runs with both.
ENGINE_DEATH = """
version: '2.0'
engine_death:
  input:
    - x: 0
  tasks:
    start:
      action: std.noop
      on-success:
        - b
        - c
    b:
      action: std.echo output=<% 1 / $.x %>
      publish:
        bv: <% task().result %>
      on-success:
        - done
    c:
      action: std.echo output=<% 2 / $.x %>
      publish:
        cv: <% task().result %>
      on-success:
        - done
    done:
      join: all
      action: std.echo output=<% [$.bv, $.cv] %>
      publish:
        both: <% task().result %>
  output:
    both: <% $.both %>
"""

# Three levels (top, mid, low): c fails unless x is "ok"; each level
# publishes what the one below gave.
NESTED = """
version: '2.0'
top:
  input:
    - x: null
  tasks:
    a:
      workflow: mid x=<% $.x %>
      publish:
        top_out: <% task().result.mid_out %>
      on-success: done
    done:
      action: std.echo output=<% $.top_out %>
      publish:
        out: <% task().result %>

mid:
  input:
    - x
  tasks:
    b:
      workflow: low x=<% $.x %>
      publish:
        mid_out: <% task().result.low_out %>
  output:
    mid_out: <% $.mid_out %>

low:
  input:
    - x
  tasks:
    c:
      action: test.check value=<% $.x %>
      publish:
        low_out: <% task().result %>
  output:
    low_out: <% $.low_out %>
"""
