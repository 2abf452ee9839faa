"""The class an export writes: each student of ``OUT/grades.csv`` with the points to send, or
none (left empty) and why; which score is sent; who shares an LMS id."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from ..course import REQUIRED, Chapter
from ..grades import read_grades_csv
from ..marks import known_marks, written_score
from ..results import GRADER_ERROR, NOTHING, REFUSED, Identity, SubmissionResult
from ..store import load_student

SCORES = ("final", "auto")
"""``final`` (the default): the course grade as the chapter's composition makes it (auto-graded
points of the counted exercises, the written parts, extra credit, less the late penalty:
``grades.csv``'s ``final``); ``auto``: the auto-graded points of the counted exercises only."""

MISSING = ("empty", "zero")
"""What a student with no gradeable upload gets: an empty cell (default) or 0."""

NO_UPLOAD = (NOTHING, REFUSED, GRADER_ERROR)
"""grades.csv statuses with nothing graded: such a student is exported empty, not 0."""


class ExportError(ValueError):
    """The export cannot be written; the message says why and what to do."""


def score_of(row: Mapping[str, str], score: str = "final") -> float:
    """The points of one student's row of OUT/grades.csv: ``final`` reads the column ``final``
    when present and filled, else ``adjusted`` (a folder graded by an earlier version);
    ``auto`` reads ``auto`` (else ``total``)."""
    if score not in SCORES:
        raise ExportError(f"unknown score {score!r}; use one of {', '.join(SCORES)}")
    order = {"final": ("final", "adjusted"), "auto": ("auto", "total")}[score]
    for column in order:
        text = (row.get(column) or "").strip()
        if text:
            try:
                return float(text)
            except ValueError:
                raise ExportError(f"grades.csv: the {column} of {row.get('student')!r} is "
                                  f"{text!r}, not a number; regrade that student") from None
    raise ExportError(f"grades.csv has no column {' or '.join(order)}: regrade the class "
                      f"with this version (nndl-grade grade ...)")


@dataclass
class Student:
    """One student of the export."""

    student: str
    identity: Identity
    status: str
    score: Optional[float]
    """None: left empty (no gradeable upload, or an LMS id another student also carries)."""
    result: Optional[SubmissionResult] = None
    """The full record, loaded only for ``detail`` columns."""
    duplicate: bool = False
    """Another student carries the same LMS id: no export gives either a grade."""

    def label(self) -> str:
        name = self.identity.name
        return f"{self.student} ({name})" if name and name != self.student else self.student


@dataclass
class ClassList:
    """What an export sends, and what it must say."""

    students: list[Student]
    score: str
    notes: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    """Students left empty, with the reason."""
    possible: Optional[float] = None
    """The points a grade is out of (``grades.csv``'s ``possible``); None: the chapter's."""

    def out_of(self, chapter: Chapter) -> float:
        """The points possible of the score sent: ``possible`` for ``final``, the required
        exercises' auto-graded points for ``auto``."""
        if self.score == "auto":
            return sum(e.points for e in chapter.counted(REQUIRED))
        return self.possible if self.possible is not None else chapter.possible


def load(out: Path, chapter: Chapter, *, score: Optional[str] = None, missing: str = "empty",
         detail: bool = False) -> ClassList:
    """The students of ``out/grades.csv``; ``score`` None is ``final``."""
    if missing not in MISSING:
        raise ExportError(f"unknown --missing {missing!r}; use empty or zero")
    grades = Path(out) / "grades.csv"
    if not grades.is_file():
        raise ExportError(f"{grades} does not exist: grade the class first "
                          f"(nndl-grade grade SUBMISSIONS --out {out})")
    rows = read_grades_csv(grades)
    if not rows:
        raise ExportError(f"{grades} lists no student: nothing to export")
    notes: list[str] = []
    marks = _written_marks(Path(out), chapter, [r["student"] for r in rows])
    _refuse_stale_written(rows, chapter, marks, grades)
    any_written = any((r.get("written") or "").strip() for r in rows)
    chosen = score or "final"
    notes += _written_notes(chapter, marks, rows, chosen, any_written)
    students, empty = [], []
    for row in rows:
        ident = Identity(*(row.get(c, "") for c in ("name", "email", "sid", "lms", "lms_id")))
        result = None
        if detail:
            loaded = load_student(Path(out), row["student"])
            if loaded is None:
                notes.append(f"{row['student']} is in grades.csv but its record in "
                             f"{Path(out) / row['student']} is missing or incomplete: left out; "
                             f"regrade it with --only")
                continue
            result = loaded[0]
        value: Optional[float] = score_of(row, chosen)
        status = row.get("status", "")
        if status in NO_UPLOAD and not (row.get("written") or "").strip() and missing == "empty":
            value = None
            empty.append(f"{row['student']}: {status}")
        students.append(Student(row["student"], ident, status, value, result))
    for lms, lms_id, who in duplicate_ids(students):
        for s in who:
            s.score, s.duplicate = None, True
        empty.append(f"{', '.join(s.student for s in who)}: all carry {lms} id {lms_id}; keep "
                     f"one (regrade with the right upload) and export again")
    return ClassList(students, chosen, notes, empty, _possible(rows))


def _possible(rows) -> Optional[float]:
    """The one ``possible`` of grades.csv's rows; None when the column is absent."""
    values = {(r.get("possible") or "").strip() for r in rows} - {""}
    if len(values) > 1:
        raise ExportError(f"grades.csv's rows are out of different points ({', '.join(sorted(values))}):"
                          f" the composition changed between runs; run nndl-grade report on the folder")
    try:
        return float(values.pop()) if values else None
    except ValueError:
        return None


def duplicate_ids(students: list[Student]) -> list[tuple[str, str, list[Student]]]:
    """(lms, id, students) for every LMS id that more than one student carries."""
    by_id: dict[tuple[str, str], list[Student]] = {}
    for s in students:
        if s.identity.lms and s.identity.lms_id:
            by_id.setdefault((s.identity.lms, s.identity.lms_id), []).append(s)
    return [(lms, i, who) for (lms, i), who in sorted(by_id.items()) if len(who) > 1]


def _written_marks(out: Path, chapter: Chapter, students: list[str]) -> dict:
    if not any(ex.written for ex in chapter.exercises):
        return {}
    from ..report import manual  # standard library only

    sheet = manual.read(out / manual.FILE, chapter, students)
    return {s: known_marks(chapter, sheet.for_student(s)) for s in students}


def _refuse_stale_written(rows, chapter: Chapter, marks: dict, grades: Path) -> None:
    """``ExportError`` when manual.csv grades written parts of students whose row of grades.csv
    counts none yet (the report was not run since)."""
    stale = [row["student"] for row in rows if "written" in row
             and not (row["written"] or "").strip()
             and written_score(marks.get(row["student"], [])) is not None]
    if stale:
        raise ExportError(f"manual.csv holds written points that {grades} does not count yet "
                          f"({', '.join(stale[:5])}{' ...' if len(stale) > 5 else ''}): run "
                          f"nndl-grade report {grades.parent} first, then export again")


def _written_notes(chapter: Chapter, marks: dict, rows, chosen: str, any_written: bool):
    if not any(ex.written for ex in chapter.exercises):
        return []
    parts = [(ex.id, w.id) for ex in chapter.exercises if not ex.optional for w in ex.written]
    if not any_written:
        return [f"no written part is graded yet: exported the {chosen} points; fill manual.csv, "
                f"run nndl-grade report, then export again to send the final grade"]
    ungraded = []
    for row in rows:
        have = {(m.exercise_id, m.part) for m in marks.get(row["student"], [])}
        missing = [f"{e}/{p}" for e, p in parts if (e, p) not in have]
        if missing:
            ungraded.append(f"{row['student']} ({', '.join(missing)})")
    if not ungraded:
        return []
    return [f"{len(ungraded)} student(s) still have ungraded written parts of required "
            f"exercises, exported without "
            f"them: {'; '.join(ungraded[:20])}{' ...' if len(ungraded) > 20 else ''}"]


__all__ = ["SCORES", "MISSING", "NO_UPLOAD", "ExportError", "score_of", "Student",
           "ClassList", "load", "duplicate_ids"]
