"""Grade an exercise, a submission or one upload with the isolated engine.

Student code never runs in this process: every exercise of every submission runs in a fresh
worker (``autograder.engine``), limited and sandboxed, and the checks here receive proxies of
the student's functions and classes. A check's case fails on an ``AssertionError``, on the
student's exception, on a timeout or on the worker's death; the other cases still run, in a
fresh worker when needed.

Everything is graded against a ``GradingContext`` (the chapter, the limits and the sandbox),
resolved once and passed down. ``batch.grade_folder`` grades a folder of students with it;
``gradescope`` grades one upload with it.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

from . import answers
from .check import run_cases
from .checks.runner import CaseResult, CheckFile, load_check_file
from .course import CHECKS_ROOT, REPO_ROOT, Chapter, Exercise, load_chapter
from .engine import (ImportFailed, Limits, Sandbox, Session, WorkerGone, fit_workers, get_sandbox,
                     memory_available_mb)
from .engine.errors import TEXT_CHARS, bounded
from .intake import Upload, collect, nothing_received
from .results import (GRADER_ERROR, MISNAMED, NOTHING, OK, PARTIAL, REFUSED, ExerciseResult,
                      SubmissionResult)

LAUNCH_AHEAD = 1
"""Workers launched ahead of the exercises waiting to be graded (each imports NumPy meanwhile)."""

PARALLEL = 2
"""Exercises of one submission graded at once (threads, each with its worker)."""

CASE_CHARS = 2 * TEXT_CHARS
"""The most of one case's message kept in a result (an exception's text and its frames, each
already cut by the engine, and what the check says about them): one student's record is
bounded by the number of checks, whatever the worker sends."""

SHARED_CHARS = 1000
"""A long failure of the whole exercise (an import that failed) is kept once, in the
exercise's message; each case repeats its first line, at most this much of it."""

log = logging.getLogger("autograder.grading")

PACKAGE_ROOT = CHECKS_ROOT.parent
"""The installed package (the grader, the checks, the oracle), wherever it was installed."""

PROTECTED = (CHECKS_ROOT, PACKAGE_ROOT, REPO_ROOT / "solutions") + (
    (REPO_ROOT,) if (REPO_ROOT / "pyproject.toml").is_file() else ())
"""What student code must not read: the check files (hidden checks, oracles, data), the
installed package, the references and, when grading from a checkout, the checkout (sample
answers, dist/, .git). The engine is told (``get_sandbox(protect=...)``): it refuses to grade
where student code could read one of them (the ``uid`` mode relies on file modes) and proves
it with a self-test inside the sandbox."""


@dataclass(frozen=True)
class GradingContext:
    """What every grading step needs, resolved once: the chapter, the limits, the sandbox."""

    chapter: Chapter
    limits: Limits
    sandbox: Sandbox
    workers: int = PARALLEL + LAUNCH_AHEAD
    """Workers at once in one grading process (``fit_workers``: what the memory here allows)."""
    memory_plan: str = ""
    call_limits: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    """``{"<exercise>/<check>": seconds}``: a check's calls may take this long (a multiple of
    what the reference needs, ``calltimes.py``); ``Limits.timeout`` for the checks not in it."""

    @classmethod
    def resolve(cls, chapter: "str | Chapter" = "ch5", limits: Limits = Limits(),
                jobs: int = 1) -> "GradingContext":
        """Load the chapter and its checks, find the sandbox (``limits.sandbox``, else
        ``$NNDL_SANDBOX``, else the best available; ``SandboxError`` if none works), and size
        the workers to the memory of this machine or container (``jobs`` grading processes)."""
        ch = load_chapter(chapter) if isinstance(chapter, str) else chapter
        sandbox = get_sandbox(limits.sandbox, protect=PROTECTED)
        for ex in ch.exercises:  # load the checks once, before any process is forked
            check_file_of(ex)
        limits, workers, plan = fit_workers(limits, memory_available_mb(), PARALLEL + LAUNCH_AHEAD,
                                            jobs)
        log.info(plan)
        context = cls(ch, limits, sandbox, workers, plan)
        from .calltimes import call_limits

        return replace(context, call_limits=call_limits(context))

    def protect(self, *paths: Path) -> None:
        """Refuse (``SandboxError``) unless student code cannot read ``paths`` either (the
        submissions, the output folder)."""
        from .engine.detect import require_private

        require_private(self.sandbox, [Path(p) for p in paths])

    @property
    def fingerprint(self) -> str:
        """A digest of what decides a grade besides the submission: the manifest and the check
        files. A recorded grade with another fingerprint is stale (the limits are not in it:
        a re-run with other limits regrades only with ``--force``)."""
        h = hashlib.sha256()
        for path in [self.chapter.folder / "manifest.yaml"] + [e.check_file
                                                               for e in self.chapter.exercises]:
            h.update(path.name.encode() + b"\0" + path.read_bytes())
        return h.hexdigest()


_check_files: dict[tuple[str, int], CheckFile] = {}


def check_file_of(exercise: Exercise) -> CheckFile:
    """The exercise's check file, loaded once per process (and again when it changes)."""
    path = exercise.check_file
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _check_files:
        _check_files[key] = load_check_file(path)
    return _check_files[key]


# -- one exercise -----------------------------------------------------------------------------

def _needs_worker(exercise: Exercise, files_dir: Optional[Path]) -> bool:
    if files_dir is None or not check_file_of(exercise).cases:
        return False
    path = Path(files_dir) / exercise.code
    return path.is_file() and not path.is_symlink()


def grade_exercise(exercise: Exercise, files_dir: Optional[Path], *,
                   limits: Limits = Limits(),
                   context: Optional[GradingContext] = None) -> ExerciseResult:
    """Run every check of ``exercise`` against ``files_dir/<exercise.code>`` in a worker."""
    if context is None:
        context = GradingContext.resolve(load_chapter(exercise.check_file.parent.name), limits)
    return _grade_exercise(exercise, files_dir, context, None)


def _grade_exercise(exercise: Exercise, files_dir: Optional[Path], context: GradingContext,
                    session: Optional[Session]) -> ExerciseResult:
    run = _ExerciseRun(exercise, files_dir, context, session)
    try:
        run.phase(hidden=False)
        if run.session is not None and run.result is None and run.hidden:
            run.session.renew()  # a fresh worker for the hidden cases, launched meanwhile
        run.phase(hidden=True)
        return run.finish()
    finally:
        run.close()


class _ExerciseRun:
    """One exercise of one submission, graded in two phases: its public cases, then its hidden
    ones in a fresh worker. ``grade_submission`` runs the hidden phase of no exercise before
    the public phase of every exercise is over: no public case of a submission runs while a
    hidden case of it does, so nothing a hidden case passed reaches a public message."""

    def __init__(self, exercise: Exercise, files_dir: Optional[Path], context: GradingContext,
                 session: Optional[Session]) -> None:
        self.exercise, self.context = exercise, context
        self.start = time.monotonic()
        self.spent = 0.0
        cases = check_file_of(exercise).cases
        self.cases = cases
        self.public = [c for c in cases if not c.hidden]
        self.hidden = [c for c in cases if c.hidden]
        self.files_dir = Path(files_dir) if files_dir is not None else None
        self.by_name: dict[str, CaseResult] = {}
        self.result: Optional[ExerciseResult] = None
        self.session: Optional[Session] = None
        self.written, self.state = None, ""
        if exercise.answer:
            self.state = answers.MISSING if self.files_dir is None else \
                answers.sheet_state(self.files_dir / exercise.answer, context.chapter, exercise)
            self.written = self.state != answers.MISSING
        path = self.files_dir / exercise.code if self.files_dir is not None else None
        if path is None or not (path.exists() or path.is_symlink()):
            self.result = self._all_fail(f"{exercise.code} was not found in the submission")
        elif path.is_symlink() or not path.is_file():
            self.result = self._all_fail(f"{exercise.code} is not a regular file (a link or a "
                                         f"folder); submit the file itself")
        elif not cases:
            self.result = self._done([])
        else:
            self.session = session or Session(self.files_dir, exercise.code, context.limits,
                                              context.sandbox)

    def _done(self, results, message: str = "", output: str = "") -> ExerciseResult:
        kept = [r if len(r.message) <= CASE_CHARS else
                CaseResult(r.name, r.points, r.hidden, r.passed, bounded(r.message, CASE_CHARS))
                for r in results]
        return ExerciseResult(self.exercise.id, kept, bounded(message, CASE_CHARS), output,
                              self.spent or time.monotonic() - self.start, self.written, self.state)

    def _all_fail(self, message: str, output: str = "") -> ExerciseResult:
        message = bounded(message, CASE_CHARS)
        each = message
        if len(message) > SHARED_CHARS:  # kept once, in the exercise's message
            each = bounded(message.splitlines()[0] if message.strip() else message, SHARED_CHARS)
            each += " (the exercise's message says more)"
        cases = self.cases if self.cases is not None else []
        return self._done([CaseResult(c.name, c.points, c.hidden, False, each) for c in cases],
                          message, output)

    def phase(self, hidden: bool) -> None:
        """Run the public (or hidden) cases, the worker's import first if none ran yet."""
        cases = self.hidden if hidden else self.public
        if self.result is not None or self.session is None or not cases:
            return
        began = time.monotonic()
        session = self.session
        try:
            if not self.by_name:  # the first phase with cases: the import decides everything
                try:
                    session.start()
                except ImportFailed as exc:
                    self.result = self._all_fail(str(exc), session.output())
                    return
                except WorkerGone as exc:
                    self.result = self._all_fail(f"{self.exercise.code} could not be imported: "
                                                 f"{exc.reason}", session.output())
                    return
            for case in cases:  # one at a time, each with its own per-call limit
                session.call_limit = self.context.call_limits.get(f"{self.exercise.id}/{case.name}")
                self.by_name.update((r.name, r) for r in run_cases(session, [case]))
        finally:
            self.spent += time.monotonic() - began

    def pause(self) -> None:
        """Between the phases: no worker kept, no time counted."""
        if self.session is not None and self.result is None:
            self.session.pause()

    def finish(self) -> ExerciseResult:
        if self.result is None:
            output = self.session.output() if self.session is not None else ""
            self.result = self._done([self.by_name[c.name] for c in self.cases], "", output)
        return self.result

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


# -- one submission ---------------------------------------------------------------------------

def grade_submission(files_dir: Optional[Path], *, student: str = "student",
                     chapter: str = "ch5", limits: Limits = Limits(), parallel: int = 2,
                     context: Optional[GradingContext] = None) -> SubmissionResult:
    """Grade every exercise of the chapter found in ``files_dir`` (missing ones score 0).

    ``parallel`` exercises are graded at once (threads of this process, each with its own
    worker): while one exercise's checks compute here, another's student code runs in its
    worker. Each exercise's worker is launched while the one before is being checked, so that
    starting Python and NumPy overlaps with the checks. The public cases of every exercise
    run first; the hidden ones (each exercise in a fresh worker) only once no public case of
    the submission runs any more.
    """
    ctx = context or GradingContext.resolve(chapter, limits)
    start = time.monotonic()
    exercises = list(ctx.chapter.exercises)
    launch_ahead = max(0, min(LAUNCH_AHEAD, ctx.workers - min(parallel, ctx.workers)))
    sessions = [Session(files_dir, ex.code, ctx.limits, ctx.sandbox)
                if _needs_worker(ex, files_dir) else None for ex in exercises]
    runs: list[Optional[_ExerciseRun]] = [None] * len(exercises)
    order = sorted(range(len(exercises)), key=lambda i: -exercises[i].points)  # heaviest first
    queue = [(False, i) for i in order] + [(True, i) for i in order]
    errors: list[BaseException] = []
    lock = threading.Condition()
    left = {False: len(exercises), True: len(exercises)}
    all_done = threading.Event()

    def work() -> None:
        try:
            while True:
                with lock:
                    if not queue or errors:
                        return
                    hidden, i = queue.pop(0)
                    while hidden and left[False] and not errors:  # the public phase is not over
                        lock.wait(0.1)
                    if errors:
                        return
                    # the next workers start (and import the file) ahead; one launched for a
                    # hidden phase sees no hidden input before every public case has run
                    ahead = [sessions[j] for _, j in queue if sessions[j] is not None
                             and (runs[j] is None or runs[j].result is None)][:launch_ahead]
                for later in ahead:
                    try:
                        later.launch()
                    except Exception:  # noqa: BLE001 - its own start reports the problem
                        pass
                try:
                    if not hidden:
                        runs[i] = _ExerciseRun(exercises[i], files_dir, ctx, sessions[i])
                    runs[i].phase(hidden=hidden)
                    if not hidden:
                        runs[i].pause()
                except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
                    errors.append(exc)
                    return
                finally:
                    with lock:
                        left[hidden] -= 1
                        if not left[False] and not left[True]:
                            all_done.set()
                        lock.notify_all()
        finally:
            # bubblewrap's --die-with-parent kills a sandbox when the *thread* that started it
            # ends: a thread may have launched a worker that another thread uses, so no
            # thread ends before every exercise is graded
            while not all_done.is_set() and not errors:
                all_done.wait(0.1)

    results: list[ExerciseResult] = []
    try:
        n = max(1, min(parallel, len(exercises), ctx.workers))
        if n == 1:
            work()
        else:
            threads = [threading.Thread(target=work, name=f"grade-{student}-{k}", daemon=True)
                       for k in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        if not errors:
            results = [run.finish() for run in runs if run is not None]
    finally:
        for session in sessions:
            if session is not None:
                session.close()
    if errors:
        raise errors[0]
    return SubmissionResult(student, results, time.monotonic() - start, "", ctx.sandbox.mode)


def upload_status(upload: Upload, chapter: Chapter) -> str:
    """How an upload went (``results.STATUSES``), from what the intake found in it."""
    if upload.failed:
        return GRADER_ERROR
    if upload.misnamed:
        return MISNAMED
    if not upload.received:
        return REFUSED if upload.refused else NOTHING
    required = [e.code for e in chapter.exercises if not e.optional]
    if upload.refused or any(f not in upload.received for f in required):
        return PARTIAL
    return OK


def grade_collected(files_dir: Path, upload: Upload, *, student: str, context: GradingContext,
                    parallel: int = 2) -> SubmissionResult:
    """Grade the files ``intake.collect`` wrote into ``files_dir``, with what it said about the
    upload; never raises (a failure of the grader becomes a result saying so)."""
    start = time.monotonic()
    try:
        result = grade_submission(files_dir, student=student, context=context, parallel=parallel)
    except Exception as exc:  # noqa: BLE001 - the batch must always complete
        result = grader_failed(student, context.chapter, exc)
    else:
        if not upload.received:
            result.message = nothing_received(context.chapter)
        result.status = upload_status(upload, context.chapter)
    result.upload = upload.lines()
    result.received = sorted(upload.received)
    result.elapsed = time.monotonic() - start
    return result


def grader_failed(student: str, chapter: Chapter, exc: BaseException) -> SubmissionResult:
    """The result of a submission the grader itself failed on (status ``grader error``)."""
    result = SubmissionResult.refused(student, chapter, f"the grader failed on this submission: "
                                                        f"{type(exc).__name__}: {exc}")
    result.status = GRADER_ERROR
    return result


def grade_upload(source: Path, *, student: str, context: GradingContext,
                 parallel: int = 2) -> SubmissionResult:
    """Collect the chapter's files from ``source`` (a folder or a zip, as uploaded) and grade
    them; never raises."""
    start = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="nndl-sub-"))
    try:
        try:
            upload = collect(source, scratch / "files", context.chapter)
        except Exception as exc:  # noqa: BLE001 - an upload the intake cannot read
            result = SubmissionResult.refused(student, context.chapter,
                                              f"the upload could not be read: "
                                              f"{type(exc).__name__}: {exc}")
            result.status = GRADER_ERROR
            return result
        result = grade_collected(scratch / "files", upload, student=student, context=context,
                                 parallel=parallel)
        result.elapsed = time.monotonic() - start
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
