"""The worker: runs one student file inside the sandbox and answers the grader's requests.

The grader starts it as ``python -I -S -B worker.py --fd N --file ex5_4.py --dir DIR ...``
(see ``modes.py``). In order, it: imports NumPy and the wire codec; sets its resource
limits (address space, CPU seconds, processes, file size, no core files) with hard limits
equal to the soft ones, so they cannot be raised again; in the uid mode, makes a private
mount namespace when asked (``--private``: small tmpfs on /tmp, /var/tmp, /dev/shm and its
folder, the student's files copied in read-only, a /proc showing only its own processes);
drops to its unprivileged uid when asked (the grader ran as root); loads the seccomp filter
when given one (``--seccomp``; bubblewrap loads it itself); closes every file descriptor
but 0, 1, 2 and the channel; imports the student's file; then answers requests until the
grader says goodbye or the channel closes.

The channel (``--fd``) carries length-prefixed messages in the plain-data format of
``wire.py``; the student's stdout and stderr (fd 1 and 2) go elsewhere (a pipe the grader
caps), so nothing the student prints can be taken for a reply. Student objects that are not
plain data stay here, in a table, and the grader gets handles to them (a subclass of a plain
type crosses as its base type's value, ``wire.plain_value``).

A student exception goes back as its type's name, followed by its nearest built-in base
types when it is not itself built-in (``ShapeError(ValueError)``), so that the checks can
catch it as the built-in type it extends. The CPU time of the last call is measured here,
where the student's code runs (the thread's clock: the process's ticks coarsely, in
milliseconds, once RLIMIT_CPU is set): reading the attribute ``CPU_ATTRIBUTE`` of any student
object returns it (in seconds), in place of the object's own attribute.

This file runs inside the sandbox, where only the standard library and NumPy exist: it
imports nothing from ``autograder``.
"""

from __future__ import annotations

import argparse
import ctypes  # noqa: F401 - loaded before a private mount namespace may hide the interpreter
import os
import sys
import time
import types
# The student's code may replace built-ins; the worker keeps the originals.
from builtins import (  # noqa: A004 - deliberately shadowing with the same objects
    BaseException, bytearray, bytes, memoryview, EOFError, Exception, ImportError, KeyError,
    MemoryError, NameError, OSError, SystemExit, callable, compile,
    dict, exec, getattr, isinstance, len, list, object, open, setattr, str, type)

if __package__:  # imported as autograder.engine.worker: the local check runs it in-process
    from . import confine, forkserver, wire
    from .describe import describe_exception, exception_label, frame_chain, student_frames
else:  # run as a script inside the sandbox, with its sibling files copied next to it
    _HERE = os.path.dirname(os.path.abspath(__file__))
    if "--site" in sys.argv:  # where NumPy lives; -I -S leaves it off sys.path
        sys.path.append(sys.argv[sys.argv.index("--site") + 1])
    sys.path.insert(0, _HERE)
    import confine  # noqa: E402  (limits, privilege drop, the uid mode's mounts, seccomp)
    import forkserver  # noqa: E402  (the zygote's loop)
    import wire  # noqa: E402  (the codec)
    from describe import (describe_exception, exception_label, frame_chain,  # noqa: E402
                          student_frames)

    sys.path.remove(_HERE)
import numpy as np  # noqa: E402

# The preload for a sandbox whose interpreter the unprivileged user cannot read, and the
# zygote's: every module a student's NumPy code plausibly imports is loaded before the
# privilege drop (and, in the zygote, once for every worker).
PRELOAD = (
    "abc", "array", "bisect", "collections", "contextlib", "copy", "dataclasses", "decimal",
    "enum", "fractions", "functools", "heapq", "itertools", "json", "math", "numbers",
    "operator", "random", "re", "statistics", "string", "time", "typing", "warnings",
    "numpy.linalg", "numpy.fft", "numpy.random", "numpy.lib.stride_tricks", "numpy.testing",
)

CPU_ATTRIBUTE = "_nndl_cpu_seconds"
"""Reading this attribute of any student object returns the CPU seconds of the last call
(``autograder.checks.timing`` reads it; a student object cannot answer in the worker's place)."""

_write = os.write
_thread_time = time.thread_time  # the process clock ticks coarsely once RLIMIT_CPU is set
_readv = os.readv
_exit = os._exit
_MethodType = types.MethodType
_ModuleType = types.ModuleType
_join, _abspath = os.path.join, os.path.abspath


class Channel:
    """Length-prefixed messages on one file descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = bytearray()
        self.chunk = bytearray(1 << 18)  # one read buffer, reused
        self.view = memoryview(self.chunk)

    def send(self, value) -> None:
        data = wire.frame(value)
        view = memoryview(data)
        while view:
            n = _write(self.fd, view)
            view = view[n:]

    def _fill(self, n: int) -> None:
        """Read until the buffer holds ``n`` bytes (one read usually brings a whole message)."""
        while len(self.buf) < n:
            got = _readv(self.fd, [self.chunk])
            if not got:
                raise EOFError
            self.buf += self.view[:got]

    def receive(self) -> bytes:
        self._fill(4)
        n = wire.header_length(bytes(self.buf[:4]))
        self._fill(4 + n)
        data = bytes(self.buf[4:4 + n])
        del self.buf[:4 + n]
        return data


class Objects:
    """The student objects the grader holds handles to, by id."""

    def __init__(self) -> None:
        self.by_id: dict[int, object] = {}
        self.next_id = 1

    def handle(self, obj) -> wire.Handle:
        hid = self.next_id
        self.next_id += 1
        self.by_id[hid] = obj
        if isinstance(obj, np.ndarray):
            name = f"ndarray of dtype {obj.dtype}"
        else:
            name = type(obj).__name__
        return wire.Handle(hid, name, callable(obj))

    def resolve(self, h: wire.Handle):
        try:
            return self.by_id[h.id]
        except KeyError:
            raise wire.WireError(f"no object with handle {h.id} in this worker") from None


class Worker:
    def __init__(self, channel: Channel, folder: str, filename: str, memory_mb: int) -> None:
        self.channel = channel
        self.folder = folder
        self.filename = filename
        self.path = _join(folder, filename)
        self.memory_mb = memory_mb
        self.objects = Objects()
        self.module = None
        self.call_cpu = 0.0  # CPU seconds of the last call

    # -- messages ---------------------------------------------------------------------------
    def encode(self, value, max_bytes: int = wire.MAX_MESSAGE) -> bytes:
        return wire.encode(value, self.objects.handle, None, max_bytes)

    def reply(self, value) -> None:
        _flush()
        try:
            data = self.encode(value)
        except wire.WireError as exc:
            data = self.encode(("unsendable", str(exc)))
        except MemoryError:
            data = self.encode(("unsendable", f"ran out of memory (limit {self.memory_mb} MB) "
                                              f"while sending the value back"))
        self.channel.send(data)

    # -- describing failures ----------------------------------------------------------------
    def describe(self, exc: BaseException, chain: bool = True) -> str:
        """Type, message and where in the student's files (``describe_exception``)."""
        return describe_exception(exc, self.folder, self.filename, self.memory_mb, chain)

    # -- the work ---------------------------------------------------------------------------
    def import_student(self) -> None:
        """Execute the student's file as module ``<stem>`` and report the names it defines."""
        stem = os.path.splitext(self.filename)[0]
        module = _ModuleType(stem)
        module.__file__ = self.path
        sys.modules[stem] = module
        try:
            with open(self.path, "rb") as fh:
                source = fh.read()
            code = compile(source, self.path, "exec")
            exec(code, module.__dict__)
        except SystemExit as exc:
            self.reply(("import_error", f"{self.filename} called sys.exit({exc.code!r}) while "
                                        f"being imported"))
            return
        except BaseException as exc:  # noqa: BLE001 - anything the student raises is reported
            self.reply(("import_error", f"{self.filename} failed to import: {self.describe(exc)}"))
            return
        self.module = module
        names = {}
        for name, value in list(module.__dict__.items()):
            if name.startswith("__") and name.endswith("__"):
                continue
            names[name] = self._describe_global(value)
        self.reply(("imported", names))

    def _describe_global(self, value):
        try:
            wire.encode(value, wire.no_handles, None, 1 << 20)  # small plain data crosses by value
            return ("value", value)
        except wire.WireError:
            pass
        except Exception:  # noqa: BLE001 - a hostile value; it stays here
            pass
        h = self.objects.handle(value)
        return ("proxy", h.type_name, h.callable, h.id)

    def target(self, ref):
        kind, key = ref
        if kind == "global":
            try:
                return self.module.__dict__[key]
            except KeyError:
                raise NameError(f"name {key!r} is not defined in {self.filename}") from None
        return self.objects.by_id[key]

    def handle_request(self, request) -> None:
        op = request[0]
        try:
            if op == "call":
                _, ref, attr, args, kwargs = request
                fn = self.target(ref)
                if attr is not None:
                    fn = getattr(fn, attr)
                start = _thread_time()
                try:
                    value = fn(*args, **kwargs)
                finally:
                    self.call_cpu = _thread_time() - start
            elif op == "getattr":
                _, ref, attr = request
                obj = self.target(ref)
                if attr == CPU_ATTRIBUTE:
                    self.reply(("ok", self.call_cpu))
                    return
                value = getattr(obj, attr)
                if isinstance(value, _MethodType) and value.__self__ is obj:
                    self.reply(("method", type(value.__func__).__name__))
                    return
            elif op == "setattr":
                _, ref, attr, new = request
                setattr(self.target(ref), attr, new)
                value = None
            else:
                self.reply(("unsendable", f"unknown request {op!r}"))
                return
        except BaseException as exc:  # noqa: BLE001 - the student's failure goes back as text
            # the account on one line, then the student's frames it passed through
            self.reply(("raised", exception_label(exc), self.describe(exc, chain=False),
                        frame_chain(student_frames(exc.__traceback__, self.folder))))
            return
        self.reply(("ok", value))

    def serve(self) -> None:
        self.import_student()
        if self.module is None:
            return
        while True:
            try:
                data = self.channel.receive()
            except (EOFError, OSError, wire.WireError):
                return
            try:
                request = wire.decode(data, self.objects.resolve)
            except wire.WireError as exc:
                self.reply(("unsendable", f"the request could not be read: {exc}"))
                continue
            if request[0] == "bye":
                return
            self.handle_request(request)


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - the student may have replaced the stream
            pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--zygote", action="store_true")
    parser.add_argument("--dir", default=None)
    parser.add_argument("--file", default=None)
    parser.add_argument("--memory-mb", type=int, default=None)
    parser.add_argument("--cpu", type=int, default=None)
    parser.add_argument("--nproc", type=int, default=None)
    parser.add_argument("--fsize-mb", type=int, default=64)
    parser.add_argument("--uid", type=int, default=None)
    parser.add_argument("--gid", type=int, default=None)
    parser.add_argument("--preload", action="store_true")
    parser.add_argument("--site", default=None)
    parser.add_argument("--seccomp", default=None)
    parser.add_argument("--private", type=int, default=0)
    parser.add_argument("--mask", action="append", default=[])
    parser.add_argument("--numpy-site", default=None)
    parser.add_argument("--pidns", action="store_true")
    return parser


def _preload() -> None:
    import importlib

    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _confine(channel: Channel, fd: int, folder: str, memory_mb: int, cpu: int, nproc: int,
             fsize_mb: int, uid, gid, program, private: int = 0, masks=(), numpy_site=None) -> str:
    """Everything a worker does to itself before student code runs, in this order: the uid
    mode's private mounts, the resource limits, the privilege drop, the seccomp filter, every
    file descriptor but 0, 1, 2 and the channel closed; then its folder is the current one.
    On failure the grader hears why and the process ends."""
    try:
        if private:
            confine.private_mounts(_abspath(folder), private, masks, numpy_site)
        confine.set_limits(memory_mb, cpu, nproc, fsize_mb)
        if uid is not None:
            confine.drop_privileges(uid, gid if gid is not None else uid)
        if program is not None:
            confine.load_seccomp(program)
        os.closerange(3, fd)
        os.closerange(fd + 1, 1 << 16)
        os.chdir(folder)
        folder = _abspath(folder)
        sys.path.append(folder)
    except BaseException as exc:  # noqa: BLE001 - the grader must hear why the worker cannot start
        channel.send(wire.encode(("setup_error", f"{type(exc).__name__}: {exc}"), wire.no_handles))
        _exit(70)
    return folder


def _serve(channel: Channel, folder: str, filename: str, memory_mb: int, private: bool) -> None:
    info = {"uid": os.getuid(), "pid": os.getpid(), "python": sys.version.split()[0],
            "numpy": np.__version__, "private": private, "seccomp": confine.seccomp_mode()}
    channel.send(wire.encode(("ready", info), wire.no_handles))
    Worker(channel, folder, filename, memory_mb).serve()
    _flush()
    _exit(0)


def _become_worker(channel: Channel, fd: int, p: dict, program, private: int, args) -> None:
    """A child of the zygote (``forkserver.py``), its namespaces made: the rest of a worker's
    confinement, then the student's file."""
    folder = _confine(channel, fd, p["dir"], p["memory_mb"], p["cpu"], p["nproc"],
                      p["fsize_mb"], p.get("uid"), p.get("gid"), program, private, args.mask,
                      args.numpy_site)
    _serve(channel, folder, p["file"], p["memory_mb"], bool(private) or args.pidns)


def main(argv=None) -> None:
    args = _parser().parse_args(argv)
    if args.zygote:
        forkserver.ZygoteLoop(args, Channel, _become_worker, _preload).serve()
        _exit(0)
    channel = Channel(args.fd)
    try:
        if args.preload:
            _preload()
        program = confine.read_filter(args.seccomp) if args.seccomp else None
    except BaseException as exc:  # noqa: BLE001
        channel.send(wire.encode(("setup_error", f"{type(exc).__name__}: {exc}"), wire.no_handles))
        _exit(70)
    folder = _confine(channel, args.fd, args.dir, args.memory_mb, args.cpu, args.nproc,
                      args.fsize_mb, args.uid, args.gid, program, args.private, args.mask,
                      args.numpy_site)
    _serve(channel, folder, args.file, args.memory_mb, bool(args.private))


if __name__ == "__main__":
    main()
