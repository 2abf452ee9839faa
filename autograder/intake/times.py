"""Submission times the LMS gives, from a per-student file the instructor exported from it
(``nndl-grade grade --times FILE``).

Two kinds of CSV are read (UTF-8, with or without a byte-order mark):

- Moodle's grading worksheet ("Download grading worksheet"), in English or Chinese: the
  participant id of its ``Identifier`` / ``标识符`` column (``Participant 1058``,
  ``参与人1058``) matches the id in Moodle's submissions download, and its ``Last modified
  (submission)`` / ``上次修改（作业）`` column is the time. Moodle writes it with ``userdate``
  in the downloader's language and time zone, without the zone: ``Monday, 11 March 2024,
  9:05 PM`` or ``2024年03月11日 星期一 21:05``; ``-`` means no submission.
- Any CSV with a ``student`` column (the student's folder or zip name, LMS id, name or SID)
  and a ``submitted_at`` column (ISO 8601).

Times without a zone are read in ``zone`` (the deadline's, else this machine's).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Optional

from ..late import parse_time
from .common import Entry

ID_HEADERS = ("identifier", "标识符")
"""Moodle's worksheet: the participant column, in the languages known."""

TIME_HEADERS = ("last modified (submission)", "上次修改（作业）", "上次修改(作业)", "submitted_at")
"""The submission time column: Moodle's worksheet (English, Chinese), or a plain file's."""

STUDENT_HEADER = "student"

_ZH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\D*?(\d{1,2}):(\d{2})")
_EN_FORMATS = ("%A, %d %B %Y, %I:%M %p", "%A, %d %B %Y, %H:%M", "%d %B %Y, %I:%M %p")


@dataclass
class SubmissionTimes:
    """The times of a times file, by participant id (Moodle) or by any name of the student."""

    path: Path
    by_id: dict[str, Optional[datetime]] = field(default_factory=dict)
    by_name: dict[str, Optional[datetime]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    """Rows that could not be read, each naming its line."""

    def lookup(self, entry: Entry) -> tuple[bool, Optional[datetime]]:
        """Whether the file has a row for ``entry``, and its time (None: no submission)."""
        ident = entry.identity
        if self.by_id and ident.lms == "moodle" and ident.lms_id in self.by_id:
            return True, self.by_id[ident.lms_id]
        for key in (entry.student, ident.lms_id, ident.name, ident.sid, ident.email):
            k = key.strip().casefold()
            if k and k in self.by_name:
                return True, self.by_name[k]
        return False, None


def parse_lms_time(text: str, zone: Optional[tzinfo] = None) -> Optional[datetime]:
    """A time as an LMS writes it (Moodle's English or Chinese ``userdate``, or ISO 8601) as
    an aware datetime, read in ``zone`` when it has none; None for ``-`` or an empty cell.
    ``ValueError`` shows the text and the forms accepted."""
    raw = text.strip()
    if raw in ("", "-"):
        return None
    naive: Optional[datetime] = None
    m = _ZH.search(raw)
    if m:
        y, mo, d, h, mi = (int(g) for g in m.groups())
        naive = datetime(y, mo, d, h, mi)
    else:
        for fmt in _EN_FORMATS:
            try:
                naive = datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
    if naive is None:
        try:
            parsed = parse_time(raw) if zone is None or _has_zone(raw) else \
                datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a time this grader reads; write ISO 8601 "
                             f"(2025-06-01T21:05+08:00) or keep Moodle's own text "
                             f"('Monday, 11 March 2024, 9:05 PM', '2024年03月11日 星期一 21:05')"
                             ) from None
        if parsed.tzinfo is not None:
            return parsed
        naive = parsed
    return naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()


def _has_zone(raw: str) -> bool:
    return raw.endswith(("Z", "z")) or bool(re.search(r"[+-]\d{2}:?\d{2}$", raw))


def read_times(path: Path, zone: Optional[tzinfo] = None) -> SubmissionTimes:
    """The submission times of ``path``; ``ValueError`` naming the file and what it lacks when
    it is neither a Moodle grading worksheet nor a ``student,submitted_at`` CSV."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"--times: {path} could not be read as UTF-8 CSV ({exc}); save it as "
                         f"UTF-8 CSV") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    folded = [h.casefold() for h in header]
    when_col = next((folded.index(h) for h in TIME_HEADERS if h in folded), None)
    id_col = next((folded.index(h) for h in ID_HEADERS if h in folded), None)
    name_col = folded.index(STUDENT_HEADER) if STUDENT_HEADER in folded else None
    if when_col is None or (id_col is None and name_col is None):
        raise ValueError(
            f"--times: {path} has no column of submission times and of students: give Moodle's "
            f"grading worksheet (columns 'Identifier' and 'Last modified (submission)', or "
            f"'标识符' and '上次修改（作业）'), or a CSV with columns student,submitted_at. Its "
            f"header is: {', '.join(header[:12])}")
    times = SubmissionTimes(path)
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cell = row[when_col] if when_col < len(row) else ""
        try:
            when = parse_lms_time(cell, zone)
        except ValueError as exc:
            times.problems.append(f"{path.name} line {line}: {exc}; that student's time is "
                                  f"unknown")
            continue
        if id_col is not None and id_col < len(row):
            pid = re.sub(r"\D", "", row[id_col])
            if pid:
                times.by_id.setdefault(pid, when)
                continue
        if name_col is not None and name_col < len(row) and row[name_col].strip():
            times.by_name.setdefault(row[name_col].strip().casefold(), when)
        else:
            times.problems.append(f"{path.name} line {line}: no student named; skipped")
    return times
