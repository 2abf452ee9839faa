"""A folder of students: one sub-folder or one ``.zip`` per student, or an LMS's bulk download
(Canvas's flat files, Moodle's per-student folders), grouped by student with the LMS's id kept;
student ids that would break the output folder are skipped with a note."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from ..course import Chapter
from ..results import Identity
from .common import IGNORED_PARTS, RESERVED, chapter_files, Entry, Item, LayoutError, shown


CANVAS_FILE = re.compile(r"^(?P<name>.+?)_(?:(?P<late>LATE)_)?(?P<uid>\d+)_(?P<att>\d+)_(?P<file>.+)$")
"""A file of Canvas's "Download Submissions" zip: name, ``LATE``, user id, attachment id, file."""

MOODLE_ITEM = re.compile(r"^(?P<name>[^_]+)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)"
                         r"(?:_(?P<file>.*))?$", re.DOTALL)
"""A folder or a flat file of Moodle's "Download all submissions", parsed from the LEFT: Moodle
writes ``clean_filename(<full name, '_' made ' '>_<participant id>)`` then
``_assignsubmission_<plugin>`` and, for a flat download, ``_<the student's file name>``
(mod/assign/classes/downloader.php ``get_student_prefix``; ../shared/lms/moodle-submissions-zip.md).
The full name holds no ``_``, so the first ``_<digits>_assignsubmission_`` is Moodle's and
whatever the student named the file never changes whose upload it is. A folder is
``<prefix>_assignsubmission_file`` (older downloads add a trailing ``_``)."""

HANDOUT_MARKERS = ("check.py",)
"""Files whose presence at the top of a folder shows it is the handout, not a class."""


def discover(submissions: Path, exclude: Optional[Path] = None,
             chapter: Optional[Chapter] = None) -> tuple[list[Entry], list[str]]:
    """The students in ``submissions`` (sorted by id) and notes about what was skipped.

    ``LayoutError`` when the folder is one student's submission (it holds the chapter's files
    itself, or the handout's ``check.py``), rather than a folder of students."""
    submissions = Path(submissions)
    if submissions.is_file() and submissions.suffix.lower() == ".zip":
        raise FileNotFoundError(f"{submissions} is a zip, not a folder: unzip it into an empty "
                                f"folder first (e.g. unzip {submissions.name} -d submissions) "
                                f"and give that folder")
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions} is not a folder: give the folder that holds one "
                                f"sub-folder or one .zip per student (or an LMS's download, "
                                f"unzipped)")
    exclude_r = Path(exclude).resolve() if exclude is not None else None
    children = []
    for p in sorted(submissions.iterdir(), key=lambda p: p.name):
        if p.name.startswith(".") or p.name in IGNORED_PARTS:
            continue
        if exclude_r is not None and p.resolve() == exclude_r:
            continue
        children.append(p)
    if chapter is not None:
        _refuse_one_student(submissions, children, chapter)

    entries: dict[str, Entry] = {}
    groups: dict[str, dict] = {}  # LMS downloads: student -> identity, items, late
    notes = []
    moodle_other = 0
    for p in children:
        label = shown(p.name)
        if p.is_symlink():
            notes.append(f"skipped {label}: a symbolic link")
            continue
        canvas = CANVAS_FILE.match(p.name) if p.is_file() else None
        moodle = MOODLE_ITEM.match(p.name)
        if moodle and (p.is_dir() and not moodle["file"] or p.is_file() and moodle["file"]):
            if moodle["plugin"] != "file":
                moodle_other += 1
                continue
            student = f"{moodle['name']}_{moodle['pid']}"
            group = groups.setdefault(student, {"identity": Identity(
                name=moodle["name"], lms="moodle", lms_id=moodle["pid"]), "items": [],
                "late": None, "path": p})
            group["items"].append(Item(p, moodle["file"]) if p.is_file() else Item(p, ""))
            continue
        if canvas:
            student = f"{canvas['name']}_{canvas['uid']}"
            group = groups.setdefault(student, {"identity": Identity(
                name=canvas["name"], lms="canvas", lms_id=canvas["uid"]), "items": [],
                "late": False, "path": p})
            group["late"] = group["late"] or bool(canvas["late"])
            group["items"].append(Item(p, canvas["file"], _canvas_name(canvas["file"], chapter)))
            continue
        if p.is_dir():
            student = p.name
        elif p.is_file() and p.suffix.lower() == ".zip":
            student = p.name[:-4]
        else:
            notes.append(f"skipped {label}: neither a folder nor a .zip, nor a file of a Canvas "
                         f"or Moodle download")
            continue
        problem = _bad_student_id(student)
        if problem:
            notes.append(f"skipped {label}: {problem}; rename it")
            continue
        if student in entries:
            notes.append(f"skipped {label}: {entries[student].path.name} is already the "
                         f"submission of {student}")
            continue
        entries[student] = Entry(student, p)
    for student, group in groups.items():
        problem = _bad_student_id(student)
        if problem:
            notes.append(f"skipped the files of {shown(student)}: {problem}")
            continue
        if student in entries:
            notes.append(f"skipped the {group['identity'].lms} files of {student}: "
                         f"{entries[student].path.name} is already the submission of {student}")
            continue
        entries[student] = Entry(student, group["path"], tuple(group["items"]),
                                 group["identity"], group["late"])
    notes += duplicate_ids(entries.values())
    if moodle_other:
        notes.append(f"skipped {moodle_other} Moodle folder(s) or file(s) of other submission "
                     f"types (online text, ...): only file submissions are graded")
    return sorted(entries.values(), key=lambda e: e.student), notes


def duplicate_ids(entries) -> list[str]:
    """Notes on LMS ids that more than one student carries (two Moodle folders with one
    participant id, ...): both are graded, and every export leaves that id out until the
    instructor resolves it, as an LMS would give both grades to one person."""
    by_id: dict[tuple[str, str], list[str]] = {}
    for e in entries:
        if e.identity.lms and e.identity.lms_id:
            by_id.setdefault((e.identity.lms, e.identity.lms_id), []).append(e.student)
    return [f"{len(who)} submissions carry the same {lms} id {lms_id} "
            f"({', '.join(shown(w) for w in sorted(who))}): both are graded, but no export "
            f"gives a grade to that id until you keep one of them"
            for (lms, lms_id), who in sorted(by_id.items()) if len(who) > 1]


def _canvas_name(file: str, chapter: Optional[Chapter]) -> str:
    """The name of a Canvas file before Canvas numbered a resubmission (``ex5_4-1.py`` ->
    ``ex5_4.py``) when that is one of the chapter's files; '' otherwise."""
    if chapter is None:
        return ""
    plain = re.sub(r"-\d+(?=\.[^.]+$)", "", file)
    return plain if plain != file and plain in chapter_files(chapter) else ""


def _refuse_one_student(folder: Path, children: list[Path], chapter: Chapter) -> None:
    """``LayoutError`` when ``folder`` looks like one student's submission or the handout."""
    expected = chapter_files(chapter)
    own = [p.name for p in children if p.is_file() and not p.is_symlink()
           and (p.name in expected or p.name in HANDOUT_MARKERS)]
    if own:
        raise LayoutError(
            f"{folder} looks like one student's submission or the handout, not a folder of "
            f"students: it holds {', '.join(own[:3])} itself. Give the folder that holds one "
            f"sub-folder or .zip per student (to grade one student, put their folder or zip in "
            f"an empty folder, or use --only with the class folder).")


def _bad_student_id(student: str) -> Optional[str]:
    """Why ``student`` cannot name a folder of the grading output, or None."""
    if student.encode("utf-8", "surrogateescape").decode("utf-8", "replace") != student:
        return "its name is not valid UTF-8"
    if not student.strip() or student in (".", "..") or student.startswith("."):
        return "not a usable student id"
    if any(c in student for c in "/\\\0") or any(ord(c) < 32 for c in student):
        return "its name holds a path separator or a control character"
    if student in RESERVED or student.lower() in RESERVED:
        return f"{student!r} is the name of a file the grader writes"
    return None
