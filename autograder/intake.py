"""One intake for every way submissions arrive: a folder of students, one student's folder or
zip, a Gradescope upload.

``discover`` lists the students of a folder (one sub-folder or one ``.zip`` per student).
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
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Optional, Sequence

from .course import Chapter

MAX_FILE_BYTES = 2_000_000
"""Largest file of an upload that is taken (an exercise file is a few kilobytes)."""

MAX_TOTAL_BYTES = 50 * 2**20
"""Most bytes read from one upload, zips unpacked, in all."""

MAX_ENTRIES = 2_000
"""Most files (zip members included) looked at in one upload."""

IGNORED_PARTS = frozenset({"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"})
"""Folders whose content is never part of an answer."""

RESERVED = frozenset({"grades.csv", "report.html", "manual.csv", "similarity.csv", "written",
                      "similarity", "summary.json"})
"""Names in a grading output folder that a student id may not take."""


class SubmissionError(Exception):
    """A submission cannot be read at all; the message says why, for the student's report."""


@dataclass(frozen=True)
class Entry:
    """One student's submission: a folder or a zip."""

    student: str
    path: Path

    @property
    def is_zip(self) -> bool:
        return self.path.suffix.lower() == ".zip"


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

def discover(submissions: Path, exclude: Optional[Path] = None) -> tuple[list[Entry], list[str]]:
    """The students in ``submissions`` (sorted by id) and notes about what was skipped."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions} is not a folder: give the folder that holds one "
                                f"sub-folder or one .zip per student")
    exclude_r = Path(exclude).resolve() if exclude is not None else None
    entries: dict[str, Entry] = {}
    notes = []
    for p in sorted(submissions.iterdir(), key=lambda p: p.name):
        if p.name.startswith(".") or p.name in IGNORED_PARTS:
            continue
        if exclude_r is not None and p.resolve() == exclude_r:
            continue
        label = shown(p.name)
        if p.is_symlink():
            notes.append(f"skipped {label}: a symbolic link")
            continue
        if p.is_dir():
            student = p.name
        elif p.is_file() and p.suffix.lower() == ".zip":
            student = p.name[:-4]
        else:
            notes.append(f"skipped {label}: neither a folder nor a .zip")
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
    return sorted(entries.values(), key=lambda e: e.student), notes


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


def collect(source: Path, dest: Path, chapter: Chapter) -> Upload:
    """Find the chapter's files in ``source`` (a folder, or one ``.zip``) and write them, flat,
    into ``dest``. The shallowest copy of a file wins; different copies are reported."""
    upload = Upload()
    expected = chapter_files(chapter)
    source, dest = Path(source), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    budget = _Budget()
    found: list[_Found] = []

    def take(where: str, name: str, size: int, depth: int, read: Callable[[int], bytes]) -> None:
        if not budget.take_entry():
            return
        if name not in expected:
            upload.unused.append((where, suggest(name, expected)))
            return
        if size > MAX_FILE_BYTES:
            upload.unused.append((where, f"too large ({size:,} bytes; the limit is "
                                         f"{MAX_FILE_BYTES:,})"))
            return
        cap = min(MAX_FILE_BYTES, budget.bytes)
        try:
            data = read(cap + 1)
        except (OSError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile,
                zlib.error) as exc:
            upload.unused.append((where, f"could not be read ({exc}); upload it again"))
            return
        if len(data) > cap:
            upload.unused.append((where, "too large: the upload needs only the exercise files"))
            return
        budget.bytes -= len(data)
        found.append(_Found(where, name, data, depth))

    if source.is_symlink():
        upload.notes.append(f"{shown(source.name)} is a symbolic link; it was not read.")
    elif source.is_file():
        if source.suffix.lower() == ".zip":
            _walk_zip(source, source.name, 0, take, upload)
        else:
            take(source.name, source.name, source.stat().st_size, 0,
                 lambda n, p=source: _read(p, n))
    elif source.is_dir():
        _walk_folder(source, take, upload, budget)
    else:
        upload.notes.append("The submission is missing: nothing was uploaded.")
    if budget.exhausted:
        upload.notes.append(f"The upload has more than {MAX_ENTRIES:,} files; the rest were not "
                            f"looked at. Upload only the exercise files.")

    by_name: dict[str, list[_Found]] = {}
    for f in found:
        by_name.setdefault(f.name, []).append(f)
    digest = hashlib.sha256()
    for name in expected:
        copies = sorted(by_name.get(name, []), key=lambda c: (c.depth, c.where))
        if not copies:
            continue
        chosen = copies[0]
        if len({c.data for c in copies}) > 1:
            upload.notes.append(
                f"{name} appears {len(copies)} times with different contents "
                f"({', '.join(shown(c.where) for c in copies)}); graded: {shown(chosen.where)}. "
                f"Upload one copy only.")
        (dest / name).write_bytes(chosen.data)
        upload.received[name] = chosen.where
        digest.update(name.encode() + b"\0" + hashlib.sha256(chosen.data).digest())
    upload.digest = digest.hexdigest()
    return upload


def _ignorable(parts: Sequence[str]) -> bool:
    return any(p in IGNORED_PARTS or p.startswith(".") for p in parts)


def _walk_folder(root: Path, take, upload: Upload, budget: _Budget) -> None:
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
            rel = (rel_root / fname).as_posix()
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                upload.unused.append((rel, "not a regular file (a link?); upload the file itself"))
                continue
            if fname.lower().endswith(".zip"):
                if budget.take_entry():
                    _walk_zip(path, rel, depth, take, upload)
            else:
                take(rel, fname, st.st_size, depth, lambda n, p=path: _read(p, n))


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


def _walk_zip(path: Path, rel: str, depth: int, take, upload: Upload) -> None:
    try:
        count = zip_member_count(path)
    except OSError as exc:
        upload.unused.append((rel, f"could not be read ({exc}); upload it again"))
        return
    if count is not None and count > MAX_ENTRIES:
        upload.unused.append((rel, f"a zip of {count:,} files was not opened (the limit is "
                                   f"{MAX_ENTRIES:,}); zip only the exercise files"))
        return
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        upload.unused.append((rel, f"not a readable zip file ({exc}); make the zip again, or "
                                   f"upload the files one by one"))
        return
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            inner = PurePosixPath(info.filename.replace("\\", "/"))
            parts = [p for p in inner.parts if p not in ("", "/")]
            where = f"{rel}:{'/'.join(parts)}"
            if ".." in parts:
                upload.unused.append((where, "its path climbs out of the zip ('..'); zip the "
                                             "files themselves"))
                continue
            if not parts or _ignorable(parts):
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                upload.unused.append((where, "a symbolic link, not a file"))
                continue
            if parts[-1].lower().endswith(".zip"):
                upload.unused.append((where, "a zip inside a zip is not opened; put the files "
                                             "themselves in the zip"))
                continue
            if info.flag_bits & 0x1:
                upload.unused.append((where, "encrypted; make the zip without a password"))
                continue

            def read(n: int, zf=zf, info=info) -> bytes:
                with zf.open(info) as f:
                    return f.read(n)

            take(where, parts[-1], info.file_size, depth + len(parts), read)


def suggest(name: str, expected: Sequence[str]) -> str:
    """Why ``name`` was not used and what to do about it."""
    name = shown(name)
    lower = {f.lower(): f for f in expected}
    norm = re.sub(r"\s*\(\d+\)(?=\.[^.]*$)", "", name.strip())  # "ex5_2 (1).py", a browser's copy
    norm = norm.lower().replace("-", "_").replace(" ", "_")
    if norm in lower:
        return f"rename it to {lower[norm]} (names must match exactly) and submit again"
    stem, _, suffix = norm.rpartition(".")
    for f in expected:
        f_stem = f.rpartition(".")[0].lower()
        if f_stem == stem and suffix in ("ipynb", "txt", "pyc", "docx", "pdf"):
            return (f"this assignment grades {f}; submit your answer as {f} "
                    f"(copy your code into the file from the handout)")
        if norm.startswith(f.lower() + "."):  # ex5_3.py.txt: an editor's extra suffix
            return f"rename it to {f} (drop the extra .{norm.rsplit('.', 1)[1]}) and submit again"
    close = difflib.get_close_matches(norm, list(lower), n=1, cutoff=0.8)
    if close:
        return f"not a file of this assignment; did you mean {lower[close[0]]}? Rename it and " \
               f"submit again"
    return "not a file of this assignment (its files are " + ", ".join(expected) + ")"
