"""How a graded check is declared: one decorator holds its points, whether it is hidden, and
the student names it needs.

    @check(points=2)
    def test_conv_cost_book(conv_cost):
        ...

The parameters are names from the student's module; a name the module does not define fails
the check with "conv_cost is not defined in ex5_4.py". The decorator returns an Otter
``test_case`` when Otter is running the file (``otter run``, ``otter check``), so the check
file stays an Otter exception-format test file, and the light ``test_case`` below otherwise
(the grader, the handout's ``check.py``), so grading never imports Otter. Both call a case
the same way: each parameter gets the student's value of that name, or None.

A check's points and hidden flag live in its decorator and nowhere else: the course loader
reads them from the check file's syntax tree (``course.read_checks``), and so does the build.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from typing import Any, Callable, Optional, Union

from .readonly import read_only

DECORATOR = "check"
"""The decorator's name, as the course loader and the build find it in a check file."""


class test_case:  # noqa: N801 - Otter's name, Otter's constructor and call semantics
    """A graded case when Otter is not running: the same fields and ``call_func`` as
    ``otter.test_files.test_case``."""

    def __init__(self, name: Optional[str] = None, points: Optional[Union[int, float]] = None,
                 hidden: bool = False, success_message: Optional[str] = None,
                 failure_message: Optional[str] = None) -> None:
        self.name, self.points, self.hidden = name, points, hidden
        self.success_message, self.failure_message = success_message, failure_message
        self.test_func: Callable[..., None] = lambda: None

    def __call__(self, test_func: Callable[..., None]) -> "test_case":
        self.test_func = test_func
        return self

    def call_func(self, global_environment: dict[str, Any]) -> None:
        params = inspect.signature(self.test_func).parameters
        self.test_func(**{p: global_environment if p == "env" else global_environment.get(p)
                          for p in params})


def case_types() -> tuple[type, ...]:
    """The classes a graded case may be an instance of in this process."""
    otter = sys.modules.get("otter.test_files")
    real = getattr(otter, "test_case", None)
    return (test_case, real) if isinstance(real, type) else (test_case,)


def check(points: Union[int, float], hidden: bool = False) -> Callable[[Callable[..., None]], Any]:
    """Declare a graded case worth ``points``; a hidden case (``hidden`` true) runs only when
    the student submits, and students never see its message."""
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise ValueError(f"a check's points must be a positive number, got {points!r}")

    def decorate(func: Callable[..., None]) -> Any:
        filename = os.path.basename(func.__code__.co_filename)
        names = [p for p in inspect.signature(func).parameters if p != "env"]

        @functools.wraps(func)
        def run(**kwargs: Any) -> None:
            _require(kwargs, names, filename)
            # every array the check passes to the student's code arrives read-only
            func(**{k: v if k == "env" else read_only(v) for k, v in kwargs.items()})

        kind = case_types()[-1]  # Otter's when Otter is running this file
        return kind(name=func.__name__, points=points, hidden=hidden)(run)

    return decorate


def _require(values: dict[str, Any], names: list[str], filename: str) -> None:
    """Fail when the student's module does not define one of ``names``; under stock Otter,
    when the file itself failed to run, say that instead (``_file_failed``)."""
    missing = [n for n in names if values.get(n) is None]
    if missing:
        failed = _file_failed(filename) if _otter_grading() else None
        if failed:
            raise AssertionError(failed)
        raise AssertionError("; ".join(
            f"{n} is not defined in {filename}: define it with the signature the stub gives"
            for n in missing) + "\n" + ";".join(
            f"{filename} 中没有定义 {n}:请按存根给出的签名定义它" for n in missing))


def syntax_error_text(exc: SyntaxError, filename: Optional[str] = None) -> str:
    """A syntax error in the grader's words: file, line, message, the line and a caret."""
    name = os.path.basename(filename or exc.filename or "?")
    text = (exc.text or "").rstrip("\n")
    caret = ""
    if text and exc.offset:
        caret = "\n    " + " " * (max(exc.offset, 1) - 1 - (len(text) - len(text.lstrip()))) + "^"
    return f"SyntaxError in {name}, line {exc.lineno}: {exc.msg}\n    {text.strip()}{caret}"


def _otter_grading() -> bool:
    """Whether stock Otter is grading in this process (``otter check``, ``otter run``): then
    the student's file ran as a notebook cell before the checks, and a name it lacks may mean
    that the file failed to run."""
    module = sys.modules.get("otter.check.notebook")
    return bool(getattr(getattr(module, "Notebook", None), "_grading_mode", False))


def _file_failed(filename: str) -> Optional[str]:
    """Under Otter, why the student's file did not run, in the grader's words; None when it
    ran. Otter runs ``otter check ex5_2.py`` in the folder of ``ex5_2.py`` (a syntax error is
    found by compiling it again), and IPython keeps what the file's cell raised in
    ``sys.last_value``."""
    path = os.path.join(os.getcwd(), filename)
    if os.path.isfile(path):
        try:
            with open(path, "rb") as fh:
                compile(fh.read(), path, "exec")
        except SyntaxError as exc:
            return f"{filename} failed to import: {syntax_error_text(exc, filename)}"
        except ValueError:  # null bytes: Python says so itself when it runs the file
            pass
    exc = getattr(sys, "last_value", None)
    if isinstance(exc, SyntaxError):
        return f"{filename} failed to import: {syntax_error_text(exc, filename)}"
    if isinstance(exc, BaseException):
        return (f"{filename} failed to run: {type(exc).__name__}: {exc}; so it defines none of "
                f"the names the checks need")
    return None
