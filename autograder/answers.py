"""Written answer sheets against the handout's templates: is there an answer, and what is it?

A student's sheet (``<exercise>.md``) is one of four states: ``missing`` (not in the upload),
``blank`` (empty or whitespace only), ``untouched`` (the handout's template,
``assignments/<chapter>/<answer>``, unchanged once whitespace and ``<!-- -->`` placeholders
are set aside) or ``submitted``. ``added_text`` is what a student wrote into the template,
under the template's headings, for the grader's pages. Standard library only: grading uses it.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Optional

from .course import REPO_ROOT, Chapter, Exercise

MISSING, BLANK, UNTOUCHED, SUBMITTED = "missing", "blank", "untouched", "submitted"
STATES = (SUBMITTED, UNTOUCHED, BLANK, MISSING)
"""Every state, the one a grader wants to see first first."""

DESCRIPTION = {
    SUBMITTED: "submitted",
    UNTOUCHED: "untouched: the handout's answer sheet, unchanged",
    BLANK: "blank: the file is empty",
    MISSING: "not submitted",
}
"""Each state in words, for the student and the grader."""

_COMMENT = re.compile(r"<!--.*?-->", re.S)


def normalise(text: str) -> str:
    """``text`` without HTML comments (the templates' placeholders), its whitespace runs made
    one space: two sheets that normalise alike hold the same answer."""
    return " ".join(_COMMENT.sub(" ", text).split())


def template_path(chapter: Chapter, exercise: Exercise) -> Optional[Path]:
    """The handout's answer sheet of ``exercise``, if this checkout has it."""
    if not exercise.answer:
        return None
    path = REPO_ROOT / "assignments" / chapter.id / exercise.answer
    return path if path.is_file() else None


def read_template(chapter: Chapter, exercise: Exercise) -> Optional[str]:
    """The text of the handout's answer sheet of ``exercise``, or None."""
    path = template_path(chapter, exercise)
    return path.read_text(encoding="utf-8") if path is not None else None


def read_sheet(path: Path) -> Optional[str]:
    """A submitted sheet's text (undecodable bytes replaced), or None when it is not a file."""
    if path.is_symlink() or not path.is_file():
        return None
    return path.read_bytes().decode("utf-8", errors="replace")


def state_of(text: Optional[str], template: Optional[str]) -> str:
    """The state of a sheet whose text is ``text`` (None: not submitted)."""
    if text is None:
        return MISSING
    if not text.strip():
        return BLANK
    if template is not None and normalise(text) == normalise(template):
        return UNTOUCHED
    return SUBMITTED


def sheet_state(path: Path, chapter: Chapter, exercise: Exercise) -> str:
    """The state of the sheet at ``path`` (``exercise``'s answer file in a submission)."""
    return state_of(read_sheet(path), read_template(chapter, exercise))


def added_text(text: str, template: Optional[str]) -> str:
    """What the student wrote into ``template``: the lines of ``text`` the template lacks, each
    run under the template heading (``#`` line) it follows, in order. The whole ``text`` when
    there is no template or the student kept none of it."""
    if template is None:
        return text
    theirs, ours = text.splitlines(), template.splitlines()
    matcher = difflib.SequenceMatcher(None, ours, theirs, autojunk=False)
    if matcher.ratio() < 0.2:
        return text
    out: list[str] = []
    heading_shown: Optional[int] = None
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag not in ("replace", "insert"):
            continue
        block = theirs[j1:j2]
        if not "".join(block).strip() or not normalise("\n".join(block)):
            continue
        heading = next((k for k in range(j1 - 1, -1, -1) if theirs[k].lstrip().startswith("#")),
                       None)
        if heading is not None and heading != heading_shown \
                and not block[0].lstrip().startswith("#"):
            out += ["", theirs[heading], ""]
            heading_shown = heading
        out += block
    return "\n".join(out).strip("\n") + "\n"
