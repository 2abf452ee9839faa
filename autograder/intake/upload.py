"""One upload: the chapter's files found wherever they are (loose, in folders, in a zip, in a
zip's folders), bounded, written flat into a fresh folder, with what was not used and why."""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Optional, Sequence, Union

from ..course import Chapter
from .common import (IGNORED_PARTS, MAX_ENTRIES, MAX_FILE_BYTES, MAX_TOTAL_BYTES, chapter_files,
                     Entry, shown, Upload)


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
        self.chapter = chapter
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
                    self.zip(source, label, 0, st.st_mtime)
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
                        self.zip(path, rel, depth, st.st_mtime)
                else:
                    self.take(rel, fname, st.st_size, depth, lambda n, p=path: _read(p, n),
                              st.st_mtime)

    def zip(self, path: Path, rel: str, depth: int, mtime: Optional[float] = None) -> None:
        """A zip's members, each timed by the zip file's own time on this disk (``mtime``):
        a member's date is a time on the student's machine, never used."""
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

                self.take(where, parts[-1], info.file_size, depth + len(parts), read, mtime)

    def finish(self, dest: Path) -> Upload:
        upload = self.upload
        if self.budget.exhausted:
            upload.notes.append(f"The upload has more than {MAX_ENTRIES:,} files; the rest were "
                                f"not looked at. Upload only the exercise files.")
        by_name: dict[str, list[_Found]] = {}
        for f in self.found:
            by_name.setdefault(f.name, []).append(f)
        for name in by_name:
            by_name[name].sort(key=lambda c: (c.depth, c.where))
        handout = _Handout(self.chapter, [copies[0].where for copies in by_name.values()])
        upload.unused = [(w, why) for w, why in upload.unused if not handout.owns(w)]
        upload.misnamed = [w for w in upload.misnamed if not handout.owns(w)]
        upload.refused = [w for w in upload.refused if not handout.owns(w)]
        digest = hashlib.sha256()
        for name in self.expected:
            copies = [c for c in by_name.get(name, []) if not handout.owns(c.where)] or \
                by_name.get(name, [])[:1]
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


HANDOUT_FILES = ("check.py", "README.md", "submission.zip")
"""Files of the handout folder (and what its ``check.py --zip`` writes) that are never an
answer: a student who uploads the whole folder is not told about them."""

HANDOUT_FOLDERS = ("tests/", "autograder/")
"""Folders of the handout (its public checks, the modules they import): never an answer."""


class _Handout:
    """The handout's own files in an upload: what lies beside the chapter's files taken, in
    the place the handout has it (``nndl-ch5/check.py``, ``nndl-ch5/tests/ex5_2.py``), and the
    exercise notebooks (``ex5_2.ipynb``) of exercises whose code file was taken too."""

    def __init__(self, chapter: Chapter, taken: Sequence[str]) -> None:
        self.roots = {_parent(w) for w in taken}
        names = {_base(w) for w in taken}
        self.notebooks = {f"{e.id}.ipynb" for e in chapter.exercises if e.code in names}

    def owns(self, where: str) -> bool:
        for root in self.roots:
            if not where.startswith(root):
                continue
            rel = where[len(root):]
            if rel in HANDOUT_FILES or rel in self.notebooks or rel.startswith(HANDOUT_FOLDERS):
                return True
        return False


def _parent(where: str) -> str:
    """The folder part of a place in an upload, with its separator ('' at the top)."""
    cut = max(where.rfind("/"), where.rfind(":"))
    return where[:cut + 1]


def _base(where: str) -> str:
    return where[len(_parent(where)):]


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
