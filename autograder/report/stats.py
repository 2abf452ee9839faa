"""The class at a glance: figures per exercise, per check and per written part.

``exercise_stats`` gives each exercise's (and the total's) mean, median and extremes over the
graded students; ``check_stats`` each check's pass rate and its most common failure
messages, grouped once numbers are masked (``mask``), so that "expected 3.2, got 4" and
"expected 1.5, got 0" count as one mistake, with checks not passed because the file was
not handed in or its stub left untouched counted apart (``failure_kind``), and
``by_exercise`` groups them; ``written_stats`` how many answer sheets are
submitted, untouched, blank or missing and how many a grader has scored. Plain Python.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

from .. import answers
from ..course import Chapter
from ..marks import ManualMark
from ..results import SubmissionResult

_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?!\w)")
_SPACES = re.compile(r"\s+")
TOP_MESSAGES = 3
"""Failure messages shown per check."""
MESSAGE_CHARS = 200
"""A failure message is cut to this many characters on the page."""


NOT_SUBMITTED = "not submitted"
STUB = "stub"
FAILED = "failed"
KINDS = (NOT_SUBMITTED, STUB, FAILED)
"""Why a check did not pass: the file was not handed in, the check called an untouched stub
(a TODO block not filled), or the code is wrong: only the last is a real failure."""
_NOT_FOUND = re.compile(r"was not found in the submission|^not graded$")
_STUB = re.compile(r"fill in this TODO block")


def failure_kind(message: str) -> str:
    """The kind of a failed check's message (``KINDS``)."""
    if _NOT_FOUND.search(message):
        return NOT_SUBMITTED
    if _STUB.search(message):
        return STUB
    return FAILED


def shorten(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters at a space, never mid-word, with "…"."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return (text[:cut] if cut > limit // 2 else text[:limit]).rstrip() + " …"


def mask(message: str) -> str:
    """``message`` with every number replaced by ``#`` and whitespace runs made one space."""
    return _SPACES.sub(" ", _NUMBER.sub("#", message)).strip()


@dataclass(frozen=True)
class Figures:
    """Points of one exercise (or of the total) over the students."""

    name: str
    possible: float
    scores: tuple[float, ...]

    @property
    def mean(self) -> float:
        return statistics.fmean(self.scores) if self.scores else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.scores) if self.scores else 0.0

    @property
    def full(self) -> int:
        return sum(1 for s in self.scores if s >= self.possible)

    @property
    def zero(self) -> int:
        return sum(1 for s in self.scores if s == 0)


def exercise_stats(results: Sequence[SubmissionResult], chapter: Chapter,
                   marks: "Optional[Mapping[str, Sequence[ManualMark]]]" = None
                   ) -> list[Figures]:
    """One ``Figures`` per exercise, in manifest order, then one for the total of the
    auto-graded points and, with the graders' ``marks``, one for the final grade out of
    ``possible`` (grades.csv's ``final``, as the composition counts it)."""
    out = []
    for ex in chapter.exercises:
        scores = []
        for r in results:
            er = r.exercise(ex.id)
            scores.append(er.score if er is not None else 0.0)
        out.append(Figures(ex.id, ex.points, tuple(scores)))
    out.append(Figures("total", chapter.points, tuple(r.score for r in results)))
    if marks is not None:
        out.append(Figures("final", chapter.possible, tuple(
            r.tally(chapter, marks.get(r.student, ())).final for r in results)))
    return out


@dataclass
class CheckFigures:
    """How one check went over the class."""

    exercise_id: str
    name: str
    points: float
    hidden: bool
    passed: int = 0
    total: int = 0
    failures: list[tuple[str, int]] = field(default_factory=list)
    """The most common real failure messages (numbers masked, cut) and how many had each."""
    kinds: dict[str, int] = field(default_factory=lambda: {k: 0 for k in KINDS})
    """How many did not pass, by kind (``KINDS``)."""
    failed_students: list[str] = field(default_factory=list)
    """The students whose code failed the check for real (not missing, not a stub)."""

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def check_stats(results: Sequence[SubmissionResult], chapter: Chapter,
                top: int = TOP_MESSAGES) -> list[CheckFigures]:
    """One ``CheckFigures`` per check of the manifest, in order."""
    out = []
    for ex in chapter.exercises:
        for spec in ex.checks:
            figures = CheckFigures(ex.id, spec.name, spec.points, spec.hidden)
            messages: Counter[str] = Counter()
            for r in results:
                er = r.exercise(ex.id)
                case = next((c for c in er.cases if c.name == spec.name), None) if er else None
                figures.total += 1
                if case is not None and case.passed:
                    figures.passed += 1
                    continue
                message = case.message if case is not None else "not graded"
                whole = failure_kind(er.message) if er is not None and er.message else FAILED
                kind = whole if whole != FAILED else failure_kind(message)
                figures.kinds[kind] += 1
                if kind == FAILED:
                    figures.failed_students.append(r.student)
                    messages[shorten(mask(message), MESSAGE_CHARS)] += 1
            figures.failures = messages.most_common(top)
            out.append(figures)
    return out


@dataclass
class ExerciseChecks:
    """The checks of one exercise, for a collapsed group of the report."""

    exercise_id: str
    checks: list[CheckFigures]

    @property
    def rate(self) -> float:
        """The mean pass rate of its checks."""
        return statistics.fmean(c.rate for c in self.checks) if self.checks else 0.0

    def count(self, kind: str) -> int:
        """Check results of this kind over the class (``KINDS``)."""
        return sum(c.kinds[kind] for c in self.checks)


def by_exercise(checks: Sequence[CheckFigures]) -> list[ExerciseChecks]:
    """``checks`` grouped per exercise, in order."""
    out: list[ExerciseChecks] = []
    for c in checks:
        if not out or out[-1].exercise_id != c.exercise_id:
            out.append(ExerciseChecks(c.exercise_id, []))
        out[-1].checks.append(c)
    return out


@dataclass
class WrittenFigures:
    """The answer sheets of one written part over the class."""

    exercise_id: str
    part: str
    answer: str
    max_points: float
    states: dict[str, int]
    graded: int
    mean_points: float
    given: tuple[float, ...] = ()
    """The points given, one per graded student."""


def written_stats(results: Sequence[SubmissionResult], chapter: Chapter,
                  marks: Mapping[str, Sequence[ManualMark]]) -> list[WrittenFigures]:
    """One ``WrittenFigures`` per written part of the manifest."""
    out = []
    for ex in chapter.exercises:
        for w in ex.written:
            states = {s: 0 for s in answers.STATES}
            given = []
            for r in results:
                er = r.exercise(ex.id)
                states[(er.answer_state if er else None) or answers.MISSING] += 1
                given += [m.points for m in marks.get(r.student, ())
                          if (m.exercise_id, m.part) == (ex.id, w.id)]
            out.append(WrittenFigures(ex.id, w.id, ex.answer or "", w.points, states, len(given),
                                      statistics.fmean(given) if given else 0.0,
                                      tuple(given)))
    return out
