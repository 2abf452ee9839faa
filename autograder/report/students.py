"""Each student's feedback as a page, ``OUT/<student>/feedback.html``, next to feedback.md.

The page is feedback.md (the student's Markdown, the graders' points folded in) rendered by
``markdown``, with a link back to the report; the instructor reads it from the report's table
of students, and it is what a student would see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

from ..course import Chapter
from ..files import write_if_changed
from ..marks import ManualMark
from ..results import SubmissionResult
from . import page
from .markdown import to_html

PAGE = "feedback.html"


def write_feedback_pages(out: Path, chapter: Chapter, results: Sequence[SubmissionResult],
                         marks: Mapping[str, Sequence[ManualMark]]) -> None:
    """Write ``OUT/<student>/feedback.html`` for every student of ``results``."""
    for r in results:
        body = to_html(r.feedback(chapter, marks.get(r.student, ())))
        text = page.render("feedback.html.j2", student=r.student, chapter=chapter,
                           body=page.html(body), root="..")
        write_if_changed(Path(out) / r.student / PAGE, text)
