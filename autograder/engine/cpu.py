"""The CPU time a worker has used, read by the grader from ``/proc``: never a figure the
student's code computes or can change.

``cpu_seconds(pid)`` sums the process ``pid`` and everything below it (bubblewrap's init, the
worker, any process the student starts): for each live process, every thread's time (live
ones from ``/proc/<pid>/task/<tid>/schedstat`` in nanoseconds; ended ones are in the
process's own figure in ``/proc/<pid>/stat``, in clock ticks) and the time of its children
that have ended and been waited for. A loop run in a helper thread, a child process, or
under a patched clock is counted like any other. The checks take the difference of two
readings around one call (``autograder.checks.timing``).
"""

from __future__ import annotations

import os
from typing import Optional

_TICK = 1.0 / (os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100)


def _stat_fields(pid: int) -> Optional[list[bytes]]:
    """The fields of ``/proc/<pid>/stat`` after the command's name (state is field 0)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    return data[data.rfind(b")") + 2:].split()


def _threads_ns(pid: int) -> int:
    """The live threads' CPU time, in nanoseconds (``schedstat``'s first field)."""
    total = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as fh:
                total += int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total


def _children(pid: int) -> list[int]:
    """The live children of ``pid`` (every thread's ``children`` list)."""
    out: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                out.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return out


def process_seconds(pid: int) -> Optional[float]:
    """CPU seconds of one process: its threads (the larger of the exact figure of the live
    ones and the tick figure that includes ended ones) and its waited-for children; None
    when it does not exist."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 14:
        return None
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    own = max((utime + stime) * _TICK, _threads_ns(pid) / 1e9)
    return own + (cutime + cstime) * _TICK


def cpu_seconds(pid: int) -> Optional[float]:
    """CPU seconds used so far by ``pid`` and every process below it (all threads, children
    included); None when ``pid`` does not exist or ``/proc`` cannot be read (not Linux)."""
    total = process_seconds(pid)
    if total is None:
        return None
    seen, todo = {pid}, _children(pid)
    while todo:
        child = todo.pop()
        if child in seen:
            continue
        seen.add(child)
        figure = process_seconds(child)
        if figure is not None:
            total += figure
            todo.extend(_children(child))
    return total
