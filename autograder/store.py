"""The grading output folder: what is recorded per student, and reading it back.

``OUT/<student>/`` holds:

- ``results.json``: Gradescope's results format (one test per check);
- ``feedback.md``: the student's report;
- ``summary.json``: the record of the result model itself, ``SubmissionResult.to_dict()`` (the
  checks' outcomes, the upload's messages and status, the student's identity, the submission
  time and the late verdict) plus ``submission_hash``, the digest of what was graded and of
  the checks; ``SubmissionResult.from_dict`` reads it back, and ``export`` reads it;
- ``.complete``, written last, holding that digest: a student whose marker is there and whose
  digest is unchanged need not be graded again (an interrupted student has no marker).

``OUT/grades.csv`` has one row per student of the folder last graded. Every file is written
atomically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from .course import Chapter
from .files import write_atomic
from .results import SubmissionResult

MARKER = ".complete"
"""Written last into ``OUT/<student>/``: its grading finished."""


def write_student(out: Path, result: SubmissionResult, chapter: Chapter, digest: str) -> None:
    """Write ``OUT/<student>/``: results.json, feedback.md, summary.json, then the marker."""
    folder = Path(out) / result.student
    folder.mkdir(mode=0o700, exist_ok=True)
    marker = folder / MARKER
    if marker.exists():
        marker.unlink()
    write_atomic(folder / "results.json",
                 json.dumps(result.gradescope(chapter), indent=2, ensure_ascii=False))
    write_atomic(folder / "feedback.md", result.feedback(chapter))
    record = result.to_dict()
    record["submission_hash"] = digest
    write_atomic(folder / "summary.json", json.dumps(record, indent=1, ensure_ascii=False))
    write_atomic(marker, digest + "\n")


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
