"""What went wrong while grading, as opposed to wrong answers: timeouts, memory, crashes and
refused or empty uploads, found in the recorded messages.

The engine names the limit a worker hit in its message (``engine.session``,
``engine.process``, ``engine.worker``, ``engine.limits``); ``KINDS`` lists the words that tell
each kind, in one place. An incident is counted once per student, exercise and kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ..results import SubmissionResult

KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("timeout", re.compile(r"timed out|wall-clock limit")),
    ("CPU time", re.compile(r"CPU limit")),
    ("memory", re.compile(r"out of memory|MemoryError|running out of memory")),
    ("crash", re.compile(r"segmentation fault|was killed|exited with code|file-size limit|"
                         r"the grader failed")),
)
"""Each kind of incident and the words of the engine's messages that tell it."""

UPLOAD = "upload"
"""A submission refused or empty as a whole (``SubmissionResult.message``)."""


@dataclass(frozen=True)
class Incident:
    student: str
    exercise_id: str
    kind: str
    message: str


def kind_of(message: str) -> str:
    """The kind of incident ``message`` tells of, or '' when it tells of none."""
    for kind, pattern in KINDS:
        if pattern.search(message):
            return kind
    return ""


def incidents(results: Sequence[SubmissionResult]) -> list[Incident]:
    """Every incident of ``results``, by student, in exercise order."""
    out: list[Incident] = []
    for r in results:
        if r.message:
            out.append(Incident(r.student, "", UPLOAD, r.message))
            continue
        for er in r.exercises:
            seen = set()
            for message in [er.message] + [c.message for c in er.cases if not c.passed]:
                kind = kind_of(message) if message else ""
                if kind and kind not in seen:
                    seen.add(kind)
                    out.append(Incident(r.student, er.exercise_id, kind, message))
    return out
