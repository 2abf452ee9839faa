"""The instructor's view of a graded folder: ``write_report(out, chapter, references=...)``.

``nndl-grade grade`` calls it once the students are graded; ``nndl-grade report OUT`` calls
it alone, from what ``OUT`` holds. The map:

- ``manual``      OUT/manual.csv, the graders' points for the written parts (standard library)
- ``stats``       figures per exercise, per check, per written part (standard library)
- ``incidents``   timeouts, memory, crashes, refused uploads (standard library)
- ``markdown``    Markdown + LaTeX to safe HTML with MathML (markdown-it-py, latex2mathml)
- ``page``        the pages' frame and templates (Jinja2, ``templates/``)
- ``charts``      inline SVG histograms (matplotlib)
- ``written``     OUT/written/<exercise>-<part>.html, every student's answer
- ``students``    OUT/<student>/feedback.html
- ``sources``     published answer sets read as code (``--reference DIR``)
- ``similarity``  OUT/similarity.csv and side-by-side pages (copydetect)
- ``overview``    OUT/report.html

The first three need nothing beyond the core install, so the graders' points reach
grades.csv, results.json and feedback.md with or without the ``report`` extra; the pages
need the extra (``REPORT_EXTRA``), and without it ``write_report`` says how to install it.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from ..course import Chapter, load_course
from ..files import write_if_changed
from ..grades import read_grades_csv, write_grades_csv
from ..store import graded_students, has_submission, write_renderings
from . import manual

REPORT_EXTRA = ("jinja2", "markdown_it", "mdit_py_plugins", "latex2mathml", "matplotlib",
                "copydetect")
"""The modules the pages need: the ``report`` extra of the package."""
INSTALL = "pip install 'nndl-autograder[report]'"
SETTINGS = ".report.json"
"""``OUT/.report.json``: the reference folders last used, reused when none is given."""


@dataclass
class Report:
    """What ``write_report`` wrote and has to say."""

    students: int = 0
    html: Optional[Path] = None
    """OUT/report.html, or None when the extra is missing."""
    problems: list[str] = field(default_factory=list)
    """manual.csv's problems, each naming its line."""
    notes: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    similar: int = 0
    """Flagged pairs and reference matches."""


def missing_extra() -> list[str]:
    """The modules of the ``report`` extra that are not installed."""
    return [m for m in REPORT_EXTRA if importlib.util.find_spec(m) is None]


def _references(out: Path, given: Optional[Sequence[Union[str, Path]]]) -> list[Path]:
    """The reference folders to use: those given (remembered in OUT), else those remembered."""
    path = out / SETTINGS
    if given is not None:
        folders = [Path(g).resolve() for g in given]
        write_if_changed(path, json.dumps({"references": [str(f) for f in folders]}, indent=1))
        return folders
    try:
        return [Path(p) for p in json.loads(path.read_text(encoding="utf-8"))["references"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def class_of(out: Path) -> list:
    """The students the report covers: those of grades.csv (the folder last graded into
    ``out``), or every student graded in ``out`` when there is no grades.csv yet."""
    results = graded_students(out)
    try:
        listed = {row["student"] for row in read_grades_csv(out / "grades.csv")}
    except (OSError, KeyError, ValueError):
        return results
    return [r for r in results if r.student in listed]


def write_report(out: Union[str, Path], chapter: Union[str, Chapter] = "ch5", *,
                 references: Optional[Sequence[Union[str, Path]]] = None,
                 on_note: Optional[Callable[[str], None]] = None) -> Report:
    """Fold manual.csv into every rendering and write the report pages of ``out``.

    ``references`` are folders of published answer sets for the similarity check; None
    reuses those of the last run in ``out``. Notes (problems of manual.csv, the extra to
    install) also go to ``on_note``.
    """
    out = Path(out)
    ch = load_course(chapter, out=out) if isinstance(chapter, str) else chapter
    report = Report()
    note = on_note or (lambda text: None)
    if not out.is_dir():
        raise FileNotFoundError(f"{out} is not a folder")
    results = class_of(out)
    report.students = len(results)
    sheet = manual.sync(out, ch, [r.student for r in results])
    report.problems = list(sheet.problems)
    for r in results:
        write_renderings(out, r, ch, sheet.for_student(r.student))
    write_grades_csv(results, ch, out / "grades.csv", sheet.marks)
    for p in report.problems:
        note(p)
    missing = missing_extra()
    if missing:
        report.notes.append(f"report.html, the written pages and the similarity check need the "
                            f"report extra ({', '.join(missing)} missing): {INSTALL}")
        note(report.notes[-1])
        return report
    return _write_pages(out, ch, results, sheet, _references(out, references), report, note)


def _write_pages(out: Path, chapter: Chapter, results: list, sheet: manual.Sheet,
                 references: list[Path], report: Report,
                 note: Callable[[str], None]) -> Report:
    from . import overview, similarity, students, written

    old = [r.student for r in results if not has_submission(out, r.student)]
    if old:
        report.notes.append(f"{len(old)} student(s) were graded before copies of submissions "
                            f"were kept ({', '.join(old[:5])}{', ...' if len(old) > 5 else ''}): "
                            f"their answers and code are not in the report; "
                            f"nndl-grade grade --force regrades them")
    similarity.clear_views(out)
    found = similarity.detect(out, chapter, [r.student for r in results], references)
    similarity.write_csv(out, found)
    report.similar = len(found.matches)
    report.notes += found.notes
    students.write_feedback_pages(out, chapter, results, sheet.marks)
    pages = written.write_pages(out, chapter, results, sheet.marks)
    report.written = [out / link for _, _, link in pages]
    report.html = overview.write_overview(out, chapter, results, sheet.marks, pages, found,
                                          report.problems, report.notes)
    for n in report.notes:
        note(n)
    return report
