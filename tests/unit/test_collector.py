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

import gc
import threading

from oslotest import base as oslo_base

from mistral_resume.engine import collector


class TestPaused(oslo_base.BaseTestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(gc.enable if gc.isenabled() else gc.disable)

    def test_paused_inside_enabled_after(self):
        gc.enable()
        with collector.paused():
            self.assertFalse(gc.isenabled())
        self.assertTrue(gc.isenabled())

    def test_enabled_again_when_the_last_analysis_ends(self):
        gc.enable()
        second_in, first_out = threading.Event(), threading.Event()
        seen = []

        def second():
            with collector.paused():
                second_in.set()
                first_out.wait(10)
                # The first one ended; this one still runs paused.
                seen.append(gc.isenabled())

        with collector.paused():
            thread = threading.Thread(target=second)
            thread.start()
            self.assertTrue(second_in.wait(10))
        first_out.set()
        thread.join(10)
        self.assertEqual([False], seen)
        self.assertTrue(gc.isenabled())

    def test_left_disabled_if_it_was(self):
        gc.disable()
        with collector.paused():
            self.assertFalse(gc.isenabled())
        self.assertFalse(gc.isenabled())

    def test_enabled_after_an_error(self):
        gc.enable()

        def fail():
            with collector.paused():
                raise ValueError('boom')

        self.assertRaises(ValueError, fail)
        self.assertTrue(gc.isenabled())
