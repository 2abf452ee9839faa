"""``OUT/manual.csv``: the graders' points for the written parts, kept across runs.

One row per graded student and written part, columns ``student, exercise, part, points,
max_points, comment``. ``sync`` adds the rows of new students and parts and never changes a
cell a grader filled (``max_points`` is the manifest's and is rewritten from it; columns a
grader added are kept). ``read`` parses and validates the file: each filled, valid row is a
``ManualMark``; each problem is a sentence naming the file's line, the student, the exercise
and the part. Rows of students or parts no longer graded are kept when filled, never counted.
Standard library only: grading folds the marks into grades.csv without the report's extra.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional

from .. import csvcells
from ..course import Chapter
from ..files import write_if_changed
from ..grades import CSV_ENCODING
from ..marks import ManualMark
from ..results import pts

FILE = "manual.csv"
LOCK = ".manual.lock"
"""Held while manual.csv is read, changed and replaced (``sync``, ``set_mark``), so that the
report and the marking app never write over each other's change."""
COLUMNS = ("student", "exercise", "part", "points", "max_points", "comment")


@dataclass
class Sheet:
    """What manual.csv says: the marks by student, its problems, its rows as read."""

    marks: dict[str, list[ManualMark]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    readable: bool = True
    """False when the file exists but cannot be read as manual.csv (it is then never rewritten)."""

    def for_student(self, student: str) -> list[ManualMark]:
        return self.marks.get(student, [])


def _parts(chapter: Chapter) -> list[tuple[str, str, float]]:
    return [(ex.id, w.id, w.points) for ex in chapter.exercises for w in ex.written]


def _where(line: int, row: dict[str, str]) -> str:
    return f"{FILE} line {line} ({row.get('student', '')}, {row.get('exercise', '')}, " \
           f"{row.get('part', '')})"


def _points(text: str, maximum: float) -> tuple[Optional[float], str]:
    """The points a cell holds, or None and why not ('' when the cell is empty)."""
    text = text.strip()
    if not text:
        return None, ""
    try:
        value = float(text)
    except ValueError:
        return None, f"points {text!r} is not a number"
    if not math.isfinite(value):
        return None, f"points {text!r} is not a number"
    if value < 0:
        return None, f"points {text} is negative"
    if value > maximum:
        return None, f"points {text} is more than max_points {pts(maximum)}"
    return value, ""


def read(path: Path, chapter: Chapter, students: Optional[Iterable[str]] = None) -> Sheet:
    """Parse and validate ``path``; ``students`` (if given) are those graded in OUT."""
    sheet = Sheet()
    path = Path(path)
    if not path.is_file():
        return sheet
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        sheet.readable = False
        sheet.problems.append(f"{FILE} could not be read ({exc}); save it as UTF-8 CSV. It was "
                              f"left as it is and nothing in it was counted")
        return sheet
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = csvcells.unrow(reader.fieldnames or [])
    reader.fieldnames = header
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        sheet.readable = False
        sheet.problems.append(f"{FILE} has no column {', '.join(missing)} (its header must be "
                              f"{','.join(COLUMNS)}); it was left as it is and nothing in it "
                              f"was counted")
        return sheet
    sheet.extra_columns = [c for c in header if c not in COLUMNS and c]
    maxima = {(e, p): m for e, p, m in _parts(chapter)}
    known = set(students) if students is not None else None
    seen: dict[tuple[str, str, str], int] = {}
    for row in reader:
        row = {k: csvcells.uncell(v or "") for k, v in row.items() if k is not None}
        line = reader.line_num
        sheet.rows.append(row)
        key = (row["student"].strip(), row["exercise"].strip(), row["part"].strip())
        filled = bool(row["points"].strip())
        if (key[1], key[2]) not in maxima:
            if filled:
                sheet.problems.append(f"{_where(line, row)}: the manifest has no written part "
                                      f"{key[2]!r} of {key[1]!r}; kept, not counted")
            continue
        if known is not None and key[0] not in known:
            if filled:
                sheet.problems.append(f"{_where(line, row)}: {key[0]!r} is not a graded student "
                                      f"in this folder; kept, not counted")
            continue
        if key in seen:
            if filled:
                sheet.problems.append(f"{_where(line, row)}: a second row for this part (the "
                                      f"first is line {seen[key]}); not counted")
            continue
        seen[key] = line
        maximum = maxima[(key[1], key[2])]
        value, why = _points(row["points"], maximum)
        if why:
            sheet.problems.append(f"{_where(line, row)}: {why}; not counted")
        if value is not None:
            sheet.marks.setdefault(key[0], []).append(
                ManualMark(key[1], key[2], value, maximum, row["comment"].strip()))
    return sheet


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold ``OUT/.manual.lock`` (waiting for another holder)."""
    fd = os.open(Path(out) / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def sync(out: Path, chapter: Chapter, students: Iterable[str]) -> Sheet:
    """Bring ``OUT/manual.csv`` up to date for ``students`` (a row per student and written
    part, graders' cells kept) and return it read and validated."""
    with _locked(out):
        return _sync(Path(out), chapter, students)


def _sync(out: Path, chapter: Chapter, students: Iterable[str]) -> Sheet:
    path = out / FILE
    students = sorted(set(students))
    old = read(path, chapter, students)
    if not old.readable:
        return old
    parts = _parts(chapter)
    by_key: dict[tuple[str, str, str], dict[str, str]] = {}
    leftovers: list[dict[str, str]] = []
    for row in old.rows:
        key = (row["student"].strip(), row["exercise"].strip(), row["part"].strip())
        if key in by_key or key[0] not in students or (key[1], key[2]) not in \
                {(e, p) for e, p, _ in parts}:
            if row["points"].strip() or row["comment"].strip():
                leftovers.append(row)  # a grader wrote here: never drop it
            continue
        by_key[key] = row
    rows = []
    for student in students:
        for exercise, part, maximum in parts:
            row = dict(by_key.get((student, exercise, part),
                                  {"student": student, "exercise": exercise, "part": part,
                                   "points": "", "comment": ""}))
            row["max_points"] = pts(maximum)
            rows.append(row)
    write_rows(path, rows + leftovers, old.extra_columns)
    return read(path, chapter, students)


def write_rows(path: Path, rows: list[dict[str, str]], extra_columns: Iterable[str] = ()) -> bool:
    """Write ``rows`` as manual.csv at ``path`` (atomically, only if changed); True if written."""
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS) + list(extra_columns),
                            extrasaction="ignore", restval="")
    writer.writerow({c: csvcells.cell(c) for c in writer.fieldnames})
    writer.writerows({k: csvcells.cell(v) for k, v in r.items()} for r in rows)
    return write_if_changed(path, buf.getvalue().encode(CSV_ENCODING))  # Excel: Chinese comments


def set_mark(out: Path, chapter: Chapter, student: str, exercise: str, part: str,
             points: Optional[float], comment: str) -> Sheet:
    """Set one cell pair of ``OUT/manual.csv`` (points None clears them) and keep every other
    row as it is; returns the file read back. ``ValueError`` when the points are out of range
    or the file cannot be read as manual.csv (it is then left alone)."""
    path = Path(out) / FILE
    maxima = {(e, p): m for e, p, m in _parts(chapter)}
    if (exercise, part) not in maxima:
        raise ValueError(f"the manifest has no written part {part!r} of {exercise!r}")
    maximum = maxima[(exercise, part)]
    if points is not None and not (math.isfinite(points) and 0 <= points <= maximum):
        raise ValueError(f"points {points} are outside 0..{pts(maximum)} for {exercise} {part}")
    with _locked(out):
        return _set(path, chapter, (student, exercise, part), points, comment,
                    pts(maximum))


def _set(path: Path, chapter: Chapter, key: tuple[str, str, str], points: Optional[float],
         comment: str, maximum: str) -> Sheet:
    old = read(path, chapter)
    if not old.readable:
        raise ValueError("; ".join(old.problems))
    rows = [dict(r) for r in old.rows]
    row = next((r for r in rows if (r["student"].strip(), r["exercise"].strip(),
                                    r["part"].strip()) == key), None)
    if row is None:
        row = {"student": key[0], "exercise": key[1], "part": key[2], "max_points": maximum}
        rows.append(row)
    row["points"] = "" if points is None else pts(points)
    row["comment"] = comment.strip()
    write_rows(path, rows, old.extra_columns)
    return read(path, chapter)
