"""One intake for every way submissions arrive: a folder of students, one student's folder or
zip, an LMS's bulk download, a Gradescope upload.

``discover`` lists the students of a folder: one sub-folder or one ``.zip`` per student, and
the bulk downloads of two LMSs as they come, grouped by student with the LMS's id kept:

- Canvas ("Download Submissions"): flat files named ``<name>_<user id>_<attachment id>_<file>``,
  with ``_LATE_`` after the name when Canvas counts the submission late, and ``-1``, ``-2``
  appended to a file the student submitted again (``ex5_4-1.py``). The layout is the one
  mikewesthad/canvas-unzipper's README shows (``smithbob_340934_208490284_BobsWork.zip``).
- Moodle ("Download all submissions"): per-student folders ``<Full Name>_<participant id>_
  assignsubmission_file_`` (or, with "download as folders" off, flat files with that prefix),
  as ``assign::download_submissions`` in mod/assign/locallib.php names them; only the file
  submission plugin's files are graded.

``collect`` finds the chapter's files in one student's upload, wherever they are (loose, in
folders, in a zip, in a zip's folders) and writes them, flat, into a fresh folder; files that
are not used are reported with the reason and what to do (a likely rename). Local grading and
Gradescope call the same ``collect``, so the same upload gets the same files and the same
messages on both.

Nothing here executes the upload; it reads bytes, within one set of limits: at most
``MAX_ENTRIES`` files and zip members looked at, ``MAX_FILE_BYTES`` per file taken and
``MAX_TOTAL_BYTES`` in all. A zip's member count is read from its end record before its
directory is parsed. Only a member's base name is ever used, so ``..`` or absolute paths in a
zip cannot write anywhere; links are never followed.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
import struct
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Optional, Sequence, Union

from .course import Chapter
from .results import Identity

MAX_FILE_BYTES = 2_000_000
"""Largest file of an upload that is taken (an exercise file is a few kilobytes)."""

MAX_TOTAL_BYTES = 50 * 2**20
"""Most bytes read from one upload, zips unpacked, in all."""

MAX_ENTRIES = 2_000
"""Most files (zip members included) looked at in one upload."""

IGNORED_PARTS = frozenset({"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"})
"""Folders whose content is never part of an answer."""

RESERVED = frozenset({"grades.csv", "report.html", "manual.csv", "similarity.csv", "written",
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
    """The newest modification time (epoch seconds) of the files taken, None if none."""
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
    """A file name as text a person can read, whatever bytes it was made of."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


# -- a folder of students ---------------------------------------------------------------------

CANVAS_FILE = re.compile(r"^(?P<name>.+?)_(?:(?P<late>LATE)_)?(?P<uid>\d+)_(?P<att>\d+)_(?P<file>.+)$")
"""A file of Canvas's "Download Submissions" zip: name, ``LATE``, user id, attachment id, file."""

MOODLE_ITEM = re.compile(r"^(?P<name>.+)_(?P<pid>\d+)_assignsubmission_(?P<plugin>[a-z]+)_"
                         r"(?P<file>.*)$")
"""A folder (nothing after the last ``_``) or a flat file of Moodle's "Download all
submissions": full name, participant id, submission plugin, file."""

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
    if moodle_other:
        notes.append(f"skipped {moodle_other} Moodle folder(s) or file(s) of other submission "
                     f"types (online text, ...): only file submissions are graded")
    return sorted(entries.values(), key=lambda e: e.student), notes


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
    if shown(student) != student:
        return "its name is not valid UTF-8"
    if not student.strip() or student in (".", "..") or student.startswith("."):
        return "not a usable student id"
    if any(c in student for c in "/\\\0") or any(ord(c) < 32 for c in student):
        return "its name holds a path separator or a control character"
    if student in RESERVED or student.lower() in RESERVED:
        return f"{student!r} is the name of a file the grader writes"
    return None


# -- one upload -------------------------------------------------------------------------------

@dataclass
class _Found:
    where: str
    name: str
    data: bytes
    depth: int
    mtime: Optional[float] = None


class _Budget:
    """What is left of the upload's limits."""

    def __init__(self) -> None:
        self.entries = MAX_ENTRIES
        self.bytes = MAX_TOTAL_BYTES
        self.exhausted = False

    def take_entry(self) -> bool:
        if self.entries <= 0:
            self.exhausted = True
            return False
        self.entries -= 1
        return True


Source = Union[Path, Entry]


def collect(source: Source, dest: Path, chapter: Chapter) -> Upload:
    """Find the chapter's files in ``source`` (a folder, one ``.zip``, or an ``Entry`` of an
    LMS download) and write them, flat, into ``dest``. The shallowest copy of a file wins;
    different copies are reported."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    c = _Collector(chapter)
    if isinstance(source, Entry):
        if source.items:
            for item in source.items:
                c.top(item.path, item.where, item.name)
        else:
            c.top(source.path, "")
    else:
        c.top(Path(source), "")
    return c.finish(dest)


class _Collector:
    """One upload's walk: what was found, what was not used, within one budget."""

    def __init__(self, chapter: Chapter) -> None:
        self.upload = Upload()
        self.expected = chapter_files(chapter)
        self.budget = _Budget()
        self.found: list[_Found] = []

    def unused(self, where: str, why: str, kind: str = "") -> None:
        self.upload.unused.append((where, why))
        if kind == "refused":
            self.upload.refused.append(where)
        elif kind == "misnamed":
            self.upload.misnamed.append(where)

    def take(self, where: str, name: str, size: int, depth: int, read: Callable[[int], bytes],
             mtime: Optional[float] = None) -> None:
        if not self.budget.take_entry():
            return
        if name not in self.expected:
            why, misnamed = advice(name, self.expected)
            self.unused(where, why, "misnamed" if misnamed else "")
            return
        if size > MAX_FILE_BYTES:
            self.unused(where, f"too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,})",
                        "refused")
            return
        cap = min(MAX_FILE_BYTES, self.budget.bytes)
        try:
            data = read(cap + 1)
        except (OSError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile,
                zlib.error) as exc:
            self.unused(where, f"could not be read ({exc}); upload it again", "refused")
            return
        if len(data) > cap:
            self.unused(where, "too large: the upload needs only the exercise files", "refused")
            return
        self.budget.bytes -= len(data)
        self.found.append(_Found(where, name, data, depth, mtime))

    def top(self, source: Path, where: str, name: str = "") -> None:
        """One thing the student uploaded: a folder (walked), a zip (opened) or a file.
        ``where`` is its name in messages ('' for the upload's own root), ``name`` the name to
        match when it differs from the file's."""
        label = where or source.name
        if source.is_symlink():
            self.upload.notes.append(f"{shown(label)} is a symbolic link; it was not read.")
            self.upload.refused.append(label)
        elif source.is_file():
            st = source.stat()
            if source.suffix.lower() == ".zip" and not name:
                if self.budget.take_entry():
                    self.zip(source, label, 0)
            else:
                self.take(label, name or label, st.st_size, 0,
                          lambda n, p=source: _read(p, n), st.st_mtime)
        elif source.is_dir():
            self.folder(source, where)
        else:
            self.upload.notes.append("The submission is missing: nothing was uploaded.")

    def folder(self, root: Path, prefix: str) -> None:
        budget = self.budget
        for here, dirs, files in os.walk(root, followlinks=False):
            if budget.exhausted:
                dirs[:] = []
                return
            rel_root = Path(here).relative_to(root)
            dirs[:] = sorted(d for d in dirs if not _ignorable([d]))
            depth = len(rel_root.parts)
            for fname in sorted(files):
                if _ignorable([fname]):
                    continue
                path = Path(here) / fname
                rel = (PurePosixPath(prefix) / rel_root.as_posix() / fname).as_posix() \
                    if prefix else (rel_root / fname).as_posix()
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                if not stat.S_ISREG(st.st_mode):
                    self.unused(rel, "not a regular file (a link?); upload the file itself",
                                "refused")
                    continue
                if fname.lower().endswith(".zip"):
                    if budget.take_entry():
                        self.zip(path, rel, depth)
                else:
                    self.take(rel, fname, st.st_size, depth, lambda n, p=path: _read(p, n),
                              st.st_mtime)

    def zip(self, path: Path, rel: str, depth: int) -> None:
        try:
            count = zip_member_count(path)
        except OSError as exc:
            self.unused(rel, f"could not be read ({exc}); upload it again", "refused")
            return
        if count is not None and count > MAX_ENTRIES:
            self.unused(rel, f"a zip of {count:,} files was not opened (the limit is "
                             f"{MAX_ENTRIES:,}); zip only the exercise files", "refused")
            return
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            self.unused(rel, f"not a readable zip file ({exc}); make the zip again, or upload "
                             f"the files one by one", "refused")
            return
        with zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                if info.is_dir():
                    continue
                inner = PurePosixPath(info.filename.replace("\\", "/"))
                parts = [p for p in inner.parts if p not in ("", "/")]
                where = f"{rel}:{'/'.join(parts)}"
                if ".." in parts:
                    self.unused(where, "its path climbs out of the zip ('..'); zip the files "
                                       "themselves", "refused")
                    continue
                if not parts or _ignorable(parts):
                    continue
                if stat.S_ISLNK(info.external_attr >> 16):
                    self.unused(where, "a symbolic link, not a file", "refused")
                    continue
                if parts[-1].lower().endswith(".zip"):
                    self.unused(where, "a zip inside a zip is not opened; put the files "
                                       "themselves in the zip", "refused")
                    continue
                if info.flag_bits & 0x1:
                    self.unused(where, "encrypted; make the zip without a password", "refused")
                    continue

                def read(n: int, zf=zf, info=info) -> bytes:
                    with zf.open(info) as f:
                        return f.read(n)

                self.take(where, parts[-1], info.file_size, depth + len(parts), read,
                          _zip_time(info))

    def finish(self, dest: Path) -> Upload:
        upload = self.upload
        if self.budget.exhausted:
            upload.notes.append(f"The upload has more than {MAX_ENTRIES:,} files; the rest were "
                                f"not looked at. Upload only the exercise files.")
        by_name: dict[str, list[_Found]] = {}
        for f in self.found:
            by_name.setdefault(f.name, []).append(f)
        digest = hashlib.sha256()
        for name in self.expected:
            copies = sorted(by_name.get(name, []), key=lambda c: (c.depth, c.where))
            if not copies:
                continue
            chosen = copies[0]
            if len({c.data for c in copies}) > 1:
                upload.notes.append(
                    f"{name} appears {len(copies)} times with different contents "
                    f"({', '.join(shown(c.where) for c in copies)}); graded: "
                    f"{shown(chosen.where)}. Upload one copy only.")
            (dest / name).write_bytes(chosen.data)
            upload.received[name] = chosen.where
            if chosen.mtime is not None:
                upload.newest = max(upload.newest or chosen.mtime, chosen.mtime)
            digest.update(name.encode() + b"\0" + hashlib.sha256(chosen.data).digest())
        upload.digest = digest.hexdigest()
        return upload


def _zip_time(info: zipfile.ZipInfo) -> Optional[float]:
    """A zip member's modification time (zips store local time, without a zone)."""
    try:
        return time.mktime(info.date_time + (0, 0, -1))
    except (OverflowError, ValueError):
        return None


def _ignorable(parts: Sequence[str]) -> bool:
    return any(p in IGNORED_PARTS or p.startswith(".") for p in parts)


def _read(path: Path, n: int) -> bytes:
    with open(path, "rb", opener=lambda p, f: os.open(p, f | os.O_NOFOLLOW)) as fh:
        return fh.read(n)


def zip_member_count(path: Path) -> Optional[int]:
    """The number of members a zip's end record announces (before its directory is parsed),
    or None when no end record is found."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - (1 << 16) - 22))
        tail = fh.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    count = struct.unpack_from("<H", tail, at + 10)[0]
    if count == 0xFFFF:  # zip64: the count lives in the zip64 end record
        at64 = tail.rfind(b"PK\x06\x06", 0, at)
        if at64 < 0 or at64 + 40 > len(tail):
            return None
        count = struct.unpack_from("<Q", tail, at64 + 32)[0]
    return count


def suggest(name: str, expected: Sequence[str]) -> str:
    """Why ``name`` was not used and what to do about it."""
    return advice(name, expected)[0]


def advice(name: str, expected: Sequence[str]) -> tuple[str, bool]:
    """Why ``name`` was not used and what to do about it, and whether it looks like one of
    ``expected`` under another name (a misnamed file)."""
    name = shown(name)
    lower = {f.lower(): f for f in expected}
    norm = re.sub(r"\s*\(\d+\)(?=\.[^.]*$)", "", name.strip())  # "ex5_2 (1).py", a browser's copy
    norm = norm.lower().replace("-", "_").replace(" ", "_")
    if norm in lower:
        return f"rename it to {lower[norm]} (names must match exactly) and submit again", True
    stem, _, suffix = norm.rpartition(".")
    for f in expected:
        f_stem = f.rpartition(".")[0].lower()
        if f_stem == stem and suffix in ("ipynb", "txt", "pyc", "docx", "pdf"):
            return (f"this assignment grades {f}; submit your answer as {f} "
                    f"(copy your code into the file from the handout)"), True
        if norm.startswith(f.lower() + "."):  # ex5_3.py.txt: an editor's extra suffix
            return (f"rename it to {f} (drop the extra .{norm.rsplit('.', 1)[1]}) and submit "
                    f"again"), True
    close = difflib.get_close_matches(norm, list(lower), n=1, cutoff=0.8)
    if close:
        return (f"not a file of this assignment; did you mean {lower[close[0]]}? Rename it and "
                f"submit again"), True
    return "not a file of this assignment (its files are " + ", ".join(expected) + ")", False
