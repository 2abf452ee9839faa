"""What one worker may use: ``Limits``, the wall clock, CPU, memory, processes, output and
restarts of an exercise, and the sandbox mode it asks for.

The worker applies the resource limits to itself (``confine.set_limits``), hard = soft, before
it imports the student's file; the grader applies the wall clock (``process.WorkerProcess``)
and the restarts (``session.Session``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

MODES = ("bwrap", "uid", "none")
"""The sandbox modes (``modes.py`` says what each does); ``Limits.sandbox`` names one or None."""


@dataclass(frozen=True)
class Limits:
    """What one worker may use. The defaults suit grading; tests use small ones."""

    timeout: float = 60.0
    """Wall-clock seconds for the import and for each call; an exercise gets at most
    ``(max_restarts + 1) * timeout`` in all."""
    cpu: Optional[float] = None
    """CPU seconds per worker process; ``None`` means ``timeout``."""
    memory_mb: int = 1024
    """Address space of a worker (RLIMIT_AS), in MB."""
    nproc: int = 64
    """Processes (and threads) the worker's user may have (RLIMIT_NPROC, counted per uid)."""
    output_bytes: int = 64_000
    """The student's stdout and stderr kept per worker; the rest is counted and dropped."""
    sandbox: Optional[str] = None
    """``bwrap``, ``uid`` or ``none``; ``None`` means ``$NNDL_SANDBOX`` or the best available."""
    max_restarts: int = 3
    """Fresh workers an exercise may get after a worker dies or times out."""
    fsize_mb: int = 64
    """Largest file a worker may write (RLIMIT_FSIZE), in MB."""

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive, got {self.timeout}")
        if self.cpu is not None and self.cpu <= 0:
            raise ValueError(f"cpu must be positive, got {self.cpu}")
        if self.memory_mb < 128:
            raise ValueError(f"memory_mb must be at least 128 (Python and NumPy need about 100 MB), "
                             f"got {self.memory_mb}")
        if self.nproc < 1 or self.output_bytes < 0 or self.max_restarts < 0 or self.fsize_mb < 1:
            raise ValueError(f"nproc, fsize_mb must be >= 1 and output_bytes, max_restarts >= 0; got "
                             f"nproc={self.nproc}, fsize_mb={self.fsize_mb}, "
                             f"output_bytes={self.output_bytes}, max_restarts={self.max_restarts}")
        if self.sandbox is not None and self.sandbox not in MODES:
            raise ValueError(f"sandbox must be one of {', '.join(MODES)}, got {self.sandbox!r}")

    @property
    def cpu_seconds(self) -> int:
        """The CPU limit in whole seconds (RLIMIT_CPU takes integers)."""
        return max(1, math.ceil(self.cpu if self.cpu is not None else self.timeout))


GRADER_RESERVE_MB = 256
"""Memory kept for the grader itself (Python, NumPy, the checks) when workers are sized."""


def fit_workers(limits: Limits, available_mb: Optional[int], wanted: int,
                jobs: int = 1) -> tuple[Limits, int, str]:
    """Size the workers to the memory there is: ``wanted`` workers at once in each of
    ``jobs`` grading processes, each with a memory limit that holds for its whole tree. Fewer
    workers at once first, then less memory each; the limits, the workers at once per grading
    process, and the plan in words."""
    from dataclasses import replace

    if available_mb is None:
        return limits, wanted, "memory: unknown here; workers are not sized"
    room = max(available_mb - GRADER_RESERVE_MB * jobs, 128 * jobs)
    per_job = room // jobs
    n = max(1, min(wanted, per_job // limits.memory_mb))
    memory = min(limits.memory_mb, max(128, per_job // n))
    text = (f"memory: {available_mb} MB here; {jobs} x {n} worker(s) at once of {memory} MB "
            f"(asked: {jobs} x {wanted} of {limits.memory_mb} MB)")
    return (replace(limits, memory_mb=memory) if memory != limits.memory_mb else limits), n, text
