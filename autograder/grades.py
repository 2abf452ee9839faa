"""grades.csv: its columns, one row per student, and its encoding (also the exports').

``student``, who submitted (``IDENTITY_COLUMNS``), ``status``, the points per exercise,
``total`` (the auto-graded points of every exercise, counted or not), the grade
(``GRADE_COLUMNS``), the late policy (``LATE_COLUMNS``), the written parts still to grade, then
the points of every check.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from . import csvcells
from .course import Chapter, Exercise
from .files import write_atomic
from .marks import ManualMark
from .results import SubmissionResult, pts

IDENTITY_COLUMNS = ("name", "email", "sid", "lms", "lms_id")
"""grades.csv's columns naming who submitted (``Identity``), after ``student``."""

GRADE_COLUMNS = ("auto", "written", "extra", "penalty", "final", "possible")
"""grades.csv's columns of the grade as the composition counts it (``tally.Tally``): ``auto``
the required exercises' auto-graded points, ``written`` the graders' points of their written
parts ('' while none is graded), ``extra`` the extra credit, ``penalty`` the late penalty in
points, ``final`` = auto + written + extra - penalty, ``possible`` the required exercises'
points (a perfect set of them is 100%)."""

LATE_COLUMNS = ("submitted_at", "time_source", "late_days", "penalty_pct", "late_note")
"""grades.csv's columns of the late policy: ``late_days`` and ``penalty_pct`` are empty when no
deadline was given or no trustworthy submission time is known (``late_note`` says which)."""

PENDING_COLUMN = "written_pending"
"""The counted written parts not graded yet (``<exercise>.<part>``, space-separated)."""


def check_column(exercise: Exercise, check_name: str) -> str:
    """The grades.csv column of one check: the test's name in results.json."""
    return f"{exercise.id} · {check_name}"


def csv_header(chapter: Chapter) -> list[str]:
    """The header row of grades.csv: ``student``, who (``IDENTITY_COLUMNS``), ``status``, the
    points per exercise, ``total``, the grade (``GRADE_COLUMNS``), the late policy
    (``LATE_COLUMNS``), ``PENDING_COLUMN``, then the points of every check
    (``<exercise> · <check>``)."""
    return (["student", *IDENTITY_COLUMNS, "status", *[ex.id for ex in chapter.exercises],
             "total", *GRADE_COLUMNS, *LATE_COLUMNS, PENDING_COLUMN]
            + [check_column(ex, c.name) for ex in chapter.exercises for c in ex.checks])


CSV_ENCODING = "utf-8-sig"
"""grades.csv and the exports are UTF-8 with a byte-order mark: Excel, the likely reader of
grades.csv, shows Chinese names garbled without one; Python reads it with this encoding
(``read_grades_csv``), and pandas and LMS importers skip the mark."""


def csv_text(rows: Iterable[Iterable[str]]) -> str:
    """Rows as CSV text (RFC 4180 quoting, CRLF line ends), every cell made inert for a
    spreadsheet (``csvcells.cell``)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow(csvcells.row(row))
    return buf.getvalue()


def write_csv(path: Path, rows: Iterable[Iterable[str]]) -> None:
    """Write ``rows`` to ``path`` atomically, as UTF-8 with a byte-order mark."""
    write_atomic(Path(path), csv_text(rows).encode(CSV_ENCODING))


def write_grades_csv(results: Iterable[SubmissionResult], chapter: Chapter, path: Path,
                     manual: Mapping[str, Sequence[ManualMark]] = {}) -> None:
    """``grades.csv``: one row per student, sorted by id, written atomically; ``manual`` holds
    each student's graded written parts."""
    rows = [csv_header(chapter)]
    rows += [csv_row(r, chapter, manual.get(r.student, ()))
             for r in sorted(results, key=lambda r: r.student)]
    write_csv(path, rows)


def read_grades_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a grades.csv (or of any CSV this package writes), as dicts by column."""
    with open(path, newline="", encoding=CSV_ENCODING) as fh:
        return [{csvcells.uncell(k): csvcells.uncell(v or "") for k, v in row.items()
                 if k is not None} for row in csv.DictReader(fh)]


def csv_row(result: SubmissionResult, chapter: Chapter,
            manual: Sequence[ManualMark] = ()) -> list[str]:
    """A student's row of grades.csv, in ``csv_header``'s order."""
    grade = result.tally(chapter, manual)
    by_id = {e.exercise_id: e for e in result.exercises}
    ident = result.identity
    row = [result.student, ident.name, ident.email, ident.sid, ident.lms, ident.lms_id,
           result.status]
    row += [pts(by_id[ex.id].score) if ex.id in by_id else "0" for ex in chapter.exercises]
    late = result.late
    counted = bool(late.deadline) and not late.unknown
    row += [pts(result.score), pts(grade.auto),
            "" if grade.written is None else pts(grade.written), pts(grade.extra),
            pts(grade.penalty), pts(grade.final), pts(grade.possible),
            result.submitted_at, result.time_source,
            str(late.days) if counted else "", pts(late.penalty_pct) if counted else "",
            late.note, " ".join(grade.pending)]
    for ex in chapter.exercises:
        er = by_id.get(ex.id)
        cases = {c.name: c for c in er.cases} if er is not None else {}
        row += [pts(cases[c.name].score) if c.name in cases else "0" for c in ex.checks]
    return row
