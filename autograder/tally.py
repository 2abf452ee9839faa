"""One student's grade as the composition declares it (``course.Composition``): the same
numbers for grades.csv, results.json, the feedback and the report.

- ``auto``: the auto-graded points of the required exercises;
- ``written``: the graders' points for the required exercises' written parts (None while
  none is graded);
- ``extra``: extra credit, the auto-graded and written points of the ``extra`` exercises
  (capped at ``extra_max``);
- ``penalty``: the late penalty in points, a percent of ``auto + written + extra``;
- ``final``: ``auto + written + extra - penalty``;
- ``possible``: the auto-graded and written points of the required exercises, so a perfect
  set of them is 100% and only declared extra credit goes beyond it.

It also words the grade the same way everywhere: ``pts`` (points as people write them),
``grade_line`` (the feedback's bilingual headline), ``counts_tag`` and ``tagged`` (how an
exercise counts, in a heading and in a results.json test).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

from .course import EXTRA, NONE, REQUIRED, Chapter
from .marks import ManualMark, known_marks


def pts(x: float) -> str:
    """Points as people write them: ``10``, ``2.5``, ``7.33`` (at most two decimals)."""
    return f"{round(x, 2):g}"


def _round(x: float) -> float:
    return round(x + 0.0, 6)


@dataclass(frozen=True)
class Tally:
    """A student's grade, in points (see the module's docstring)."""

    auto: float
    written: Optional[float]
    extra: float
    penalty: float
    final: float
    possible: float
    pending: tuple[str, ...] = ()
    """The counted written parts not graded yet (``<exercise>.<part>``)."""

    @property
    def percent(self) -> float:
        """``final`` as a percent of ``possible`` (above 100 only through extra credit)."""
        return 100.0 * self.final / self.possible if self.possible else 0.0


def tally(chapter: Chapter, scores: Mapping[str, float], manual: Sequence[ManualMark] = (),
          penalty_pct: float = 0.0) -> Tally:
    """The grade of a student whose exercises scored ``scores`` (by exercise id; missing ones
    scored 0), with the graders' ``manual`` marks and a late penalty of ``penalty_pct``."""
    if not 0 <= penalty_pct <= 100:
        raise ValueError(f"a late penalty is a percent between 0 and 100, got {penalty_pct:g}")
    marks = {(m.exercise_id, m.part): m.points for m in known_marks(chapter, manual)}
    auto, extra, written, graded = 0.0, 0.0, 0.0, False
    pending = []
    for how, exercises in ((REQUIRED, chapter.counted(REQUIRED)), (EXTRA, chapter.counted(EXTRA))):
        for ex in exercises:
            got = min(max(float(scores.get(ex.id, 0.0)), 0.0), ex.points)
            given = 0.0
            for w in ex.written:
                if (ex.id, w.id) in marks:
                    given += min(marks[(ex.id, w.id)], w.points)
                    graded = graded or how == REQUIRED
                elif how == REQUIRED:
                    pending.append(f"{ex.id}.{w.id}")
            if how == REQUIRED:
                auto, written = auto + got, written + given
            else:
                extra += got + given
    cap = chapter.composition.extra_max
    if cap is not None:
        extra = min(extra, cap)
    gross = auto + written + extra
    penalty = gross * penalty_pct / 100
    return Tally(_round(auto), _round(written) if graded else None, _round(extra),
                 _round(penalty), _round(max(0.0, gross - penalty)), _round(chapter.possible),
                 tuple(pending))


def grade_line(grade: Tally) -> str:
    """The grade in one bilingual line: final / possible and what it is made of."""
    parts = [f"auto-graded {pts(grade.auto)}",
             "written " + ("not graded yet" if grade.written is None else pts(grade.written))]
    if grade.extra:
        parts.append(f"extra credit +{pts(grade.extra)}")
    if grade.penalty:
        parts.append(f"late penalty -{pts(grade.penalty)}")
    line = (f"Grade / 成绩: **{pts(grade.final)} / {pts(grade.possible)}** "
            f"({', '.join(parts)}).")
    if grade.pending:
        line += (f" Written parts still to be graded by hand / 待人工批改的书面题: "
                 f"{', '.join(grade.pending)}.")
    return line


def tagged(test: dict, counts: str) -> dict:
    """A results.json test tagged ``extra credit`` or ``not counted`` when it is."""
    tag = {EXTRA: "extra credit", NONE: "not counted"}.get(counts)
    if tag:
        test["tags"] = list(test.get("tags", [])) + [tag]
    return test


def counts_tag(chapter: Chapter, exercise_id: str, fmt: str) -> str:
    """How an exercise counts, for its heading: '' when required."""
    how = chapter.composition.count(exercise_id)
    if how == EXTRA:
        return fmt.format("选做,附加分 / optional: extra credit")
    if how == NONE:
        return fmt.format("不计分 / not counted")
    return ""
