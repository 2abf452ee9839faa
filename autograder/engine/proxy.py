"""What the checks hold: proxies of the student's functions, classes and objects.

A ``Session`` runs one student file for one exercise: it starts a worker (``sandbox.py``),
imports the file there and hands the checks an environment ``{name: value or proxy}`` for
every name the module defines. A proxy's calls, method calls, attribute reads and attribute
assignments cross to the worker as plain data (``wire.py``) and come back as plain data or as
new proxies (handles of objects that stay in the worker).

When a call times out or the worker dies, the call raises ``WorkerLost`` (a
``BaseException``, so a check's ``except Exception`` cannot swallow it), the session records
the incident against the running case, and the next call starts a fresh worker, at most
``limits.max_restarts`` times and within ``(max_restarts + 1) * timeout`` seconds in all.
"""

from __future__ import annotations

import builtins
import copy
import threading
import time
from pathlib import Path
from typing import Any, Optional

import numpy as np

from . import wire
from .sandbox import (Limits, Sandbox, WorkerGone, WorkerProcess, get_sandbox, prepare_folder,
                      remove_folder)


class StudentError(Exception):
    """The student's code raised; the message is the worker's account (type, message, line)."""

    student_type = "Exception"


class WorkerLost(BaseException):
    """The worker timed out or died during a call; the case that made the call fails."""


class ExerciseOver(BaseException):
    """No more workers for this exercise (restarts or time used up); the case is not run."""


class ImportFailed(Exception):
    """The student's file could not be imported; every case of the exercise fails with this."""


_error_types: dict[tuple, type] = {}
_MAX_ERROR_TYPES = 512


def _builtin_error(name: str) -> Optional[type]:
    """The built-in ``Exception`` subclass called ``name`` (not ``Exception`` itself), or None."""
    base = getattr(builtins, name, None) if name.isidentifier() else None
    if isinstance(base, type) and issubclass(base, Exception) and base is not Exception:
        return base
    return None


def student_error(type_name: str, message: str) -> StudentError:
    """A ``StudentError`` named after the student's exception type that is also an instance of
    the built-in ``Exception`` types it extends, so that ``except ValueError`` in a check works
    as in-process. ``type_name`` is the worker's label: ``ValueError`` for a built-in type,
    ``ShapeError(ValueError)`` for a student's (its nearest built-in bases in parentheses)."""
    name, bases = type_name, ()
    if type_name.endswith(")") and "(" in type_name:
        name, _, rest = type_name[:-1].rpartition("(")
        bases = tuple(b for b in (_builtin_error(n) for n in rest.split(",")) if b is not None)
    elif _builtin_error(type_name) is not None:
        bases = (_builtin_error(type_name),)
    name = name.replace("\0", "")[:100] or "Exception"
    key = (name, bases)
    cls = _error_types.get(key)
    if cls is None:
        cls = StudentError
        for tried in (bases, bases[:1], ()):  # an incompatible layout (OSError and a few others)
            try:
                cls = type(name, (StudentError,) + tried, {"student_type": name})
                break
            except TypeError:
                continue
        if len(_error_types) < _MAX_ERROR_TYPES:
            _error_types[key] = cls
    err = cls(message)
    err.student_type = name
    return err


_SKIP_ATTRS = ("_repr_", "_ipython_")


class StudentObject:
    """An object that lives in the worker. Calls and attributes cross to it as plain data."""

    __slots__ = ("_nndl_session", "_nndl_ref", "_nndl_gen", "_nndl_label", "_nndl_type")

    def __init__(self, session: "Session", ref: tuple, gen: Optional[int], label: str,
                 type_name: str = "") -> None:
        object.__setattr__(self, "_nndl_session", session)
        object.__setattr__(self, "_nndl_ref", ref)
        object.__setattr__(self, "_nndl_gen", gen)
        object.__setattr__(self, "_nndl_label", label)
        object.__setattr__(self, "_nndl_type", type_name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._nndl_session.request(self, "call", None, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        if (name.startswith("__") and name.endswith("__")) or name.startswith(_SKIP_ATTRS):
            raise AttributeError(name)  # Python's and NumPy's probes stay on this side
        session = self._nndl_session
        if (self._nndl_type, name) in session.methods:  # a known method: call it in one trip
            return StudentMethod(self, name)
        return session.request(self, "getattr", name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in StudentObject.__slots__:
            raise AttributeError(f"{name} is the proxy's own attribute")
        self._nndl_session.request(self, "setattr", name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError("deleting a student object's attributes is not supported")

    def __repr__(self) -> str:
        return f"<student {self._nndl_label}>"

    def __reduce__(self):
        raise TypeError("a student object cannot be pickled: it lives in the worker")


class StudentMethod:
    """A method of a student object: calling it is one round trip (look-up and call)."""

    __slots__ = ("_nndl_obj", "_nndl_name")

    def __init__(self, obj: StudentObject, name: str) -> None:
        self._nndl_obj, self._nndl_name = obj, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        obj = self._nndl_obj
        return obj._nndl_session.request(obj, "call", self._nndl_name, args, kwargs)

    def __repr__(self) -> str:
        return f"<student method {self._nndl_name} of {self._nndl_obj._nndl_label}>"


_proxy_types: dict[str, type] = {}


def _proxy_type(type_name: str) -> type:
    """A ``StudentObject`` subclass named after the student's type, so that a failure message
    (``compare.describe``) says "an object of type Foo"."""
    cls = _proxy_types.get(type_name)
    if cls is None:
        name = type_name.replace("\0", "")[:100] or "object"
        cls = type(name, (StudentObject,), {"__slots__": ()}) if len(_proxy_types) < 2000 \
            else StudentObject
        _proxy_types[type_name] = cls
    return cls


def _label(type_name: str, name: Optional[str] = None) -> str:
    if name is not None:
        if type_name == "function":
            return f"function {name}"
        if type_name == "type":
            return f"class {name}"
        return f"{name} (object of type {type_name})"
    return f"object of type {type_name}"


def describe_call(target: StudentObject, attr: Optional[str], args: tuple, kwargs: dict) -> str:
    """A short text of a call for messages, e.g. ``conv_cost(100, 3, 256, 256)``."""
    ref = target._nndl_ref
    base = ref[1] if ref[0] == "global" else target._nndl_label
    if attr:
        base = f"{base}.{attr}"
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    text = ", ".join(parts)
    if len(text) > 120:
        text = text[:117] + "..."
    return f"{base}({text})"


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"<array {v.shape}>"
    if isinstance(v, StudentObject):
        return repr(v)
    if isinstance(v, (list, tuple, dict, set)) and len(repr(v)) > 40:
        return f"<{type(v).__name__} of length {len(v)}>"
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


class _What:
    """The words for a request in a message ("while running f(1, 2)"), made only when needed."""

    __slots__ = ("target", "op", "attr", "rest")

    def __init__(self, target: StudentObject, op: str, attr: Optional[str], rest: tuple) -> None:
        self.target, self.op, self.attr, self.rest = target, op, attr, rest

    def __str__(self) -> str:
        if self.op == "call":
            args, kwargs = self.rest
            return f"while running {describe_call(self.target, self.attr, tuple(args), dict(kwargs))}"
        verb = "reading" if self.op == "getattr" else "setting"
        return f"while {verb} {describe_call(self.target, None, (), {})[:-2]}.{self.attr}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class Session:
    """The workers of one exercise of one submission."""

    def __init__(self, files_dir: Optional[Path], filename: str, limits: Limits = Limits(),
                 sandbox: Optional[Sandbox] = None) -> None:
        self.files_dir = Path(files_dir) if files_dir is not None else None
        self.filename = filename
        self.limits = limits
        self.sandbox = sandbox or get_sandbox(limits.sandbox)
        self.deadline = time.monotonic() + limits.timeout * (limits.max_restarts + 1)
        self.worker: Optional[WorkerProcess] = None
        self.folder: Optional[Path] = None
        self.generation = 0
        self.starts = 0
        self.names: Optional[dict[str, tuple]] = None
        self.global_ids: dict[str, int] = {}
        self.incident: Optional[str] = None
        self.losses: list[str] = []
        self.over: Optional[str] = None
        self.outputs: list[str] = []
        self.info: dict = {}
        self.calls = 0
        self.methods: set[tuple[str, str]] = set()
        self._launched: Optional[tuple[WorkerProcess, Path, float]] = None
        self._lock = threading.Lock()
        self._closed = False

    # -- lifecycle --------------------------------------------------------------------------
    def launch(self) -> None:
        """Start a worker process without waiting for it (it imports NumPy and the student's
        file meanwhile); ``start`` then picks it up. The import's time limit runs from here."""
        with self._lock:
            if self._launched is not None or self._closed:
                return
            folder = prepare_folder(self.files_dir, self.sandbox)
            try:
                worker = WorkerProcess.start(self.sandbox, self.limits, folder, self.filename)
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
        timeout = min(self.limits.timeout - (time.monotonic() - launched),
                      self.deadline - time.monotonic())
        timeout = max(timeout, 0.001)
        during = f"while importing {self.filename}"
        ready = self.worker.receive(timeout, during, self.limits.timeout)
        if ready[0] != "ready":
            raise WorkerGone(f"the worker could not start: {ready[1] if len(ready) > 1 else ready}",
                             "setup")
        self.info = ready[1]
        reply = self._decode(self.worker.receive_raw(timeout, during, self.limits.timeout))
        if reply[0] == "import_error":
            raise ImportFailed(str(reply[1]))
        if reply[0] != "imported" or not isinstance(reply[1], dict):
            raise WorkerGone("the worker sent an unexpected reply to the import", "protocol")
        names = {}
        ids = {}
        for name, desc in reply[1].items():
            if not isinstance(name, str) or not isinstance(desc, tuple) or not desc:
                continue
            if desc[0] == "value" and len(desc) == 2:
                names[name] = desc
            elif desc[0] == "proxy" and len(desc) == 4:
                names[name] = desc
                ids[name] = desc[3]
        if self.names is None:
            self.names = names
        self.global_ids = ids

    def close(self) -> None:
        """Stop every worker of this session and remove their folders."""
        self._close_worker()
        with self._lock:
            self._closed = True
            launched, self._launched = self._launched, None
        if launched is not None:  # launched but never used
            worker, folder, _ = launched
            worker.stop(grace=0.0)
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
            text = text[:cap] + f"\n[... cut at {cap:,} characters]"
        return text

    # -- the environment ----------------------------------------------------------------------
    def env(self) -> dict[str, Any]:
        """``{name: value or proxy}`` for every name the student's module defines (fresh copies
        of plain values for each case)."""
        env: dict[str, Any] = {}
        for name, desc in (self.names or {}).items():
            if desc[0] == "value":
                env[name] = copy.deepcopy(desc[1])
            else:
                _, type_name, _callable, _id = desc
                env[name] = _proxy_type(type_name)(self, ("global", name), None,
                                                   _label(type_name, name), type_name)
        return env

    def begin_case(self) -> None:
        self.incident = None

    # -- requests -----------------------------------------------------------------------------
    def _ensure_worker(self) -> None:
        if self.worker is not None:
            return
        if self.over:
            raise ExerciseOver(self.over)
        if self.starts > self.limits.max_restarts:
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
        return f"{self.limits.max_restarts + 1} x {self.limits.timeout:g} s"

    def request(self, target: StudentObject, op: str, attr: Optional[str], *rest: Any) -> Any:
        """Send one request about ``target`` and return the decoded answer."""
        if target._nndl_session is not self:
            raise RuntimeError("this student object belongs to another submission's worker")
        self._ensure_worker()
        ref = self._wire_ref(target)
        if op == "call":
            args, kwargs = rest
            msg = ("call", ref, attr, args, kwargs)
        elif op == "getattr":
            msg = ("getattr", ref, attr)
        else:
            msg = ("setattr", ref, attr, rest[0])
        what = _What(target, op, attr, rest)
        try:
            payload = wire.encode(msg, self._handle_of)
        except wire.WireError as exc:
            raise TypeError(f"the check passed a value that cannot be sent to student code: {exc}") \
                from None
        left = self.deadline - time.monotonic()
        timeout = min(self.limits.timeout, left)
        self.calls += 1
        try:
            if timeout <= 0:
                raise WorkerGone(f"did not finish within the exercise's time ({self._budget()})",
                                 "timeout")
            self.worker.send(payload)
            reply = self._decode(self.worker.receive_raw(timeout, what, self.limits.timeout))
        except WorkerGone as exc:
            self._lose(exc.reason if exc.kind != "timeout" or timeout >= self.limits.timeout
                       else f"timed out: the exercise used up its time ({self._budget()}) {what}")
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
        if kind == "raised" and len(reply) == 3:
            raise student_error(str(reply[1]), str(reply[2]))
        if kind == "unsendable" and len(reply) == 2:
            text = str(what)
            raise StudentError(f"the result {text[6:] if text.startswith('while ') else text} cannot "
                               f"be sent to the grader: {reply[1]}")
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
            return _proxy_type(h.type_name)(self, ("handle", h.id), gen, _label(h.type_name),
                                            h.type_name)

        try:
            return wire.decode(data, on_handle)
        except wire.WireError as exc:
            worker = self.worker
            if worker is not None:
                worker.kill()
            raise WorkerGone(f"sent a reply the grader cannot read ({exc})", "protocol") from None
