"""Every exception of the engine, in one place.

Choosing a sandbox (``detect.py``):
  ``SandboxError``  a mode cannot work here (a forced one, or none at all).
A worker process (``process.py``):
  ``WorkerGone``    the worker died, timed out or broke the protocol.
What the checks see (``session.py``):
  ``StudentError``  the student's code raised (``student_error`` makes one that is also the
                    built-in exception type the student raised);
  ``WorkerLost``    a call timed out or the worker died (a ``BaseException``);
  ``ExerciseOver``  no more workers for this exercise (a ``BaseException``);
  ``ImportFailed``  the student's file could not be imported.
The codec (``wire.py``):
  ``WireError``     a value cannot be encoded or a message is not valid. ``wire.py`` defines it,
                    because it also runs alone inside the sandbox; it is re-exported here.
"""

from __future__ import annotations

import builtins

from .wire import WireError

__all__ = ["ExerciseOver", "ImportFailed", "SandboxError", "StudentError", "WireError",
           "WorkerGone", "WorkerLost", "student_error"]


class SandboxError(RuntimeError):
    """A sandbox mode cannot work here; the message says why and what to do."""


class WorkerGone(Exception):
    """The worker is dead or stopped answering; ``reason`` says how, ``kind`` classifies it
    (``timeout``, ``cpu``, ``exit``, ``signal``, ``protocol``, ``setup``)."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.reason, self.kind = reason, kind


class StudentError(Exception):
    """The student's code raised; the message is the worker's account (type, message, line),
    on one line, as a check that reads it expects.

    ``nndl_message`` is that account with ``nndl_detail`` after it (the student's frames the
    error passed through, the call the check made): whoever describes a failed case shows it
    as it is (``checks.runner.describe_exception`` looks for it without importing the
    engine)."""

    nndl_detail = ""

    @property
    def nndl_message(self) -> str:
        return str(self) + self.nndl_detail


class WorkerLost(BaseException):
    """The worker timed out or died during a call; the case that made the call fails."""


class ExerciseOver(BaseException):
    """No more workers for this exercise (restarts or time used up); the case is not run."""


class ImportFailed(Exception):
    """The student's file could not be imported; every case of the exercise fails with this."""


_error_types: dict[str, type] = {}


def student_error(type_name: str, message: str, detail: str = "") -> StudentError:
    """A ``StudentError`` that is also an instance of the student's exception type when that is
    a built-in ``Exception`` (so ``except ValueError`` in a check works as in-process)."""
    cls = _error_types.get(type_name)
    if cls is None:
        base = getattr(builtins, type_name, None) if type_name.isidentifier() else None
        cls = StudentError
        if isinstance(base, type) and issubclass(base, Exception) and base is not Exception:
            try:
                cls = type(type_name, (StudentError, base), {})
            except TypeError:  # an incompatible layout (OSError and a few others)
                cls = StudentError
            _error_types[type_name] = cls  # only built-in names: the cache stays small
    err = cls(message)
    err.nndl_detail = detail
    return err
