"""What the local check prints, and how: the words of each piece of the report (one function
each, so the report printed as the checks run and the report made afterwards are the same
text), lines wrapped to the terminal, and a line that shows the check that is running.

Needs the standard library only; ships in the handout with ``check.py``.
"""

from __future__ import annotations

import re
import shutil
import sys
import unicodedata
from pathlib import Path
from typing import Iterable, Optional, TextIO

# The report's objects (``check.Target``, ``check.ExerciseReport``, ``runner.Case``,
# ``runner.CaseResult``) are named in annotations only: this module imports neither, so that
# ``check`` may import it.

PASSED, FAILED, TODO = "[passed]", "[FAILED]", "[ TODO ]"
TODO_NOTE = f"{TODO}: the check calls a stub: fill in its TODO block / 调用了存根:请填写 TODO 块"
HIDDEN_NOTE = "hidden checks run only when you submit / 隐藏检查只在提交后运行"
ALL_PASSED = "all public checks passed / 公开检查全部通过"
SOME_FAILED = "some public checks failed / 有公开检查未通过"

_STUB = re.compile(r"^NotImplementedError: (?P<what>.+?): fill in this TODO block "
                   r"\(in (?P<file>[^,]+), line (?P<line>\d+), in [^)]+\)$")


def _pts(x: float) -> str:
    return f"{x:g}"


# -- the pieces -------------------------------------------------------------------------------

def header_lines(target: "Target", path: Path) -> list[str]:
    optional = " (选做 / optional)" if target.optional else ""
    return [f"{Path(path).name} — {target.title_zh} / {target.title_en}{optional}"]


def warning_lines(warnings: Iterable[str]) -> list[str]:
    return [f"  warning / 警告: {w}" for w in warnings]


def import_error_lines(error: str) -> list[str]:
    lines = error.splitlines() or [""]
    return ["  " + lines[0]] + ["  " + line for line in lines[1:]]


def is_todo(result: "CaseResult") -> bool:
    """Whether a case failed because the code it calls is still the stub."""
    return not result.passed and result.message.startswith("NotImplementedError:")


def result_lines(result: "CaseResult", import_error: Optional[str] = None) -> list[str]:
    points = f"({_pts(result.score)}/{_pts(result.points)})"
    if result.passed:
        return [f"  {PASSED} {result.name} {points}"]
    if import_error is not None:
        return [f"  {FAILED} {result.name} {points}: not run, the file did not import / "
                f"未运行:文件无法导入"]
    first = result.message.splitlines()[0] if result.message else ""
    if is_todo(result):
        m = _STUB.match(first)
        what = f"{m['what']} (line {m['line']})" if m else first[len("NotImplementedError: "):]
        return [f"  {TODO} {result.name} {points}: {what}"]
    return [f"  {FAILED} {result.name} {points}"] + \
        ["      " + line for line in result.message.splitlines()]


def footer_lines(report: "ExerciseReport") -> list[str]:
    s, p = _pts(report.score), _pts(report.possible)
    return [f"  public checks: {s}/{p} points / 公开检查得分 {s}/{p}", ""]


def total_lines(reports: "list[ExerciseReport]") -> list[str]:
    score = sum(r.score for r in reports)
    possible = sum(r.possible for r in reports)
    n = len(reports)
    lines = []
    if n > 1:
        lines.append(f"total: {_pts(score)}/{_pts(possible)} public points in {n} exercises / "
                     f"合计:{n} 道习题的公开检查得分 {_pts(score)}/{_pts(possible)}")
    if any(is_todo(r) for rep in reports for r in rep.results):
        lines.append(TODO_NOTE)
    lines.append(HIDDEN_NOTE)
    lines.append(ALL_PASSED if all(r.score == r.possible for r in reports) else SOME_FAILED)
    return lines


def exercise_lines(report: "ExerciseReport") -> list[str]:
    lines = header_lines(report.target, report.path) + warning_lines(report.warnings)
    if report.import_error is not None:
        lines += import_error_lines(report.import_error)
    for r in report.results:
        lines += result_lines(r, report.import_error)
    return lines + footer_lines(report)


def report_text(reports: "list[ExerciseReport]") -> str:
    """The whole report, as ``Printer`` prints it (lines not wrapped)."""
    lines: list[str] = []
    for rep in reports:
        lines += exercise_lines(rep)
    return "\n".join(lines + total_lines(reports))


# -- wrapping ---------------------------------------------------------------------------------

def _cells(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal (Chinese characters take two)."""
    return sum(_cells(ch) for ch in text)


_KEEP = re.compile(r"^\s*(\[\s*[-+\d.]|\[\[|\^+$)")
"""Lines never wrapped: rows of a printed array, a caret under a syntax error."""


def wrap(line: str, width: int) -> list[str]:
    """``line`` cut into lines of at most ``width`` columns at spaces (anywhere inside a
    word longer than a line); continuation lines are indented 4 more than the first."""
    if display_width(line) <= width or _KEEP.match(line):
        return [line]
    stripped = line.lstrip(" ")
    indent = " " * (len(line) - len(stripped))
    hang = indent + "    "
    out: list[str] = []
    current = indent
    for token in re.findall(r"\S+\s*", stripped):
        word = token.rstrip()
        space = token[len(word):]
        if display_width(current) + display_width(word) > width and current.strip():
            out.append(current.rstrip())
            current = hang
        while display_width(current) + display_width(word) > width and len(word) > 1:
            room, cut, cols = width - display_width(current), 0, 0
            while cut < len(word) and cols + _cells(word[cut]) <= room:
                cols += _cells(word[cut])
                cut += 1
            cut = max(cut, 1)
            out.append(current + word[:cut])
            word = word[cut:]
            current = hang
        current += word + space
    if current.strip():
        out.append(current.rstrip())
    return out


def terminal_width() -> int:
    """Columns of the terminal (100 when there is none, as in a notebook or a pipe)."""
    return max(40, shutil.get_terminal_size(fallback=(100, 24)).columns)


# -- printing as the checks run -----------------------------------------------------------------

def _live_default(out: TextIO) -> bool:
    try:
        if out.isatty():
            return True
    except (AttributeError, ValueError):
        return False
    return "ipykernel" in sys.modules and out is sys.stdout  # Jupyter and Colab draw "\r"


class Printer:
    """Prints the local check's report as it happens (a ``check.Listener``): each exercise's
    header, warnings, each check when it ends, the total. On a terminal or in a notebook, a
    line shows the check that is running until its result replaces it."""

    def __init__(self, out: TextIO, live: Optional[bool] = None, width: Optional[int] = None) -> None:
        self.out = out
        self.live = _live_default(out) if live is None else live
        self.width = width or terminal_width()
        self._transient = 0
        self._import_error: Optional[str] = None

    def say(self, lines: Iterable[str]) -> None:
        """Print ``lines``, each wrapped to the width."""
        self._clear()
        text = "".join(part + "\n" for line in lines for part in wrap(line, self.width))
        self.out.write(text)
        self.out.flush()

    def _show(self, text: str) -> None:
        if not self.live:
            return
        self._clear()
        text = text if display_width(text) < self.width else text[:self.width - 4] + "..."
        self.out.write(text)
        self.out.flush()
        self._transient = display_width(text)

    def _clear(self) -> None:
        if self._transient:
            self.out.write("\r" + " " * self._transient + "\r")
            self._transient = 0

    # -- check.Listener -----------------------------------------------------------------------
    def exercise(self, target: "Target", path: Path, warnings: tuple[str, ...]) -> None:
        self._import_error = None
        self.say(header_lines(target, path) + warning_lines(warnings))
        self._show(f"  importing {Path(path).name} / 导入中 ...")

    def imported(self, error: Optional[str], cases: "tuple[Case, ...]") -> None:
        self._import_error = error
        if error is not None:
            self.say(import_error_lines(error))
        else:
            self._clear()

    def case(self, case: "Case") -> None:
        self._show(f"  [ .... ] {case.name} ({_pts(case.points)}) running / 运行中 ...")

    def result(self, result: "CaseResult") -> None:
        self.say(result_lines(result, self._import_error))

    def done(self, report: "ExerciseReport") -> None:
        self.say(footer_lines(report))

    def total(self, reports: "list[ExerciseReport]") -> None:
        self.say(total_lines(reports))

    def interrupted(self) -> None:
        self.say(["", "interrupted / 已中断"])
