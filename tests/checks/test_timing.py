"""``timing``: CPU time in this process (the local check and the tests), and the
vectorisation rule judged per unit of the dimension a loop must not run over."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from autograder.checks import timing


def _loop(n):
    out = np.empty(n)
    for i in range(n):
        out[i] = np.sum(np.ones(2))
    return out


def test_a_loop_fails_and_a_vectorised_call_passes():
    small, large = timing.UNITS
    timing.assert_vectorised(lambda: np.ones(small) * 2, lambda: np.ones(large) * 2, None,
                             timing.UNITS, "double(x)", "element", "the elements")
    with pytest.raises(AssertionError, match=r"per element more.*expected at most 0.8.*\n.*微秒"):
        timing.assert_vectorised(lambda: _loop(small), lambda: _loop(large), None, timing.UNITS,
                                 "loop(x)", "element", "the elements")


def test_a_loop_in_a_helper_thread_is_counted_in_process():
    def threaded(n):  # ten steps a unit: more than the two ticks an ended thread may hide
        t = threading.Thread(target=_loop, args=(10 * n,))
        t.start()
        t.join()
    with pytest.raises(AssertionError, match="per element more"):
        timing.assert_vectorised(lambda: threaded(timing.UNITS[0]),
                                 lambda: threaded(timing.UNITS[1]), None, timing.UNITS,
                                 "threaded(x)", "element", "the elements")


def test_a_patched_clock_changes_nothing(monkeypatch):
    monkeypatch.setattr(time, "thread_time", lambda: 0.0)
    monkeypatch.setattr(time, "process_time", lambda: 0.0)
    _, seconds = timing.cpu_seconds(lambda: _loop(20_000), None)
    assert seconds > 0.01
