"""CPU time of one call into student code, measured where that code runs.

In the student's local check and the project's tests the student's code runs in this
process, on this thread, and ``time.thread_time`` around the call measures it. Under the
grading engine the call runs in a worker process: this process only waits, and the worker
measures the call's CPU time itself, with the same clock; reading the attribute ``CPU_ATTRIBUTE`` of any student object (a proxy)
returns the worker's figure for the last call. ``cpu_seconds`` takes the larger of the two,
so the same check reads the right figure in both places (in this process, an object that
answers the attribute itself can only make its own figure larger).

CPU time, not wall-clock time: a grader running several workers at once, or a student's
laptop busy with something else, does not slow a vectorised answer down past its budget.
The thread's clock, not the process's: the process clock ticks in milliseconds in a worker
with a CPU limit, and work that NumPy hands to other threads (BLAS) is work a vectorised
answer does not pay for in this budget; a Python loop runs on the calling thread.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

CPU_ATTRIBUTE = "_nndl_cpu_seconds"
"""The attribute the grading engine's worker answers with the CPU seconds of the last call
(``autograder.engine.worker.CPU_ATTRIBUTE``, the same name)."""


def cpu_seconds(call: Callable[[], Any], owner: Any) -> tuple[Any, float]:
    """``(call(), the CPU seconds it took)``. ``owner`` is the student object or function the
    call goes to (for a method, the object), which the grading engine asks for its figure."""
    start = time.thread_time()
    value = call()
    here = time.thread_time() - start
    try:
        there = getattr(owner, CPU_ATTRIBUTE, None)
    except Exception:  # noqa: BLE001 - an object whose __getattr__ raises: use this side's figure
        there = None
    if type(there) is float and math.isfinite(there) and there >= 0:
        return value, max(here, there)
    return value, here


def within_budget(call: Callable[[], Any], owner: Any, budget: float,
                  tries: int = 3) -> tuple[Any, float]:
    """``(value, seconds)`` of ``call()``; when the call takes more than ``budget`` CPU
    seconds it is run again, up to ``tries`` times in all, and the smallest figure counts
    (a one-off hiccup does not fail a check). The caller compares the figure with the budget."""
    value, best = cpu_seconds(call, owner)
    for _ in range(tries - 1):
        if best <= budget:
            break
        value, seconds = cpu_seconds(call, owner)
        best = min(best, seconds)
    return value, best
