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

"""Transition conditions evaluated as Mistral's engine evaluates them."""

from mistral import expressions
from mistral.workflow import data_flow


def evaluate(expression, layers):
    """Evaluate a YAQL or Jinja expression over context layers.

    The layers come highest priority first, as Mistral's ContextView takes
    them (core.graph.outbound_layers builds them).
    """
    return expressions.evaluate(expression, data_flow.ContextView(*layers))
