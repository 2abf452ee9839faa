"""One worker process: starting it, its channel, its captured output, and its end.

``WorkerProcess.start`` runs the argv of ``modes.Sandbox.command`` in a new session with a
socket pair for the channel (``zygote.start_worker`` has the zygote fork the worker instead,
where the sandbox says so); the student's stdout and stderr go to a pipe, of which
``Limits.output_bytes`` are kept. ``receive`` waits for the next message within the wall-clock
limit and turns a timeout, a death or a bad message into ``WorkerGone`` with the reason in
words (the CPU limit, the memory limit, a signal, an exit code).

When a worker ends, everything it started ends with it, by every means the host allows: its
cgroup is killed (``cgroups.py``: where the grader may make one, the worker's whole tree is in
it, under one memory and one process limit); as root, every process of the worker's own uid is
killed (``slots.py``); under bubblewrap the kernel kills its PID namespace; in the ``none``
mode this process is a child subreaper, and ``_sweep`` kills the orphans re-parented here.

The channel never blocks the grader: every send and every receive has a deadline, and a
message the grader did not ask for (a reply with no request outstanding, or a second reply)
ends the worker: student code can write onto the channel, so it is never trusted to be quiet.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Optional, cast

from . import cgroups, cputime, seccomp, slots, wire
from .errors import WorkerGone, decode_reply
from .limits import Limits
from .modes import Sandbox
from .staging import runtime_dir

FALLBACK_NPROC = 8
"""The process limit of a worker when no cgroup bounds the memory of its whole tree: the tree
may then hold this many times the memory limit at most."""

_SIGNALS = {getattr(signal, n): n for n in dir(signal) if n.startswith("SIG") and not n.startswith("SIG_")}

_subreaper_pid = 0


def _become_subreaper() -> None:
    """Orphans of our workers (forked children that ``setsid`` away) are re-parented to this
    process instead of init, so ``_sweep`` can find and kill them."""
    global _subreaper_pid
    if _subreaper_pid == os.getpid():  # not inherited across fork: set once per process
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass
    _subreaper_pid = os.getpid()


_active: set[int] = set()
"""The workers of this process that are running (a sweep must not touch them)."""
_active_lock = threading.Lock()


def worker_groups(limits: Limits, plan: Optional[cgroups.Plan] = None
                  ) -> tuple[Optional[cgroups.WorkerGroups], int]:
    """A worker's cgroups (under ``plan``, by default what this host allows) and its process
    limit: ``limits.nproc`` when its memory group was made (the whole tree is limited),
    ``FALLBACK_NPROC`` at most when it was not."""
    groups = cgroups.WorkerGroups.make(plan or cgroups.probe(), limits.memory_mb, limits.nproc)
    if groups is not None and "memory" in groups.dirs:
        return groups, limits.nproc
    nproc = min(limits.nproc, FALLBACK_NPROC)
    if groups is not None:
        groups.set_pids(nproc)
    return groups, nproc


class WorkerProcess:
    """A started worker: its process, the channel and the captured output."""

    def __init__(self, sandbox: Sandbox, limits: Limits, proc: subprocess.Popen, sock: socket.socket,
                 info_r: Optional[int], before: set[int], slot: Optional[slots.Slot] = None,
                 groups: Optional[cgroups.WorkerGroups] = None) -> None:
        self.sandbox, self.limits, self.proc, self.sock = sandbox, limits, proc, sock
        self.slot, self.groups = slot, groups
        self.forked = not isinstance(proc, subprocess.Popen)  # by the zygote (zygote.py)
        self.ended = False
        self.leftover = ""
        """What could not be ended when the worker ended ("" when everything was)."""
        self.info_r = info_r
        self.inner_pid: Optional[int] = None
        self.before = before
        self.out = bytearray()
        self.out_total = 0
        self.out_eof = False
        self.started = time.monotonic()
        self._buf = bytearray()
        self._chunk = bytearray(1 << 18)  # one receive buffer, reused
        self._chunk_view = memoryview(self._chunk)
        self._poll = None
        os.set_blocking(proc.stdout.fileno(), False)

    @classmethod
    def start(cls, sandbox: Sandbox, limits: Limits, folder: Path, filename: str) -> "WorkerProcess":
        if sandbox.mode == "none":
            _become_subreaper()
        before = slots.children_of(os.getpid()) if sandbox.mode == "none" else set()
        slot = slots.acquire() if sandbox.drops_uid else None
        groups = None
        try:
            groups, nproc = worker_groups(limits)
            if slot is not None and sandbox.mode == "uid":
                os.chown(folder, slot.uid, slot.uid)  # its own folder; the files stay root's
                os.chmod(folder, 0o700)
            parent, child = socket.socketpair()
            info_r = info_w = seccomp_fd = None
            pass_fds = [child.fileno()]
            if sandbox.mode == "bwrap":
                info_r, info_w = os.pipe()
                pass_fds.append(info_w)
                if sandbox.seccomp is not None:
                    seccomp_fd = seccomp.pipe_fd(sandbox.seccomp)
                    pass_fds.append(seccomp_fd)
            argv = sandbox.command(runtime_dir(), folder, filename, limits, child.fileno(), info_w,
                                   uid=slot.uid if slot else None, nproc=nproc,
                                   seccomp_fd=seccomp_fd)
            if groups is not None:
                argv = groups.prefix() + argv
            env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
                   "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                   "PYTHONHASHSEED": "0", "HOME": str(folder)}
            try:
                with _active_lock:  # a sweep never sees this worker before it is active
                    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, pass_fds=pass_fds, env=env,
                                            start_new_session=True, cwd="/")
                    _active.add(proc.pid)
            finally:
                child.close()
                for fd in (info_w, seccomp_fd):
                    if fd is not None:
                        os.close(fd)
        except BaseException:
            if groups is not None:
                groups.destroy()
            if slot is not None:
                slots.release(slot)
            raise
        parent.setblocking(False)
        return cls(sandbox, limits, proc, parent, info_r, before, slot, groups)

    # -- output -----------------------------------------------------------------------------
    def drain(self) -> None:
        """Move what the student printed into the buffer, keeping ``output_bytes`` of it."""
        if self.out_eof:
            return
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                return
            except OSError:
                self.out_eof = True
                return
            if not chunk:
                self.out_eof = True
                return
            self.out_total += len(chunk)
            room = self.limits.output_bytes - len(self.out)
            if room > 0:
                self.out += chunk[:room]

    def output_text(self) -> str:
        text = self.out.decode("utf-8", "replace")
        cut = self.out_total - len(self.out)
        if cut > 0:
            text += f"\n[... {cut:,} more bytes of output were cut (the limit is " \
                    f"{self.limits.output_bytes:,} bytes)]"
        return text

    # -- messages ---------------------------------------------------------------------------
    def send(self, payload: bytes, timeout: float = 60.0, during: str = "") -> None:
        """Send one request within ``timeout`` seconds (the worker must be reading); a message
        waiting from the worker, which no request asked for, ends it first."""
        self.expect_nothing(during)
        data = memoryview(wire.frame(payload))
        deadline = time.monotonic() + timeout
        out_fd = self.proc.stdout.fileno()
        poll = select.poll()
        poll.register(self.sock.fileno(), select.POLLOUT)
        if not self.out_eof:
            poll.register(out_fd, select.POLLIN)
        while data:
            try:
                sent = self.sock.send(data)
                data = data[sent:]
                continue
            except BlockingIOError:
                pass
            except OSError:
                raise self._gone(during or "while sending a request") from None
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise WorkerGone("stopped reading the grader's requests (timed out after "
                                 f"{_secs(timeout)} sending one)" + (f" {during}" if during else ""),
                                 "timeout")
            for fd, _ in poll.poll(max(min(left, 0.1), 0.0) * 1000):
                if fd == out_fd:
                    self.drain()
                    if self.out_eof:
                        poll.unregister(out_fd)
            if self.proc.poll() is not None:
                raise self._gone(during or "while sending a request")

    def expect_nothing(self, during: str = "") -> None:
        """Nothing may be waiting from the worker now: a message the grader did not ask for
        (student code writing onto the channel) ends the worker."""
        if self._buf or self._sock_readable():
            try:
                extra = self.sock.recv(1)
            except (BlockingIOError, OSError):
                extra = b""
            if self._buf or extra:
                self.kill()
                raise WorkerGone("the worker sent a message the grader did not ask for (student "
                                 "code wrote onto the grader's channel)"
                                 + (f" {during}" if during else ""), "protocol")

    def receive(self, timeout: float, during: str = "", limit: Optional[float] = None,
                last: bool = False, cpu: Optional[float] = None) -> tuple:
        """The next message, decoded; ``WorkerGone`` on timeout, death or a bad message."""
        data = self.receive_raw(timeout, during, limit, last, cpu)
        try:
            return decode_reply(data)
        except WorkerGone:
            self.kill()
            raise

    def receive_raw(self, timeout: float, during: str = "", limit: Optional[float] = None,
                    last: bool = False, cpu: Optional[float] = None) -> bytes:
        """The next message's payload; ``WorkerGone`` on timeout (``timeout`` of wall time, or
        ``cpu`` seconds of the tree's CPU time, ``cputime``) or death. ``limit`` is the limit
        the message names. With ``last``, anything after this message ends the worker."""
        watch = cputime.Watch(self, cpu)
        deadline, need = time.monotonic() + timeout, cast(Optional[int], None)
        sock_fd, out_fd = self.sock.fileno(), self.proc.stdout.fileno()
        if self._poll is None:
            self._poll = select.poll()
            self._poll.register(sock_fd, select.POLLIN)
            self._poll.register(out_fd, select.POLLIN)
        while True:
            if need is None and len(self._buf) >= 4:
                try:
                    need = wire.header_length(bytes(self._buf[:4]))
                except wire.WireError as exc:
                    self.kill()
                    raise WorkerGone(f"the worker broke the protocol: {exc}", "protocol") from None
            if need is not None and len(self._buf) >= 4 + need:
                data = bytes(self._buf[4:4 + need])
                del self._buf[:4 + need]
                if last:
                    self.expect_nothing(during)
                return data
            left = deadline - time.monotonic()
            if watch.exceeded():
                self.kill()
                raise WorkerGone(f"used more than {_secs(cpu)} of CPU time (the CPU limit)"
                                 + (f" {during}" if during else ""), "cpu")
            if left <= 0:
                self.kill()
                raise WorkerGone(f"timed out after {_secs(limit or timeout)} (the wall-clock limit)"
                                 + (f" {during}" if during else ""), "timeout")
            got_data = False
            for fd, _ in self._poll.poll(max(min(left, 0.1), 0.0) * 1000):
                if fd == sock_fd:
                    try:
                        got = self.sock.recv_into(self._chunk)
                    except BlockingIOError:
                        continue
                    except OSError:
                        got = 0
                    if not got:
                        raise self._gone(during)
                    self._buf += self._chunk_view[:got]
                    got_data = True
                else:
                    self.drain()
                    if self.out_eof:
                        self._poll.unregister(out_fd)
            if not got_data and self.proc.poll() is not None and not self._sock_readable():
                raise self._gone(during)

    def _sock_readable(self) -> bool:
        r, _, _ = select.select([self.sock], [], [], 0)
        return bool(r)

    def _gone(self, during: str) -> WorkerGone:
        """Why the worker stopped, in words, after making sure it has."""
        try:
            code = self.proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.returncode
        self.drain()
        self.kill()
        suffix = f" {during}" if during else ""
        lim = self.limits
        sig = -code if code is not None and code < 0 else \
            (code - 128 if self.sandbox.mode == "bwrap" and code is not None and 128 < code < 160 else None)
        if sig is not None:
            name = _SIGNALS.get(sig, f"signal {sig}")
            if name == "SIGXCPU" or (name == "SIGKILL" and time.monotonic() - self.started >= lim.cpu_seconds):
                return WorkerGone(f"the process used more than {lim.cpu_seconds} s of CPU time (the CPU limit)"
                                  + suffix, "cpu")
            if name == "SIGXFSZ":
                return WorkerGone(f"the process wrote a file larger than {lim.fsize_mb} MB (the file-size limit)"
                                  + suffix, "signal")
            if name == "SIGSEGV":
                return WorkerGone("the process crashed with a segmentation fault (SIGSEGV)" + suffix, "signal")
            if name == "SIGKILL" and self.groups is not None and self.groups.oom_killed():
                return WorkerGone(f"the worker ran out of memory (its processes together used more "
                                  f"than the limit of {lim.memory_mb} MB)" + suffix, "signal")
            if name == "SIGKILL":
                return WorkerGone(f"the process was killed (SIGKILL), possibly for running out of memory "
                                  f"(limit {lim.memory_mb} MB)" + suffix, "signal")
            return WorkerGone(f"the process was killed by {name}" + suffix, "signal")
        return WorkerGone(f"the process exited with code {code}" + suffix, "exit")

    # -- the end ----------------------------------------------------------------------------
    def _read_inner_pid(self) -> None:
        if self.info_r is None or self.inner_pid is not None:
            return
        try:
            os.set_blocking(self.info_r, False)
            data = os.read(self.info_r, 4096)
            self.inner_pid = int(json.loads(data.decode())["child-pid"])
        except (OSError, ValueError, KeyError):
            pass

    def kill(self) -> None:
        """Kill the worker and everything it started."""
        self._read_inner_pid()
        if self.proc.poll() is None and self.forked:
            # the cgroup holds the whole tree; else the fork outside the worker's namespaces
            # (the processes of the worker's uid end with its slot, below); one not yet
            # started ends when its channel closes
            if self.groups is not None:
                self.groups.kill()
            if self.proc.pid is not None:
                _quietly(os.kill, self.proc.pid, signal.SIGKILL)
            _quietly(self.sock.shutdown, socket.SHUT_RDWR)
            _quietly(self.proc.wait, 5.0)
        elif self.proc.poll() is None:
            if self.inner_pid is not None:
                try:  # the sandbox's init: the kernel kills its whole PID namespace
                    os.kill(self.inner_pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                pass
        self._await_namespace()
        if self.proc.returncode is not None:
            with _active_lock:
                _active.discard(self.proc.pid)
        if self.proc.returncode is None or self.ended:
            return
        self.ended = True
        problems = []
        contained = False
        if self.groups is not None:
            contained = self.groups.destroy()
            if not contained:
                problems.append(f"processes left in its cgroup: {sorted(self.groups.procs())}")
        private_tmp = self.sandbox.mode == "bwrap" or (self.sandbox.mode == "uid" and self.sandbox.private)
        if self.slot is not None and not slots.release(self.slot, contained, private_tmp):
            problems.append(f"processes of uid {self.slot.uid} left: {slots.processes_of(self.slot.uid)}")
        if self.sandbox.mode == "none":
            self._sweep()
        self.leftover = "; ".join(problems)

    def _await_namespace(self) -> None:
        if self.inner_pid is None:
            return
        deadline = time.monotonic() + 5.0
        while slots.alive(self.inner_pid) and time.monotonic() < deadline:
            time.sleep(0.002)
        if _subreaper_pid == os.getpid():  # then the orphaned sandbox init is our child
            try:
                os.waitpid(self.inner_pid, os.WNOHANG)
            except OSError:
                pass

    def _sweep(self) -> None:
        """Kill the processes our worker left behind (re-parented to us, the subreaper); the
        ``none`` mode's only means (no cgroup, no uid of its own). The lock keeps a worker that
        another thread is starting out of reach until it is known to be active."""
        me = os.getpid()
        for _ in range(200):
            with _active_lock:
                strays = slots.children_of(me) - self.before - _active - {self.proc.pid}
                if not strays:
                    return
                for pid in strays:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.002)
            for pid in strays:
                try:
                    os.waitpid(pid, os.WNOHANG)
                except OSError:
                    pass

    def stop(self, grace: float = 2.0) -> None:
        """End the worker politely (close the channel), then make sure it is gone."""
        _quietly(self.sock.close)
        if self.proc.poll() is None:
            _quietly(self.proc.wait, grace)
        self.drain()
        self.kill()
        if self.info_r is not None:
            _quietly(os.close, self.info_r)
        self.info_r = None
        _quietly(self.proc.stdout.close)


def _quietly(fn, *args) -> None:
    """``fn(*args)``, where failing (it has already happened, or time ran out) is no matter."""
    try:
        fn(*args)
    except (OSError, subprocess.TimeoutExpired):
        pass


def _secs(x: float) -> str:
    return f"{round(x, 2):g} s"
