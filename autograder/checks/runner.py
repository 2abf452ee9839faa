"""Load Otter exception-format check files and run their test cases in this process.

This is the light, trusting runner: the pytest plugin, the project's tests and the
student's local check use it. It needs Python and NumPy only (never Otter: a case is
declared with ``cases.check``). ``run_case`` is the one way a case is run; the grading
engine runs the same cases through it, against proxies of code that runs in another process.
"""

from __future__ import annotations

import inspect
import sys
import traceback
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from .cases import case_types, syntax_error_text


@dataclass(frozen=True)
class Case:
    """One test case of a check file."""

    name: str
    points: float
    hidden: bool
    func: Callable[..., None]
    call: Callable[[dict], None]


@dataclass(frozen=True)
class CheckFile:
    """A parsed check file: its Otter ``name`` and its cases in file order."""

    name: str
    path: Path
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case."""

    name: str
    points: float
    hidden: bool
    passed: bool
    message: str

    @property
    def score(self) -> float:
        return self.points if self.passed else 0.0


def load_check_file(path: Path) -> CheckFile:
    """Execute a check file and collect its cases (``@check``) in definition order."""
    path = Path(path)
    env: dict[str, Any] = {"__name__": f"nndl_check_{path.stem}", "__file__": str(path)}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), env)
    if "name" not in env:
        raise ValueError(f"check file {path} does not define 'name'")
    cases = []
    for value in list(env.values()):
        if isinstance(value, case_types()):
            if value.points is None:
                raise ValueError(f"{path}: test case {value.test_func.__name__} has no points")
            cases.append(Case(
                name=value.name or value.test_func.__name__,
                points=float(value.points),
                hidden=bool(value.hidden),
                func=inspect.unwrap(value.test_func),  # the check's own function
                call=value.call_func,
            ))
    return CheckFile(name=env["name"], path=path, cases=tuple(cases))


class StudentLoadError(Exception):
    """The student's file could not be executed; the message says where and why."""


def describe_exception(exc: BaseException, filename: Optional[str] = None) -> str:
    """A one-paragraph account of an exception: type, message and where in ``filename``.
    An exception that carries its own account for the student (``nndl_message``: the engine's
    ``StudentError``, already described by the worker) is shown as it is."""
    told = getattr(exc, "nndl_message", None)
    if isinstance(told, str):
        return told
    if isinstance(exc, SyntaxError):
        return syntax_error_text(exc, exc.filename or filename)
    if isinstance(exc, ModuleNotFoundError):
        return (f"ModuleNotFoundError: No module named {exc.name!r}. Only NumPy and the "
                f"Python standard library are available to your code: remove the import "
                f"of {exc.name!r}.")
    if isinstance(exc, NotImplementedError):
        return f"NotImplementedError: {exc} (this part is still the stub: fill in its TODO block)"
    where = ""
    if filename is not None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if Path(f.filename).name == Path(filename).name]
        if frames:
            f = frames[-1]
            where = f" (in {Path(f.filename).name}, line {f.lineno}, in {f.name}: {(f.line or '').strip()})"
    return f"{type(exc).__name__}: {exc}{where}"


def load_student_file(path: Path) -> dict[str, Any]:
    """Execute a student's file in this process, as a module registered in ``sys.modules``
    (``dataclasses``, ``typing`` and ``pickle`` look a class's module up there, as they do
    for the grading engine's worker), and return its globals.

    Raises ``StudentLoadError`` with a readable message for any failure at import time.
    """
    path = Path(path)
    if not path.is_file():
        raise StudentLoadError(f"{path.name} was not found in the submission")
    source = path.read_bytes()
    module = types.ModuleType(f"student_{path.stem}")
    module.__file__ = str(path)
    env: dict[str, Any] = module.__dict__
    sys.modules[module.__name__] = module
    try:
        code = compile(source, str(path), "exec")
        exec(code, env)
    except SystemExit as exc:
        raise StudentLoadError(f"{path.name} called sys.exit({exc.code}) while being imported") from None
    except BaseException as exc:  # noqa: BLE001 - anything student code raises is reported
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise StudentLoadError(f"{path.name} failed to import: {describe_exception(exc, str(path))}") from None
    return env


def run_case(case: Case, env: dict[str, Any], filename: Optional[str] = None) -> CaseResult:
    """Run one case against ``env``: the one way a case is run, on the engine's proxies (the
    grader, the local check, the pytest plugin) or on a namespace in this process (the
    project's tests). An ``AssertionError`` or any other exception fails it with a readable
    message; a ``BaseException`` that is not an ``Exception`` (the engine's lost worker,
    Ctrl-C) goes up to the caller."""
    try:
        case.call(env)
    except AssertionError as exc:
        message = str(exc) or "assertion failed"
        return CaseResult(case.name, case.points, case.hidden, False, message)
    except Exception as exc:  # noqa: BLE001 - the student's exception fails this case only
        return CaseResult(case.name, case.points, case.hidden, False,
                          describe_exception(exc, filename))
    return CaseResult(case.name, case.points, case.hidden, True, "passed")
