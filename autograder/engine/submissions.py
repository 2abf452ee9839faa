"""A folder of submissions: one sub-folder or one zip per student, read safely.

A zip is extracted by the grader with checks: no absolute paths, no ``..``, no links, at most
``MAX_FILES`` files and ``MAX_BYTES`` bytes uncompressed (counted while extracting, not
trusted from the zip's directory). Its files may sit at the top or inside one wrapping
folder; only the files at that level are taken.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Optional

MAX_FILES = 200
"""Most files one zip may hold."""

MAX_BYTES = 50 * 2**20
"""Most bytes one zip may expand to."""

_IGNORED = ("__MACOSX",)


class SubmissionError(Exception):
    """A submission cannot be read; the message says why, for the student's report."""


@dataclass(frozen=True)
class Entry:
    """One student's submission: a folder or a zip."""

    student: str
    path: Path

    @property
    def is_zip(self) -> bool:
        return self.path.suffix.lower() == ".zip"


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
        if p.name.startswith(".") or p.name in _IGNORED:
            continue
        if exclude_r is not None and p.resolve() == exclude_r:
            continue
        if p.is_symlink():
            notes.append(f"skipped {p.name}: a symbolic link")
            continue
        if p.is_dir():
            student = p.name
        elif p.is_file() and p.suffix.lower() == ".zip":
            student = p.stem
        else:
            notes.append(f"skipped {p.name}: neither a folder nor a .zip")
            continue
        if not student or student in (".", "..") or "\0" in student:
            notes.append(f"skipped {p.name}: not a usable student id")
            continue
        if student in entries:
            notes.append(f"skipped {p.name}: {entries[student].path.name} is already the "
                         f"submission of {student}")
            continue
        entries[student] = Entry(student, p)
    return sorted(entries.values(), key=lambda e: e.student), notes


def submission_hash(entry: Entry) -> str:
    """A digest of what the student submitted (the zip's bytes, or the folder's top files)."""
    h = hashlib.sha256()
    if entry.is_zip:
        with open(entry.path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    for e in sorted(os.scandir(entry.path), key=lambda e: e.name):
        if e.is_file(follow_symlinks=False):
            h.update(e.name.encode("utf-8", "surrogateescape") + b"\0")
            with open(e.path, "rb") as fh:
                h.update(hashlib.sha256(fh.read()).digest())
    return h.hexdigest()


def _unsafe(name: str) -> Optional[str]:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        return "a '..' component"
    if "\0" in name:
        return "a NUL byte"
    return None


def extract_zip(path: Path, dest: Path) -> list[str]:
    """Extract the student's files from the zip at ``path`` into ``dest`` (flat).

    Returns notes (files ignored). Raises ``SubmissionError`` for an unsafe or oversized zip.
    """
    path, dest = Path(path), Path(dest)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SubmissionError(f"{path.name} is not a valid zip file ({exc})") from None
    with zf:
        files = []
        for info in zf.infolist():
            name = info.filename
            problem = _unsafe(name)
            if problem:
                raise SubmissionError(f"{path.name} was refused: its entry {name!r} has {problem}; "
                                      f"zip the files themselves")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise SubmissionError(f"{path.name} was refused: its entry {name!r} is a symbolic "
                                      f"link; zip the files themselves")
            if info.is_dir():
                continue
            parts = PurePosixPath(name.replace("\\", "/")).parts
            if parts[0] in _IGNORED or parts[-1].startswith("."):
                continue
            files.append((parts, info))
        if len(files) > MAX_FILES:
            raise SubmissionError(f"{path.name} was refused: it holds {len(files)} files (the limit "
                                  f"is {MAX_FILES})")
        declared = sum(info.file_size for _, info in files)
        if declared > MAX_BYTES:
            raise SubmissionError(f"{path.name} was refused: it expands to {declared:,} bytes (the "
                                  f"limit is {MAX_BYTES:,})")
        tops = {parts[0] for parts, _ in files if len(parts) > 1}
        at_root = [p for p, _ in files if len(p) == 1]
        strip = 1 if (len(tops) == 1 and not at_root) else 0
        notes = []
        total = 0
        dest.mkdir(parents=True, exist_ok=True)
        for parts, info in files:
            rel = parts[strip:]
            if len(rel) != 1:
                notes.append(f"ignored {'/'.join(parts)} (only the files at the top of the zip, "
                             f"or of one folder in it, are graded)")
                continue
            if info.flag_bits & 0x1:
                raise SubmissionError(f"{path.name} was refused: {info.filename!r} is encrypted")
            target = dest / rel[0]
            if target.exists():
                notes.append(f"ignored a second {rel[0]}")
                continue
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    while True:
                        chunk = src.read(1 << 16)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > MAX_BYTES:
                            raise SubmissionError(f"{path.name} was refused: it expands to more "
                                                  f"than {MAX_BYTES:,} bytes")
                        dst.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
                raise SubmissionError(f"{path.name} could not be read: {info.filename!r}: {exc}") \
                    from None
        return notes


def materialize(entry: Entry, scratch: Path) -> tuple[Path, list[str]]:
    """The folder holding the student's files: the folder itself, or the zip extracted into
    ``scratch``. Raises ``SubmissionError``."""
    if not entry.is_zip:
        return entry.path, []
    dest = Path(scratch) / "files"
    if dest.exists():
        shutil.rmtree(dest)
    return dest, extract_zip(entry.path, dest)
