"""The zygote: a worker started ahead, once per grading process and sandbox, that forks one
worker per request instead of the grader starting each worker from nothing.

Starting a worker from nothing costs a sandbox, a Python interpreter and NumPy's import
(about a third of a second of CPU); a fork of a process that has done all three costs a few
milliseconds. The zygote is ``worker.py --zygote`` (its loop is ``forkserver.ZygoteLoop``),
started with the sandbox's own command (``modes.Sandbox.zygote_command``): under bubblewrap, one
sandbox whose view holds the standard library, NumPy and the engine's files and no student's
file; in the ``uid`` mode, a root process outside any sandbox, as a freshly started ``uid``
worker begins.

What the zygote may and may not hold, and why no state is shared between students:

- it never runs student code and never receives a student's files: a request carries a
  worker's parameters (file name, limits, uid) and two file descriptors (the worker's channel
  and the write end of its output pipe); the files go to the forked child, on its own
  channel, after the fork;
- each child confines itself before any student code, exactly as a freshly started worker
  does (``worker._confine``): under bubblewrap it first makes namespaces of its own (mounts,
  PIDs, network, IPC, host name) with its own small ``/tmp`` and folder (a tmpfs holding the
  student's files read-only) and its own ``/proc``; in the ``uid`` mode its private mounts;
  then its limits, its own uid (``slots.py``: no two running workers share one), the seccomp
  filter. The grader puts the child into the worker's own cgroup (``cgroups.py``) before it
  lets the child go on (the child's pid comes with its first message, ``SO_PASSCRED``, which
  the kernel translates out of the sandbox's PID namespace);
- a worker's end is the same as before: its cgroup is killed, every process of its uid is
  killed, and under bubblewrap its PID namespace dies with its init.

So two workers, of one student or of two, never share a namespace (beyond the read-only view
the zygote's sandbox gives them all), a writable folder, a uid or a cgroup, and what a worker
inherits from the zygote is the same for every worker: the interpreter with NumPy imported.

One zygote per grading process (``jobs`` processes have one each): a zygote per student
would cost a third of a second per student, which is the whole budget of a student.
``NNDL_ZYGOTE=0`` turns it off (every worker is started from nothing, as without a zygote).
"""

from __future__ import annotations

import atexit
import logging
import os
import select
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Optional

from . import slots, wire
from .errors import WorkerGone
from .limits import Limits
from .modes import MOUNT, WORK_MB, Sandbox
from .process import WorkerProcess, worker_groups
from .staging import runtime_dir

log = logging.getLogger("autograder.engine")

START_TIMEOUT = 60.0
"""Seconds the zygote may take to start (a sandbox, Python, NumPy)."""

ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "PYTHONHASHSEED": "0", "HOME": "/"}
"""The environment of the zygote and so of every worker (a worker's HOME is its folder)."""


def enabled() -> bool:
    """Whether workers are forked from a zygote where the sandbox allows (``NNDL_ZYGOTE``)."""
    return os.environ.get("NNDL_ZYGOTE", "1").strip().lower() not in ("0", "no", "off", "false")


class ZygoteChild:
    """A worker forked by the zygote, seen as ``subprocess.Popen`` sees a process: ``pid``
    (in the grader's PID namespace, known once the worker said hello), ``poll``, ``wait``,
    ``returncode`` (negative for a signal; under bubblewrap 128 + the signal, as bubblewrap
    reports it) and ``stdout``, the read end of its output pipe."""

    def __init__(self, zygote: "Zygote", wid: int, stdout: Any) -> None:
        self.zygote, self.wid, self.stdout = zygote, wid, stdout
        self.pid: Optional[int] = None
        self.returncode: Optional[int] = None
        self._ended = threading.Event()

    def _exited(self, code: int) -> None:
        if self.returncode is None:
            self.returncode = code
        self._ended.set()

    def poll(self) -> Optional[int]:
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> int:
        if not self._ended.wait(timeout):
            raise subprocess.TimeoutExpired(f"worker {self.wid}", timeout or 0.0)
        assert self.returncode is not None
        return self.returncode


class Zygote:
    """The grader's side of one zygote: started by a thread of its own (which stays for the
    zygote's life, so that bubblewrap's ``--die-with-parent`` holds), spoken to on a
    ``SOCK_SEQPACKET`` control socket."""

    _registry: dict[tuple[int, Sandbox], "Zygote"] = {}
    _registry_lock = threading.Lock()

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.owner = os.getpid()
        self.ctl, self._ctl_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.proc: Optional[subprocess.Popen] = None
        self.info: dict = {}
        self.problem = ""
        self.log = bytearray()
        self.children: dict[int, ZygoteChild] = {}
        self._next = 0
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.dead = False
        self.thread = threading.Thread(target=self._run, name="nndl-zygote", daemon=True)

    # -- finding one ------------------------------------------------------------------------
    @classmethod
    def get(cls, sandbox: Sandbox) -> "Zygote":
        """The running zygote of this process for ``sandbox``, started when there is none
        (or the last one died); ``WorkerGone`` when it cannot start."""
        key = (os.getpid(), sandbox)
        with cls._registry_lock:
            z = cls._registry.get(key)
            if z is None or z.dead:
                z = cls(sandbox)
                cls._registry[key] = z
                z.thread.start()
        if not z._ready.wait(START_TIMEOUT):
            z.close()
            raise WorkerGone(f"the zygote did not start within {START_TIMEOUT:g} s", "setup")
        if z.dead or not z.info:
            raise WorkerGone(f"the zygote could not start: {z.why()}", "setup")
        return z

    def why(self) -> str:
        text = self.problem or "it exited"
        out = self.log.decode("utf-8", "replace").strip()
        return text + (f"; it printed: {out[-600:]}" if out else "")

    # -- its life ---------------------------------------------------------------------------
    def _run(self) -> None:
        argv = self.sandbox.zygote_command(runtime_dir(), self._ctl_child.fileno())
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, pass_fds=[self._ctl_child.fileno()],
                                         env=dict(ENV), start_new_session=True, cwd="/")
        except OSError as exc:
            self.problem = f"{type(exc).__name__}: {exc}"
            self._end()
            return
        finally:
            self._ctl_child.close()
        try:
            self._loop()
        finally:
            try:
                self.proc.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self._end()

    def _loop(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        ctl, out = self.ctl.fileno(), self.proc.stdout.fileno()
        poll = select.poll()
        poll.register(ctl, select.POLLIN)
        poll.register(out, select.POLLIN)
        while True:
            for fd, _ in poll.poll():
                if fd == out:
                    data = os.read(out, 4096)
                    if not data:
                        poll.unregister(out)
                    self.log += data
                    del self.log[:-4096]
                    continue
                try:
                    data = self.ctl.recv(1 << 16)
                except OSError:
                    data = b""
                if not data:
                    return
                try:
                    msg = wire.decode(data, wire.no_handles)
                except wire.WireError:
                    continue
                self._message(msg)

    def _message(self, msg: Any) -> None:
        if not isinstance(msg, tuple) or not msg:
            return
        if msg[0] == "exit" and len(msg) == 3:
            with self._lock:
                child = self.children.pop(msg[1], None)
            if child is not None:
                child._exited(int(msg[2]))
        elif msg[0] == "zygote" and len(msg) == 2 and isinstance(msg[1], dict):
            self.info = msg[1]
            self._ready.set()
        elif msg[0] in ("setup_error", "error") and len(msg) == 2:
            self.problem = str(msg[1])
            log.warning("zygote: %s", self.problem)

    def _end(self) -> None:
        """The zygote is gone: so are its workers (under bubblewrap, with its PID namespace;
        otherwise the grader's ending of each worker finds what is left)."""
        self.dead = True
        self._ready.set()
        with self._lock:
            children, self.children = list(self.children.values()), {}
        for child in children:
            child._exited(-9)
        try:
            self.ctl.close()
        except OSError:
            pass

    def close(self) -> None:
        """Stop the zygote (closing the control socket ends it; its workers end with it)."""
        try:
            self.ctl.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if self.proc is not None and self.owner == os.getpid():
            try:
                self.proc.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    # -- a worker ---------------------------------------------------------------------------
    def spawn(self, params: dict, channel_fd: int, out_fd: int, stdout: Any) -> ZygoteChild:
        """Fork a worker with ``params`` (``forkserver.ZygoteLoop._child`` reads them), its
        channel and output pipe; ``WorkerGone`` if the zygote is gone."""
        with self._lock:
            if self.dead:
                raise WorkerGone(f"the zygote is gone: {self.why()}", "setup")
            self._next += 1
            child = ZygoteChild(self, self._next, stdout)
            self.children[child.wid] = child
            try:
                socket.send_fds(self.ctl, [wire.encode(("spawn", child.wid, params), wire.no_handles)],
                                [channel_fd, out_fd])
            except OSError as exc:
                self.children.pop(child.wid, None)
                raise WorkerGone(f"the zygote is gone ({exc.strerror})", "setup") from None
        return child


START_HELLO = 30.0
"""Seconds a forked worker may take to say hello and take the go (a fork: milliseconds, unless
the machine is swamped)."""


def start_worker(sandbox: Sandbox, limits: Limits, folder: Path, filename: str) -> WorkerProcess:
    """A worker on ``folder/filename``: forked by the zygote where the sandbox says so
    (``Sandbox.zygote``), else started from nothing (``WorkerProcess.start``)."""
    if sandbox.zygote:
        return fork_worker(sandbox, limits, folder, filename)
    return WorkerProcess.start(sandbox, limits, folder, filename)


def fork_worker(sandbox: Sandbox, limits: Limits, folder: Path, filename: str) -> WorkerProcess:
    """A worker forked by this process's zygote for ``sandbox``: it says hello, is put into
    its cgroups, and only then receives the go (with the student's files, under bubblewrap)
    to confine itself and import ``folder/filename``. ``WorkerGone`` if it cannot start."""
    slot = slots.acquire()
    groups = None
    parent = None
    try:
        groups, nproc = worker_groups(limits)
        files = None
        if sandbox.mode == "bwrap":  # the files cross on the worker's own channel
            files = {}
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                with open(entry.path, "rb") as fh:
                    files[entry.name] = fh.read()
            where = MOUNT
        else:
            os.chown(folder, slot.uid, slot.uid)  # its own folder; the files stay root's
            os.chmod(folder, 0o700)
            where = str(folder)
        params = {"dir": where, "file": filename, "memory_mb": limits.memory_mb,
                  "cpu": limits.cpu_seconds, "nproc": nproc, "fsize_mb": limits.fsize_mb,
                  "uid": slot.uid, "gid": slot.uid, "work_mb": WORK_MB}
        parent, child = socket.socketpair()
        parent.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        parent.setblocking(False)
        out_r, out_w = os.pipe()
        stdout = os.fdopen(out_r, "rb", buffering=0)
        try:
            proc = Zygote.get(sandbox).spawn(params, child.fileno(), out_w, stdout)
        except BaseException:
            stdout.close()
            raise
        finally:
            child.close()
            os.close(out_w)
        worker = WorkerProcess(sandbox, limits, proc, parent, None, set(), slot, groups)  # type: ignore[arg-type]
    except BaseException:
        if parent is not None:
            parent.close()
        if groups is not None:
            groups.destroy()
        slots.release(slot)
        raise
    try:
        proc.pid = _hello(worker, START_HELLO)
        if groups is not None:
            groups.add(proc.pid)
        worker.send(wire.encode(("go", files), wire.no_handles), START_HELLO, "while starting")
    except BaseException:
        worker.stop(grace=0.0)
        raise
    return worker


def _hello(worker: WorkerProcess, timeout: float) -> int:
    """The forked worker's first message; its pid in this process's PID namespace, from the
    message's credentials."""
    sock, proc = worker.sock, worker.proc
    deadline = time.monotonic() + timeout
    size = socket.CMSG_SPACE(struct.calcsize("iII"))
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None:
            worker.kill()
            raise WorkerGone("the forked worker did not start (no hello)", "setup")
        r, _, _ = select.select([sock], [], [], min(left, 0.1))
        if not r:
            continue
        try:
            data, anc, _, _ = sock.recvmsg(64, size)
        except BlockingIOError:
            continue
        except OSError:
            data, anc = b"", []
        creds = [d for level, kind, d in anc
                 if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS]
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 0)
        try:
            ok = len(data) >= 4 and wire.header_length(data[:4]) == len(data) - 4 and \
                wire.decode(data[4:], wire.no_handles) == ("hello",)
        except wire.WireError:
            ok = False
        if not ok or not creds:
            worker.kill()
            raise WorkerGone("the forked worker did not say hello", "setup")
        return struct.unpack("iII", creds[0][:12])[0]


def pids() -> set[int]:
    """The pids of this process's running zygotes (the processes it started: bubblewrap, or
    the zygote itself in the ``uid`` mode). They are the grader's, not a worker's: they run no
    student code and stay for the grading process's life."""
    with Zygote._registry_lock:
        return {z.proc.pid for (pid, _), z in Zygote._registry.items()
                if pid == os.getpid() and z.proc is not None and not z.dead}


def _forget_after_fork() -> None:
    """A forked grading process starts zygotes of its own: the parent's are not its to use,
    and its copies of their sockets must not keep them alive."""
    Zygote._registry_lock = threading.Lock()  # another thread may have held it at the fork
    zygotes = list(Zygote._registry.values())
    Zygote._registry.clear()
    for z in zygotes:
        for sock in (z.ctl, z._ctl_child):
            try:
                sock.close()
            except OSError:
                pass
        if z.proc is not None and z.proc.stdout is not None:
            try:
                z.proc.stdout.close()
            except OSError:
                pass


def _close_all() -> None:
    with Zygote._registry_lock:
        zygotes = [z for (pid, _), z in Zygote._registry.items() if pid == os.getpid()]
    for z in zygotes:
        z.close()


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(_close_all)
