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


"""Mistral's own engine tests, run with mistral-resume's patches applied.

The patches of mistral_resume/patches.py replace functions of Mistral's
engine in every engine process. Mistral's shipped tests of the engine
(reruns, with-items, joins, cycles, policies, sub-workflows...) are the
best proof that they change nothing Mistral relies on: this peer suite
runs them in processes where the patches are applied, proves that the
patched functions are the ones that ran, and compares every test's
outcome with the recorded outcomes of the unpatched run
(expected-outcomes.txt). Run it with ``python -m tests.peer`` (or
``tox -e mistral-engine``); ``--help`` says more.
"""
