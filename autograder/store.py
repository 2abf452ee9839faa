"""The grading output folder: what is recorded per student, and reading it back.

``OUT/<student>/`` holds:

- ``results.json``: Gradescope's results format (one test per check, one per graded written
  part);
- ``feedback.md``: the student's report;
- ``summary.json``: the record of the result model itself, ``SubmissionResult.to_dict()`` (the
  checks' outcomes, the upload's messages and status, the answer sheets' states, the student's
  identity, the submission time and the late verdict) plus ``submission_hash``, the digest of
  what was graded and of the checks; ``SubmissionResult.from_dict`` reads it back, and
  ``export`` and the report read it;
- ``submission/``: a copy of the chapter's files as graded, for the written pages and the
  similarity report;
- ``.complete``, written last, holding that digest: a student whose marker is there and whose
  digest is unchanged need not be graded again (an interrupted student has no marker).

results.json and feedback.md are renderings of the record with the graders' points
(``ManualMark``, from ``OUT/manual.csv``) folded in; ``write_renderings`` redoes them.
``OUT/grades.csv`` has one row per student of the folder last graded. Every file is written
atomically.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Optional, Sequence

from .course import Chapter
from .files import write_atomic, write_if_changed
from .marks import ManualMark
from .results import SubmissionResult

MARKER = ".complete"
"""Written last into ``OUT/<student>/``: its grading finished."""

SUBMISSION = "submission"
"""``OUT/<student>/submission/``: the chapter's files of the student, as graded."""


def write_student(out: Path, result: SubmissionResult, chapter: Chapter, digest: str,
                  files: Optional[Path] = None, manual: Sequence[ManualMark] = ()) -> None:
    """Write ``OUT/<student>/``: results.json, feedback.md (with the graders' points
    ``manual``), a copy of the graded ``files``, summary.json, then the marker."""
    folder = Path(out) / result.student
    folder.mkdir(mode=0o700, exist_ok=True)
    marker = folder / MARKER
    if marker.exists():
        marker.unlink()
    write_renderings(out, result, chapter, manual)
    if files is not None:
        keep_submission(out, result.student, files, chapter)
    record = result.to_dict()
    record["submission_hash"] = digest
    write_atomic(folder / "summary.json", json.dumps(record, indent=1, ensure_ascii=False))
    write_atomic(marker, digest + "\n")


def write_renderings(out: Path, result: SubmissionResult, chapter: Chapter,
                     manual: Sequence[ManualMark] = ()) -> bool:
    """(Re)write ``OUT/<student>/results.json`` and ``feedback.md`` from the record and the
    graders' points; True if either changed."""
    folder = Path(out) / result.student
    changed = write_if_changed(folder / "results.json", json.dumps(
        result.gradescope(chapter, manual), indent=2, ensure_ascii=False))
    return write_if_changed(folder / "feedback.md", result.feedback(chapter, manual)) or changed


def keep_submission(out: Path, student: str, files: Path, chapter: Chapter) -> None:
    """Copy the chapter's files found in ``files`` (the intake's flat folder) into
    ``OUT/<student>/submission/``, replacing what was there."""
    dest = Path(out) / student / SUBMISSION
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(mode=0o700, parents=True)
    for name in sorted({f for ex in chapter.exercises for f in ex.files}):
        src = Path(files) / name
        if src.is_file() and not src.is_symlink():
            write_atomic(dest / name, src.read_bytes(), mode=0o600)


def submission_file(out: Path, student: str, name: str) -> Optional[Path]:
    """``OUT/<student>/submission/<name>`` when it was kept, else None."""
    path = Path(out) / student / SUBMISSION / name
    return path if path.is_file() and not path.is_symlink() else None


def has_submission(out: Path, student: str) -> bool:
    """Whether a copy of the student's files is kept (records made before it was are not)."""
    return (Path(out) / student / SUBMISSION).is_dir()


def load_student(out: Path, student: str) -> Optional[tuple[SubmissionResult, str]]:
    """The recorded result and digest of a completely graded student, or None."""
    folder = Path(out) / student
    try:
        digest = (folder / MARKER).read_text(encoding="utf-8").strip()
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        return SubmissionResult.from_dict(data), digest
    except (OSError, ValueError, KeyError, TypeError):
        return None


def graded_students(out: Path) -> list[SubmissionResult]:
    """Every completely graded student in ``out``, sorted by id."""
    found = []
    out = Path(out)
    if out.is_dir():
        for p in sorted(out.iterdir(), key=lambda p: p.name):
            if p.is_dir() and (p / MARKER).is_file():
                loaded = load_student(out, p.name)
                if loaded is not None:
                    found.append(loaded[0])
    return found
