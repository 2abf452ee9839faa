"""Every exception of the engine, in one place.

Choosing a sandbox (``detect.py``):
  ``SandboxError``  a mode cannot work here (a forced one, or none at all).
A worker process (``process.py``):
  ``WorkerGone``    the worker died, timed out or broke the protocol.
What the checks see (``session.py``):
  ``StudentError``  the student's code raised (``student_error`` makes one named after the
                    student's type that is also the built-in exception types it extends);
  ``WorkerLost``    a call timed out or the worker died (a ``BaseException``);
  ``ExerciseOver``  no more workers for this exercise (a ``BaseException``);
  ``ImportFailed``  the student's file could not be imported.
The codec (``wire.py``):
  ``WireError``     a value cannot be encoded or a message is not valid. ``wire.py`` defines it,
                    because it also runs alone inside the sandbox; it is re-exported here.
"""

from __future__ import annotations

import builtins
from typing import Optional

from . import wire
from .wire import WireError

__all__ = ["ExerciseOver", "ImportFailed", "NAME_CHARS", "SandboxError", "StudentError", "TEXT_CHARS",
           "WireError", "WorkerGone", "WorkerLost", "bounded", "decode_reply", "student_error"]

TEXT_CHARS = 4000
"""The most of one text a worker sends (an exception's message, its frames, why it could not
import) that the grader keeps; the rest is cut, and the cut says so."""

NAME_CHARS = 200
"""The most of one name a worker sends (a type, a global, an exception type) the grader keeps."""


def bounded(text: object, limit: int = TEXT_CHARS) -> str:
    """``text`` as a string of at most about ``limit`` characters, marked where it was cut. The
    grader applies it to every text a worker sends, whatever the worker cut itself."""
    text = text if isinstance(text, str) else str(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f" [... {len(text) - limit:,} more characters cut]"


class SandboxError(RuntimeError):
    """A sandbox mode cannot work here; the message says why and what to do."""


class WorkerGone(Exception):
    """The worker is dead or stopped answering; ``reason`` says how, ``kind`` classifies it
    (``timeout``, ``cpu``, ``exit``, ``signal``, ``protocol``, ``setup``)."""

    def __init__(self, reason: str, kind: str) -> None:
        super().__init__(reason)
        self.reason, self.kind = reason, kind


def decode_reply(data: bytes) -> tuple:
    """A worker's message decoded as a reply (a tuple led by its kind); ``WorkerGone``
    (``protocol``) when it cannot be read or is not one."""
    try:
        msg = wire.decode(data, wire.no_handles)
    except WireError as exc:
        raise WorkerGone(f"the worker sent a message the grader cannot read ({exc})",
                         "protocol") from None
    if not isinstance(msg, tuple) or not msg or not isinstance(msg[0], str):
        raise WorkerGone("the worker sent a message that is not a reply", "protocol")
    return msg


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


_error_types: dict[tuple, type] = {}
_MAX_ERROR_TYPES = 512


def _builtin_error(name: str) -> Optional[type]:
    """The built-in ``Exception`` subclass called ``name`` (not ``Exception`` itself), or None."""
    base = getattr(builtins, name, None) if name.isidentifier() else None
    if isinstance(base, type) and issubclass(base, Exception) and base is not Exception:
        return base
    return None


def student_error(type_name: str, message: str, detail: str = "") -> StudentError:
    """A ``StudentError`` named after the student's exception type that is also an instance of
    the built-in ``Exception`` types it extends, so that ``except ValueError`` in a check works
    as in-process. ``type_name`` is the worker's label (``worker.exception_label``):
    ``ValueError`` for a built-in type, ``ShapeError(ValueError)`` for a student's (its nearest
    built-in bases in parentheses). ``student_type`` holds the student's type name;
    ``detail`` (the student's frames the exception passed through) is ``nndl_detail``."""
    name, bases = type_name, ()
    if type_name.endswith(")") and "(" in type_name:
        name, _, rest = type_name[:-1].rpartition("(")
        bases = tuple(b for b in (_builtin_error(n) for n in rest.split(",")) if b is not None)
    elif _builtin_error(type_name) is not None:
        bases = (_builtin_error(type_name),)
    name = name.replace("\0", "")[:100] or "Exception"
    message, detail = bounded(message), bounded(detail)
    key = (name, bases)
    cls = _error_types.get(key)
    if cls is None:
        cls = StudentError
        for tried in (bases, bases[:1], ()):  # an incompatible layout (OSError and a few others)
            try:
                cls = type(name, (StudentError,) + tried, {"student_type": name})
                break
            except TypeError:
                continue
        if len(_error_types) < _MAX_ERROR_TYPES:  # student names too: the cache stays bounded
            _error_types[key] = cls
    err = cls(message)
    err.student_type = name
    err.nndl_detail = detail
    return err
