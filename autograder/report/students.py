"""Each student's feedback as a page, ``OUT/<student>/feedback.html``, next to feedback.md.

The page opens with a summary per exercise (points, checks passed, failed for real, not
handed in or calling an untouched stub, the written parts' marks), passed and failed told
apart by colour and word, then feedback.md (the student's Markdown, the graders' points
folded in) rendered by ``markdown``, each check's line coloured the same way, with a link
back to the report; the instructor reads it from the report's table of students, and it is
what a student would see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

from .. import answers
from ..course import Chapter
from ..files import write_if_changed
from ..marks import ManualMark, find_mark
from ..results import SubmissionResult
from . import page
from .markdown import to_html
from .stats import FAILED, KINDS, NOT_SUBMITTED, failure_kind

PAGE = "feedback.html"
_CASE = re.compile(r"<li>(\s*<p>)?<strong>(passed|FAILED)</strong>")


@dataclass(frozen=True)
class ExerciseSummary:
    """One exercise of a student's feedback, in one line."""

    exercise_id: str
    title: str
    score: float
    possible: float
    passed: int
    kinds: dict[str, int]
    written: list[tuple[str, str, Optional[ManualMark]]]
    """Each written part: its id, the sheet's state and the grader's mark (None: not yet)."""

    @property
    def state(self) -> str:
        """'passed' (every check), 'missing' (nothing handed in), 'failed' otherwise."""
        if not any(self.kinds.values()):
            return "passed"
        return "missing" if self.kinds[NOT_SUBMITTED] and not self.passed else "failed"


def summary(result: SubmissionResult, chapter: Chapter,
            marks: Sequence[ManualMark]) -> list[ExerciseSummary]:
    """The per-exercise summary of ``result``, in manifest order."""
    out = []
    for ex in chapter.exercises:
        er = result.exercise(ex.id)
        kinds = {k: 0 for k in KINDS}
        passed = 0
        for spec in ex.checks:
            case = next((c for c in er.cases if c.name == spec.name), None) if er else None
            if case is not None and case.passed:
                passed += 1
                continue
            whole = failure_kind(er.message) if er is not None and er.message else FAILED
            message = case.message if case is not None else "not graded"
            kinds[whole if whole != FAILED else failure_kind(message)] += 1
        state = (er.answer_state if er else None) or answers.MISSING
        written = [(w.id, state, find_mark(marks, ex.id, w.id)) for w in ex.written]
        out.append(ExerciseSummary(ex.id, f"{ex.title_zh} / {ex.title_en}",
                                   er.score if er else 0.0, ex.points, passed, kinds, written))
    return out


def _coloured(body: str, chapter: Chapter) -> str:
    """The rendered feedback with each check's line classed ``case-passed`` / ``case-failed``
    and each exercise's heading given the exercise's id (the summary links to it)."""
    for ex in chapter.exercises:
        body = body.replace(f"<h2>{ex.id} ", f'<h2 id="{ex.id}">{ex.id} ', 1)
    return _CASE.sub(lambda m: f'<li class="case-{m.group(2).lower()}">{m.group(1) or ""}'
                               f'<strong>{m.group(2)}</strong>', body)


def write_feedback_pages(out: Path, chapter: Chapter, results: Sequence[SubmissionResult],
                         marks: Mapping[str, Sequence[ManualMark]]) -> None:
    """Write ``OUT/<student>/feedback.html`` for every student of ``results``."""
    for r in results:
        mine = marks.get(r.student, ())
        body = _coloured(to_html(r.feedback(chapter, mine)), chapter)
        text = page.render("feedback.html.j2", student=r.student, chapter=chapter,
                           body=page.html(body), root="..", summary=summary(r, chapter, mine),
                           kinds=KINDS)
        write_if_changed(Path(out) / r.student / PAGE, text)
