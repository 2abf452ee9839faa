"""What every part of the intake shares: its limits, its errors, what it makes of an upload
(``Entry``, ``Item``, ``Upload``) and how it names the chapter's files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..course import Chapter
from ..names import one_line
from ..results import Identity

MAX_FILE_BYTES = 2_000_000
"""Largest file of an upload that is taken (an exercise file is a few kilobytes)."""

MAX_TOTAL_BYTES = 50 * 2**20
"""Most bytes read from one upload, zips unpacked, in all."""

MAX_ENTRIES = 2_000
"""Most files (zip members included) looked at in one upload."""

IGNORED_PARTS = frozenset({"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"})
"""Folders whose content is never part of an answer."""

RESERVED = frozenset({"grades.csv", "report.html", "manual.csv", "similarity.csv", "similarity", "written",
                      "summary.json", "export-canvas.csv", "export-moodle.csv",
                      "export-gradescope.csv"})
"""Names in a grading output folder that a student id may not take."""


class SubmissionError(Exception):
    """A submission cannot be read at all; the message says why, for the student's report."""


class LayoutError(ValueError):
    """The folder given is not a folder of students (e.g. it is one student's submission)."""


@dataclass(frozen=True)
class Item:
    """One file or folder of a student's upload, as an LMS download holds it."""

    path: Path
    where: str
    """Its name in the student's upload (the LMS's prefix taken off), as messages show it."""
    name: str = ""
    """The name matched against the chapter's files, when the LMS changed it ('' = as is)."""


@dataclass(frozen=True)
class Entry:
    """One student's submission: a folder or a zip, or the items of an LMS download."""

    student: str
    path: Path
    items: tuple[Item, ...] = ()
    """An LMS download's files and folders of this student; () means ``path`` is the upload."""
    identity: Identity = field(default_factory=Identity, compare=False)
    lms_late: Optional[bool] = None
    """The LMS's own late flag (Canvas's ``_LATE_``), None when it gives none."""

    @property
    def is_zip(self) -> bool:
        return not self.items and self.path.suffix.lower() == ".zip"

    def matches(self, wanted: str) -> bool:
        """Whether ``wanted`` names this student: the id, the LMS id, or the name."""
        w = wanted.strip().casefold()
        return bool(w) and w in {self.student.casefold(), self.identity.lms_id.casefold(),
                                 self.identity.name.casefold(), self.identity.sid.casefold()}


@dataclass
class Upload:
    """What ``collect`` found in one upload."""

    received: dict[str, str] = field(default_factory=dict)
    """The chapter's file name -> where in the upload it was found."""
    unused: list[tuple[str, str]] = field(default_factory=list)
    """(where, why it was not used and what to do)."""
    notes: list[str] = field(default_factory=list)
    digest: str = ""
    """sha256 of the files taken (names and bytes): what was graded."""
    refused: list[str] = field(default_factory=list)
    """Where parts of the upload could not be opened or read (a broken zip, a link, ...)."""
    misnamed: list[str] = field(default_factory=list)
    """Where files look like the chapter's files under another name."""
    newest: Optional[float] = None
    """The newest modification time on this disk (epoch seconds) of the files and zips taken,
    None if none; never a zip member's date. A submission time only when the instructor asks
    for file times (``late.LatePolicy.file_times``)."""
    failed: str = ""
    """Why the intake itself failed on this upload (a grader error), '' if it did not."""

    def lines(self) -> list[str]:
        """What a student reads about the upload: each file not used, and other notes."""
        return [f"Not used: {shown(where)}: {why}" for where, why in self.unused] + self.notes


def chapter_files(chapter: Chapter) -> list[str]:
    """Every file name a student may submit for ``chapter``, in manifest order."""
    return [f for e in chapter.exercises for f in e.files]


def nothing_received(chapter: Chapter) -> str:
    return ("Your upload holds none of this assignment's files, so nothing could be graded. "
            "Upload any of these files, one by one or as one zip: "
            + ", ".join(chapter_files(chapter)) + ".")


def shown(name: str) -> str:
    """A file name as text a person can read, whatever bytes it was made of, on one line
    (``names.one_line``: line breaks and control characters shown as escapes)."""
    return one_line(name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
