"""``OUT/written/``: one page per written part, every student's answer rendered for the grader.

A page starts with the problem and the reference answer (``solutions/<chapter>/<answer>``),
counts the sheets by state (``answers``: submitted, untouched, blank, missing) and then shows
each student in turn: the state, the points a grader gave in ``manual.csv`` if any, and what
the student wrote into the template (``answers.added_text``), Markdown and LaTeX rendered
(``markdown``). An untouched or blank sheet is flagged as such, never shown as an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

from markupsafe import Markup

from .. import answers
from ..course import REPO_ROOT, Chapter, Exercise, WrittenPart
from ..files import write_if_changed
from ..marks import ManualMark
from ..results import SubmissionResult
from ..store import SUBMISSION, submission_file
from . import page
from .markdown import to_html

FOLDER = "written"


@dataclass(frozen=True)
class Entry:
    """One student on a written part's page."""

    student: str
    state: str
    mark: Optional[ManualMark]
    answer: Optional[Markup]
    """The student's text rendered; None when there is none to show."""
    sheet: Optional[str]
    """Link to the submitted file, relative to the page; None when it was not kept."""

    @property
    def description(self) -> str:
        return answers.DESCRIPTION[self.state]


def page_name(exercise: Exercise, part: WrittenPart) -> str:
    """The file name of a written part's page in ``OUT/written/``."""
    return f"{exercise.id}-{part.id}.html"


def reference_answer(chapter: Chapter, exercise: Exercise) -> Optional[Markup]:
    """The reference answer of ``exercise``, rendered, if this checkout has it."""
    if not exercise.answer:
        return None
    path = REPO_ROOT / "solutions" / chapter.id / exercise.answer
    return page.html(to_html(path.read_text(encoding="utf-8"))) if path.is_file() else None


def entry(out: Path, result: SubmissionResult, chapter: Chapter, exercise: Exercise,
          part: WrittenPart, template: Optional[str], mark: Optional[ManualMark]) -> Entry:
    """How ``result``'s student answered ``part``."""
    er = result.exercise(exercise.id)
    kept = submission_file(out, result.student, exercise.answer or "")
    text = answers.read_sheet(kept) if kept is not None else None
    state = (er.written_state if er else "") or \
        (answers.state_of(text, template) if kept is not None else None) or \
        (er.answer_state if er else None) or answers.MISSING
    shown = None
    if state == answers.SUBMITTED and text is not None:
        shown = page.html(to_html(answers.added_text(text, template)))
    sheet = page.href("..", result.student, SUBMISSION, exercise.answer) if kept else None
    return Entry(result.student, state, mark, shown, sheet)


Made = list[tuple[Exercise, WrittenPart, str]]
"""Each written part with its page's path relative to OUT."""


def write_pages(out: Path, chapter: Chapter, results: Sequence[SubmissionResult],
                marks: Mapping[str, Sequence[ManualMark]]) -> Made:
    """Write a page per written part into ``OUT/written/``; returns each part with its page's
    path relative to OUT."""
    folder = Path(out) / FOLDER
    folder.mkdir(exist_ok=True)
    made = []
    for ex in chapter.exercises:
        if not ex.written:
            continue
        template = answers.read_template(chapter, ex)
        reference = reference_answer(chapter, ex)
        for part in ex.written:
            entries = [entry(out, r, chapter, ex, part, template,
                             next((m for m in marks.get(r.student, ())
                                   if (m.exercise_id, m.part) == (ex.id, part.id)), None))
                       for r in results]
            counts = {s: sum(1 for e in entries if e.state == s) for s in answers.STATES}
            text = page.render("written.html.j2", chapter=chapter, exercise=ex, part=part,
                               reference=reference, entries=entries, counts=counts,
                               graded=sum(1 for e in entries if e.mark), root="..",
                               states=answers.STATES)
            name = page_name(ex, part)
            write_if_changed(folder / name, text)
            made.append((ex, part, page.href(FOLDER, name)))
    return made
