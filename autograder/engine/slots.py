"""A uid of its own for every worker running at once, and the end of every process of it.

When the grader is root, each worker runs as a uid no other worker has while it runs: one of
``FIRST`` .. ``FIRST + COUNT - 1`` that no account names (``/etc/passwd``) and no process
uses, held with a lock file (``flock``) that every grader process on the machine respects;
no user is created. Two workers never share a uid, so one cannot signal, trace, read the
``/proc`` entries, the files or the process budget (``RLIMIT_NPROC``) of another.

When a worker ends, ``release`` kills every process of its uid (a helper with that uid sends
``kill(-1, SIGKILL)``, which the kernel applies to all of them at once, then ``/proc`` is read
by real uid until none is left) and deletes what the uid left in the shared temporary
folders, before the uid can be handed out again.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Optional

FIRST = 64000
COUNT = 512
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
"""Folders any user may write to, swept of a worker uid's files after it ends."""

_lock = threading.Lock()
_held: dict[int, int] = {}
"""uid -> the fd of its lock file, for the slots this process holds."""
_checked: set[int] = set()
"""uids this process has looked at once: after that, it ends their processes itself."""
_next = [0]
"""Where the next search for a free uid starts: uids are handed out in turn, so that a uid
just released (whose killed processes may not all have been reaped, and so still count
against its process limit) is the last to be used again."""


@dataclass(frozen=True)
class Slot:
    uid: int


def _lock_dir() -> str:
    for base in ("/run", tempfile.gettempdir()):
        path = os.path.join(base, "nndl-autograder-uids")
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            st = os.lstat(path)
            if st.st_uid == os.geteuid() and not (st.st_mode & 0o077) and os.path.isdir(path):
                return path
        except OSError:
            continue
    raise OSError("no folder for the worker uid locks (/run and the temporary folder refused)")


def _named(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


def acquire() -> Slot:
    """A uid no other worker on this machine holds; ``OSError`` when all are taken."""
    directory = _lock_dir()
    with _lock:
        if not _next[0]:
            _next[0] = os.getpid() * 7 % COUNT + 1
        order = [FIRST + (_next[0] + i) % COUNT for i in range(COUNT)]
        for uid in order:
            if uid in _held or _named(uid):
                continue
            fd = os.open(os.path.join(directory, str(uid)), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            _held[uid] = fd
            _next[0] = uid - FIRST + 1
            break
        else:
            raise OSError(f"every worker uid ({FIRST}-{FIRST + COUNT - 1}) is in use")
    if uid not in _checked:  # left by a grader that died: ours to end now
        _checked.add(uid)
        if processes_of(uid):
            kill_uid(uid)
    return Slot(uid)


def release(slot: Slot) -> bool:
    """Kill every process of the slot's uid, remove its files from the shared temporary
    folders, and free the uid; whether no process was left."""
    clean = kill_uid(slot.uid)
    sweep_files(slot.uid)
    with _lock:
        fd = _held.pop(slot.uid, None)
    if fd is not None and clean:
        os.close(fd)  # the lock goes with it
    elif fd is not None:  # keep it locked: a process of it could not be ended
        pass
    return clean


def processes_of(uid: int) -> list[int]:
    """Live processes whose real, effective or saved uid is ``uid`` (zombies excluded)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", "rb") as fh:
                status = fh.read()
        except OSError:
            continue
        state = status.find(b"\nState:\t")
        uids = status.find(b"\nUid:\t")
        if uids < 0 or status[state + 8:state + 9] in (b"Z", b"X"):
            continue
        line = status[uids + 6:status.find(b"\n", uids + 6)].split()
        if any(int(u) == uid for u in line[:3]):
            found.append(int(entry.name))
    return found


_KILL = shutil.which("kill", path="/bin:/usr/bin")


def kill_uid(uid: int, timeout: float = 5.0) -> bool:
    """SIGKILL every process of ``uid`` until none is left; whether that happened in time."""
    deadline = time.monotonic() + timeout
    while True:
        left = processes_of(uid)
        if not left:
            return True
        if time.monotonic() > deadline:
            return False
        argv = [_KILL, "-9", "-1"] if _KILL else [sys.executable, "-I", "-S", "-c",
                                                  "import os; os.kill(-1, 9)"]
        try:  # as the uid itself: kill(-1) reaches every process of it at once
            subprocess.run(argv, user=uid, group=uid, extra_groups=[], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=5,
                           close_fds=True, cwd="/")
        except (OSError, subprocess.SubprocessError):
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        _reap(left)
        time.sleep(0.001)


def _reap(pids: list[int]) -> None:
    """Reap those of ``pids`` that are this process's children (orphans of a worker, given to
    this process as the subreaper), so that they do not stay zombies."""
    me = os.getpid()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                data = fh.read()
            if int(data[data.rfind(b")") + 2:].split()[1]) == me:
                os.waitpid(pid, os.WNOHANG)
        except (OSError, ValueError, ChildProcessError):
            pass


def sweep_files(uid: int, folders=SHARED_TMP, budget: int = 5000) -> None:
    """Delete the files and folders ``uid`` owns at the top of the shared temporary folders
    (a worker's litter there), and below those it owns."""
    for top in folders:
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries[:budget]:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def held() -> Optional[int]:
    """How many slots this process holds (for tests)."""
    with _lock:
        return len(_held)


def children_of(pid: int) -> set[int]:
    out = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        fields = data[data.rfind(b")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            out.add(int(entry.name))
    return out


def alive(pid: int) -> bool:
    """Whether ``pid`` is a process that has not yet exited (a zombie has: when the sandbox's
    init is a zombie, the kernel has already killed everything in its PID namespace)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return False
    state = data[data.rfind(b")") + 2:data.rfind(b")") + 3]
    return state not in (b"Z", b"X")
