"""The LMS importers' own reading and matching rules, re-enacted as ../shared/lms describes
them (canvas-import-rules.md: canvas-lms lib/gradebook_importer.rb; moodle-import-rules.md:
mod/assign/feedback/offline/importgradeslib.php, lib/csvlib.class.php), to read back what an
export wrote as the LMS would."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Optional

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lms"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "lms"

CANVAS_NON_ASSIGNMENT = ("Current Score", "Current Points", "Current Grade", "Final Score",
                         "Final Points", "Final Grade", "Override Score", "Override Grade",
                         "Override Status")


class ImportFailed(Exception):
    """The importer refuses the file (its own message)."""


# ---------------------------------------------------------------- Canvas GradebookImporter


def _canvas_rows(raw: bytes) -> list[list[Optional[str]]]:
    text = raw.decode("utf-8")  # CSV.foreach without encoding: a BOM stays as U+FEFF
    lines = text.split("\n")[:3]

    def same_width(sep):
        widths = {len(next(csv.reader([ln], delimiter=sep), [])) for ln in lines if ln}
        return widths.pop() if len(widths) == 1 else 0
    sep = ";" if same_width(";") > same_width(",") else ","
    rows = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
        if re.fullmatch(r"[;, ]*", sep.join(row)):  # skip_lines: /^[;, ]+$/
            continue
        rows.append([c if c != "" else None for c in row])  # the nil converter
    return rows


def canvas_import(raw: bytes, roster: dict[int, dict], current: dict[tuple[int, str], str]):
    """What Canvas's importer makes of ``raw``: ``{(user id, assignment header): new grade}`` for
    every cell it sees as changed, and the names of rows it matched to no student. ``roster``:
    user id -> {"sis": ..., "login": ..., "name": ...}; ``current``: the grades Canvas holds."""
    rows = _canvas_rows(raw)
    header = [c or "" for c in rows[0]]
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        raise ImportFailed("Invalid header row")
    count, i = 2, 2
    sis_user = sis_login = None
    if re.search(r"SIS\s+Login\s+ID", header[i]):
        sis_login, count, i = i, count + 1, i + 1
    elif re.search(r"SIS\s+User\s+ID", header[i]) and re.search(r"SIS\s+Login\s+ID", header[i + 1]):
        sis_user, sis_login, count, i = i, i + 1, count + 2, i + 2
    if "Section" not in header[i]:
        raise ImportFailed("Invalid header row")
    count += 1
    non_assignment = re.compile("|".join(CANVAS_NON_ASSIGNMENT))
    columns = [j for j in range(count, len(header)) if not non_assignment.search(header[j])]
    changes: dict[tuple[int, str], str] = {}
    missing = []
    for row in rows[1:]:
        row = row + [None] * (len(header) - len(row))
        if row[0] and "Points Possible" in row[0]:
            continue
        if all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c, re.I) for c in row if c):
            continue
        uid = _to_i(row[1])
        if uid not in roster:
            uid = None
            key = row[sis_user] if sis_user is not None and row[sis_user] else None
            field = "sis" if key else "login"
            key = key or (row[sis_login] if sis_login is not None else None)
            uid = next((u for u, r in roster.items() if key and r[field] == key), None)
        if uid is None:
            uid = next((u for u, r in roster.items() if r["name"] == row[0]), None)
        if uid is None:
            missing.append(row[0])
            continue
        for j in columns:
            new = (row[j] or "").strip()
            old = current.get((uid, header[j]), "")
            if not _unchanged(old, new):
                changes[(uid, header[j])] = new
    return changes, missing


def _to_i(text) -> int:
    m = re.match(r"\s*(\d+)", text or "")
    return int(m[1]) if m else 0


def _unchanged(old: str, new: str) -> bool:
    if old == new:
        return True
    blank = lambda v: not v.strip() or v == "-"  # noqa: E731  no_score?
    if blank(old) and blank(new):
        return True
    if blank(old) != blank(new):
        return False
    try:
        return round(float(old), 2) == round(float(new), 2)  # I18n.n(x, precision: 2)
    except ValueError:
        return False


def canvas_roster(raw: bytes) -> tuple[dict[int, dict], dict[tuple[int, str], str]]:
    """The course as Canvas holds it when it wrote this export: students and their grades."""
    rows = [[c or "" for c in r] for r in _canvas_rows(raw)]
    header = rows[0]
    roster, current = {}, {}
    for row in rows[2:]:
        uid = int(row[1])
        roster[uid] = {"name": row[0], "sis": row[2], "login": row[3]}
        for j in range(5, len(header)):
            current[(uid, header[j])] = row[j]
    return roster, current


# ---------------------------------------------------------------- Moodle offline worksheet

MOODLE_STRINGS = {
    "en": {"recordid": "Identifier", "gradenoun": "Grade",
           "lastmodifiedgrade": "Last modified (grade)", "hiddenuser": "Participant "},
    "zh_cn": {"recordid": "标识符", "gradenoun": "成绩", "lastmodifiedgrade": "上次修改（评分）",
              "hiddenuser": "参与人"},
}


def _strtotime(text: str) -> Optional[float]:
    """PHP strtotime on what Moodle writes: English dates and ISO 8601 parse; zh_cn dates and
    ``-`` do not (moodle-import-rules.md §5)."""
    for fmt in ("%A, %d %B %Y, %I:%M %p",):
        try:
            return datetime.strptime(text.strip(), fmt).timestamp()
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        return None


def moodle_import(raw: bytes, language: str, participants: dict[int, dict],
                  ignoremodified: bool = False) -> dict[int, float]:
    """The grades Moodle's "Upload grading worksheet" writes, uploaded by a user whose interface
    is ``language``: ``{participant number: grade}``. ``participants``: number ->
    {"grade": float or None, "timemodified": epoch seconds or None}."""
    text = raw.decode("utf-8")
    text = text[1:] if text.startswith("\ufeff") else text  # trim_utf8_bom
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    header = rows[0]
    s = MOODLE_STRINGS[language]
    index = {}
    for j, h in enumerate(header):  # == against get_string(); the last occurrence wins
        for role in ("recordid", "gradenoun", "lastmodifiedgrade"):
            if h == s[role]:
                index[role] = j
    if len(index) < 3:
        raise ImportFailed("invalidgradeimport")
    if any(len(r) != len(header) for r in rows):
        return {}  # csvweirdcolumns: no rows
    prefix = len(s["hiddenuser"].encode())
    written = {}
    for r in rows[1:]:
        ident = r[index["recordid"]].encode()[prefix:].decode("utf-8", "replace")
        try:
            pid = int(ident)
        except ValueError:
            continue
        if pid not in participants:
            continue  # unknown rows are skipped silently
        cell = r[index["gradenoun"]].strip()
        if not cell:
            continue  # an empty cell never clears a grade
        try:
            value = float(cell.replace(" ", ""))
        except ValueError:
            value = 0.0  # unformat_float('Wrong value') == 0.0
        user = participants[pid]
        if user["grade"] is not None and user["grade"] == value:
            continue
        modified = _strtotime(r[index["lastmodifiedgrade"]]) or 0
        stale = user["timemodified"] is not None and user["timemodified"] > modified + 60
        if stale and not ignoremodified:
            continue
        if value < 0 or value > 100:
            continue
        written[pid] = value
    return written


def moodle_participants(raw: bytes) -> dict[int, dict]:
    """Moodle's state when it wrote the English worksheet: each participant's grade and when."""
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = {}
    for r in rows[1:]:
        pid = int(r[0].split()[-1])
        out[pid] = {"grade": float(r[4]) if r[4] else None,
                    "timemodified": _strtotime(r[8]) if r[8] != "-" else None}
    return out
