"""Grade a folder of students into an output folder.

``grade_folder`` finds the students (``intake.discover``), collects each one's files
(``intake.collect``), skips those already graded whose files and checks are unchanged, grades
the rest one at a time or ``jobs`` at a time (forked processes, each grading its student's
exercises two at a time), records each student as soon as it is graded (``store``) and
writes ``grades.csv``. Progress goes to a callback, which the command line draws.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from .engine import Limits
from .grading import GradingContext, grade_collected
from .intake import Entry, Upload, collect, discover
from .results import SubmissionResult, write_grades_csv
from .store import graded_students, load_student, write_student

PARALLEL_IN_POOL = 2
"""Exercises graded at once within each student when students are graded ``jobs`` at a time."""


@dataclass(frozen=True)
class Progress:
    """One student done: how far the batch is."""

    done: int
    total: int
    result: SubmissionResult
    elapsed: float
    """Seconds since grading started."""


@dataclass(frozen=True)
class _Task:
    student: str
    files: Path
    upload: Upload
    digest: str


def _grade_task(task: _Task, context: GradingContext, parallel: int) -> SubmissionResult:
    return grade_collected(task.files, task.upload, student=task.student, context=context,
                           parallel=parallel)


def grade_folder(submissions: Path, out: Path, *, chapter: str = "ch5", jobs: int = 1,
                 limits: Limits = Limits(), force: bool = False,
                 context: Optional[GradingContext] = None,
                 on_progress: Optional[Callable[[Progress], None]] = None,
                 on_note: Optional[Callable[[str], None]] = None) -> list[SubmissionResult]:
    """Grade every student in ``submissions`` into ``out``; returns their results (graded now
    or recorded by an earlier run), sorted by student id. ``grades.csv`` covers every student
    graded in ``out``."""
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    submissions, out = Path(submissions), Path(out)
    note = on_note or (lambda text: None)
    entries, notes = discover(submissions, exclude=out)
    ctx = context or GradingContext.resolve(chapter, limits, jobs=jobs)
    for n in notes:
        note(n)
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)  # the worker's user must not read the results
    ctx.protect(submissions, out)  # nor the submissions: refused (with the chmod) otherwise
    scratch = Path(tempfile.mkdtemp(prefix="nndl-batch-"))
    try:
        results, todo = _collect_all(entries, out, ctx, scratch, force)
        if len(results):
            note(f"{len(results)} student(s) already graded in {out} were skipped "
                 f"(use --force to regrade)")
        start = time.monotonic()

        def record(task: _Task, result: SubmissionResult) -> None:
            try:
                write_student(out, result, ctx.chapter, task.digest)
            except OSError as exc:  # one student's record never stops the batch
                note(f"could not record {task.student} in {out}: {exc}")
            results[task.student] = result
            if on_progress is not None:
                on_progress(Progress(len(results) - skipped, len(todo), result,
                                     time.monotonic() - start))

        skipped = len(results)
        if jobs == 1 or len(todo) <= 1:
            for task in todo:
                record(task, _grade_task(task, ctx, 2))
        else:
            _grade_in_pool(todo, ctx, jobs, record)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    write_grades_csv(graded_students(out), ctx.chapter, out / "grades.csv")
    return [results[e.student] for e in entries if e.student in results]


def _collect_all(entries: list[Entry], out: Path, ctx: GradingContext, scratch: Path,
                 force: bool) -> tuple[dict[str, SubmissionResult], list[_Task]]:
    """Collect every student's files; split them into recorded results and work to do."""
    fingerprint = ctx.fingerprint
    results: dict[str, SubmissionResult] = {}
    todo: list[_Task] = []
    for i, entry in enumerate(entries):
        files = scratch / str(i)
        try:
            upload = collect(entry.path, files, ctx.chapter)
        except Exception as exc:  # noqa: BLE001 - the intake failed: that student says so
            upload = Upload(notes=[f"the upload could not be read: {type(exc).__name__}: {exc}"])
            shutil.rmtree(files, ignore_errors=True)
            files.mkdir(parents=True)
        digest = hashlib.sha256(f"{upload.digest}:{fingerprint}".encode()).hexdigest()
        recorded = None if force else load_student(out, entry.student)
        if recorded is not None and recorded[1] == digest:
            results[entry.student] = recorded[0]
        else:
            todo.append(_Task(entry.student, files, upload, digest))
    return results, todo


def _grade_in_pool(todo: list[_Task], ctx: GradingContext, jobs: int,
                   record: Callable[[_Task, SubmissionResult], None]) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    mp = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp) as pool:
        futures = {pool.submit(_grade_task, task, ctx, PARALLEL_IN_POOL): task for task in todo}
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - a dead grading process
                result = SubmissionResult.refused(task.student, ctx.chapter,
                                                  f"the grader failed on this submission: "
                                                  f"{type(exc).__name__}: {exc}")
            record(task, result)
