"""Exports of a graded folder in the CSV formats an LMS or Gradescope imports.

``export(OUT, format=...)`` writes one CSV for the students of ``OUT/grades.csv`` (the folder
last graded), read from their records (``OUT/<student>/summary.json``), with a UTF-8
byte-order mark (Excel is the likely first reader; Canvas matches its header with
``include?`` and Moodle's CSV reader strips the mark). The score exported is ``adjusted``
(after the late penalty; equal to the auto-graded total when none applies) unless
``score="total"``. ``detail`` adds one column per exercise (``"exercises"``) or per check
(``"checks"``).

The formats, as their importers read them:

``canvas``: Canvas's Gradebook import ("Import" in Grades). Read from Canvas's importer,
    ``GradebookImporter`` (instructure/canvas-lms, app/models/gradebook_importer.rb): the
    header row must start ``Student``, ``ID``; ``SIS User ID`` and ``SIS Login ID`` follow,
    and the last student column must be ``Section``; every later column is an assignment,
    matched by the id in ``Title (id)`` (Canvas's ``Assignment#title_and_id``), else by title, else
    created; a row starting ``Points Possible`` gives the points; a student is matched by
    ``ID`` (the Canvas user id, known from a Canvas download), else ``SIS User ID``, else
    ``SIS Login ID``, else by name. Column titles such as ``Current Score`` or ``Final Grade``
    are read-only and must not be used. ``detail`` columns become new assignments.

``moodle``: Moodle's assignment "Upload grading worksheet" (the offline grading worksheet),
    as ``assignfeedback_offline_grade_importer`` (mod/assign/feedback/offline/
    importgradeslib.php) reads it: the columns ``Identifier`` (``Participant <id>``, the
    participant id of Moodle's download folders), ``Grade`` and ``Last modified (grade)`` are
    required (strings ``recordid``, ``gradenoun``, ``lastmodifiedgrade`` of mod/assign);
    other columns are ignored. A grade changed in Moodle after ``Last modified (grade)`` (the
    export time) is not overwritten. The same file also suits the gradebook's "Import >
    CSV file" (grade/import/csv), where a column is mapped to a user field (``Email
    address`` to email, ``ID number`` to idnumber) and ``Grade`` to the assignment.
    Students without a participant id (not from a Moodle download) still get a row; only the
    gradebook import can place them.

``gradescope``: a roster-style CSV for Gradescope: ``Name``, ``Email``, ``SID`` (Gradescope's
    documented roster columns: help.gradescope.com "Adding Students and Staff": Name and Email
    required, SID optional) and ``Score``. Email and SID come from Gradescope's own submission
    metadata; a student graded from a folder has the folder's name as SID. No documentation
    of a Gradescope score import was found to validate against beyond those column names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Optional

from .course import Chapter, load_chapter
from .results import SubmissionResult, pts
from .grades import check_column, read_grades_csv, write_csv
from .store import load_student

FORMATS = ("canvas", "moodle", "gradescope")
DETAILS = ("", "exercises", "checks")
SCORES = ("adjusted", "total")

CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_READ_ONLY = ("Current Score", "Current Points", "Current Grade", "Final Score",
                    "Final Points", "Final Grade", "Override Score", "Override Grade",
                    "Override Status")
"""Canvas's ``NON_ASSIGNMENT_COLUMN_HEADERS``: columns it never imports as assignments."""
CANVAS_RESERVED = ("Student", "LastName", "FirstName", "ID", "SIS User ID", "SIS Login ID",
                   "Section", "Integration ID", "Root Account")
"""Canvas's ``GRADEBOOK_IMPORTER_RESERVED_NAMES``."""

MOODLE_COLUMNS = ("Identifier", "Full name", "Email address", "ID number", "Grade",
                  "Maximum Grade", "Last modified (grade)")
MOODLE_REQUIRED = ("Identifier", "Grade", "Last modified (grade)")
MOODLE_PARTICIPANT = "Participant "
"""Moodle's ``hiddenuser`` string: the identifier is this followed by the participant id."""

GRADESCOPE_COLUMNS = ("Name", "Email", "SID", "Score")


class ExportError(ValueError):
    """The export cannot be written; the message says why and what to do."""


@dataclass
class Exported:
    """What ``export`` wrote."""

    path: Path
    rows: int
    notes: list[str] = field(default_factory=list)


def default_output(out: Path, fmt: str) -> Path:
    return Path(out) / f"export-{fmt}.csv"


def export(out: Path, *, format: str, output: Optional[Path] = None, assignment: str = "",
           detail: str = "", score: str = "adjusted", chapter: str = "ch5") -> Exported:
    """Write the CSV ``format`` imports for the students of ``out/grades.csv``."""
    if format not in FORMATS:
        raise ExportError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if detail not in DETAILS:
        raise ExportError(f"unknown detail {detail!r}; use exercises or checks")
    if score not in SCORES:
        raise ExportError(f"unknown score {score!r}; use adjusted or total")
    out = Path(out)
    ch = load_chapter(chapter)
    results, notes = _load(out)
    title = assignment or f"nndl {ch.id} auto-graded"
    if format == "canvas":
        rows = _canvas(results, ch, title, detail, score, notes)
    elif format == "moodle":
        rows = _moodle(results, ch, detail, score, notes)
    else:
        rows = _gradescope(results, ch, detail, score, notes)
    path = Path(output) if output is not None else default_output(out, format)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(path, rows)
    return Exported(path, len(results), notes)


def _load(out: Path) -> tuple[list[SubmissionResult], list[str]]:
    grades = out / "grades.csv"
    if not grades.is_file():
        raise ExportError(f"{grades} does not exist: grade the class first "
                          f"(nndl-grade grade SUBMISSIONS --out {out})")
    results, notes = [], []
    for row in read_grades_csv(grades):
        loaded = load_student(out, row["student"])
        if loaded is None:
            notes.append(f"{row['student']} is in grades.csv but its record in "
                         f"{out / row['student']} is missing or incomplete: left out; regrade "
                         f"it with --only")
            continue
        results.append(loaded[0])
    if not results:
        raise ExportError(f"{grades} lists no student with a complete record: nothing to export")
    return results, notes


def _score(r: SubmissionResult, score: str) -> str:
    return pts(r.adjusted if score == "adjusted" else r.score)


def _detail_header(ch: Chapter, detail: str, prefix: str = "") -> list[str]:
    if detail == "exercises":
        return [f"{prefix}{ex.id}" for ex in ch.exercises]
    if detail == "checks":
        return [f"{prefix}{check_column(ex, c.name)}" for ex in ch.exercises for c in ex.checks]
    return []


def _detail_possible(ch: Chapter, detail: str) -> list[str]:
    if detail == "exercises":
        return [pts(ex.points) for ex in ch.exercises]
    if detail == "checks":
        return [pts(c.points) for ex in ch.exercises for c in ex.checks]
    return []


def _detail_row(r: SubmissionResult, ch: Chapter, detail: str) -> list[str]:
    by_id = {e.exercise_id: e for e in r.exercises}
    if detail == "exercises":
        return [pts(by_id[ex.id].score) if ex.id in by_id else "0" for ex in ch.exercises]
    if detail == "checks":
        row = []
        for ex in ch.exercises:
            cases = {c.name: c for c in by_id[ex.id].cases} if ex.id in by_id else {}
            row += [pts(cases[c.name].score) if c.name in cases else "0" for c in ex.checks]
        return row
    return []


def _canvas(results, ch, title, detail, score, notes) -> list[list[str]]:
    if re.search("|".join(map(re.escape, CANVAS_READ_ONLY)), title) or title in CANVAS_RESERVED:
        raise ExportError(f"{title!r} is a column Canvas never imports as an assignment; choose "
                          f"another --assignment (e.g. the assignment's own 'Title (id)' from "
                          f"Canvas's gradebook export)")
    if not re.search(r"\s\(\d+\)\Z", title):
        notes.append(f"the assignment column is {title!r}: Canvas matches it by title, or "
                     f"creates a new assignment; to fill an existing one, pass --assignment "
                     f"'<its title> (<its id>)' as Canvas's own export names it")
    extra = _detail_header(ch, detail, prefix=f"{title} ")
    rows = [[*CANVAS_STUDENT_COLUMNS, title, *extra],
            ["Points Possible", "", "", "", "", pts(ch.points), *_detail_possible(ch, detail)]]
    unmatched = []
    for r in results:
        ident = r.identity
        canvas_id = ident.lms_id if ident.lms == "canvas" else ""
        if not canvas_id and not ident.sid:
            unmatched.append(r.student)
        rows.append([ident.name or r.student, canvas_id, ident.sid, "", "", _score(r, score),
                     *_detail_row(r, ch, detail)])
    if unmatched:
        notes.append(f"{len(unmatched)} student(s) have no Canvas id or SIS id (not from a Canvas "
                     f"download): Canvas will match them by name only: "
                     f"{', '.join(unmatched[:10])}")
    return rows


def _moodle(results, ch, detail, score, notes) -> list[list[str]]:
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    rows = [[*MOODLE_COLUMNS, *_detail_header(ch, detail)]]
    no_id = []
    for r in results:
        ident = r.identity
        pid = ident.lms_id if ident.lms == "moodle" else ""
        if not pid:
            no_id.append(r.student)
        rows.append([f"{MOODLE_PARTICIPANT}{pid}" if pid else "", ident.name or r.student,
                     ident.email, ident.sid, _score(r, score), pts(ch.points), stamp,
                     *_detail_row(r, ch, detail)])
    if no_id:
        notes.append(f"{len(no_id)} student(s) have no Moodle participant id (not from a Moodle "
                     f"download): the grading worksheet upload skips them; the gradebook's CSV "
                     f"import can place them by email or ID number: {', '.join(no_id[:10])}")
    return rows


def _gradescope(results, ch, detail, score, notes) -> list[list[str]]:
    rows = [[*GRADESCOPE_COLUMNS, *_detail_header(ch, detail)]]
    no_email = []
    for r in results:
        ident = r.identity
        sid = ident.sid or (r.student if not ident.lms else "")
        if not ident.email:
            no_email.append(r.student)
        rows.append([ident.name or r.student, ident.email, sid, _score(r, score),
                     *_detail_row(r, ch, detail)])
    if no_email:
        notes.append(f"{len(no_email)} student(s) have no email (only Gradescope's own metadata "
                     f"gives one): Gradescope must match them by SID or name: "
                     f"{', '.join(no_email[:10])}")
    return rows
