"""A ``Session`` runs one student file for one exercise, in as many workers as it takes.

It starts a worker (``process.py``) on a copy of the submission (``staging.py``), imports the
file there and hands the checks an environment ``{name: value or proxy}`` for every name the
module defines (``proxy.py``). Each request of a proxy is one round trip: the request goes to
the worker as plain data (``wire.py``), and the reply comes back as plain data, new proxies,
or the student's exception (``errors.StudentError``).

When a call times out or the worker dies, the call raises ``WorkerLost`` (a
``BaseException``, so a check's ``except Exception`` cannot swallow it), the session records
the incident against the running case, and the next call starts a fresh worker, at most
``Limits.max_restarts`` times and within ``(max_restarts + 1) * timeout`` seconds in all,
counted from the first import the grader waits for (not from the session's creation).
``renew`` starts afresh on purpose (hidden cases get a worker that never saw a public one,
and the reverse), without using up a restart.
"""

from __future__ import annotations

import copy
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

from . import local, proctime, wire, zygote
from .detect import get_sandbox
from .errors import (NAME_CHARS, ExerciseOver, ImportFailed, StudentError, WorkerGone, WorkerLost,
                     bounded, student_error)
from .limits import Limits
from .modes import Sandbox
from .cputime import WALL_FACTOR, counted, cpu_seconds
from .process import WorkerProcess
from .proxy import StudentMethod, StudentObject, What, make_proxy
from .staging import prepare_folder, remove_folder


R = TypeVar("R")


class Session:
    """The workers of one exercise of one submission."""

    def __init__(self, files_dir: Optional[Path], filename: str, limits: Limits = Limits(),
                 sandbox: Optional[Sandbox] = None) -> None:
        self.files_dir = Path(files_dir) if files_dir is not None else None
        self.filename = filename
        self.limits = limits
        self.sandbox = sandbox or get_sandbox(limits.sandbox)
        self.deadline = float("inf")
        """When the exercise's time is up: set when the grader first waits for an import."""
        self._time_left: Optional[float] = None
        """What is left of the exercise's time while it waits between phases (``pause``)."""
        self.renewals = 0
        self.worker: Optional["WorkerProcess | local.LocalWorker"] = None
        self.folder: Optional[Path] = None
        self.generation = 0
        self.starts = 0
        self.names: Optional[dict[str, tuple]] = None
        self.global_ids: dict[str, int] = {}
        self.incident: Optional[str] = None
        self.losses: list[str] = []
        self.over: Optional[str] = None
        self.outputs: list[str] = []
        self.methods: set[tuple[str, str]] = set()
        self.timed_out: dict[tuple, str] = {}
        """Functions (and methods) of which a call timed out: the exercise's remaining calls
        to them fail at once, with this reason (one endless loop holds a batch once)."""
        self.call_limit: Optional[float] = None
        """The time limit of the next calls, when the check's own is smaller than
        ``Limits.timeout`` (``None``: ``Limits.timeout``)."""
        self._launched: Optional[tuple[Any, Optional[Path], float]] = None
        self._lock = threading.Lock()
        self._closed = False

    # -- lifecycle --------------------------------------------------------------------------
    def launch(self) -> None:
        """Start a worker process without waiting for it (it imports NumPy and the student's
        file meanwhile); ``start`` then picks it up. The import's time limit runs from when
        ``start`` waits for it."""
        with self._lock:
            if self._launched is not None or self._closed:
                return
            if self.sandbox.mode == local.MODE:  # the local check: in this process, no copy
                self._launched = (local.LocalWorker.start(self.limits, self.files_dir,
                                                          self.filename), None, time.monotonic())
                return
            folder = prepare_folder(self.files_dir, self.sandbox)
            try:
                worker = zygote.start_worker(self.sandbox, self.limits, folder, self.filename)
            except BaseException:
                remove_folder(folder)
                raise
            self._launched = (worker, folder, time.monotonic())

    def start(self) -> None:
        """Start a worker and import the file; ``ImportFailed`` or ``WorkerGone`` if that fails."""
        self._close_worker()
        self.starts += 1
        self.generation += 1
        self.launch()
        with self._lock:
            if self._launched is None:
                raise WorkerGone("the session was closed", "setup")
            self.worker, self.folder, launched = self._launched
            self._launched = None
        now = time.monotonic()
        wall, cpu = self._clock(self.limits.timeout)
        if self.deadline == float("inf"):
            left = self._time_left
            self.deadline = now + (left if left is not None else wall * (self.limits.max_restarts + 1))
        during = f"while importing {self.filename}"
        # the import's CPU time counts from the worker's start (it may have been launched ahead)
        ready = self.worker.receive(max(min(wall, self.deadline - now), 0.001), during, wall,
                                    **self._cpu_left(cpu))
        if ready[0] != "ready":
            raise WorkerGone(f"the worker could not start: {bounded(ready[1] if len(ready) > 1 else ready)}",
                             "setup")
        timeout = max(min(wall - (time.monotonic() - now), self.deadline - time.monotonic()), 0.001)
        reply = self._decode(self.worker.receive_raw(timeout, during, wall, last=True,
                                                     **self._cpu_left(cpu)))
        if reply[0] == "import_error":
            raise ImportFailed(bounded(reply[1]))
        if reply[0] != "imported" or not isinstance(reply[1], dict):
            raise WorkerGone("the worker sent an unexpected reply to the import", "protocol")
        names = {}
        ids = {}
        for name, desc in reply[1].items():
            if not isinstance(name, str) or not isinstance(desc, tuple) or not desc \
                    or len(name) > NAME_CHARS:  # no check asks for such a name
                continue
            if desc[0] == "value" and len(desc) == 2:
                names[name] = desc
            elif desc[0] == "proxy" and len(desc) == 4:
                names[name] = (desc[0], bounded(desc[1], NAME_CHARS), *desc[2:])
                ids[name] = desc[3]
        if self.names is None:
            self.names = names
        self.global_ids = ids

    def _clock(self, limit: float) -> tuple[float, Optional[float]]:
        """The wall-clock and CPU seconds a wait of ``limit`` may take: where the worker's CPU
        time is counted (its CPU cgroup), ``limit`` of CPU time and the wall clock as a
        backstop at ``WALL_FACTOR`` times it; elsewhere ``limit`` of wall time."""
        if isinstance(self.worker, WorkerProcess) and counted(self.worker):
            return limit * WALL_FACTOR, limit
        return limit, None

    def _cpu_left(self, total: Optional[float]) -> dict[str, float]:
        """``{"cpu": what is left of ``total`` CPU seconds for the worker's tree}`` ({} when
        CPU time is not counted)."""
        if total is None:
            return {}
        used = cpu_seconds(self.worker) if isinstance(self.worker, WorkerProcess) else None
        return {"cpu": max(total - (used or 0.0), 0.001)}

    def renew(self) -> None:
        """End the current worker and launch a fresh one for what comes next, unless one was
        launched ahead (it does not count as a restart); nothing the student's code kept in
        memory crosses over."""
        self._close_worker()
        if self.starts:
            self.renewals += 1
        if not self.over:
            try:
                self.launch()
            except Exception:  # noqa: BLE001 - the next request's start reports it
                pass

    def pause(self) -> None:
        """End the current worker between two phases of the exercise (its public cases, then,
        once no public case of the submission still runs, its hidden ones): nothing it kept
        crosses over, it does not count as a restart, and the wait until the next phase does
        not count against the exercise's time."""
        self._close_worker()
        if self.starts:
            self.renewals += 1
        if self.deadline != float("inf"):
            self._time_left = max(self.deadline - time.monotonic(), 0.0)
            self.deadline = float("inf")

    def close(self) -> None:
        """Stop every worker of this session and remove their folders."""
        self._close_worker()
        with self._lock:
            self._closed = True
            launched, self._launched = self._launched, None
        if launched is not None:  # launched but never used
            worker, folder, _ = launched
            worker.stop(grace=0.0)
            if folder is not None:
                remove_folder(folder)

    def _close_worker(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.outputs.append(self.worker.output_text())
            self.worker = None
        if self.folder is not None:
            remove_folder(self.folder)
            self.folder = None

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def output(self) -> str:
        """What the student's code printed, over every worker, cut to ``output_bytes``."""
        texts = [t for t in self.outputs if t]
        if self.worker is not None:
            self.worker.drain()
            texts.append(self.worker.output_text())
        text = "\n[a fresh worker was started]\n".join(t for t in texts if t)
        cap = self.limits.output_bytes
        if len(text) > cap + 200:
            text = text[:cap] + (f"\n[... {len(text) - cap:,} more bytes of output were cut (the "
                                 f"limit is {cap:,} bytes)]")
        return text

    def cpu_reading(self) -> Optional[proctime.Reading]:
        """The current worker's CPU time so far, read from ``/proc`` on this side
        (``proctime.of_worker``); None without a worker."""
        return proctime.of_worker(self.worker)

    # -- the environment ----------------------------------------------------------------------
    def env(self) -> dict[str, Any]:
        """``{name: value or proxy}`` for every name the student's module defines. A plain
        value is copied afresh for each case, but only when the case reads it: a module with
        large plain globals costs the grader nothing for the names no check uses."""
        return _CaseEnv(self)

    def begin_case(self) -> None:
        self.incident = None

    def run_case(self, run: Callable[[dict[str, Any]], R], failed: Callable[[str], R]) -> R:
        """Run one case: ``run(env)`` on fresh proxies. A case the exercise can no longer run,
        a worker lost during the case (even when the check swallowed the error) gives
        ``failed(reason)``."""
        if self.over:
            return failed(self.over)
        self.begin_case()
        try:
            result = run(self.env())
        except (ExerciseOver, WorkerLost) as exc:
            return failed(str(exc))
        if self.incident:
            return failed(self.incident)
        return result

    # -- requests -----------------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        if self.worker is not None:
            return
        if self.over:
            raise ExerciseOver(self.over)
        if self.starts > self.limits.max_restarts + self.renewals:
            self.over = (f"not run: the worker was stopped {len(self.losses)} times (last: "
                         f"{self.losses[-1]}); the remaining checks of this exercise are not run")
            raise ExerciseOver(self.over)
        if time.monotonic() >= self.deadline:
            self.over = (f"not run: the exercise used up its time ({self._budget()}); the "
                         f"remaining checks are not run")
            raise ExerciseOver(self.over)
        try:
            self.start()
        except ImportFailed as exc:
            self._close_worker()
            self.over = f"not run: a fresh worker could not import the file: {exc}"
            raise ExerciseOver(self.over) from None
        except WorkerGone as exc:
            self._close_worker()
            self.over = f"not run: a fresh worker could not import the file: {exc.reason}"
            raise ExerciseOver(self.over) from None

    def _budget(self) -> str:
        wall, cpu = self._clock(self.limits.timeout)
        return f"{self.limits.max_restarts + 1} x {wall:g} s" + (" of wall time" if cpu else "")

    def request(self, target: StudentObject, op: str, attr: Optional[str], *rest: Any) -> Any:
        """Send one request about ``target`` and return the decoded answer."""
        if target._nndl_session is not self:
            raise RuntimeError("this student object belongs to another submission's worker")
        key = _function_key(target, op, attr)
        if key is not None and key in self.timed_out:
            self.incident = self.timed_out[key]
            raise WorkerLost(self.incident)
        self._ensure_worker()
        ref = self._wire_ref(target)
        if op == "call":
            args, kwargs = rest
            msg = ("call", ref, attr, args, kwargs)
        elif op == "getattr":
            msg = ("getattr", ref, attr)
        else:
            msg = ("setattr", ref, attr, rest[0])
        what = What(target, op, attr, rest)
        try:
            payload = wire.encode(msg, self._handle_of)
        except wire.WireError as exc:
            raise TypeError(f"the check passed a value that cannot be sent to student code: {exc}") \
                from None
        left = self.deadline - time.monotonic()
        limit = min(self.call_limit or self.limits.timeout, self.limits.timeout)
        wall, cpu = self._clock(limit)
        timeout = min(wall, left)
        try:
            if timeout <= 0:
                raise WorkerGone(f"did not finish within the exercise's time ({self._budget()})",
                                 "timeout")
            sent = time.monotonic()
            self.worker.send(payload, timeout, what)
            reply = self._decode(self.worker.receive_raw(
                max(timeout - (time.monotonic() - sent), 0.001), what, wall, last=True,
                **({"cpu": cpu} if cpu is not None else {})))
        except WorkerGone as exc:
            self._lose(exc.reason if exc.kind != "timeout" or timeout >= wall
                       else f"timed out: the exercise used up its time ({self._budget()}) {what}")
            if key is not None and exc.kind in ("timeout", "cpu"):
                name = ".".join(str(k) for k in key[1:] if k)
                self.timed_out[key] = (f"not run: an earlier call to {bounded(name, 200)} did not "
                                       f"finish ({exc.reason}); the exercise's remaining calls "
                                       f"to it fail at once")
            raise WorkerLost(self.incident) from None
        if not isinstance(reply, tuple) or not reply:
            self._lose(f"the worker sent an invalid reply {what}")
            raise WorkerLost(self.incident)
        kind = reply[0]
        if kind == "ok" and len(reply) == 2:
            return reply[1]
        if kind == "method" and op == "getattr":
            if target._nndl_ref[0] == "handle":  # methods of instances are cached by type
                self.methods.add((target._nndl_type, attr))
            return StudentMethod(target, attr)
        if kind == "raised" and len(reply) in (3, 4):
            # the worker's account; then, for the student to read, the frames and the call
            chain = reply[3] if len(reply) == 4 else ""
            raise student_error(bounded(reply[1], NAME_CHARS), bounded(reply[2]),
                                f"{bounded(chain)}\n    {what}")
        if kind == "unsendable" and len(reply) == 2:
            text = str(what)
            raise StudentError(f"the result {text[6:] if text.startswith('while ') else text} cannot "
                               f"be sent to the grader: {bounded(reply[1])}")
        self._lose(f"the worker sent an invalid reply {what}")
        raise WorkerLost(self.incident)

    def _lose(self, reason: str) -> None:
        """The worker is gone: record why against the current case and start afresh later."""
        self.incident = reason
        self.losses.append(reason)
        self._close_worker()

    def _wire_ref(self, target: StudentObject) -> tuple:
        ref = target._nndl_ref
        if ref[0] == "global":
            return ref
        if target._nndl_gen != self.generation:
            raise RuntimeError(f"{target!r} belonged to a worker that has since been stopped")
        return ref

    def _handle_of(self, obj: Any) -> wire.Handle:
        if isinstance(obj, StudentObject) and obj._nndl_session is self:
            ref = obj._nndl_ref
            if ref[0] == "global":
                hid = self.global_ids.get(ref[1])
                if hid is None:
                    raise wire.WireError(f"{obj!r} is not available in this worker")
                return wire.Handle(hid, "", False)
            if obj._nndl_gen != self.generation:
                raise wire.WireError(f"{obj!r} belonged to a worker that has since been stopped")
            return wire.Handle(ref[1], "", False)
        if isinstance(obj, StudentMethod):
            raise wire.WireError(f"{obj!r} cannot be passed to student code: pass the object")
        raise wire.WireError(f"only plain data and student objects may be passed to student code, "
                             f"not {type(obj).__name__}")

    def _decode(self, data: bytes) -> Any:
        gen = self.generation

        def on_handle(h: wire.Handle) -> StudentObject:
            return make_proxy(self, ("handle", h.id), gen, bounded(h.type_name, NAME_CHARS))

        try:
            return wire.decode(data, on_handle)
        except wire.WireError as exc:
            worker = self.worker
            if worker is not None:
                worker.kill()
            raise WorkerGone(f"sent a reply the grader cannot read ({exc})", "protocol") from None


def _function_key(target: StudentObject, op: str, attr: Optional[str]) -> Optional[tuple]:
    """What a call is a call of: a global function or class by its name, a method by its
    type's name and its own; None for what is not a call."""
    if op != "call":
        return None
    ref = target._nndl_ref
    if ref[0] == "global":
        return ("global", ref[1], attr)
    return ("type", target._nndl_type, attr)


class _CaseEnv(dict):
    """The environment of one case: proxies as they are; plain values deep-copied on first
    read (``get`` and ``[]``, what a case uses), each at most once per case."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self._plain: dict[str, Any] = {}
        for name, desc in (session.names or {}).items():
            if desc[0] == "value":
                self._plain[name] = desc[1]
            else:
                dict.__setitem__(self, name, make_proxy(session, ("global", name), None, desc[1], name))

    def _fill(self, name: str) -> None:
        if name in self._plain and not dict.__contains__(self, name):
            dict.__setitem__(self, name, copy.deepcopy(self._plain[name]))

    def __getitem__(self, name: str) -> Any:
        self._fill(name)
        return dict.__getitem__(self, name)

    def get(self, name: str, default: Any = None) -> Any:
        self._fill(name)
        return dict.get(self, name, default)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or name in self._plain

    def keys(self):  # noqa: D102 - every name, plain ones copied as they are listed
        for name in list(self._plain):
            self._fill(name)
        return dict.keys(self)

    def __iter__(self):
        return iter(self.keys())

    def items(self):  # noqa: D102
        self.keys()
        return dict.items(self)

    def values(self):  # noqa: D102
        self.keys()
        return dict.values(self)

    def __len__(self) -> int:
        return len(set(dict.keys(self)) | set(self._plain))
