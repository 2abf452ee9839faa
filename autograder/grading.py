"""Grade an exercise, a submission or a folder of submissions with the isolated engine.

Student code never runs in this process: every exercise of every submission runs in a fresh
worker (``autograder.engine``), limited and sandboxed, and the checks here receive proxies of
the student's functions and classes. A check's case fails on an ``AssertionError``, on the
student's exception, on a timeout or on the worker's death; the other cases still run, in a
fresh worker when needed.

``grade_folder`` writes, for a folder holding one sub-folder or one zip per student:
``OUT/grades.csv``, and for each student ``OUT/<student>/results.json`` (Gradescope),
``OUT/<student>/feedback.md`` and ``OUT/<student>/summary.json`` (the engine's own record),
each written atomically, with a completion marker written last: a re-run skips a student
whose marker is there and whose submission has not changed, unless ``force``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Optional

from .checks.runner import CaseResult, CheckFile, describe_exception, load_check_file
from .course import CHECKS_ROOT, REPO_ROOT, Chapter, Exercise, load_chapter
from .engine import (ExerciseOver, ImportFailed, Limits, Session, StudentError, WorkerGone,
                     WorkerLost, get_sandbox)
from .engine.submissions import (Entry, SubmissionError, discover, materialize,
                                 submission_hash)

LAUNCH_AHEAD = 1
"""Workers launched ahead of the exercises waiting to be graded (each imports NumPy meanwhile)."""

PARALLEL_IN_POOL = 2
"""Exercises graded at once within each student when students are graded ``jobs`` at a time."""

MARKER = ".complete"
"""Written last into ``OUT/<student>/``: its grading finished."""

PROTECTED = (CHECKS_ROOT, REPO_ROOT / "solutions")
"""What student code must not read: the check files (hidden checks, oracles, data) and the
references. The engine is told (``get_sandbox(protect=...)``): its ``uid`` mode relies on file
modes, and its notes name those of these paths that uid 65534 could read."""


@dataclass
class ExerciseResult:
    """The outcome of one exercise of one submission."""

    exercise_id: str
    cases: list[CaseResult]
    message: str = ""
    """Why no case could pass (file missing, import failed, ...); '' if none."""
    output: str = ""
    """What the student's code printed (stdout and stderr), cut to ``Limits.output_bytes``."""
    elapsed: float = 0.0
    written_submitted: Optional[bool] = None
    """Whether the written part's answer file was there; None when the exercise has none."""

    @property
    def score(self) -> float:
        return sum(c.score for c in self.cases)

    @property
    def possible(self) -> float:
        return sum(c.points for c in self.cases)


@dataclass
class SubmissionResult:
    """The outcome of one student's submission: every exercise of the chapter."""

    student: str
    exercises: list[ExerciseResult]
    elapsed: float = 0.0
    message: str = ""
    """About the submission as a whole (a refused zip, ignored files); '' if nothing."""
    sandbox: str = ""

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    @property
    def possible(self) -> float:
        return sum(e.possible for e in self.exercises)

    def exercise(self, exercise_id: str) -> Optional[ExerciseResult]:
        for e in self.exercises:
            if e.exercise_id == exercise_id:
                return e
        return None


# -- one exercise -----------------------------------------------------------------------------

_check_files: dict[tuple[str, int], CheckFile] = {}


def check_file_of(exercise: Exercise) -> CheckFile:
    """The exercise's check file, loaded once per process (and again when it changes)."""
    path = exercise.check_file
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _check_files:
        _check_files[key] = load_check_file(path)
    return _check_files[key]


def _all_fail(cases, message: str) -> list[CaseResult]:
    return [CaseResult(c.name, c.points, c.hidden, False, message) for c in cases]


def _run_case(case, session: Session) -> CaseResult:
    def result(passed: bool, message: str) -> CaseResult:
        return CaseResult(case.name, case.points, case.hidden, passed, message)

    if session.over:
        return result(False, session.over)
    session.begin_case()
    try:
        case.call(session.env())
    except ExerciseOver as exc:
        return result(False, str(exc))
    except WorkerLost as exc:
        return result(False, str(exc))
    except AssertionError as exc:
        message = str(exc) or "assertion failed"
    except StudentError as exc:
        message = str(exc)
    except Exception as exc:  # noqa: BLE001 - whatever the check raised fails this case only
        message = describe_exception(exc)
    else:
        message = ""
    if session.incident:  # the check swallowed a timeout or a crash: the case still fails
        return result(False, session.incident)
    return result(not message, message or "passed")


def _needs_worker(exercise: Exercise, files_dir: Optional[Path]) -> bool:
    if files_dir is None or not check_file_of(exercise).cases:
        return False
    path = Path(files_dir) / exercise.code
    return path.is_file() and not path.is_symlink()


def grade_exercise(exercise: Exercise, files_dir: Optional[Path], *,
                   limits: Limits = Limits()) -> ExerciseResult:
    """Run every check of ``exercise`` against ``files_dir/<exercise.code>`` in a worker."""
    return _grade_exercise(exercise, files_dir, limits, None)


def _grade_exercise(exercise: Exercise, files_dir: Optional[Path], limits: Limits,
                    session: Optional[Session]) -> ExerciseResult:
    start = time.monotonic()
    cases = check_file_of(exercise).cases
    files_dir = Path(files_dir) if files_dir is not None else None
    written = None
    if exercise.answer:
        written = files_dir is not None and (files_dir / exercise.answer).is_file()

    def done(results, message="", output="") -> ExerciseResult:
        return ExerciseResult(exercise.id, list(results), message, output,
                              time.monotonic() - start, written)

    path = files_dir / exercise.code if files_dir is not None else None
    if path is None or not (path.exists() or path.is_symlink()):
        return done(_all_fail(cases, f"{exercise.code} was not found in the submission"),
                    f"{exercise.code} was not found in the submission")
    if path.is_symlink() or not path.is_file():
        msg = f"{exercise.code} is not a regular file (a link or a folder); submit the file itself"
        return done(_all_fail(cases, msg), msg)
    if not cases:
        return done([])
    session = session or Session(files_dir, exercise.code, limits,
                                 get_sandbox(limits.sandbox, protect=PROTECTED))
    try:
        try:
            session.start()
        except ImportFailed as exc:
            return done(_all_fail(cases, str(exc)), str(exc), session.output())
        except WorkerGone as exc:
            msg = f"{exercise.code} could not be imported: {exc.reason}"
            return done(_all_fail(cases, msg), msg, session.output())
        results = [_run_case(case, session) for case in cases]
        return done(results, "", session.output())
    finally:
        session.close()


# -- one submission ---------------------------------------------------------------------------


def grade_submission(files_dir: Optional[Path], *, student: str = "student", chapter: str = "ch5",
                     limits: Limits = Limits(), parallel: int = 2) -> SubmissionResult:
    """Grade every exercise of ``chapter`` found in ``files_dir`` (missing ones score 0).

    ``parallel`` exercises are graded at once (threads of this process, each with its own
    worker): while one exercise's checks compute here, another's student code runs in its
    worker. Each exercise's worker is launched while the one before is being checked, so that
    starting Python and NumPy overlaps with the checks.
    """
    start = time.monotonic()
    ch = load_chapter(chapter)
    sandbox = get_sandbox(limits.sandbox, protect=PROTECTED)
    exercises = list(ch.exercises)
    sessions = [Session(files_dir, ex.code, limits, sandbox) if _needs_worker(ex, files_dir)
                else None for ex in exercises]
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
                    ahead = [sessions[j] for j in queue if sessions[j] is not None][:LAUNCH_AHEAD]
                for later in ahead:
                    try:
                        later.launch()
                    except Exception:  # noqa: BLE001 - its own start reports the problem
                        pass
                try:
                    results[i] = _grade_exercise(exercises[i], files_dir, limits, sessions[i])
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
        n = max(1, min(parallel, len(exercises)))
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
                            time.monotonic() - start, "", sandbox.mode)


def _refused(student: str, chapter: Chapter, message: str, elapsed: float = 0.0) -> SubmissionResult:
    """A result for a submission that could not be graded at all: every check fails."""
    exercises = []
    for ex in chapter.exercises:
        cases = check_file_of(ex).cases
        exercises.append(ExerciseResult(ex.id, _all_fail(cases, message), message, "", 0.0,
                                        False if ex.answer else None))
    return SubmissionResult(student, exercises, elapsed, message, "")


def grade_entry(entry: Entry, chapter: str, limits: Limits, parallel: int = 2) -> SubmissionResult:
    """Grade one student's folder or zip; never raises (an engine failure becomes a result)."""
    start = time.monotonic()
    ch = load_chapter(chapter)
    scratch = Path(tempfile.mkdtemp(prefix="nndl-sub-"))
    try:
        try:
            files_dir, notes = materialize(entry, scratch)
        except SubmissionError as exc:
            return _refused(entry.student, ch, str(exc), time.monotonic() - start)
        result = grade_submission(files_dir, student=entry.student, chapter=chapter, limits=limits,
                                  parallel=parallel)
        result.message = "; ".join(notes)
        result.elapsed = time.monotonic() - start
        return result
    except Exception as exc:  # noqa: BLE001 - the batch must always complete
        return _refused(entry.student, ch, f"the grader failed on this submission: "
                                           f"{type(exc).__name__}: {exc}", time.monotonic() - start)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- records on disk --------------------------------------------------------------------------


def result_to_dict(result: SubmissionResult) -> dict:
    """The engine's own record of a result (``summary.json``)."""
    return asdict(result)


def result_from_dict(data: dict) -> SubmissionResult:
    exercises = [ExerciseResult(
        exercise_id=e["exercise_id"],
        cases=[CaseResult(**c) for c in e["cases"]],
        message=e.get("message", ""), output=e.get("output", ""), elapsed=e.get("elapsed", 0.0),
        written_submitted=e.get("written_submitted")) for e in data["exercises"]]
    return SubmissionResult(data["student"], exercises, data.get("elapsed", 0.0),
                            data.get("message", ""), data.get("sandbox", ""))


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_student(out: Path, result: SubmissionResult, chapter: Chapter, digest: str) -> None:
    """Write ``OUT/<student>/``: results.json, feedback.md, summary.json, then the marker."""
    from .engine.results import feedback_markdown, gradescope_results

    folder = out / result.student
    folder.mkdir(mode=0o700, exist_ok=True)
    marker = folder / MARKER
    if marker.exists():
        marker.unlink()
    _write_atomic(folder / "results.json",
                  json.dumps(gradescope_results(result, chapter), indent=2, ensure_ascii=False))
    _write_atomic(folder / "feedback.md", feedback_markdown(result, chapter))
    record = result_to_dict(result)
    record["submission_hash"] = digest
    _write_atomic(folder / "summary.json", json.dumps(record, indent=1, ensure_ascii=False))
    _write_atomic(marker, digest + "\n")


def load_student(out: Path, student: str) -> Optional[tuple[SubmissionResult, str]]:
    """The recorded result and submission digest of a completely graded student, or None."""
    folder = out / student
    try:
        digest = (folder / MARKER).read_text(encoding="utf-8").strip()
        data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        return result_from_dict(data), digest
    except (OSError, ValueError, KeyError, TypeError):
        return None


def graded_students(out: Path) -> list[SubmissionResult]:
    """Every completely graded student in ``out``, sorted by id."""
    found = []
    if out.is_dir():
        for p in sorted(out.iterdir(), key=lambda p: p.name):
            if p.is_dir() and (p / MARKER).is_file():
                loaded = load_student(out, p.name)
                if loaded is not None:
                    found.append(loaded[0])
    return found


# -- a folder ---------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on stderr (only drawn when enabled)."""

    def __init__(self, total: int, enabled: bool, stream=None) -> None:
        self.total, self.enabled, self.done = total, enabled, 0
        self.stream = stream or sys.stderr
        self.start = time.monotonic()

    def update(self, label: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        elapsed = time.monotonic() - self.start
        line = (f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} students "
                f"{int(elapsed) // 60}:{int(elapsed) % 60:02d}  {label[:30]:<30}")
        self.stream.write(line)
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self.total:
            self.stream.write("\n")
            self.stream.flush()


def _grade_task(args: tuple) -> SubmissionResult:
    entry, chapter, limits, parallel = args
    return grade_entry(entry, chapter, limits, parallel)


def grade_folder(submissions: Path, out: Path, *, chapter: str = "ch5", jobs: int = 1,
                 limits: Limits = Limits(), force: bool = False,
                 progress: Optional[bool] = None,
                 on_note: Optional[Callable[[str], None]] = None) -> list[SubmissionResult]:
    """Grade every student in ``submissions`` into ``out``; returns their results (graded now or
    recorded by an earlier run), sorted by student id. ``grades.csv`` covers every student
    graded in ``out``."""
    from .engine.results import write_grades_csv

    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    submissions, out = Path(submissions), Path(out)
    ch = load_chapter(chapter)
    note = on_note or (lambda text: None)
    entries, notes = discover(submissions, exclude=out)
    for n in notes:
        note(n)
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)  # the worker's user must not read the results
    sandbox = get_sandbox(limits.sandbox, protect=PROTECTED)
    if limits.sandbox is None:
        limits = _with_sandbox(limits, sandbox.mode)
    if sandbox.mode == "uid" and jobs > 1:
        note(f"the uid sandbox runs every worker as uid 65534: with --jobs {jobs}, one student's "
             f"code could signal (kill) another student's worker; use --jobs 1, or install "
             f"bubblewrap, for full isolation between students")
    for ex in ch.exercises:  # load the checks once, before any worker process is forked
        check_file_of(ex)

    results: dict[str, SubmissionResult] = {}
    todo: list[tuple[Entry, str]] = []
    for entry in entries:
        digest = submission_hash(entry)
        recorded = None if force else load_student(out, entry.student)
        if recorded is not None and recorded[1] == digest:
            results[entry.student] = recorded[0]
        else:
            todo.append((entry, digest))
    skipped = len(results)
    if skipped:
        note(f"{skipped} student(s) already graded in {out} were skipped (use --force to regrade)")

    bar = Progress(len(todo), sys.stderr.isatty() if progress is None else progress)
    digests = {e.student: d for e, d in todo}
    if jobs == 1 or len(todo) <= 1:
        for entry, digest in todo:
            result = grade_entry(entry, chapter, limits)
            write_student(out, result, ch, digest)
            results[entry.student] = result
            bar.update(entry.student)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            futures = {pool.submit(_grade_task, (entry, chapter, limits, PARALLEL_IN_POOL)): entry
                       for entry, _ in todo}
            for fut in as_completed(futures):
                entry = futures[fut]
                try:
                    result = fut.result()
                except Exception as exc:  # noqa: BLE001 - a dead grading process
                    result = _refused(entry.student, ch, f"the grader failed on this submission: "
                                                         f"{type(exc).__name__}: {exc}")
                write_student(out, result, ch, digests[entry.student])
                results[entry.student] = result
                bar.update(entry.student)
    bar.finish()
    write_grades_csv(graded_students(out), ch, out / "grades.csv")
    return [results[e.student] for e in entries]


def _with_sandbox(limits: Limits, mode: str) -> Limits:
    from dataclasses import replace

    return replace(limits, sandbox=mode)
