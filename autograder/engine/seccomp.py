"""The seccomp filter every worker runs under: the system calls student code has no use for
and that would let it reach beyond its worker (the kernel keyring, ptrace, mounts and
namespaces, kernel modules, BPF...) fail with ``EPERM``.

The filter is built once per grader process with libseccomp, a maintained library, through
Debian's Python binding (``python3-seccomp``), which belongs to Debian's ``/usr/bin/python3``
and not necessarily to the grader's interpreter: ``build()`` runs the binding in whichever
interpreter has it (this one first, then the system's) and keeps the BPF program it exports.
Bubblewrap loads it (``--seccomp FD``); in the other modes the worker loads it itself, after
``PR_SET_NO_NEW_PRIVS`` and before any student code (``confine.load_seccomp``).

Without the binding there is no filter: ``build()`` returns None and ``why_not()`` says why;
the modes that promise a filter (bwrap, uid) then refuse to start (``detect.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from typing import Optional

DENIED = (
    # the kernel keyring: one store shared by every process that possesses it
    "add_key", "request_key", "keyctl",
    # other processes' memory
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
    # mounts, namespaces, the root
    "mount", "umount", "umount2", "pivot_root", "chroot", "unshare", "setns",
    "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
    "open_by_handle_at", "name_to_handle_at",
    # the kernel itself
    "init_module", "finit_module", "delete_module", "create_module", "kexec_load",
    "kexec_file_load", "bpf", "perf_event_open", "userfaultfd", "iopl", "ioperm", "reboot",
    "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "lookup_dcookie", "syslog",
    "vhangup", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
    "setdomainname", "uselib", "nfsservctl", "vm86", "vm86old",
    # kernel state keyed by a shared file or name, readable by another worker: a channel
    # between workers that no uid or namespace separates (file locks on the read-only host
    # files; watches on them; System V IPC keyed by ftok; POSIX message queues)
    "flock", "inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
    "fanotify_init", "fanotify_mark", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
    "mq_notify", "mq_getsetattr", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop",
    "semtimedop", "semctl", "shmget", "shmat", "shmdt", "shmctl", "ipc",
    # named sockets (an abstract address is one name space per network namespace, shared where
    # the mode has none of its own): no socket is made, bound, connected or addressed
    "bind", "connect", "listen", "accept", "accept4", "sendmsg", "sendmmsg",
    # io_uring runs operations the filter never sees
    "io_uring_setup", "io_uring_enter", "io_uring_register",
)
"""System calls that fail with ``EPERM`` (names unknown on this architecture are skipped)."""

FCNTL_DENIED = (5, 6, 7, 12, 13, 14, 36, 37, 38, 8, 10, 15, 1024, 1026)
"""``fcntl`` commands that fail with ``EPERM``: byte-range locks (F_GETLK, F_SETLK, F_SETLKW,
their 64-bit forms and the open-file-description ones F_OFD_*; ``F_GETLK`` reads back another
process's lock), signals on I/O sent to a chosen process (F_SETOWN, F_SETSIG, F_SETOWN_EX),
leases (F_SETLEASE) and directory notifications (F_NOTIFY). Every other command (the
descriptor flags, F_DUPFD...) works."""

CLONE_NAMESPACES = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                    0x40000000, 0x00000080)
"""``clone`` flags that make a namespace (NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID,
NEWNET, NEWTIME): ``clone`` with any of them fails with ``EPERM``; ``clone3``, whose flags a
filter cannot read, fails with ``ENOSYS`` (the C library then uses ``clone``)."""

_BUILD = r"""
import errno, socket, sys
import seccomp

out, names = sys.argv[1], sys.argv[2].split(",")
flags = [int(x) for x in sys.argv[3].split(",")]
commands = [int(x) for x in sys.argv[4].split(",")]
f = seccomp.SyscallFilter(seccomp.ALLOW)
for name in names:
    try:
        f.add_rule(seccomp.ERRNO(errno.EPERM), name)
    except (RuntimeError, ValueError, OSError):
        pass  # not a system call of this architecture
f.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
for flag in flags:
    f.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
for name in ("fcntl", "fcntl64"):
    for cmd in commands:
        try:
            f.add_rule(seccomp.ERRNO(errno.EPERM), name, seccomp.Arg(1, seccomp.EQ, cmd))
        except (RuntimeError, ValueError, OSError):
            pass  # fcntl64 exists on 32-bit architectures only
# sockets: no new one (no network even where the mode has no network namespace; no named
# local socket); the worker's channel was made before, and socketpair() still works
f.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
f.add_rule(seccomp.ERRNO(errno.EPERM), "socket", seccomp.Arg(0, seccomp.EQ, socket.AF_UNIX))
# a datagram addressed to a named socket
f.add_rule(seccomp.ERRNO(errno.EPERM), "sendto", seccomp.Arg(4, seccomp.NE, 0))
with open(out, "wb") as fh:
    f.export_bpf(fh)
"""

GENERATORS = (sys.executable, "/usr/bin/python3")
"""Interpreters tried, in order, for libseccomp's Python binding."""

_lock = threading.Lock()
_built: Optional[bytes] = None
_why_not = ""
_tried_by = 0


def build() -> Optional[bytes]:
    """The BPF program (``struct sock_filter`` array), made once per process; None if no
    interpreter here has libseccomp's binding (``why_not`` says so)."""
    global _built, _why_not, _tried_by
    with _lock:
        if _tried_by:
            return _built
        problems = []
        for python in dict.fromkeys(GENERATORS):
            if not python or not os.path.exists(python):
                continue
            fd, path = tempfile.mkstemp(prefix="nndl-seccomp-", suffix=".bpf")
            os.close(fd)
            try:
                proc = subprocess.run(
                    [python, "-I", "-c", _BUILD, path, ",".join(DENIED),
                     ",".join(str(f) for f in CLONE_NAMESPACES),
                     ",".join(str(c) for c in FCNTL_DENIED)],
                    capture_output=True, text=True, timeout=30)
                data = open(path, "rb").read() if proc.returncode == 0 else b""
            except (OSError, subprocess.SubprocessError) as exc:
                problems.append(f"{python}: {exc}")
                continue
            finally:
                os.unlink(path)
            if data and len(data) % 8 == 0:
                _built = data
                break
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            problems.append(f"{python}: {last}")
        if _built is None:
            _why_not = ("libseccomp's Python binding is not installed (Debian/Ubuntu: apt-get "
                        "install python3-seccomp)" + (f"; tried {'; '.join(problems)}" if problems else ""))
        _tried_by = os.getpid()
        return _built


def why_not() -> str:
    """Why ``build()`` found no filter ("" when it did)."""
    build()
    return _why_not


def filter_file(folder: str) -> Optional[str]:
    """The BPF program written once into ``folder`` (``filter.bpf``, mode 0644), for a worker
    that loads it itself; None without a filter."""
    data = build()
    if data is None:
        return None
    path = os.path.join(folder, "filter.bpf")
    if not os.path.exists(path):  # the engine's private folder: no reader before it is there
        with open(path, "wb") as fh:
            fh.write(data)
        os.chmod(path, 0o644)
    return path


def pipe_fd(program: bytes) -> int:
    """A readable fd holding the seccomp program, for bubblewrap's ``--seccomp FD``."""
    r, w = os.pipe()
    try:
        if len(program) > 60000:  # more than a pipe holds without a reader
            raise OSError("the seccomp program is too large for a pipe")
        os.write(w, program)
    finally:
        os.close(w)
    return r
