"""Exports written from nothing, for a class without the LMS's own file at hand (``--into``
fills that file and is the surer way).

``canvas``: Canvas's Gradebook import. ``GradebookImporter`` (canvas-lms
lib/gradebook_importer.rb) needs a header ``Student``, ``ID`` (``row[0].include?("Student") &&
row[1].include?("ID")``), then ``SIS User ID``, ``SIS Login ID`` and ``Section`` as the last
student column; every later column is an assignment, matched by the id of ``Title (id)``
(Canvas's ``Assignment#title_and_id``), else by its whole title, else created. A row whose first cell holds
``Points Possible`` gives the points. A student is matched by ``ID`` (the Canvas user id, known
from a Canvas download), else ``SIS User ID``, else ``SIS Login ID``, else by exact name.
Headers holding ``Current Score``, ``Final Grade`` ... are read-only and refused as titles.

``moodle``: Moodle's assignment "Upload grading worksheet" (``assignfeedback_offline_grade_importer``,
mod/assign/feedback/offline/importgradeslib.php): it finds the identifier, grade and
"last modified (grade)" columns by comparing headers with its strings in the UPLOADER's
interface language (``language``: ``en`` or ``zh_cn``), strips ``strlen(hiddenuser)`` bytes off
the identifier (``Participant 1058`` / ``参与人1058``), skips unknown rows silently, never
clears a grade with an empty cell, and skips a row whose grade changed in Moodle after
``Last modified (grade)`` (we write the export time, in ISO 8601, which ``strtotime`` reads).
Every row has as many cells as the header (``csv_import_reader`` drops a file otherwise). The
other columns are ignored by that importer; ``Email address`` and ``ID number`` let the
gradebook's "Import > CSV file" place students without a participant id (a column is mapped
to a user field there by the instructor, whatever its header).
"""

from __future__ import annotations

from datetime import datetime

from ..course import Chapter
from ..grades import check_column
from ..results import pts
from .classlist import ClassList, ExportError, Student
from .lms import CANVAS_POINTS_POSSIBLE, CANVAS_RESERVED, CANVAS_STUDENT_COLUMNS, \
    CANVAS_TITLE_ID, MOODLE, canvas_read_only

DETAILS = ("", "exercises", "checks")


def _cell(value) -> str:
    return "" if value is None else pts(value)


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


def _detail_row(s: Student, ch: Chapter, detail: str) -> list[str]:
    if not detail:
        return []
    width = len(_detail_header(ch, detail))
    if s.score is None or s.result is None:
        return [""] * width
    by_id = {e.exercise_id: e for e in s.result.exercises}
    if detail == "exercises":
        return [pts(by_id[ex.id].score) if ex.id in by_id else "0" for ex in ch.exercises]
    row = []
    for ex in ch.exercises:
        cases = {c.name: c for c in by_id[ex.id].cases} if ex.id in by_id else {}
        row += [pts(cases[c.name].score) if c.name in cases else "0" for c in ex.checks]
    return row


def canvas(cl: ClassList, ch: Chapter, title: str, detail: str, notes: list[str]) -> list[list[str]]:
    """The rows of a Canvas gradebook import: one assignment column ``title`` (and ``detail``)."""
    if canvas_read_only(title) or title in CANVAS_RESERVED:
        raise ExportError(f"{title!r} is a column Canvas never imports as an assignment; choose "
                          f"another --assignment (e.g. the assignment's own 'Title (id)' from "
                          f"Canvas's gradebook export)")
    if not CANVAS_TITLE_ID.match(title):
        notes.append(f"the assignment column is {title!r}: Canvas matches it by title, or "
                     f"creates a new assignment; to fill an existing one, pass --assignment "
                     f"'<its title> (<its id>)' as Canvas's own export names it, or use --into "
                     f"with Canvas's gradebook export")
    extra = _detail_header(ch, detail, prefix=f"{title} ")
    rows = [[*CANVAS_STUDENT_COLUMNS, title, *extra],
            [CANVAS_POINTS_POSSIBLE, "", "", "", "", pts(cl.out_of(ch)), *_detail_possible(ch, detail)]]
    by_name = []
    for s in cl.students:
        if s.duplicate:
            continue  # an LMS would give both grades to one person: listed as left out
        ident = s.identity
        canvas_id = ident.lms_id if ident.lms == "canvas" else ""
        if not canvas_id and not ident.sid:
            by_name.append(s.student)
        rows.append([ident.name or s.student, canvas_id, ident.sid, "", "", _cell(s.score),
                     *_detail_row(s, ch, detail)])
    if by_name:
        notes.append(f"{len(by_name)} student(s) have no Canvas id or SIS id (not from a Canvas "
                     f"download): Canvas will match them by name only: {', '.join(by_name[:10])}")
    return rows


def moodle(cl: ClassList, ch: Chapter, detail: str, language: str,
           notes: list[str]) -> list[list[str]]:
    """The rows of a Moodle grading worksheet, headers in the interface ``language``."""
    if language not in MOODLE:
        raise ExportError(f"unknown Moodle language {language!r}; use one of "
                          f"{', '.join(MOODLE)} (the interface language you upload in)")
    m = MOODLE[language]
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    rows = [[m.recordid, m.fullname, m.email, "ID number", m.gradenoun, m.maxgrade,
             m.lastmodifiedgrade, *_detail_header(ch, detail)]]
    no_id = []
    for s in cl.students:
        if s.duplicate:
            continue
        ident = s.identity
        pid = ident.lms_id if ident.lms == "moodle" else ""
        if not pid:
            no_id.append(s.student)
        rows.append([f"{m.hiddenuser}{pid}" if pid else "", ident.name or s.student, ident.email,
                     ident.sid, _cell(s.score), pts(cl.out_of(ch)), stamp,
                     *_detail_row(s, ch, detail)])
    if no_id:
        notes.append(f"{len(no_id)} student(s) have no Moodle participant id (not from a Moodle "
                     f"download): the grading worksheet upload skips them; the gradebook's CSV "
                     f"import can place them by email or ID number: {', '.join(no_id[:10])}")
    notes.append(f"upload it in Moodle with the interface language {language} (the worksheet "
                 f"importer compares its headers with the uploader's language)")
    return rows


__all__ = ["DETAILS", "canvas", "moodle"]
