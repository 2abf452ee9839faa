"""What the marking app knows of a graded folder: the written parts, each student's answer,
anonymous labels in a stable shuffled order, and the marks, read from and written to
``OUT/manual.csv`` (``report.manual``, the one reader and writer of that file).

Anonymity: a student is shown as an opaque key (an HMAC of the id with a secret kept in
``OUT/.mark.json``, made once), and each part lists its answers in the order of those keys, so
the order is shuffled but the same on every start; the id is given only when asked for
(``reveal``). One app per folder: ``Session.open`` holds an exclusive lock on
``OUT/.mark.lock`` until ``close``, and a second one is refused with ``Busy``. Each mark is
written at once (read, change one row, replace the file atomically), so closing the browser
or stopping the process loses nothing that was saved.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from .. import answers
from ..course import Chapter, Exercise, WrittenPart
from ..files import write_atomic
from ..report import class_of, manual
from .rubrics import Rubrics, load_rubrics

SECRET = ".mark.json"
LOCK = ".mark.lock"


class Busy(RuntimeError):
    """Another marking app has this folder open."""


@dataclass(frozen=True)
class Part:
    """A written part with its rubric."""

    exercise: Exercise
    part: WrittenPart

    @property
    def slug(self) -> str:
        return f"{self.exercise.id}-{self.part.id}"


class Session:
    """The marking state of one graded folder; thread-safe."""

    def __init__(self, out: Path, chapter: Chapter, lock_fd: int) -> None:
        self.out = Path(out)
        self.chapter = chapter
        self._lock_fd = lock_fd
        self._write = threading.Lock()
        self.rubrics: Rubrics = load_rubrics(chapter)
        self.parts = [Part(ex, w) for ex in chapter.exercises for w in ex.written]
        self.results = {r.student: r for r in class_of(self.out)}
        self._secret = self._load_secret()
        self.keys = {self._key(s): s for s in self.results}
        self.order = sorted(self.keys)  # the keys are HMACs: a stable shuffle
        self.sheet = manual.sync(self.out, chapter, list(self.results))
        if not self.sheet.readable:
            raise ValueError("; ".join(self.sheet.problems))

    @classmethod
    def open(cls, out: Path, chapter: Chapter) -> "Session":
        """The session of ``out``; ``Busy`` when another app holds it."""
        out = Path(out)
        if not out.is_dir():
            raise FileNotFoundError(f"{out} is not a folder (give the --out folder of "
                                    f"nndl-grade grade)")
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise Busy(f"another nndl-grade mark has {out} open (it holds {out / LOCK}); "
                       f"use that one, or stop it first / 另一个 nndl-grade mark 正在批改 "
                       f"{out},请使用它或先将其停止") from None
        try:
            return cls(out, chapter, fd)
        except BaseException:
            os.close(fd)
            raise

    def close(self) -> None:
        """Let another app open the folder."""
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def _load_secret(self) -> bytes:
        path = self.out / SECRET
        try:
            return bytes.fromhex(json.loads(path.read_text(encoding="utf-8"))["secret"])
        except (OSError, ValueError, KeyError, TypeError):
            secret = secrets.token_bytes(16)
            write_atomic(path, json.dumps({"secret": secret.hex()}), mode=0o600)
            return secret

    def _key(self, student: str) -> str:
        return hmac.new(self._secret, student.encode("utf-8"), hashlib.sha256).hexdigest()[:16]

    def part(self, slug: str) -> Part:
        """The part called ``slug`` (``ex5_2-proof``); ``KeyError`` otherwise."""
        for p in self.parts:
            if p.slug == slug:
                return p
        raise KeyError(slug)

    def student(self, key: str) -> str:
        """The student behind an anonymous key; ``KeyError`` for an unknown key."""
        return self.keys[key]

    def mark(self, student: str, p: Part) -> Optional[dict[str, Any]]:
        """The points (None while ungraded) and comment of ``student`` on ``p``; None when
        neither is filled."""
        m = next((m for m in self.sheet.for_student(student)
                  if (m.exercise_id, m.part) == (p.exercise.id, p.part.id)), None)
        if m is not None:
            return {"points": m.points, "comment": m.comment}
        row = next((r for r in self.sheet.rows
                    if (r["student"].strip(), r["exercise"].strip(), r["part"].strip()) ==
                    (student, p.exercise.id, p.part.id) and r["comment"].strip()), None)
        return None if row is None else {"points": None, "comment": row["comment"].strip()}

    def state(self, student: str, p: Part) -> str:
        er = self.results[student].exercise(p.exercise.id)
        return (er.answer_state if er else None) or answers.MISSING

    def entries(self, p: Part) -> list[dict[str, Any]]:
        """The answers of ``p`` in anonymous order: key, number, state and mark."""
        return [{"key": k, "n": i + 1, "state": self.state(self.keys[k], p),
                 "mark": self.mark(self.keys[k], p)} for i, k in enumerate(self.order)]

    def progress(self, p: Part) -> tuple[int, int]:
        """(graded, to grade) of a part: answers with points, over every student."""
        graded = sum(1 for s in self.results if (self.mark(s, p) or {}).get("points") is not None)
        return graded, len(self.results)

    def save(self, key: str, p: Part, points: Optional[float], comment: str) -> dict[str, Any]:
        """Set the mark of the student behind ``key`` on ``p`` (points None clears it) and
        return it as stored. ``ValueError`` for points out of range, ``KeyError`` for a key."""
        student = self.student(key)
        with self._write:
            self.sheet = manual.set_mark(self.out, self.chapter, student, p.exercise.id,
                                         p.part.id, points, comment)
        return {"key": key, "mark": self.mark(student, p)}
