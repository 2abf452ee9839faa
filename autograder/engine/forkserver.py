"""The zygote's loop, inside the sandbox: a worker started ahead (``zygote.py`` is the grader's
side) that forks one worker per request.

It runs as ``worker.py --zygote``: it has imported NumPy, the codec and the modules student
code commonly imports, and waits on its control socket. For each ``spawn`` request (a
worker's parameters, and two file descriptors: the worker's channel and the write end of its
output pipe) it forks a child that becomes that worker. The child says hello on its channel
(the grader reads its pid from the message's credentials and puts it into the worker's
cgroups), waits for the go (with the student's files, under bubblewrap), makes namespaces of
its own under bubblewrap (``_namespaces``), and then confines itself exactly as a freshly
started worker does (``worker._become_worker``: limits, uid, seccomp filter) before it
imports the student's file.

The zygote itself never runs student code and never receives a student's files; when the
grader closes the control socket, it exits. Each worker's end is reported to the grader
(``exit``: the worker's id and its exit code).

Like ``worker.py``, this file runs alone in the sandbox: the standard library, NumPy and its
siblings only.
"""

from __future__ import annotations

import ctypes
import os
import select
import signal
import socket
import sys

import numpy as np

if __package__:
    from . import confine, wire
else:
    import confine  # noqa: E402
    import wire  # noqa: E402

_exit = os._exit
_join = os.path.join

_CLONE_NEWNS, _CLONE_NEWUTS, _CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
_CLONE_NEWPID, _CLONE_NEWNET = 0x20000000, 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x8, 0x4000, 0x40000


def status_code(status: int) -> int:
    """An exit status as a shell shows it: the code, or 128 + the signal (as bubblewrap does)."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 255


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass


class ZygoteLoop:
    """One forked worker per ``spawn`` request on the control socket (the descriptor
    of the worker's ``--fd``).

    ``channel_cls`` is ``worker.Channel``; ``become_worker(channel, fd, params, program,
    private, args)`` is the rest of a worker's life (``worker._become_worker``); ``preload``
    imports what every worker may use."""

    def __init__(self, args, channel_cls, become_worker, preload) -> None:
        self.args = args
        self.channel_cls, self.become_worker, self.preload = channel_cls, become_worker, preload
        self.ctl = socket.socket(fileno=args.fd)
        self.children: dict[int, int] = {}  # pid -> the grader's id of that worker
        self.program = None
        self.wake = (-1, -1)
        self.libc = ctypes.CDLL(None, use_errno=True)

    def serve(self) -> None:
        if not self.args.pidns:  # no bubblewrap to end it with the grader
            self.libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        try:
            self.preload()  # once for every worker: a student's imports of these cost it nothing
            self.program = confine.read_filter(self.args.seccomp) if self.args.seccomp else None
        except BaseException as exc:  # noqa: BLE001
            self._tell(("setup_error", f"{type(exc).__name__}: {exc}"))
            return
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        self.wake = (wake_r, wake_w)
        self._tell(("zygote", {"pid": os.getpid(), "uid": os.getuid(),
                               "numpy": np.__version__, "python": sys.version.split()[0]}))
        poll = select.poll()
        poll.register(self.ctl.fileno(), select.POLLIN)
        poll.register(wake_r, select.POLLIN)
        while True:
            try:
                events = poll.poll()
            except InterruptedError:
                events = []
            for fd, _ in events:
                if fd == wake_r:
                    try:
                        while os.read(wake_r, 64):
                            pass
                    except BlockingIOError:
                        pass
                elif not self._request():
                    return
            self._reap()

    def _tell(self, msg) -> None:
        try:
            self.ctl.send(wire.encode(msg, wire.no_handles))
        except OSError:
            pass

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            wid = self.children.pop(pid, None)
            if wid is not None:
                code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else status_code(status)
                self._tell(("exit", wid, code))

    def _request(self) -> bool:
        """Handle one message of the grader; False when the grader has gone."""
        try:
            data, fds, _, _ = socket.recv_fds(self.ctl, 1 << 16, 4)
        except OSError:
            return False
        if not data:
            for fd in fds:
                os.close(fd)
            return False
        try:
            msg = wire.decode(data, wire.no_handles)
            if not (isinstance(msg, tuple) and len(msg) == 3 and msg[0] == "spawn"
                    and isinstance(msg[2], dict) and len(fds) == 2):
                raise ValueError(f"not a spawn request: {msg!r:.100}")
        except (wire.WireError, ValueError) as exc:
            for fd in fds:
                os.close(fd)
            self._tell(("error", str(exc)))
            return True
        _, wid, params = msg
        _flush()
        pid = os.fork()
        if pid == 0:
            try:
                self._child(params, fds[0], fds[1])
            finally:
                _exit(71)
        for fd in fds:
            os.close(fd)
        self.children[pid] = wid
        return True

    # -- in the child ---------------------------------------------------------------------------
    def _child(self, p: dict, fd: int, out: int) -> None:
        """Become one worker: nothing of the zygote's loop survives into student code."""
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        self.ctl.close()
        for end in self.wake:
            os.close(end)
        self.children = {}
        os.setsid()
        channel = self.channel_cls(fd)
        try:
            # the grader reads this process's pid from the message's credentials and puts the
            # process into the worker's cgroups before it answers
            channel.send(wire.encode(("hello",), wire.no_handles))
            go = wire.decode(channel.receive(), wire.no_handles)
            if not (isinstance(go, tuple) and len(go) == 2 and go[0] == "go"):
                _exit(72)
        except (EOFError, OSError, wire.WireError):
            _exit(72)
        if self.args.pidns:
            try:
                self._namespaces(p["dir"], go[1], p)
            except BaseException as exc:  # noqa: BLE001 - the grader must hear why
                channel.send(wire.encode(("setup_error", f"{type(exc).__name__}: {exc}"),
                                         wire.no_handles))
                _exit(70)
        del go
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.environ["HOME"] = p["dir"]
        sys.argv = [sys.argv[0], "--fd", str(fd), "--file", p["file"], "--dir", p["dir"]]
        np.random.seed()  # a fresh worker's entropy, not the zygote's (``random`` reseeds itself)
        private = self.args.private if not self.args.pidns else 0
        self.become_worker(channel, fd, p, self.program, private, self.args)

    def _check(self, ret: int, what: str) -> None:
        if ret != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"{what}: {os.strerror(err)}")

    def _namespaces(self, folder: str, files, p: dict) -> None:
        """Under bubblewrap: namespaces of this worker's own (mounts, PIDs, network, IPC, host
        name), a fresh small tmpfs on /tmp and on its folder holding the student's files
        read-only, and a /proc of its own PID namespace. This process stays outside as the
        waiter; its child is the namespace's init; the init's child goes on as the worker."""
        libc = self.libc
        self._check(libc.unshare(_CLONE_NEWNS | _CLONE_NEWPID | _CLONE_NEWNET | _CLONE_NEWIPC
                                 | _CLONE_NEWUTS), "unshare")
        self._check(libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "making / private")
        opts = f"size={int(p['work_mb'])}m,mode=1777".encode()
        for path in ("/tmp", folder):
            self._check(libc.mount(b"tmpfs", path.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, opts),
                        f"tmpfs on {path}")
        if not isinstance(files, dict):
            raise ValueError("no files were given")
        for name, data in files.items():
            if not isinstance(name, str) or "/" in name or name in ("", ".", "..") \
                    or not isinstance(data, bytes):
                raise ValueError(f"a bad file name {name!r:.60}")
            dst = os.open(_join(folder, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(dst, view):]
            finally:
                os.close(dst)
        init = os.fork()
        if init:  # the waiter, outside the namespace: it reports the worker's end
            os.closerange(0, 1 << 16)
            _, status = os.waitpid(init, 0)
            _exit(status_code(status))
        # the init of the new PID namespace (pid 1)
        self._check(libc.mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC,
                               None), "/proc")
        worker = os.fork()
        if worker:
            os.closerange(0, 1 << 16)
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # pid 1: ignored unless handled
            uid = p.get("uid")
            if uid is not None:
                confine.drop_privileges(uid, p.get("gid") if p.get("gid") is not None else uid)
            if self.program is not None:
                confine.load_seccomp(self.program)
            while True:
                try:
                    pid, status = os.waitpid(-1, 0)
                except ChildProcessError:
                    _exit(255)
                if pid == worker:
                    _exit(status_code(status))
        # the worker (pid 2), as under bubblewrap's own init
