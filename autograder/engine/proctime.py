"""The CPU time a worker has used, read by the grader from ``/proc`` around one call: never a
figure the student's code computes or can change. (The time limits count the worker's CPU
cgroup instead, where the host gives one: ``cputime.py``.)

``cpu_seconds(pid)`` sums the process ``pid`` and everything below it (bubblewrap's init, the
worker, any process the student starts): for each live process, every thread's time (live
ones from ``/proc/<pid>/task/<tid>/schedstat`` in nanoseconds; ended ones are in the
process's own figure in ``/proc/<pid>/stat``, in clock ticks) and the time of its children
that have ended and been waited for. A loop run in a helper thread, a child process, or
under a patched clock is counted like any other. The checks take ``seconds_between`` two
``reading``s around one call (``autograder.checks.timing``): exact for live threads; work of
threads or processes that end within the call is seen through the tick figures, so at most
two ticks (20 ms) of it can go unseen.
"""

from __future__ import annotations

import os
from typing import Any, Optional

_TICK = 1.0 / (os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100)


def _stat_fields(pid: int) -> Optional[list[bytes]]:
    """The fields of ``/proc/<pid>/stat`` after the command's name (state is field 0)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    return data[data.rfind(b")") + 2:].split()


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


def _process(pid: int) -> Optional[tuple[float, dict[int, int]]]:
    """One process: (its CPU seconds from the tick figures, threads ended and waited-for
    children included; {thread id: nanoseconds} of its live threads); None when gone."""
    fields = _stat_fields(pid)
    if fields is None or len(fields) < 15:
        return None
    utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
    threads: dict[int, int] = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        tids = []
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", "rb") as fh:
                threads[int(tid)] = int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return (utime + stime + cutime + cstime) * _TICK, threads


Reading = tuple[float, dict[int, int]]
"""A process tree's CPU time at one moment: (seconds in clock ticks, all of it; {thread id:
nanoseconds} of every live thread)."""


def reading(pid: int) -> Optional[Reading]:
    """The CPU time of ``pid`` and every process below it, now; None when ``pid`` does not
    exist or ``/proc`` cannot be read (not Linux)."""
    first = _process(pid)
    if first is None:
        return None
    ticks, threads = first[0], dict(first[1])
    seen, todo = {pid}, _children(pid)
    while todo:
        child = todo.pop()
        if child in seen:
            continue
        seen.add(child)
        got = _process(child)
        if got is not None:
            ticks += got[0]
            threads.update(got[1])
            todo.extend(_children(child))
    return ticks, threads


def seconds_between(before: Reading, after: Reading) -> float:
    """CPU seconds used between two readings of one tree: the live threads' exact figures
    (a thread's growth, or all of a new one's), plus what the tick figures show beyond them
    by more than a tick either way (threads and processes that ended in between)."""
    exact = sum(max(ns - before[1].get(tid, 0), 0) for tid, ns in after[1].items()) / 1e9
    # the ticks grew by that, plus the time after ``before`` of what ended in between (each
    # tick figure is cut down to a whole tick: two ticks of noise in a difference)
    extra = (after[0] - before[0]) - exact
    return exact + (extra if extra > 2 * _TICK else 0.0)


def cpu_seconds(pid: int) -> Optional[float]:
    """CPU seconds used so far by ``pid`` and every process below it (all threads, children
    included); None when ``pid`` does not exist or ``/proc`` cannot be read (not Linux)."""
    now = reading(pid)
    if now is None:
        return None
    return max(now[0], sum(now[1].values()) / 1e9)


def of_worker(worker: Any) -> Optional[Reading]:
    """``reading`` of a worker's tree (its ``proc``; in the local mode the worker is this
    process); None without a worker."""
    if worker is None:
        return None
    proc = getattr(worker, "proc", None)
    return reading(proc.pid if proc is not None else os.getpid())
