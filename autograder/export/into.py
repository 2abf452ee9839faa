"""``--into FILE``: fill the assignment's column of the file the instructor downloaded from the
LMS, keeping its headers, rows, order, byte-order mark, separator and line ends, so the LMS
reads it back as it wrote it.

Canvas: Grades > Export (the gradebook CSV). Rows are matched the way ``GradebookImporter``
does (canvas-lms lib/gradebook_importer.rb): the ``ID`` column (Canvas user id, as a Canvas
download names each student), else ``SIS User ID``, else ``SIS Login ID`` (against the student
number, email or folder name). The column is the assignment ``--assignment`` names (its whole
header, its title or its id), or the only assignment column there is.

Moodle: the assignment's "Download grading worksheet", in any interface language: English and
zh_cn headers are known (``lms.MOODLE``); for another language give the grade column's header
with ``column`` (the identifier is Moodle's first column). Rows are matched by participant
number (the digits ending ``Participant 1058``, the number in Moodle's download folders), else
by the ``Email address`` column. The worksheet must be uploaded in the language it was
downloaded in (the importer compares headers in the uploader's language).

Cells not filled are left exactly as downloaded (Moodle never clears a grade with an empty cell;
Canvas treats a blank where it holds a score as a change). Cells other than the ids the
importers match on are made inert for a spreadsheet (``csvcells.inert``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .. import csvcells
from ..course import Chapter
from ..files import write_atomic
from .classlist import ClassList, ExportError, Student
from .lms import CANVAS_POINTS_POSSIBLE, CANVAS_TITLE_ID, MOODLE, MOODLE_NO_DATE, \
    canvas_read_only, moodle_language

BOM = "\ufeff"


@dataclass
class Filled:
    """What ``fill`` did."""

    kind: str
    rows: list[list[str]]
    filled: int = 0
    unmatched: list[str] = field(default_factory=list)
    """Students of OUT with a grade that no row of the file is for."""
    left: list[str] = field(default_factory=list)
    """Rows of the file whose grade cell was not filled, and why."""
    notes: list[str] = field(default_factory=list)
    filled_rows: list[int] = field(default_factory=list)


@dataclass
class Sheet:
    """An LMS file as read: its rows and how to write it back byte for byte."""

    rows: list[list[str]]
    bom: bool
    delimiter: str
    newline: str


def read_sheet(path: Path) -> Sheet:
    """The rows of an LMS download and its byte format."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ExportError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ExportError(f"{path} is not UTF-8 text: give the CSV exactly as the LMS gave it "
                          f"(a file saved again by Excel may be in another encoding)") from None
    bom = text.startswith(BOM)
    text = text[1:] if bom else text
    newline = "\r\n" if "\r\n" in text else "\n"
    first = text.split("\n", 1)[0]
    semi, comma = _fields(first, ";"), _fields(first, ",")
    delimiter = ";" if semi > comma else ","  # Canvas's identify_delimiter
    rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    if not rows or not rows[0]:
        raise ExportError(f"{path} is empty: give the gradebook export (Canvas) or the grading "
                          f"worksheet (Moodle) as downloaded")
    return Sheet(rows, bom, delimiter, newline)


def _fields(line: str, delimiter: str) -> int:
    return len(next(csv.reader([line], delimiter=delimiter), []))


def sheet_text(sheet: Sheet) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=sheet.delimiter, lineterminator=sheet.newline)
    writer.writerows(sheet.rows)
    return ((BOM if sheet.bom else "") + buf.getvalue()).encode("utf-8")


def fill(path: Path, cl: ClassList, chapter: Chapter, *, output: Path, assignment: str = "",
         column: str = "") -> Filled:
    """Fill ``path`` (a Canvas gradebook export or a Moodle grading worksheet) with the grades
    of ``cl`` and write it to ``output``."""
    sheet = read_sheet(path)
    header = sheet.rows[0]
    if _is_canvas(header):
        done = _canvas(sheet.rows, cl, chapter, assignment)
    else:
        done = _moodle(sheet.rows, cl, chapter, column, path)
    sheet.rows = done.rows
    write_atomic(Path(output), sheet_text(sheet))
    return done


def _is_canvas(header: list[str]) -> bool:
    return len(header) > 3 and ("Student" in header[0] and "ID" in header[1]
                                or header[:3] == ["LastName", "FirstName", "ID"])


def _number(x: float) -> str:
    return f"{x:.2f}"  # as both LMSs write their own grades


def _canvas(rows, cl: ClassList, chapter: Chapter, assignment: str) -> Filled:
    header = rows[0]
    id_col = 2 if header[0] == "LastName" else 1
    keys = [i for i, h in enumerate(header) if re.search(r"SIS\s+(User|Login)\s+ID", h)]
    try:
        section = next(i for i, h in enumerate(header) if "Section" in h)
    except StopIteration:
        raise ExportError("this Canvas gradebook export has no Section column, which Canvas's "
                          "importer needs: download it again from Grades > Export") from None
    candidates = [i for i in range(section + 1, len(header)) if not canvas_read_only(header[i])]
    col = _canvas_column(header, candidates, assignment)
    done = Filled("canvas", rows)
    points = next((r for r in rows[1:3] if r and CANVAS_POINTS_POSSIBLE in r[0]), None)
    if points is not None and len(points) > col and re.search(r"read\s+only", points[col]):
        raise ExportError(f"Canvas marks {header[col]!r} read only in this export (its points "
                          f"row says {points[col]!r}): it would ignore the column; choose "
                          f"another --assignment")
    if points is not None and len(points) > col:
        try:
            if abs(float(points[col]) - cl.out_of(chapter)) > 1e-9:
                done.notes.append(f"{header[col]!r} is out of {points[col]} in Canvas; the "
                                  f"grades written are out of {cl.out_of(chapter):g}: change the "
                                  f"assignment's points in Canvas, or expect them as they are")
        except ValueError:
            pass
    body = [i for i, r in enumerate(rows) if i > 0 and r and r is not points
            and not all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c or "", re.I)
                        for c in r)]

    def row_keys(r):
        found = [("id", _digits(r[id_col]))] if len(r) > id_col and r[id_col].strip() else []
        found += [("key", r[k].strip().casefold()) for k in keys if len(r) > k and r[k].strip()]
        return found

    def student_keys(s: Student):
        ident = s.identity
        found = [("id", ident.lms_id)] if ident.lms == "canvas" and ident.lms_id else []
        found += [("key", v.strip().casefold()) for v in (ident.sid, ident.email, s.student)
                  if v.strip()]
        return found

    _match(rows, body, row_keys, student_keys, cl, col, done,
           lambda r: f"{r[0]} (ID {r[id_col]})" if len(r) > id_col else r[0])
    protected = {id_col, *keys}
    done.rows = _inert(rows, protected)
    return done


def _digits(text: str) -> str:
    m = re.match(r"\s*(\d+)", text)  # Canvas's to_i
    return str(int(m[1])) if m else text.strip()


def _canvas_column(header: list[str], candidates: list[int], assignment: str) -> int:
    shown = "; ".join(header[i] for i in candidates) or "none"
    if not assignment:
        if len(candidates) == 1:
            return candidates[0]
        raise ExportError(f"this gradebook export has {len(candidates)} assignment columns "
                          f"({shown}); say which to fill with --assignment (its title or id)")
    want = assignment.strip()
    for test in (lambda h: h == want,
                 lambda h: bool(CANVAS_TITLE_ID.match(h)) and CANVAS_TITLE_ID.match(h)[2]
                 == (CANVAS_TITLE_ID.match(want)[2] if CANVAS_TITLE_ID.match(want) else want),
                 lambda h: bool(CANVAS_TITLE_ID.match(h)) and CANVAS_TITLE_ID.match(h)[1] == want):
        hits = [i for i in candidates if test(header[i])]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise ExportError(f"--assignment {want!r} names {len(hits)} columns; give its id")
    raise ExportError(f"no assignment column of this gradebook export is {want!r}; its "
                      f"assignment columns: {shown}")


def _moodle(rows, cl: ClassList, chapter: Chapter, column: str, path: Path) -> Filled:
    header = rows[0]
    lang = moodle_language(header)
    if column:
        if column not in header:
            raise ExportError(f"{path} has no column {column!r}; its columns: {'; '.join(header)}")
        col, email_col = header.index(column), None
    elif lang:
        m = MOODLE[lang]
        col = len(header) - 1 - header[::-1].index(m.gradenoun)  # the last one wins in Moodle
        email_col = header.index(m.email) if m.email in header else None
    else:
        raise ExportError(f"{path} is neither Canvas's gradebook export (Student, ID, ...) nor a "
                          f"Moodle grading worksheet in a language known here "
                          f"({', '.join(MOODLE)}): its header is {'; '.join(header)}. For a "
                          f"worksheet in another language, give its grade column with --column")
    done = Filled(f"moodle ({lang or 'language not known here'})", rows)
    if width := {len(r) for r in rows if r} - {len(header)}:
        done.notes.append(f"{path}: some rows have {sorted(width)} cells, the header "
                          f"{len(header)}: Moodle drops such a file; download it again")
    body = [i for i in range(1, len(rows)) if rows[i]]

    def row_keys(r):
        m = re.search(r"(\d+)\s*$", r[0])
        found = [("id", m[1])] if m else []
        if email_col is not None and len(r) > email_col and r[email_col].strip():
            found.append(("key", r[email_col].strip().casefold()))
        return found

    def student_keys(s: Student):
        ident = s.identity
        found = [("id", ident.lms_id)] if ident.lms == "moodle" and ident.lms_id else []
        return found + ([("key", ident.email.strip().casefold())] if ident.email.strip() else [])

    _match(rows, body, row_keys, student_keys, cl, col, done,
           lambda r: f"{r[1] if len(r) > 1 else ''} ({r[0]})")
    if lang in MOODLE and lang != "en":
        modified = header.index(MOODLE[lang].lastmodifiedgrade)
        regraded = [i for i in done.filled_rows
                    if len(rows[i]) > modified and rows[i][modified].strip() != MOODLE_NO_DATE]
        if regraded:
            done.notes.append(f"{len(regraded)} row(s) already had a grade in Moodle: a {lang} "
                              f"Moodle cannot read its own 'last modified' dates, so it skips "
                              f"them unless you tick 'Allow updating records that have been "
                              f"modified more recently in Moodle than in the spreadsheet'")
    done.notes.append(f"upload it in Moodle with the interface language it was downloaded in"
                      f"{f' ({lang})' if lang else ''}: Moodle reads its headers in the "
                      f"uploader's language")
    done.rows = _inert(rows, {0})
    return done


def _match(rows, body, row_keys, student_keys, cl: ClassList, col: int, done: Filled,
           label) -> None:
    """Give each student with a grade the one row their keys name; fill its cell ``col``."""
    index: dict[tuple[str, str], list[int]] = {}
    for i in body:
        for key in row_keys(rows[i]):
            index.setdefault(key, []).append(i)
    doubled = {i for (kind, _), found in index.items() if kind == "id" and len(set(found)) > 1
               for i in found}
    claimed: dict[int, Student] = {}
    clash: set[int] = set()
    for s in cl.students:
        if s.duplicate:
            continue
        hit = None
        for key in student_keys(s):
            found = sorted(set(index.get(key, [])))
            if found:
                hit = found[0] if len(found) == 1 else -1
                break
        if hit is None or hit == -1:
            if s.score is not None:
                done.unmatched.append(s.label() + (" (several rows match)" if hit == -1 else ""))
            continue
        if hit in claimed or hit in doubled:
            clash.add(hit)
        claimed.setdefault(hit, s)
    for i in body:
        r = rows[i]
        s = claimed.get(i)
        why = ("two rows of the file share its id" if i in doubled else
               "two students of OUT match it" if i in clash else
               "no graded student" if s is None else
               "no gradeable upload" if s.score is None else "")
        if why:
            done.left.append(f"{label(r)}: {why}")
            continue
        while len(r) <= col:
            r.append("")
        r[col] = _number(s.score)
        done.filled += 1
        done.filled_rows.append(i)


def _inert(rows, protected: set[int]) -> list[list[str]]:
    return [r if n == 0 else [c if j in protected else csvcells.inert(c) for j, c in enumerate(r)]
            for n, r in enumerate(rows)]


__all__ = ["Filled", "Sheet", "read_sheet", "sheet_text", "fill"]
