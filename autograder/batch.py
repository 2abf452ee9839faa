"""Grade a folder of students into an output folder.

``grade_folder`` finds the students (``intake.discover``: folders, zips, Canvas and Moodle
downloads), collects each one's files (``intake.collect``), skips those already graded whose
files and checks are unchanged, grades the rest one at a time or ``jobs`` at a time (forked
processes, each grading its student's exercises two at a time) or on a Dask cluster
(``scheduler``, ``cluster.py``), records each student as soon as it is graded (``store``, with
a copy of the files graded), applies the late policy to everyone, and writes ``grades.csv`` for
the students of this folder, the graders' points of ``manual.csv`` folded in. Progress goes to
a callback, which the command line draws.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional, Sequence

from .course import load_course
from .engine import Limits
from .grading import GradingContext, grade_collected, grader_failed
from .intake import Entry, Upload, collect, discover
from .intake.times import SubmissionTimes
from .late import FILE_TIME, TIMES_FILE, UNKNOWN_ADVICE, LatePolicy, from_timestamp, iso
from .report import manual
from .results import SubmissionResult
from .grades import write_grades_csv
from .store import graded_students, has_submission, keep_submission, load_student, write_student

PARALLEL_IN_POOL = 2
"""Exercises graded at once within each student when students are graded ``jobs`` at a time."""


class NoSubmissions(ValueError):
    """The folder holds no submission to grade; the message says what it holds instead."""


@dataclass(frozen=True)
class Progress:
    """One student done: how far the batch is."""

    done: int
    total: int
    result: SubmissionResult
    elapsed: float
    """Seconds since grading started."""

    @property
    def remaining(self) -> Optional[float]:
        """Seconds left at the pace so far, or None before the first student."""
        if self.done <= 0:
            return None
        return self.elapsed / self.done * (self.total - self.done)


@dataclass(frozen=True)
class _Task:
    entry: Entry
    files: Path
    upload: Upload
    digest: str

    @property
    def student(self) -> str:
        return self.entry.student


def _grade_task(task: _Task, context: GradingContext, parallel: int) -> SubmissionResult:
    return grade_collected(task.files, task.upload, student=task.student, context=context,
                           parallel=parallel)


def grade_folder(submissions: Path, out: Path, *, chapter: str = "ch5", jobs: int = 1,
                 limits: Limits = Limits(), force: bool = False, only: Sequence[str] = (),
                 late: LatePolicy = LatePolicy(),
                 times: Optional[SubmissionTimes] = None,
                 context: Optional[GradingContext] = None,
                 on_progress: Optional[Callable[[Progress], None]] = None,
                 on_note: Optional[Callable[[str], None]] = None,
                 scheduler: Optional[str] = None) -> list[SubmissionResult]:
    """Grade every student in ``submissions`` into ``out``; returns their results (graded now
    or recorded by an earlier run), sorted by student id. ``grades.csv`` covers the students
    of ``submissions`` (others graded in ``out`` earlier are left out, with a note).

    ``only`` names students to regrade (by id, LMS id, name or SID); the others keep their
    recorded results. ``late`` is applied to every student, graded now or recorded, with the
    submission times the LMS gives (``times``, a times file; Canvas's late flag); the files'
    own times only when ``late.file_times`` (``_facts``).
    ``NoSubmissions`` when the folder holds nothing to grade; ``LayoutError`` when it is one
    student's submission rather than a folder of students.

    ``scheduler`` (``tcp://HOST:PORT``) grades on that Dask cluster instead of this machine
    (``cluster.grade_on_cluster``; ``cluster.ClusterError`` when it cannot)."""
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if scheduler and jobs > 1:
        raise ValueError("give --jobs or --scheduler, not both: on a Dask cluster, each "
                         "worker's --nthreads says how many students it grades at once")
    submissions, out = Path(submissions), Path(out)
    note = on_note or (lambda text: None)
    ctx = context or GradingContext.resolve(load_course(chapter, out=out), limits, jobs=jobs)
    entries, notes = discover(submissions, exclude=out, chapter=ctx.chapter)
    for n in notes:
        note(n)
    if not entries:
        raise NoSubmissions(_nothing_to_grade(submissions, notes))
    selected = _select(entries, only)
    if times is not None:
        for n in _times_notes(times, entries, late):
            note(n)
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)  # the worker's user must not read the results
    if not scheduler:  # on a cluster, student code runs on the workers, never near these
        ctx.protect(submissions, out)  # nor the submissions: refused (with the chmod) otherwise
    scratch = Path(tempfile.mkdtemp(prefix="nndl-batch-"))
    marks = manual.read(out / manual.FILE, ctx.chapter)
    try:
        tasks = _collect_all(entries, ctx, scratch)
        results: dict[str, SubmissionResult] = {}
        todo: list[_Task] = []
        for task in tasks:
            recorded = load_student(out, task.student)
            if only and task.student not in selected:
                if recorded is None:
                    note(f"{task.student} is not graded yet (not named by --only)")
                    continue
                stale = recorded[1] != task.digest
                if stale:
                    note(f"{task.student}'s files or the checks changed since it was graded; "
                         f"its recorded grade is kept (not named by --only)")
                results[task.student] = _settle(recorded[0], task, late, times, out, ctx,
                                                recorded[1], marks, facts=not stale)
            elif recorded is not None and recorded[1] == task.digest and not force and not only:
                results[task.student] = _settle(recorded[0], task, late, times, out, ctx,
                                                recorded[1], marks)
                if not has_submission(out, task.student):  # recorded before copies were kept
                    keep_submission(out, task.student, task.files, ctx.chapter)
            else:
                todo.append(task)
        skipped = len(results)
        if skipped and not only:
            note(f"{skipped} student(s) already graded in {out} were skipped "
                 f"(use --force to regrade)")
        start = time.monotonic()

        def record(task: _Task, result: SubmissionResult) -> None:
            _facts(result, task, late, times)
            late.apply(result)
            try:
                write_student(out, result, ctx.chapter, task.digest, task.files,
                              marks.for_student(task.student))
            except OSError as exc:  # one student's record never stops the batch
                note(f"could not record {task.student} in {out}: {exc}")
            results[task.student] = result
            if on_progress is not None:
                on_progress(Progress(len(results) - skipped, len(todo), result,
                                     time.monotonic() - start))

        if scheduler and todo:
            from .cluster import grade_on_cluster

            grade_on_cluster(scheduler, todo, ctx, record, note)
        elif jobs == 1 or len(todo) <= 1:
            for task in todo:
                record(task, _grade_task(task, ctx, 2))
        else:
            _grade_in_pool(todo, ctx, jobs, record)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    here = {e.student for e in entries}
    elsewhere = [r.student for r in graded_students(out) if r.student not in here]
    if elsewhere:
        shown = ", ".join(elsewhere[:10]) + (", ..." if len(elsewhere) > 10 else "")
        note(f"{len(elsewhere)} student(s) graded in {out} earlier are not in {submissions} and "
             f"are left out of grades.csv: {shown} (their reports stay in {out}/<student>/)")
    graded = [results[e.student] for e in entries if e.student in results]
    unknown = [r.student for r in graded if r.late.unknown]
    if unknown:
        shown = ", ".join(unknown[:10]) + (", ..." if len(unknown) > 10 else "")
        note(f"{len(unknown)} student(s) have no trustworthy submission time, so the late policy "
             f"took nothing off: {shown}. To apply it, {UNKNOWN_ADVICE}")
    write_grades_csv(graded, ctx.chapter, out / "grades.csv", marks.marks)
    return graded


def _nothing_to_grade(submissions: Path, notes: list[str]) -> str:
    what = ("it is empty" if not notes else
            "nothing in it is a student's submission:\n  " + "\n  ".join(notes[:10])
            + ("\n  ..." if len(notes) > 10 else ""))
    return (f"no submissions to grade in {submissions}: {what}\n"
            f"Give the folder that holds one sub-folder or one .zip per student, or an LMS's "
            f"bulk download unzipped (Canvas: <name>_<id>_<file id>_<file>; Moodle: "
            f"<Full Name>_<id>_assignsubmission_file_/).")


def _select(entries: list[Entry], only: Sequence[str]) -> set[str]:
    """The students ``only`` names; ``ValueError`` naming those it does not find."""
    selected, unknown = set(), []
    for wanted in only:
        hits = [e.student for e in entries if e.matches(wanted)]
        if not hits:
            unknown.append(wanted)
        selected.update(hits)
    if unknown:
        ids = [e.student for e in entries]
        hints = []
        for u in unknown:
            close = difflib.get_close_matches(u, ids, n=3, cutoff=0.6)
            hints.append(f"{u!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
        raise ValueError(f"--only: no student {', '.join(hints)} in this folder; students are "
                         f"named by their folder or zip name, or their LMS id or name")
    return selected


def _facts(result: SubmissionResult, task: _Task, late: LatePolicy,
           times: Optional[SubmissionTimes]) -> None:
    """What the source says about the submission: who, late or not (Canvas's flag), and
    when, from the most trustworthy source there is: the LMS's times file, else the files'
    own times when the instructor asked for them, else nothing."""
    entry = task.entry
    result.identity = replace(entry.identity)
    result.lms_late = entry.lms_late
    result.submitted_at, result.time_source = "", ""
    if times is not None:
        found, when = times.lookup(entry)
        if found and when is not None:
            result.submitted_at, result.time_source = iso(when), TIMES_FILE
            return
    if late.file_times and task.upload.newest is not None:
        result.submitted_at = iso(from_timestamp(task.upload.newest))
        result.time_source = FILE_TIME


def _times_notes(times: SubmissionTimes, entries: list[Entry], late: LatePolicy) -> list[str]:
    """What the times file could not say: its unreadable rows, the students it lacks."""
    notes = list(times.problems)
    missing = [e.student for e in entries if not times.lookup(e)[0]]
    if missing:
        shown = ", ".join(missing[:10]) + (", ..." if len(missing) > 10 else "")
        notes.append(f"{len(missing)} student(s) have no row in {times.path.name}: {shown}"
                     + ("; their lateness is unknown unless the LMS flags it" if late.active
                        else ""))
    return notes


def _settle(result: SubmissionResult, task: _Task, late: LatePolicy,
            times: Optional[SubmissionTimes], out: Path, ctx: GradingContext, digest: str,
            marks: "manual.Sheet", facts: bool = True) -> SubmissionResult:
    """A recorded result brought up to date with this run's late policy and, when it is of
    the same files (``facts``), with what the source says about them; its reports are
    rewritten when what they show changed."""
    before = result.to_dict()
    if facts:
        _facts(result, task, late, times)
    late.apply(result)
    if result.to_dict() != before:
        try:
            write_student(out, result, ctx.chapter, digest,
                          manual=marks.for_student(result.student))
        except OSError:
            pass
    return result


def _collect_all(entries: list[Entry], ctx: GradingContext, scratch: Path) -> list[_Task]:
    """Collect every student's files."""
    fingerprint = ctx.fingerprint
    tasks = []
    for i, entry in enumerate(entries):
        files = scratch / str(i)
        try:
            upload = collect(entry, files, ctx.chapter)
        except Exception as exc:  # noqa: BLE001 - the intake failed: that student says so
            why = f"the upload could not be read: {type(exc).__name__}: {exc}"
            upload = Upload(notes=[why], failed=why)
            shutil.rmtree(files, ignore_errors=True)
            files.mkdir(parents=True)
        digest = hashlib.sha256(f"{upload.digest}:{fingerprint}".encode()).hexdigest()
        tasks.append(_Task(entry, files, upload, digest))
    return tasks


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
                result = grader_failed(task.student, ctx.chapter, exc)
            record(task, result)
