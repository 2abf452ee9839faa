"""The three sandbox modes, and the command line that starts a worker in each.

``bwrap``
    Debian's bubblewrap gives the worker an empty view of the file system (the Python
    interpreter, NumPy and the engine's two worker files read-only at neutral paths under
    ``/nndl``, system libraries, a small ``/tmp``, and its own folder at ``/submission``),
    no network, its own PID namespace (killing the sandbox kills every process in it). As
    root, the worker then drops to ``nobody`` (uid 65534); as any other user, bubblewrap maps
    it to uid 65534 in a user namespace.
``uid``
    No bubblewrap, but the grader is root: the worker drops to ``nobody`` and relies on file
    modes. The check files, references and results must not be readable by "other".
``none``
    Neither: the worker runs as the grader's user, with the same limits. For development only.

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

    @property
    def drops_uid(self) -> bool:
        """Whether the worker itself drops to uid ``NOBODY`` (the grader is root)."""
        return self.root and self.mode in ("bwrap", "uid")

    def describe(self) -> str:
        """One paragraph for the log: the mode, why, and what it means."""
        what = {
            "bwrap": "bubblewrap: empty file-system view, no network, own PID namespace, "
                     f"worker as uid {NOBODY}",
            "uid": f"no bubblewrap: worker as uid {NOBODY} (nobody) with file modes",
            "none": "NO SANDBOX: worker as the grader's own user (development only)",
            "local": "no isolation: student code in this process (the local check)",
        }[self.mode]
        text = f"sandbox: {self.mode} ({what}); {self.reason}"
        return "\n".join([text] + [f"  note: {n}" for n in self.notes])

    # -- building the command ---------------------------------------------------------------
    def command(self, runtime: Path, folder: Path, filename: str, limits: Limits, fd: int,
                info_fd: Optional[int]) -> list[str]:
        """The argv that starts a worker on ``folder/filename`` with the channel on ``fd``.
        ``runtime`` is the folder holding ``worker.py``, ``wire.py`` and ``site/``
        (``staging.runtime_dir()``); ``info_fd`` receives bubblewrap's JSON about the sandbox."""
        if self.mode == "bwrap":
            inner_python = "/nndl/python/" + os.path.relpath(self.python, self.prefix)
            argv = [shutil.which("bwrap") or "bwrap"] + self._bwrap_args(runtime, folder, info_fd)
            argv += ["--", inner_python, "-I", "-S", "-B", "/nndl/engine/worker.py",
                     "--site", "/nndl/site", "--dir", MOUNT]
        else:
            argv = [self.python, "-I", "-S", "-B", str(runtime / "worker.py"),
                    "--site", str(runtime / "site"), "--dir", str(folder)]
        argv += ["--fd", str(fd), "--file", filename, "--memory-mb", str(limits.memory_mb),
                 "--cpu", str(limits.cpu_seconds), "--nproc", str(limits.nproc),
                 "--fsize-mb", str(limits.fsize_mb)]
        if self.drops_uid:
            argv += ["--uid", str(NOBODY), "--gid", str(NOBODY)]
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
        args += ["--perms", "0755", "--dir", "/nndl", "--perms", "0755", "--dir", "/nndl/site",
                 "--ro-bind", self.prefix, "/nndl/python",
                 "--ro-bind", str(site / "numpy"), "/nndl/site/numpy",
                 "--ro-bind-try", str(site / "numpy.libs"), "/nndl/site/numpy.libs",
                 "--ro-bind", str(runtime), "/nndl/engine"]
        for lib in ("/usr/lib", "/usr/lib64", "/usr/lib32"):
            if os.path.isdir(lib):
                args += ["--ro-bind", lib, lib]
        for lib in ("/lib", "/lib64", "/lib32"):
            if os.path.islink(lib):
                args += ["--symlink", os.readlink(lib), lib]
            elif os.path.isdir(lib):
                args += ["--ro-bind", lib, lib]
        args += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
                 "--proc", "/proc", "--dev", "/dev",
                 "--perms", "01777", "--size", str(64 * 2**20), "--tmpfs", "/tmp",
                 "--bind", str(folder), MOUNT,
                 "--setenv", "LD_LIBRARY_PATH", "/nndl/python/lib", "--setenv", "HOME", MOUNT]
        return args
