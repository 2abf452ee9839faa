"""How a student's exception is told: its type (with the built-in types it extends), its
message, and where in the student's files, innermost frame first and then every frame of the
student's code it passed through, outermost first.

The grader's workers, the local check (whose worker runs in the student's process), the
submission zip's syntax check (``collect.syntax_error``) and the notebooks' examples use
``describe_exception``. It is not the only one: ``checks.runner.describe_exception`` tells the
exceptions of check files loaded in-process (the pytest plugin and the project's tests).

This file runs inside the sandbox next to ``worker.py`` (standard library only); it binds what it
uses before any student code runs.
"""

from __future__ import annotations

import builtins
import os
import traceback
# The student's code may replace built-ins; these are the originals.
from builtins import (  # noqa: A004 - deliberately shadowing with the same objects
    BaseException, Exception, MemoryError, ModuleNotFoundError, NotImplementedError,
    RecursionError, SyntaxError, SystemExit, isinstance, issubclass, len, max, object, str, type)
from typing import Optional

_BUILTIN_NAMES = dict(vars(builtins))  # the built-ins as they are before any student code runs
_extract_tb = traceback.extract_tb
_basename, _dirname, _abspath = os.path.basename, os.path.dirname, os.path.abspath


_mro_of = type.__dict__["__mro__"].__get__
_name_of = type.__dict__["__name__"].__get__


def _builtin(cls) -> bool:
    return _BUILTIN_NAMES.get(_name_of(cls)) is cls


def exception_label(exc: BaseException) -> str:
    """The name of the exception's type, and when that type is not built-in, its nearest
    built-in base types in parentheses: ``ValueError``, ``ShapeError(ValueError)``,
    ``AxisError(ValueError,IndexError)``; ``Oops`` when it extends ``Exception`` only."""
    cls = type(exc)
    name = _name_of(cls)
    if _builtin(cls):
        return name
    kept = []
    for base in _mro_of(cls):
        if base in (BaseException, Exception, object) or not _builtin(base):
            continue
        for k in kept:
            if issubclass(k, base):
                break
        else:
            kept.append(base)
    return f"{name}({','.join(_name_of(k) for k in kept)})" if kept else name


def student_frames(tb, folder: str):
    """The frames of a traceback that run code of the student's files (those in ``folder``),
    outermost first."""
    return [f for f in _extract_tb(tb) if _dirname(_abspath(f.filename)) == folder]


def describe_exception(exc: BaseException, folder: str, filename: str,
                       memory_mb: Optional[int] = None, chain: bool = True) -> str:
    """Type, message and where in the student's files, as ``runner.describe_exception``: the
    innermost frame of the student's code on the first line, then (unless ``chain`` is
    false), when the error passed through several of the student's functions, each of them,
    outermost first (``frame_chain``).

    The grader's workers, the local check and the notebooks' examples use it; check files run
    in-process use ``checks.runner.describe_exception`` instead."""
    frames = student_frames(exc.__traceback__, folder)
    if not chain:
        frames = frames[-1:]
    if isinstance(exc, SyntaxError) and not frames:
        where = f"{_basename(exc.filename or filename)}, line {exc.lineno}"
        text = (exc.text or "").rstrip("\n")
        caret = ""
        if text and exc.offset:
            indent = len(text) - len(text.lstrip())
            caret = "\n    " + " " * max(exc.offset - 1 - indent, 0) + "^"
        return f"SyntaxError in {where}: {exc.msg}\n    {text.strip()}{caret}"
    if isinstance(exc, ModuleNotFoundError):
        name = exc.name or str(exc)
        return (f"ModuleNotFoundError: No module named {name!r}. Only NumPy and the Python "
                f"standard library are available to your code: remove the import of {name!r}.")
    if isinstance(exc, MemoryError):
        limit = f" (limit {memory_mb} MB)" if memory_mb else ""
        return f"MemoryError: ran out of memory{limit}{_where(frames)}"
    if isinstance(exc, RecursionError):
        return f"RecursionError: {exc}{_where(frames, chain=False)}"
    if isinstance(exc, NotImplementedError):
        text = str(exc)
        if "TODO" in text:  # the stub's own words say it all; its line is the raise itself
            return f"NotImplementedError: {text}{_where(frames, quote=False)}"
        return (f"NotImplementedError: {text} (this part is still the stub: fill in its TODO "
                f"block){_where(frames)}")
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r}){_where(frames)}"
    try:
        text = str(exc)
    except BaseException:  # noqa: BLE001 - a student __str__ may raise
        text = "<the exception's message could not be read>"
    return f"{type(exc).__name__}: {text[:2000]}{_where(frames)}"


_MAX_FRAMES = 8
"""Most frames of the student's code listed for one exception (the outermost and innermost
are kept)."""


def _frame_text(f, quote: bool = True) -> str:
    line = (f.line or "").strip()[:200]
    return f"{_basename(f.filename)}, line {f.lineno}, in {f.name}" + (f": {line}" if quote and line else "")


def _where(frames, quote: bool = True, chain: bool = True) -> str:
    """`` (in ex5_7.py, line 40, in conv_forward: <line>)`` for the innermost frame, and the
    student's frames the error passed through, outermost first, when there are several."""
    if not frames:
        return ""
    return f" (in {_frame_text(frames[-1], quote)})" + (frame_chain(frames) if chain else "")


def frame_chain(frames) -> str:
    """The student's frames an error passed through, outermost first, on lines of their own;
    "" for one frame or none (the first line of the account names it)."""
    if len(frames) < 2:
        return ""
    shown = frames if len(frames) <= _MAX_FRAMES else \
        frames[:_MAX_FRAMES // 2] + [None] + frames[-(_MAX_FRAMES // 2):]
    lines = [f"      {_frame_text(f)}" if f is not None else
             f"      ... {len(frames) - _MAX_FRAMES} more ..." for f in shown]
    return "\n    through your code, outermost call first / 经过你的代码(从最外层调用开始):\n" \
        + "\n".join(lines)
