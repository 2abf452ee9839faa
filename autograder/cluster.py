"""Grade a class on a running Dask distributed cluster (``nndl-grade grade ... --scheduler``).

The instructor's machine discovers and collects the students as for local grading
(``batch.grade_folder``); each student to grade then travels to the cluster as a *parcel*,
plain data: the chapter's files found in the upload (name -> bytes), what the intake said about
the upload, the limits, and the identity of the grader that collected it. A Dask worker
(``grade_parcel``) checks that it runs the same grader (version and package files, the
chapter's checks among them), writes the files into a scratch folder of its own machine and
grades them with its own ``GradingContext`` (its sandbox found there), then sends back
``SubmissionResult.to_dict()``. Workers share no file system with the instructor: only parcels
and results cross the network, and only the instructor's process writes ``OUT``.

Results are recorded on the instructor's side as they arrive, by the same ``record`` as local
grading: the same store, ``grades.csv``, resume, ``--force`` and progress callback. A worker
lost mid-student (its machine gone, the process killed) is noticed by the scheduler, which
runs that student again on another worker (Dask reschedules the tasks of a lost worker; a
task that fails is retried ``RETRIES`` times); each student is one task with one key, its
result arrives once, and a result for a student already recorded in this run is ignored.

``distributed`` is an optional dependency (``pip install 'nndl-autograder[dask]'``), imported
only here and only when a scheduler is given.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import sys
import tempfile
import threading
from concurrent.futures import CancelledError
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Protocol, Sequence

from . import __version__, answers
from .engine import Limits, SandboxError
from .grading import GradingContext, grade_collected, grader_failed
from .intake import Upload, chapter_files
from .results import SubmissionResult

DASK_EXTRA = "pip install 'nndl-autograder[dask]'"
"""How to install what ``--scheduler`` needs."""

RETRIES = 2
"""Times Dask runs a student again after its task failed (a lost worker is handled by the
scheduler itself: its tasks go to other workers, up to ``distributed.scheduler.
allowed-failures`` times)."""

CONNECT_TIMEOUT = 10.0
"""Seconds to reach the scheduler."""

WORKER_WAIT = 120.0
"""Seconds to wait for the first worker to join (an adaptive cluster may start from none)."""

PARALLEL = 2
"""Exercises of one student graded at once on a worker (as ``batch.PARALLEL_IN_POOL``)."""

SHIPPED = (".py", ".yaml", ".npz", ".md", ".sh", ".txt", ".json", ".j2")
"""The package's files that take part in its identity: what its wheel ships (pyproject's
package-data, and the modules)."""


class ClusterError(RuntimeError):
    """The cluster cannot grade this class; the message says what to check."""


class WorkerMismatch(RuntimeError):
    """A worker runs another grader than the instructor's, or cannot isolate student code."""


class Task(Protocol):
    """What ``batch.grade_folder`` hands over per student."""

    student: str
    files: Path
    upload: Upload
    digest: str


# -- who grades: the identity of a grader -------------------------------------------------------

_files: Optional[dict[str, str]] = None


def package_files() -> dict[str, str]:
    """``{path: sha256}`` of the package's shipped files (``SHIPPED``), paths from the
    package's parent (``autograder/engine/worker.py``); computed once per process."""
    global _files
    if _files is None:
        root = Path(__file__).resolve().parent
        found = {}
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root.parent)
            if path.is_file() and path.suffix in SHIPPED and "__pycache__" not in rel.parts \
                    and not any(part.startswith(".") for part in rel.parts):
                found[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        _files = found
    return _files


def identity() -> dict[str, Any]:
    """This grader: its version, its package files, and what it runs on."""
    import numpy

    return {"version": __version__, "files": package_files(), "host": socket.gethostname(),
            "python": sys.version.split()[0], "numpy": numpy.__version__}


def differences(expected: dict[str, Any], found: dict[str, Any]) -> str:
    """What makes the grader ``found`` another than ``expected``, in words; '' if the same."""
    parts = []
    if expected["version"] != found["version"]:
        parts.append(f"version {found['version']} (this machine: {expected['version']})")
    a, b = expected["files"], found["files"]
    changed = sorted(p for p in set(a) | set(b) if a.get(p) != b.get(p))
    if changed:
        checks = [p for p in changed if p.startswith("autograder/checks/")]
        shown = ", ".join(changed[:8]) + (f" and {len(changed) - 8} more" if len(changed) > 8 else "")
        parts.append(("other checks of the chapter; " if checks else "")
                     + f"files that differ or are missing: {shown}")
    return "; ".join(parts)


# -- on a worker ----------------------------------------------------------------------------------

_contexts: dict[tuple, tuple[GradingContext, Path]] = {}
_contexts_lock = threading.Lock()


def _threads() -> int:
    """The students this Dask worker grades at once (its threads); 1 outside a worker."""
    try:
        from distributed import get_worker

        worker = get_worker()
        return int(getattr(getattr(worker, "state", None), "nthreads", 0)
                   or getattr(worker, "nthreads", 1) or 1)
    except (ImportError, ValueError, AttributeError, TypeError):
        return 1


def _context(chapter: str, limits: Limits) -> tuple[GradingContext, Path]:
    """This worker process's grading context for ``chapter`` and ``limits`` (the sandbox found
    on this machine, the workers sized to its memory and threads) and its scratch folder,
    which student code cannot read (the sandbox's self-test, as locally); resolved once.
    ``WorkerMismatch`` when student code cannot be isolated here."""
    key = (chapter, limits)
    with _contexts_lock:
        if key not in _contexts:
            host = socket.gethostname()
            try:
                ctx = GradingContext.resolve(chapter, limits, jobs=_threads())
                if ctx.sandbox.mode == "none" and limits.sandbox != "none":
                    raise WorkerMismatch(
                        f"{host} can only run student code without isolation (sandbox 'none': "
                        f"{ctx.sandbox.reason}); run the worker as root with bubblewrap "
                        f"installed")
                scratch = Path(tempfile.mkdtemp(prefix="nndl-dask-"))
                ctx.protect(scratch)
            except SandboxError as exc:
                raise WorkerMismatch(f"no sandbox works on {host}: {exc}") from None
            _contexts[key] = (ctx, scratch)
        return _contexts[key]


def worker_report(chapter: str, limits: dict) -> dict[str, Any]:
    """Run on each worker before grading (``Client.run``): its identity and sandbox."""
    found = identity()
    try:
        ctx, _ = _context(chapter, Limits(**limits))
        found["sandbox"], found["sandbox_text"] = ctx.sandbox.mode, ctx.sandbox.describe()
    except WorkerMismatch as exc:
        found["sandbox"], found["unfit"] = "", str(exc)
    return found


def grade_parcel(parcel: dict[str, Any]) -> dict[str, Any]:
    """Grade one student's parcel on this worker; returns ``{"result": to_dict(), "host"}``.
    ``WorkerMismatch`` when this worker runs another grader or cannot isolate student code."""
    expected = parcel["grader"]
    found = identity()
    why = differences(expected, found)
    if why:
        raise WorkerMismatch(f"the worker on {found['host']} runs another grader: {why}")
    ctx, root = _context(parcel["chapter"], Limits(**parcel["limits"]))
    allowed = set(chapter_files(ctx.chapter))
    scratch = Path(tempfile.mkdtemp(prefix="student-", dir=root))
    try:
        files = scratch / "files"
        files.mkdir()
        for name, data in parcel["files"].items():
            if name not in allowed:  # collect writes only the chapter's files, flat
                raise ValueError(f"the parcel holds {name!r}, which is not a file of the chapter")
            (files / name).write_bytes(data)
        upload = Upload(**parcel["upload"])
        result = grade_collected(files, upload, student=parcel["student"], context=ctx,
                                 parallel=PARALLEL)
        return {"result": result.to_dict(), "host": found["host"]}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- on the instructor's machine ------------------------------------------------------------------

def make_parcel(task: Task, ctx: GradingContext, grader: dict[str, Any]) -> dict[str, Any]:
    """One student's parcel: plain data, files as bytes."""
    files = {p.name: p.read_bytes() for p in sorted(Path(task.files).iterdir())
             if p.is_file() and not p.is_symlink()}
    return {"student": task.student, "chapter": ctx.chapter.id, "files": files,
            "upload": asdict(task.upload), "limits": asdict(ctx.limits),
            "grader": {"version": grader["version"], "files": grader["files"]}}


def sheets_as_here(result: SubmissionResult, task: Task, ctx: GradingContext) -> SubmissionResult:
    """The answer sheets' states judged on this machine, as local grading judges them: an
    untouched sheet is told by the handout's template, which a checkout has and a worker
    installed from the wheel may not (``answers.template_path``)."""
    for ex in ctx.chapter.exercises:
        done = result.exercise(ex.id) if ex.answer else None
        if done is not None and (done.written_state or done.written_submitted is not None):
            done.written_state = answers.sheet_state(Path(task.files) / ex.answer, ctx.chapter, ex)
            done.written_submitted = done.written_state != answers.MISSING
    return result


class Recorder:
    """Records each student once: a second result for a student already recorded in this run
    is ignored (``take`` returns False)."""

    def __init__(self, record: Callable[[Any, SubmissionResult], None]) -> None:
        self.record = record
        self.seen: set[str] = set()

    def take(self, task: Task, result: SubmissionResult) -> bool:
        if task.student in self.seen:
            return False
        self.seen.add(task.student)
        self.record(task, result)
        return True


def _distributed():
    try:
        import distributed
    except ImportError:
        raise ClusterError(f"--scheduler needs Dask's distributed package, which is not "
                           f"installed here: {DASK_EXTRA}") from None
    return distributed


def connect(scheduler: str):
    """A client of the scheduler at ``scheduler``; ``ClusterError`` saying what to check."""
    distributed = _distributed()
    try:
        return distributed.Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(
            f"could not reach the Dask scheduler at {scheduler} ({type(exc).__name__}: {exc}).\n"
            f"Check that `dask scheduler` is running there, that the address and port are "
            f"right (tcp://HOST:PORT, 8786 by default), and that this machine can reach it "
            f"(firewall, VPN, a Kubernetes port-forward).") from None


def check_workers(client, scheduler: str, ctx: GradingContext, grader: dict[str, Any],
                  note: Callable[[str], None]) -> None:
    """Wait for a worker, then refuse the cluster if one of its workers runs another grader,
    cannot import it, or cannot isolate student code."""
    distributed = _distributed()
    if not client.scheduler_info().get("workers"):
        note(f"waiting up to {WORKER_WAIT:g} s for a Dask worker to join {scheduler}")
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT)
        except (TimeoutError, distributed.TimeoutError):
            raise ClusterError(f"no Dask worker joined the scheduler at {scheduler} within "
                               f"{WORKER_WAIT:g} s: start workers (`dask worker {scheduler}`) "
                               f"on machines with nndl-autograder and bubblewrap installed"
                               ) from None
    reports = client.run(worker_report, ctx.chapter.id, asdict(ctx.limits), on_error="return")
    problems, modes = [], {}
    for address, found in sorted(reports.items()):
        if isinstance(found, BaseException):
            problems.append(f"{address} cannot run the grader ({type(found).__name__}: {found}); "
                            f"install nndl-autograder there")
            continue
        why = differences(grader, found)
        if why:
            problems.append(f"{address} (host {found['host']}) runs another grader: {why}")
        elif found.get("unfit"):
            problems.append(f"{address}: {found['unfit']}")
        else:
            modes.setdefault(found["sandbox"], []).append(address)
            if found["numpy"] != grader["numpy"]:
                note(f"the worker {address} has NumPy {found['numpy']} (this machine: "
                     f"{grader['numpy']}); results at a check's tolerance could differ")
    if problems:
        raise ClusterError("the Dask cluster at " + scheduler + " cannot grade this class:\n  "
                           + "\n  ".join(problems) + "\nEvery worker must run the same "
                           "nndl-autograder as this machine (the same wheel or image), with "
                           "bubblewrap, and be restarted after an upgrade.")
    note(f"grading on the Dask cluster at {scheduler}: {len(reports)} worker(s), sandbox "
         + ", ".join(f"{mode} on {len(a)}" for mode, a in sorted(modes.items())))
    if "uid" in modes:
        note("workers in the uid sandbox run every student's code as uid 65534: with more than "
             "one thread per worker, one student's code could signal another's; install "
             "bubblewrap on the workers, or give them --nthreads 1")


def _slots(client) -> int:
    """Students kept on the cluster at once: twice its threads, at least four."""
    try:
        return max(4, 2 * sum(client.nthreads().values()))
    except Exception:  # noqa: BLE001 - a busy scheduler: keep the window as it was
        return 4


def grade_on_cluster(scheduler: str, todo: Sequence[Task], ctx: GradingContext,
                     record: Callable[[Any, SubmissionResult], None],
                     note: Callable[[str], None] = lambda text: None) -> None:
    """Grade ``todo`` on the Dask cluster whose scheduler is at ``scheduler`` and ``record``
    each student as its result arrives. ``ClusterError`` when the cluster cannot be reached or
    cannot grade (the students recorded until then stay recorded: run again to go on)."""
    grader = identity()
    client = connect(scheduler)
    try:
        check_workers(client, scheduler, ctx, grader, note)
        _run(client, scheduler, todo, ctx, grader, Recorder(record))
    finally:
        client.close()


def _run(client, scheduler: str, todo: Iterable[Task], ctx: GradingContext,
         grader: dict[str, Any], recorder: Recorder) -> None:
    distributed = _distributed()
    pending = iter(todo)
    tasks: dict[str, Task] = {}
    running = distributed.as_completed(loop=client.loop)

    def submit() -> bool:
        task = next(pending, None)
        if task is None:
            return False
        future = client.submit(grade_parcel, make_parcel(task, ctx, grader), pure=False,
                               key=f"nndl-grade-{task.student}-{task.digest[:16]}",
                               retries=RETRIES)
        tasks[future.key] = task
        running.add(future)
        return True

    def top_up() -> None:
        slots = _slots(client)
        while len(tasks) < slots and submit():
            pass

    top_up()
    for future in running:
        task = tasks.pop(future.key)
        try:
            reply = future.result()
            result = sheets_as_here(SubmissionResult.from_dict(reply["result"]), task, ctx)
        except WorkerMismatch as exc:
            raise ClusterError(f"{exc}\nEvery worker must run the same nndl-autograder as this "
                               f"machine; {len(recorder.seen)} student(s) were recorded, run the "
                               f"same command again to grade the rest.") from None
        except CancelledError:
            raise ClusterError(f"the Dask scheduler at {scheduler} dropped the work (it stopped, "
                               f"or this machine lost it); {len(recorder.seen)} student(s) were "
                               f"recorded, run the same command again to grade the rest"
                               ) from None
        except distributed.KilledWorker as exc:
            result = grader_failed(task.student, ctx.chapter, RuntimeError(
                f"every Dask worker that graded it was lost ({exc}); regrade with --only"))
        except Exception as exc:  # noqa: BLE001 - like a dead grading process locally
            result = grader_failed(task.student, ctx.chapter, exc)
        recorder.take(task, result)
        top_up()
