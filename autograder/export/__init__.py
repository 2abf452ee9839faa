"""Exports of a graded folder that an LMS imports as it is configured.

``export(OUT, into=FILE)`` fills the assignment's column of the file the instructor downloaded
from the LMS (Canvas's gradebook export, Moodle's grading worksheet in any interface
language): the surest way, as the LMS reads back its own file (``into``). ``export(OUT,
format="canvas" | "moodle")`` writes such a file from nothing (``scratch``). Each module cites
the importer code it follows; docs/lms.md says what instructors must know per LMS.

The points sent are read from OUT/grades.csv by ``classlist.score_of``: ``final`` (the course
grade as the chapter's composition makes it) by default, out of grades.csv's ``possible``;
students who still have ungraded written parts are listed. A student with
no gradeable upload is left empty and listed (``missing="zero"`` sends 0), never exported as
0 unasked; students that share one LMS id get no grade and are listed.

There is no Gradescope CSV: Gradescope takes the autograder's scores from ``results.json``
itself, and the earlier ``Name, Email, SID, Score`` file matched no import Gradescope
documents (its roster upload reads names and emails, not scores).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..course import load_course
from ..grades import write_csv
from .classlist import MISSING, SCORES, ClassList, ExportError, load, score_of
from .into import fill
from .lms import CANVAS_READ_ONLY, MOODLE, MOODLE_LANGUAGES
from .scratch import DETAILS, canvas, moodle

FORMATS = ("canvas", "moodle")

GRADESCOPE = ("Gradescope takes the autograder's scores from results.json itself (upload the "
              "autograder zip); there is no Gradescope score CSV to export")


@dataclass
class Exported:
    """What ``export`` wrote, and what the instructor must know."""

    path: Path
    rows: int
    """Students given a grade."""
    notes: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    """Students with a grade that the file given with ``into`` has no row for."""
    left: list[str] = field(default_factory=list)
    """Students (or rows of the ``into`` file) left without a grade, and why."""
    score: str = ""


def default_output(out: Path, fmt: str) -> Path:
    return Path(out) / f"export-{fmt}.csv"


def export(out: Path, *, format: str = "", into: Optional[Path] = None,
           output: Optional[Path] = None, assignment: str = "", column: str = "",
           detail: str = "", score: Optional[str] = None, missing: str = "empty",
           language: str = "en", chapter: str = "ch5") -> Exported:
    """Write OUT's grades for an LMS: into the LMS's own file ``into``, or as ``format``."""
    if format == "gradescope":
        raise ExportError(GRADESCOPE)
    if into is None and format not in FORMATS:
        raise ExportError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}, or "
                          f"--into with the file the LMS gave you")
    if detail not in DETAILS:
        raise ExportError(f"unknown detail {detail!r}; use exercises or checks")
    if score is not None and score not in SCORES:
        raise ExportError(f"unknown score {score!r}; use one of {', '.join(SCORES)}")
    if into is not None and detail:
        raise ExportError("--detail adds columns; a file filled with --into keeps the LMS's "
                          "columns: export --format canvas or moodle for the detail")
    out = Path(out)
    ch = load_course(chapter, out=Path(out))  # the composition the folder was graded with
    cl = load(out, ch, score=score, missing=missing, detail=bool(detail))
    notes = list(cl.notes)
    if into is not None:
        into = Path(into)
        path = Path(output) if output is not None else out / f"filled-{into.name}"
        if path.resolve() == into.resolve():
            raise ExportError(f"--output is the downloaded file {into}; write the filled copy "
                              f"elsewhere so the download stays as the LMS gave it")
        path.parent.mkdir(parents=True, exist_ok=True)
        done = fill(into, cl, ch, output=path, assignment=assignment, column=column)
        left = [*cl.empty, *done.left]
        return Exported(path, done.filled, notes + done.notes, done.unmatched,
                        _unique(left), cl.score)
    title = assignment or f"nndl {ch.id} auto-graded"
    if format == "canvas":
        rows = canvas(cl, ch, title, detail, notes)
    else:
        rows = moodle(cl, ch, detail, language, notes)
    path = Path(output) if output is not None else default_output(out, format)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(path, rows)  # every cell through csvcells
    given = sum(1 for s in cl.students if s.score is not None)
    return Exported(path, given, notes, [], cl.empty, cl.score)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


__all__ = ["FORMATS", "DETAILS", "SCORES", "MISSING", "MOODLE_LANGUAGES", "CANVAS_READ_ONLY",
           "MOODLE", "ExportError", "Exported", "ClassList", "export", "score_of",
           "default_output"]
