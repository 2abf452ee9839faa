"""The three sandbox modes, and the command line that starts a worker in each.

``bwrap``
    Debian's bubblewrap gives the worker an empty view of the file system: the interpreter and
    its standard library (the prefix's ``lib/``, every ``site-packages`` and ``dist-packages``
    in it hidden behind an empty folder), NumPy alone at ``/nndl/site``, the engine's two
    worker files, system libraries (their Python package folders hidden too), a small
    ``/tmp``, and at ``/submission`` a small tmpfs holding the student's files read-only. No
    network, its own PID namespace (killing the sandbox kills every process in it), the
    seccomp filter (``seccomp.py``). As root, the worker then drops to a uid of its own
    (``slots.py``); as any other user, bubblewrap maps it to uid 65534 in a user namespace.
``uid``
    No bubblewrap, but the grader is root: the worker drops to a uid of its own, under the
    seccomp filter, and relies on file modes: what the grader protects must not be readable
    by "other" (``detect.py`` refuses otherwise). Where the host lets it make a mount
    namespace, the worker has a private, small ``/tmp``, ``/var/tmp`` and ``/dev/shm``, a
    ``/proc`` that shows its own processes only, and a small tmpfs as its folder with the
    student's files read-only.
``none``
    Neither: the worker runs as the grader's user, with the same limits (and the filter when
    there is one). For development only.

A ``Sandbox`` is the resolved choice (``detect.get_sandbox`` makes it); this module only turns
it into an argv.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .limits import Limits

NOBODY = 65534
"""The unprivileged uid and gid workers run as (``nobody``/``nogroup`` on every Debian)."""

MOUNT = "/submission"
"""Where the student's folder appears inside a bubblewrap sandbox."""

WORK_MB = 64
"""Size of the tmpfs a worker may write in (its folder, and ``/tmp``)."""


@dataclass(frozen=True)
class Sandbox:
    """The resolved way workers run in this process."""

    mode: str
    reason: str
    root: bool
    python: str
    prefix: str
    site: str
    preload: bool = False
    notes: tuple[str, ...] = field(default=())
    seccomp: Optional[bytes] = field(default=None, repr=False)
    """The seccomp program (``seccomp.build``), None without one."""
    masked: tuple[str, ...] = ()
    """Python package folders (``site-packages``, ``dist-packages``) hidden in the bwrap view."""
    private: bool = False
    """uid mode: the worker makes a private mount namespace (own /tmp, /proc, tmpfs folder)."""
    filter_file: str = ""
    """uid and none modes: the file the worker loads the seccomp program from."""
    limits_note: str = ""
    """What bounds a worker's whole tree (``cgroups.Plan.describe``)."""

    @property
    def drops_uid(self) -> bool:
        """Whether the worker itself drops to a uid of its own (the grader is root)."""
        return self.root and self.mode in ("bwrap", "uid")

    def describe(self) -> str:
        """One paragraph for the log: the mode, why, and what it means."""
        who = "a uid of its own per worker" if self.drops_uid else f"uid {NOBODY} in a user namespace"
        what = {
            "bwrap": f"bubblewrap: a view with the standard library and NumPy only, no network, "
                     f"own PID namespace, student files read-only, {who}",
            "uid": "no bubblewrap: a uid of its own per worker, file modes"
                   + (", private /tmp, /proc and folder" if self.private else
                      ", shared /tmp (swept after each worker)"),
            "none": "NO SANDBOX: worker as the grader's own user (development only)",
            "local": "no isolation: student code in this process (the local check)",
        }[self.mode]
        extra = ["seccomp filter" if self.seccomp else "no seccomp filter"]
        if self.limits_note:
            extra.append(self.limits_note)
        text = f"sandbox: {self.mode} ({what}; {'; '.join(extra)}); {self.reason}"
        return "\n".join([text] + [f"  note: {n}" for n in self.notes])

    # -- building the command ---------------------------------------------------------------
    def command(self, runtime: Path, folder: Path, filename: str, limits: Limits, fd: int,
                info_fd: Optional[int], uid: Optional[int] = None, nproc: Optional[int] = None,
                seccomp_fd: Optional[int] = None) -> list[str]:
        """The argv that starts a worker on ``folder/filename`` with the channel on ``fd``.
        ``runtime`` is the folder holding ``worker.py``, ``wire.py`` and ``site/``
        (``staging.runtime_dir()``); ``info_fd`` receives bubblewrap's JSON about the sandbox,
        ``seccomp_fd`` gives it the filter; ``uid`` is the worker's own uid (as root)."""
        if self.mode == "bwrap":
            argv = [shutil.which("bwrap") or "bwrap"] + self._bwrap_args(runtime, folder, info_fd)
            if seccomp_fd is not None:
                argv += ["--seccomp", str(seccomp_fd)]
            argv += ["--", "/nndl/python/bin/" + os.path.basename(self.python), "-I", "-S", "-B",
                     "/nndl/engine/worker.py", "--site", "/nndl/site", "--dir", MOUNT]
        else:
            argv = [self.python, "-I", "-S", "-B", str(runtime / "worker.py"),
                    "--site", str(runtime / "site"), "--dir", str(folder)]
            if self.filter_file:
                argv += ["--seccomp", self.filter_file]
            if self.private:
                argv += ["--private", str(WORK_MB), "--numpy-site", self.site]
                for path in self.masked:
                    argv += ["--mask", path]
        argv += ["--fd", str(fd), "--file", filename, "--memory-mb", str(limits.memory_mb),
                 "--cpu", str(limits.cpu_seconds), "--nproc", str(nproc or limits.nproc),
                 "--fsize-mb", str(limits.fsize_mb)]
        if self.drops_uid:
            who = uid if uid is not None else NOBODY
            argv += ["--uid", str(who), "--gid", str(who)]
        if self.preload:
            argv += ["--preload"]
        return argv

    def _bwrap_args(self, runtime: Path, folder: Path, info_fd: Optional[int]) -> list[str]:
        args = ["--die-with-parent", "--new-session"]
        if self.root:
            args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                     "--unshare-cgroup-try", "--cap-drop", "ALL",
                     "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
        else:
            args += ["--unshare-all", "--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
        if info_fd is not None:
            args += ["--info-fd", str(info_fd)]
        site = Path(self.site)
        empty = str(runtime / "empty")
        # the interpreter and its lib/ (standard library, shared libraries): never the prefix
        # whole, and every Python package folder in what is bound hidden behind an empty one
        args += ["--perms", "0755", "--dir", "/nndl", "--perms", "0755", "--dir", "/nndl/site",
                 "--perms", "0755", "--dir", "/nndl/python", "--perms", "0755", "--dir", "/nndl/python/bin",
                 "--ro-bind", self.python, "/nndl/python/bin/" + os.path.basename(self.python),
                 "--ro-bind", os.path.join(self.prefix, "lib"), "/nndl/python/lib"]
        for lib in ("/usr/lib", "/usr/lib64", "/usr/lib32"):
            if os.path.isdir(lib) and not os.path.islink(lib):
                args += ["--ro-bind", lib, lib]
        for lib in ("/lib", "/lib64", "/lib32"):
            if os.path.islink(lib):
                args += ["--symlink", os.readlink(lib), lib]
            elif os.path.isdir(lib):
                args += ["--ro-bind", lib, lib]
        prefix_lib = os.path.join(self.prefix, "lib") + os.sep
        system = [lib + os.sep for lib in ("/usr/lib", "/usr/lib64", "/usr/lib32", "/lib", "/lib64")
                  if os.path.isdir(lib) and not os.path.islink(lib)]
        for path in self.masked:
            if path.startswith(prefix_lib):
                args += ["--ro-bind", empty, "/nndl/python/lib/" + path[len(prefix_lib):]]
            if path.startswith(tuple(system)):
                args += ["--ro-bind", empty, path]
        args += ["--ro-bind", str(site / "numpy"), "/nndl/site/numpy",
                 "--ro-bind-try", str(site / "numpy.libs"), "/nndl/site/numpy.libs",
                 "--ro-bind", str(runtime), "/nndl/engine"]
        args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
                 "--proc", "/proc", "--dev", "/dev",
                 "--perms", "01777", "--size", str(WORK_MB * 2**20), "--tmpfs", "/tmp",
                 # the working folder: a small tmpfs; the student's files in it read-only
                 "--perms", "01777", "--size", str(WORK_MB * 2**20), "--tmpfs", MOUNT]
        for entry in sorted(os.listdir(folder)):
            args += ["--ro-bind", str(folder / entry), f"{MOUNT}/{entry}"]
        args += ["--setenv", "LD_LIBRARY_PATH", "/nndl/python/lib", "--setenv", "HOME", MOUNT]
        return args
