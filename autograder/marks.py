"""The graders' points for written parts: one ``ManualMark`` per filled row of
``OUT/manual.csv`` (``report.manual`` reads it), and what they add up to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from .course import Chapter


@dataclass(frozen=True)
class ManualMark:
    """The points a grader gave one written part of one student (a filled row of
    ``OUT/manual.csv``)."""

    exercise_id: str
    part: str
    points: float
    max_points: float
    comment: str = ""


def find_mark(manual: Sequence[ManualMark], exercise_id: str, part: str) -> Optional[ManualMark]:
    """The mark of one written part, or None while it is not graded."""
    return next((m for m in manual if m.exercise_id == exercise_id and m.part == part), None)


def written_score(manual: Sequence[ManualMark]) -> Optional[float]:
    """The written points of one student, or None when no part has been graded yet."""
    return sum(m.points for m in manual) if manual else None


def known_marks(chapter: Chapter, manual: Sequence[ManualMark]) -> list[ManualMark]:
    """The marks of written parts the chapter has (a stale row of manual.csv counts nowhere)."""
    known = {(e.id, w.id) for e in chapter.exercises for w in e.written}
    return [m for m in manual if (m.exercise_id, m.part) in known]
