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
            func(**kwargs)

        kind = case_types()[-1]  # Otter's when Otter is running this file
        return kind(name=func.__name__, points=points, hidden=hidden)(run)

    return decorate


def _require(values: dict[str, Any], names: list[str], filename: str) -> None:
    """Fail when the student's module does not define one of ``names``."""
    missing = [n for n in names if values.get(n) is None]
    if missing:
        raise AssertionError("; ".join(
            f"{n} is not defined in {filename}: define it with the signature the stub gives"
            for n in missing))
