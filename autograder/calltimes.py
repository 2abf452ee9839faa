"""Per-call time limits from what the reference needs: each check's calls may take a generous
multiple of the time the reference solution takes for the whole check, never less than a
floor and never more than ``Limits.timeout``. One endless loop then costs seconds, not the
minute a call may take at most (and the engine fails the exercise's remaining calls to the
same function at once: the ``timed_out`` table of a ``Session``).

The reference is graded once through the engine, in the grading context's sandbox, and the
CPU time of each check is kept (wall time where the host counts no CPU time), in a cache file
keyed by the checks' fingerprint, the reference's files and the sandbox mode. Where there is
no reference (an installed grader, the Gradescope image) or the limits are small anyway,
there are no per-call limits.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Optional

from .course import REPO_ROOT
from .files import write_atomic

MULTIPLE = 20.0
"""A call may take this many times what the reference needs for its whole check."""

FLOOR = 10.0
"""Seconds a call may always take, whatever the reference needs (a slow or loaded machine)."""

log = logging.getLogger("autograder.calltimes")


def cache_file() -> Path:
    """Where measured reference times are kept (``$NNDL_CACHE`` or ``~/.cache``)."""
    base = os.environ.get("NNDL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nndl-autograder")
    return Path(base) / "reference-times.json"


def limit_for(seconds: float, timeout: float) -> float:
    """The per-call limit for a check the reference runs in ``seconds``; ``ValueError`` on a
    negative time or a non-positive timeout."""
    if seconds < 0 or timeout <= 0:
        raise ValueError(f"seconds must be >= 0 and timeout > 0, got seconds={seconds}, "
                         f"timeout={timeout}")
    return min(timeout, max(FLOOR, MULTIPLE * seconds))


def call_limits(context: Any) -> dict[str, float]:
    """``{"<exercise>/<check>": seconds}`` for a ``grading.GradingContext`` (its chapter,
    limits, sandbox, fingerprint): the per-call limit of each check whose reference time is
    known; {} when the limits are no larger than the floor or there is no reference."""
    if context.limits.timeout <= FLOOR:
        return {}
    times = reference_times(context)
    return {key: limit_for(t, context.limits.timeout) for key, t in times.items()}


def reference_times(context: Any) -> dict[str, float]:
    """The seconds each check takes on the reference (CPU time where counted), measured once
    per fingerprint and kept in ``cache_file()``; {} without a reference."""
    folder = REPO_ROOT / "solutions" / context.chapter.id
    if not folder.is_dir():
        return {}
    import hashlib

    digest = hashlib.sha256()
    for f in sorted(folder.glob("*.py")):
        digest.update(f.name.encode() + b"\0" + f.read_bytes())
    key = f"{context.fingerprint}:{digest.hexdigest()[:16]}:{context.sandbox.mode}"
    path = cache_file()
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cached = {}
    if isinstance(cached, dict) and isinstance(cached.get(key), dict):
        return {k: float(v) for k, v in cached[key].items()}
    times = _measure(context, folder)
    if times:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            cached = cached if isinstance(cached, dict) else {}
            cached[key] = times
            write_atomic(path, json.dumps(cached, indent=1, sort_keys=True))
        except OSError as exc:
            log.warning("reference times not cached (%s)", exc)
    return times


def _measure(context: Any, folder: Path) -> dict[str, float]:
    from .check import run_cases
    from .checks.runner import load_check_file
    from .engine import Session, cpu_seconds

    times: dict[str, float] = {}
    for exercise in context.chapter.exercises:
        if not (folder / exercise.code).is_file():
            continue
        cases = load_check_file(exercise.check_file).cases
        with Session(folder, exercise.code, context.limits, context.sandbox) as session:
            try:
                session.start()
            except Exception as exc:  # noqa: BLE001 - no limits for this exercise then
                log.warning("the reference of %s did not import: %s", exercise.id, exc)
                continue
            for case in cases:
                cpu0 = _cpu(session, cpu_seconds)
                wall0 = time.monotonic()
                result = run_cases(session, [case])[0]
                cpu1 = _cpu(session, cpu_seconds)
                spent = (cpu1 - cpu0) if cpu0 is not None and cpu1 is not None \
                    else time.monotonic() - wall0
                if result.passed:  # a check the reference fails says nothing of its time
                    times[f"{exercise.id}/{case.name}"] = round(max(spent, 0.0), 4)
    log.info("reference times measured for %d checks", len(times))
    return times


def _cpu(session, cpu_seconds) -> Optional[float]:
    worker = getattr(session, "worker", None)
    return cpu_seconds(worker) if worker is not None else None
