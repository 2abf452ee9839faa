"""What the chapter autograder's ``run_autograder`` runs on Gradescope.

``python -m autograder.gradescope [--autograder-dir /autograder] [--chapter ch5]``:

1. collects the upload in ``submission/``: any subset of the chapter's files, loose or in a
   zip (one wrapping folder or more is fine); files with other names are reported with the
   name they probably should have;
2. grades them with the isolated engine (``autograder.grading.grade_submission``);
3. always writes ``results/results.json`` in Gradescope's format, with a message a student can
   act on: for a wrong file name, an empty upload, or an error of the grader itself.

Nothing here executes the upload; it only reads bytes (bounded in size and count).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
import traceback
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Optional, Sequence

from .course import Chapter, load_chapter

MAX_FILE_BYTES = 2_000_000
"""Largest file of an upload that is looked at (an exercise file is a few kilobytes)."""

MAX_TOTAL_BYTES = 50_000_000
"""Most bytes read from one upload, zips unpacked, in all."""

MAX_ENTRIES = 2_000
"""Most files (zip members included) looked at in one upload."""

IGNORED_PARTS = {"__MACOSX", "__pycache__", ".ipynb_checkpoints", ".git"}
"""Folders whose content is never part of an answer."""


@dataclass
class Candidate:
    """A file found in the upload: where it was, its base name, its bytes."""

    where: str
    name: str
    data: bytes
    depth: int


@dataclass
class Upload:
    """What was found in the upload and what was made of it."""

    received: dict[str, str] = field(default_factory=dict)  # file name -> where it was found
    unused: list[tuple[str, str]] = field(default_factory=list)  # (where, why and what to do)
    notes: list[str] = field(default_factory=list)

    def report(self, chapter: Chapter) -> str:
        """Plain text for the top of the results page."""
        expected = [f for e in chapter.exercises for f in e.files]
        lines = []
        if self.received:
            lines.append("Received: " + ", ".join(f for f in expected if f in self.received))
        else:
            lines.append("Your upload holds none of this assignment's files, so nothing could be "
                         "graded. Upload any of these files, one by one or as one zip: "
                         + ", ".join(expected) + ".")
        missing = []
        for e in chapter.exercises:
            for f in e.files:
                if f not in self.received:
                    kind = "written part, graded by hand" if f == e.answer else (
                        "optional exercise" if e.optional else "scores 0")
                    missing.append(f"{f} ({kind})")
        if self.received and missing:
            lines.append("Not received: " + ", ".join(missing))
        for where, why in self.unused:
            lines.append(f"Not used: {where}: {why}")
        lines += self.notes
        return "\n".join(lines)


def _ignorable(parts: Sequence[str]) -> bool:
    return any(p in IGNORED_PARTS or p.startswith(".") or p.startswith("._") for p in parts)


def _suggest(name: str, expected: Sequence[str]) -> str:
    """Why ``name`` was not used and what to do about it."""
    lower = {f.lower(): f for f in expected}
    norm = re.sub(r"\s*\(\d+\)(?=\.[^.]*$)", "", name.strip())  # "ex5_2 (1).py", a browser's copy
    norm = norm.lower().replace("-", "_").replace(" ", "_")
    if norm in lower:
        return f"rename it to {lower[norm]} (names must match exactly) and submit again"
    stem, _, suffix = norm.rpartition(".")
    for f in expected:
        if f.rpartition(".")[0].lower() == stem and suffix in ("ipynb", "txt", "pyc", "docx", "pdf"):
            return (f"this assignment grades {f}; submit your answer as {f} "
                    f"(copy your code into the file from the handout)")
    close = difflib.get_close_matches(norm, list(lower), n=1, cutoff=0.8)
    if close:
        return f"not a file of this assignment; did you mean {lower[close[0]]}? Rename it and submit again"
    return "not a file of this assignment (its files are " + ", ".join(expected) + ")"


def _walk_upload(submission: Path, upload: Upload, expected: Sequence[str]) -> list[Candidate]:
    """Every file of the upload, zips opened one level deep; only files named like an
    exercise file are read, within the size limits."""
    found: list[Candidate] = []
    budget = {"bytes": MAX_TOTAL_BYTES, "entries": MAX_ENTRIES}

    def take(where: str, name: str, size: int, depth: int, read) -> None:
        if budget["entries"] <= 0:
            return
        budget["entries"] -= 1
        if name not in expected:
            found.append(Candidate(where, name, b"", depth))  # reported, never read
            return
        if size > MAX_FILE_BYTES:
            upload.unused.append((where, f"too large ({size:,} bytes; the limit is "
                                         f"{MAX_FILE_BYTES:,})"))
            return
        try:
            data = read(min(MAX_FILE_BYTES, budget["bytes"]) + 1)
        except (OSError, EOFError, RuntimeError, NotImplementedError, zipfile.BadZipFile,
                zlib.error) as exc:
            upload.unused.append((where, f"could not be read ({exc}); upload it again"))
            return
        if len(data) > min(MAX_FILE_BYTES, budget["bytes"]):
            upload.unused.append((where, "too large: the upload needs only the exercise files"))
            return
        budget["bytes"] -= len(data)
        found.append(Candidate(where, name, data, depth))

    for root, dirs, files in os.walk(submission, followlinks=False):
        rel_root = Path(root).relative_to(submission)
        dirs[:] = sorted(d for d in dirs if not _ignorable([d]))
        for fname in sorted(files):
            path = Path(root) / fname
            rel = (rel_root / fname).as_posix()
            if _ignorable([fname]):
                continue
            if path.is_symlink() or not path.is_file():
                upload.unused.append((rel, "not a regular file"))
                continue
            depth = len(rel_root.parts)
            if fname.lower().endswith(".zip"):
                _walk_zip(path, rel, depth, take, upload)
            else:
                take(rel, fname, path.stat().st_size, depth, lambda n, p=path: _read(p, n))
    if budget["entries"] <= 0:
        upload.notes.append(f"The upload has more than {MAX_ENTRIES} files; the rest were not "
                            f"looked at. Upload only the exercise files.")
    return found


def _read(path: Path, n: int) -> bytes:
    with open(path, "rb") as f:
        return f.read(n)


def _walk_zip(path: Path, rel: str, depth: int, take, upload: Upload) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
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
            if not parts or _ignorable(parts) or ".." in parts:
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


def collect_upload(submission: Path, dest: Path, chapter: Chapter) -> Upload:
    """Find the chapter's files in ``submission`` and write them, flat, into ``dest``."""
    upload = Upload()
    expected = [f for e in chapter.exercises for f in e.files]
    submission = Path(submission)
    dest.mkdir(parents=True, exist_ok=True)
    if not submission.is_dir():
        upload.notes.append("The submission folder is missing: nothing was uploaded.")
        return upload
    by_name: dict[str, list[Candidate]] = {}
    for c in _walk_upload(submission, upload, expected):
        if c.name in expected:
            by_name.setdefault(c.name, []).append(c)
        else:
            upload.unused.append((c.where, _suggest(c.name, expected)))
    for name in expected:
        cands = sorted(by_name.get(name, []), key=lambda c: (c.depth, c.where))
        if not cands:
            continue
        chosen = cands[0]
        if len({c.data for c in cands}) > 1:
            upload.notes.append(
                f"{name} appears {len(cands)} times with different contents "
                f"({', '.join(c.where for c in cands)}); graded: {chosen.where}. "
                f"Upload one copy only.")
        (dest / name).write_bytes(chosen.data)
        upload.received[name] = chosen.where
    return upload


# --------------------------------------------------------------------------- results

def error_results(message: str) -> dict[str, Any]:
    """A valid results.json for a submission that could not be graded."""
    return {
        "score": 0,
        "output": message,
        "stdout_visibility": "hidden",
        "tests": [{"name": "Autograder error", "score": 0, "max_score": 0, "status": "failed",
                   "output": message, "visibility": "visible"}],
    }


def write_results(path: Path, results: dict[str, Any]) -> None:
    """Write ``results`` to ``path`` atomically (replacing whatever is there), owner-only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
    os.replace(tmp, path)


def _harden(autograder_dir: Path) -> None:
    """As root: the autograder's source, the metadata and the results are root's alone."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return
    for top in (autograder_dir / "source", autograder_dir / "results"):
        if not top.exists():
            continue
        for root, dirs, files in os.walk(top):
            for name in dirs + files:
                p = Path(root) / name
                if not p.is_symlink():
                    p.chmod(p.stat().st_mode & ~0o077)
        top.chmod(top.stat().st_mode & ~0o077)
    meta = autograder_dir / "submission_metadata.json"
    if meta.is_file():
        meta.chmod(0o600)


def _student_id(autograder_dir: Path) -> str:
    """A label for logs: the submission id from submission_metadata.json, else "student"."""
    try:
        meta = json.loads((autograder_dir / "submission_metadata.json").read_text(encoding="utf-8"))
        sid = str(meta.get("id") or "")
    except (OSError, ValueError, AttributeError):
        sid = ""
    sid = re.sub(r"[^A-Za-z0-9_.-]", "_", sid)[:64]
    return f"submission-{sid}" if sid else "student"


def grade_upload(autograder_dir: Path, chapter: Chapter, work: Path) -> dict[str, Any]:
    """Collect, grade and describe one upload; the results.json content."""
    from .engine.results import gradescope_results
    from .grading import grade_submission

    files = work / "files"
    upload = collect_upload(autograder_dir / "submission", files, chapter)
    result = grade_submission(files, student=_student_id(autograder_dir), chapter=chapter.id)
    results = gradescope_results(result, chapter)
    report = upload.report(chapter)
    results["output"] = report + ("\n\n" + results["output"] if results.get("output") else "")
    if not upload.received:
        results["score"] = 0
    elif "score" not in results:
        results["score"] = sum(t.get("score", 0) for t in results.get("tests", []))
    print(report)
    print(f"graded by {Path(__file__).resolve().parent} in sandbox mode {result.sandbox!r}")
    return results


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.gradescope",
        description="Grade the upload in AUTOGRADER_DIR/submission and write "
                    "AUTOGRADER_DIR/results/results.json (Gradescope's layout).")
    parser.add_argument("--autograder-dir", default="/autograder", type=Path)
    parser.add_argument("--chapter", default="ch5")
    args = parser.parse_args(argv)

    start = time.monotonic()
    ag = args.autograder_dir
    results_path = ag / "results" / "results.json"
    work = Path(tempfile.mkdtemp(prefix="nndl-gradescope-"))
    try:
        _harden(ag)
        chapter = load_chapter(args.chapter)
        results = grade_upload(ag, chapter, work)
    except Exception:  # noqa: BLE001 - whatever broke, the student gets a results.json
        traceback.print_exc(file=sys.stdout)  # stdout is hidden from students, shown to staff
        results = error_results(
            "The autograder hit an internal error while grading this submission; this is not "
            "a problem with your files. Submit again; if it happens again, tell your "
            "instructor (the details are in the autograder's output).")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["execution_time"] = round(time.monotonic() - start, 3)
    results["stdout_visibility"] = "hidden"
    write_results(results_path, results)
    print(f"score {results.get('score')} in {results['execution_time']} s -> {results_path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
