"""The CPU time of a worker's whole tree, where the host counts it: what the time limits that
decide points count (``session.Session``), the wall clock being only a backstop.

A worker's CPU group (``cgroups.py``: v2 ``cpu.stat``, v1 ``cpuacct.usage``) holds every
process the worker started, those that left its session or were re-parented included. Where
the host gives the worker no CPU group, there is no reading: the limits count wall time.
"""

from __future__ import annotations

import os
import time
from typing import Any, Optional

WALL_FACTOR = 3.0
"""Where a worker's CPU time is counted, a time limit counts CPU seconds of its whole tree,
and the wall clock stops it only at this multiple of the limit (a worker that sleeps, or
waits on a machine too loaded to run it)."""


def group_seconds(dirs: dict[str, str], v2: bool) -> Optional[float]:
    """The CPU seconds used by the processes of one worker's groups (``dirs``: role -> the
    worker's folder); None without a CPU group or when it cannot be read."""
    try:
        if v2 and "cpu" in dirs:
            with open(os.path.join(dirs["cpu"], "cpu.stat")) as fh:
                for line in fh:
                    if line.startswith("usage_usec "):
                        return int(line.split()[1]) / 1e6
        elif "cpuacct" in dirs:
            with open(os.path.join(dirs["cpuacct"], "cpuacct.usage")) as fh:
                return int(fh.read()) / 1e9
    except (OSError, ValueError):
        pass
    return None


def cpu_seconds(worker: Any) -> Optional[float]:
    """The CPU time the worker's whole tree has used so far, in seconds, from its CPU cgroup;
    None where the host gives it none (then the limits count wall time)."""
    groups = getattr(worker, "groups", None)
    return groups.cpu_seconds() if groups is not None else None


def counted(worker: Any) -> bool:
    """Whether the worker's CPU time is counted (it has a CPU group), without reading it."""
    groups = getattr(worker, "groups", None)
    return groups is not None and bool({"cpu", "cpuacct"} & set(groups.dirs))


class Watch:
    """Whether one wait's ``limit`` of CPU seconds is used up, at little cost: a worker's
    group has at most one core (``cgroups.py``), so its tree cannot use more CPU seconds than
    wall seconds pass, and nothing is read for a wait shorter than ``QUIET`` seconds; the
    first reading comes after it (the CPU used before, at most ``QUIET``, is not counted)."""

    QUIET = 0.05

    def __init__(self, worker: Any, limit: Optional[float]) -> None:
        self.worker, self.limit = worker, limit
        self.began = time.monotonic()
        self.base: Optional[float] = None
        self.base_at = 0.0

    def exceeded(self) -> bool:
        if self.limit is None:
            return False
        now = time.monotonic()
        if self.base is None:
            if now - self.began >= self.QUIET:
                self.base, self.base_at = cpu_seconds(self.worker), now
                if self.base is None:  # not counted after all
                    self.limit = None
            return False
        if now - self.base_at < self.limit:  # one core at most: the limit cannot be used up yet
            return False
        used = cpu_seconds(self.worker)
        return used is not None and used - self.base > self.limit
