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
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import answers
from .check import run_cases
from .checks.runner import CaseResult, CheckFile, load_check_file
from .course import CHECKS_ROOT, REPO_ROOT, Chapter, Exercise, load_chapter
from .engine import (ImportFailed, Limits, Sandbox, Session, WorkerGone, fit_workers, get_sandbox,
                     memory_available_mb)
from .intake import Upload, collect, nothing_received
from .results import (GRADER_ERROR, MISNAMED, NOTHING, OK, PARTIAL, REFUSED, ExerciseResult,
                      SubmissionResult)

LAUNCH_AHEAD = 1
"""Workers launched ahead of the exercises waiting to be graded (each imports NumPy meanwhile)."""

PARALLEL = 2
"""Exercises of one submission graded at once (threads, each with its worker)."""

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
        return cls(ch, limits, sandbox, workers, plan)

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
    start = time.monotonic()
    cases = check_file_of(exercise).cases
    files_dir = Path(files_dir) if files_dir is not None else None
    written, state = None, ""
    if exercise.answer:
        state = answers.MISSING if files_dir is None else \
            answers.sheet_state(files_dir / exercise.answer, context.chapter, exercise)
        written = state != answers.MISSING

    def done(results, message="", output="") -> ExerciseResult:
        return ExerciseResult(exercise.id, list(results), message, output,
                              time.monotonic() - start, written, state)

    def all_fail(message: str, output: str = "") -> ExerciseResult:
        return done([CaseResult(c.name, c.points, c.hidden, False, message) for c in cases],
                    message, output)

    path = files_dir / exercise.code if files_dir is not None else None
    if path is None or not (path.exists() or path.is_symlink()):
        return all_fail(f"{exercise.code} was not found in the submission")
    if path.is_symlink() or not path.is_file():
        return all_fail(f"{exercise.code} is not a regular file (a link or a folder); submit the "
                        f"file itself")
    if not cases:
        return done([])
    session = session or Session(files_dir, exercise.code, context.limits, context.sandbox)
    try:
        try:
            session.start()
        except ImportFailed as exc:
            return all_fail(str(exc), session.output())
        except WorkerGone as exc:
            return all_fail(f"{exercise.code} could not be imported: {exc.reason}",
                            session.output())
        return done(run_cases(session, cases), "", session.output())
    finally:
        session.close()


# -- one submission ---------------------------------------------------------------------------

def grade_submission(files_dir: Optional[Path], *, student: str = "student",
                     chapter: str = "ch5", limits: Limits = Limits(), parallel: int = 2,
                     context: Optional[GradingContext] = None) -> SubmissionResult:
    """Grade every exercise of the chapter found in ``files_dir`` (missing ones score 0).

    ``parallel`` exercises are graded at once (threads of this process, each with its own
    worker): while one exercise's checks compute here, another's student code runs in its
    worker. Each exercise's worker is launched while the one before is being checked, so that
    starting Python and NumPy overlaps with the checks.
    """
    ctx = context or GradingContext.resolve(chapter, limits)
    start = time.monotonic()
    exercises = list(ctx.chapter.exercises)
    launch_ahead = max(0, min(LAUNCH_AHEAD, ctx.workers - min(parallel, ctx.workers)))
    sessions = [Session(files_dir, ex.code, ctx.limits, ctx.sandbox)
                if _needs_worker(ex, files_dir) else None for ex in exercises]
    queue = sorted(range(len(exercises)), key=lambda i: -exercises[i].points)  # heaviest first
    results: list[Optional[ExerciseResult]] = [None] * len(exercises)
    errors: list[BaseException] = []
    lock = threading.Lock()
    all_done = threading.Event()
    remaining = [len(exercises)]

    def work() -> None:
        try:
            while True:
                with lock:
                    if not queue or errors:
                        return
                    i = queue.pop(0)
                    ahead = [sessions[j] for j in queue if sessions[j] is not None][:launch_ahead]
                for later in ahead:
                    try:
                        later.launch()
                    except Exception:  # noqa: BLE001 - its own start reports the problem
                        pass
                try:
                    results[i] = _grade_exercise(exercises[i], files_dir, ctx, sessions[i])
                except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
                    errors.append(exc)
                    return
                finally:
                    with lock:
                        remaining[0] -= 1
                        if remaining[0] == 0:
                            all_done.set()
        finally:
            # bubblewrap's --die-with-parent kills a sandbox when the *thread* that started it
            # ends: a thread may have launched a worker that another thread uses, so no
            # thread ends before every exercise is graded
            while not all_done.is_set() and not errors:
                all_done.wait(0.1)

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
    finally:
        for session in sessions:
            if session is not None:
                session.close()
    if errors:
        raise errors[0]
    return SubmissionResult(student, [r for r in results if r is not None],
                            time.monotonic() - start, "", ctx.sandbox.mode)


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
