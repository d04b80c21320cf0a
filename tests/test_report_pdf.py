"""Printing: one font configuration per thread, reused by every render."""

from __future__ import annotations

import threading

from assess.report.pdf import reused_font_configuration


def test_each_thread_reuses_its_own_font_configuration():
    first = reused_font_configuration()
    assert reused_font_configuration() is first
    from_other_thread = []
    thread = threading.Thread(target=lambda: from_other_thread.append(reused_font_configuration()))
    thread.start()
    thread.join()
    assert from_other_thread[0] is not first
