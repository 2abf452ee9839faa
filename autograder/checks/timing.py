"""CPU time of calls into student code, measured where the student's code cannot reach it,
and the vectorisation rule judged by how that time grows.

Under the grading engine a call runs in a worker process: the grader reads the worker's CPU
time from ``/proc`` before and after the call (``Session.cpu_reading``: every thread and
child process of the worker), so a loop run in a helper thread, in a child process or under
a patched clock is counted like any other. In the student's local check and the project's
tests the code runs in this process: the figure is this process's (and its children's) CPU
time, read from ``/proc`` where there is one, else from ``time.process_time`` as it was
before any student code was imported.

CPU time, not wall-clock time, so a busy machine does not slow a vectorised answer down past
its budget. A budget is never one absolute figure: ``growth`` times a call at a small and a
large size of the one dimension a loop must not run over (the batch, the channels, the
output pixels), with little arithmetic per unit, and charges the difference per unit. A
vectorised answer pays nanoseconds per unit, however it is vectorised (im2col, strides, FFT);
a Python loop pays at least a microsecond per step.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from typing import Any, Callable, Optional

from .readonly import target_of

_process_time = time.process_time  # this module's copy: a student's patch of time changes nothing



def _engine(name: str) -> Any:
    """An engine module when the engine is there (the grader, the tests, the handout's local
    check), else None: the checks' helpers do not need it (the build ships them alone), so it
    is looked up at run time, not imported."""
    module = sys.modules.get(f"autograder.engine.{name}")
    if module is None:
        try:
            module = importlib.import_module(f"autograder.engine.{name}")
        except ImportError:  # pragma: no cover - a copy of the checks without the engine
            return None
    return module

CPU_ATTRIBUTE = "_nndl_cpu_seconds"
"""The attribute the grading engine's worker answers with the CPU seconds of the last call as
it measured them (``autograder.engine.worker.CPU_ATTRIBUTE``); no budget relies on it."""


def _session(owner: Any) -> Any:
    """The engine session a proxy belongs to, or None for an object in this process (a
    proxy exists only once the engine's ``proxy`` module is loaded)."""
    proxy = sys.modules.get("autograder.engine.proxy")
    if proxy is None:
        return None
    owner = target_of(owner)
    if isinstance(owner, proxy.StudentMethod):
        owner = object.__getattribute__(owner, "_nndl_obj")
    if isinstance(owner, proxy.StudentObject):
        return object.__getattribute__(owner, "_nndl_session")
    return None


def _reading(session: Any) -> Any:
    """The CPU time so far of the process that runs the student's code: a ``proctime.Reading``,
    or a float of seconds where ``/proc`` cannot be read."""
    if session is not None:
        figure = session.cpu_reading()
        if figure is not None:
            return figure
    cpu = _engine("proctime")
    if cpu is not None:
        figure = cpu.reading(os.getpid())
        if figure is not None:
            return figure
    return _process_time()


def _between(start: Any, end: Any) -> float:
    if isinstance(start, tuple) and isinstance(end, tuple):
        return _engine("proctime").seconds_between(start, end)
    if isinstance(start, float) and isinstance(end, float):
        return max(end - start, 0.0)
    return 0.0  # the worker changed in between (lost and restarted): the call failed anyway


def cpu_seconds(call: Callable[[], Any], owner: Any) -> tuple[Any, float]:
    """``(call(), the CPU seconds it took)``. ``owner`` is the student object or function the
    call goes to (for a method, the object): the engine reads the CPU time of its worker."""
    session = _session(owner)
    start = _reading(session)
    value = call()
    return value, _between(start, _reading(session))


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


def growth(small: Callable[[], Any], large: Callable[[], Any], owner: Any, units: tuple[int, int],
           per_unit: float, tries: int = 3) -> tuple[Any, float, float, float]:
    """How a call's CPU time grows with one dimension: ``small()`` and ``large()`` do the same
    work at ``units[0]`` and ``units[1]`` units of that dimension. Returns ``(large()'s value,
    seconds per unit, small's seconds, large's seconds)``, the smallest of up to ``tries``
    measurements of each (measured again only while over ``per_unit``); the caller compares
    the figure per unit with ``per_unit``."""
    if units[1] <= units[0]:
        raise ValueError(f"growth needs more units in the large call, got {units[0]} and {units[1]}")
    _, t_small = cpu_seconds(small, owner)
    value, t_large = cpu_seconds(large, owner)
    rate = max(t_large - t_small, 0.0) / (units[1] - units[0])
    for _ in range(tries - 1):
        if rate <= per_unit:
            break
        t_small = min(t_small, cpu_seconds(small, owner)[1])
        value, seconds = cpu_seconds(large, owner)
        t_large = min(t_large, seconds)
        rate = max(t_large - t_small, 0.0) / (units[1] - units[0])
    return value, rate, t_small, t_large


PER_UNIT_BUDGET = 0.8e-6
"""CPU seconds a call may take per unit of a dimension no loop may run over, on inputs with
almost no arithmetic per unit (a 1x1 kernel on 1x1 images, 2x2 windows). Measured here
(``benchmarks/bench_vectorised.py`` prints the figures, on a machine shared by several
jobs): the references and the right styles take 0.01 to 0.17 microseconds a unit, an FFT
convolution 0.3; the leanest Python loops (an im2col built window by window, the seed
answer's) 2.4 to 2.9, ordinary ones 5 to 160."""

UNITS = (25, 3969)
"""The small and the large size of the dimension a vectorisation check grows: squares (5 x 5
and 63 x 63 pixels for the pixels) whose sides n and 2n - 1 have only small prime factors
(63 and 125), so that an FFT of any natural size is fast: a 1 x 4096 row made an FFT of
8,191 points (a prime), 64 x 64 one of 127 x 127 (a prime), at about 1 microsecond a pixel."""


def side(units: int) -> int:
    """The side of a square image of ``units`` pixels (``UNITS`` are squares)."""
    root = int(round(units ** 0.5))
    if root * root != units:
        raise ValueError(f"{units} pixels make no square image")
    return root


def assert_vectorised(small: Callable[[], Any], large: Callable[[], Any], owner: Any,
                      units: tuple[int, int], what: str, unit: str, dimension: str,
                      per_unit: float = PER_UNIT_BUDGET) -> Any:
    """Fail unless ``large()`` costs at most ``per_unit`` CPU seconds more than ``small()``
    per unit of ``dimension`` (``units`` of them, named ``unit`` in the message); return
    ``large()``'s value. ``what`` names the call."""
    value, rate, t_small, t_large = growth(small, large, owner, units, per_unit)
    if rate > per_unit:
        raise AssertionError(
            f"{what} took {rate * 1e6:.2f} microseconds of CPU time per {unit} more, from "
            f"{units[0]:,} to {units[1]:,} {unit}s ({t_small * 1e3:.2f} ms, then "
            f"{t_large * 1e3:.2f} ms), expected at most {per_unit * 1e6:g} microseconds: a "
            f"vectorised answer takes under 0.35, a Python loop over {dimension} at least 2. "
            f"Vectorise: no Python loop over the batch, the channels or the output pixels.\n"
            f"{what} 每多一个 {unit} 多用 {rate * 1e6:.2f} 微秒 CPU 时间(从 {units[0]:,} 到 "
            f"{units[1]:,});上限为 {per_unit * 1e6:g} 微秒:向量化的实现不到 0.35,对 {dimension} "
            f"的 Python 循环至少 2。请向量化:不要对批量、通道或输出像素写 Python 循环。")
    return value
