"""Where and how a worker runs: resource limits, the privilege drop and bubblewrap.

Three sandbox modes, chosen once per process (``get_sandbox``) and logged:

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

In every mode the worker has hard resource limits (address space, CPU seconds, processes,
file size, no core dumps), runs in a new session with its own process group, and everything
it started is killed when it ends. ``NNDL_SANDBOX=bwrap|uid|none`` (or ``Limits.sandbox``)
forces a mode; forcing one that cannot work is an error, not a silent fallback.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import wire
from .errors import SandboxError, WorkerGone

log = logging.getLogger("autograder.engine")

MODES = ("bwrap", "uid", "none")
NOBODY = 65534
"""The unprivileged uid and gid workers run as (``nobody``/``nogroup`` on every Debian)."""

MOUNT = "/submission"
"""Where the student's folder appears inside a bubblewrap sandbox."""

MAX_FILES = 200
"""Most files of one submission copied into a worker's folder."""

MAX_BYTES = 50 * 2**20
"""Most bytes of one submission copied into a worker's folder."""


@dataclass(frozen=True)
class Limits:
    """What one worker may use. The defaults suit grading; tests use small ones."""

    timeout: float = 60.0
    """Wall-clock seconds for the import and for each call; an exercise gets at most
    ``(max_restarts + 1) * timeout`` in all."""
    cpu: Optional[float] = None
    """CPU seconds per worker process; ``None`` means ``timeout``."""
    memory_mb: int = 1024
    """Address space of a worker (RLIMIT_AS), in MB."""
    nproc: int = 64
    """Processes (and threads) the worker's user may have (RLIMIT_NPROC, counted per uid)."""
    output_bytes: int = 64_000
    """The student's stdout and stderr kept per worker; the rest is counted and dropped."""
    sandbox: Optional[str] = None
    """``bwrap``, ``uid`` or ``none``; ``None`` means ``$NNDL_SANDBOX`` or the best available."""
    max_restarts: int = 3
    """Fresh workers an exercise may get after a worker dies or times out."""
    fsize_mb: int = 64
    """Largest file a worker may write (RLIMIT_FSIZE), in MB."""

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive, got {self.timeout}")
        if self.cpu is not None and self.cpu <= 0:
            raise ValueError(f"cpu must be positive, got {self.cpu}")
        if self.memory_mb < 128:
            raise ValueError(f"memory_mb must be at least 128 (Python and NumPy need about 100 MB), "
                             f"got {self.memory_mb}")
        if self.nproc < 1 or self.output_bytes < 0 or self.max_restarts < 0 or self.fsize_mb < 1:
            raise ValueError(f"nproc, fsize_mb must be >= 1 and output_bytes, max_restarts >= 0; got "
                             f"nproc={self.nproc}, fsize_mb={self.fsize_mb}, "
                             f"output_bytes={self.output_bytes}, max_restarts={self.max_restarts}")
        if self.sandbox is not None and self.sandbox not in MODES:
            raise ValueError(f"sandbox must be one of {', '.join(MODES)}, got {self.sandbox!r}")

    @property
    def cpu_seconds(self) -> int:
        """The CPU limit in whole seconds (RLIMIT_CPU takes integers)."""
        return max(1, math.ceil(self.cpu if self.cpu is not None else self.timeout))


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

    @property
    def worker_uid(self) -> int:
        """The uid student code runs as (as the kernel sees it, outside any namespace)."""
        return NOBODY if self.drops_uid else os.getuid()

    def describe(self) -> str:
        """One paragraph for the log: the mode, why, and what it means."""
        what = {
            "bwrap": "bubblewrap: empty file-system view, no network, own PID namespace, "
                     f"worker as uid {NOBODY}",
            "uid": f"no bubblewrap: worker as uid {NOBODY} (nobody) with file modes",
            "none": "NO SANDBOX: worker as the grader's own user (development only)",
        }[self.mode]
        text = f"sandbox: {self.mode} ({what}); {self.reason}"
        return "\n".join([text] + [f"  note: {n}" for n in self.notes])

    # -- building the command ---------------------------------------------------------------
    def command(self, folder: Path, filename: str, limits: Limits, fd: int,
                info_fd: Optional[int]) -> list[str]:
        """The argv that starts a worker on ``folder/filename`` with the channel on ``fd``."""
        runtime = runtime_dir()
        if self.mode == "bwrap":
            inner_python = "/nndl/python/" + os.path.relpath(self.python, self.prefix)
            argv = [shutil.which("bwrap") or "bwrap"] + self._bwrap_args(folder, info_fd)
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

    def _bwrap_args(self, folder: Path, info_fd: Optional[int]) -> list[str]:
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
                 "--ro-bind", str(runtime_dir()), "/nndl/engine"]
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


# -- the engine's private folder -----------------------------------------------------------

_runtime: Optional[Path] = None
_runtime_owner = 0


def _engine_root() -> Path:
    global _runtime, _runtime_owner
    if _runtime is None or _runtime_owner != os.getpid() and not _runtime.exists():
        base = Path(tempfile.mkdtemp(prefix="nndl-engine-"))
        os.chmod(base, 0o711)  # nobody may pass through to its own folder, not list
        rt = base / "runtime"
        rt.mkdir(mode=0o755)
        here = Path(__file__).resolve().parent
        for name in ("worker.py", "wire.py"):
            shutil.copyfile(here / name, rt / name)
            os.chmod(rt / name, 0o644)
        os.chmod(rt, 0o755)
        site = rt / "site"  # NumPy alone, for the modes without bubblewrap
        site.mkdir(mode=0o755)
        numpy_site = Path(_numpy_site())
        for name in ("numpy", "numpy.libs"):
            if (numpy_site / name).exists():
                os.symlink(numpy_site / name, site / name)
        work = base / "work"
        work.mkdir()
        os.chmod(work, 0o711)
        _runtime, _runtime_owner = base, os.getpid()
        atexit.register(_cleanup, base, os.getpid())
    return _runtime


def _cleanup(base: Path, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(base, ignore_errors=True)


def runtime_dir() -> Path:
    """The read-only folder holding the worker's code (``worker.py``, ``wire.py``)."""
    return _engine_root() / "runtime"


def prepare_folder(files_dir: Path, sandbox: Sandbox) -> Path:
    """A fresh folder holding copies of the regular files at the top of ``files_dir``.

    Symbolic links and sub-folders are not copied (a link could point at the references);
    at most ``MAX_FILES`` files and ``MAX_BYTES`` bytes. The folder belongs to the worker's
    user, mode 0700.
    """
    folder = Path(tempfile.mkdtemp(prefix="w-", dir=_engine_root() / "work"))
    total = count = 0
    if files_dir is not None and Path(files_dir).is_dir():
        for entry in sorted(os.scandir(files_dir), key=lambda e: e.name):
            if not entry.is_file(follow_symlinks=False) or entry.name.startswith("."):
                continue
            size = entry.stat(follow_symlinks=False).st_size
            count += 1
            total += size
            if count > MAX_FILES or total > MAX_BYTES:
                break
            dest = folder / entry.name
            with open(entry.path, "rb", opener=_nofollow) as src, open(dest, "wb") as dst:
                shutil.copyfileobj(src, dst)
    if sandbox.drops_uid:
        for p in [folder, *folder.iterdir()]:
            os.chown(p, NOBODY, NOBODY)
    os.chmod(folder, 0o700)
    return folder


def _nofollow(path, flags):
    return os.open(path, flags | os.O_NOFOLLOW)


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


# -- detection -----------------------------------------------------------------------------

_cache: dict[str, Sandbox] = {}


def _numpy_site() -> str:
    import numpy

    return str(Path(numpy.__file__).resolve().parent.parent)


def _unreadable_component(path: str) -> Optional[str]:
    """The first component of ``path`` that "other" cannot traverse or read, or None."""
    p = Path(path).resolve()
    for part in [*reversed(p.parents), p]:
        try:
            mode = part.stat().st_mode
        except OSError:
            return str(part)
        need = stat.S_IXOTH | (stat.S_IROTH if part == p else 0)
        if mode & need != need:
            return f"{part} (mode {stat.S_IMODE(mode):o})"
    return None


def exposed_to_other(paths: list[Path]) -> list[str]:
    """Which of ``paths`` a different unprivileged user could read (uid mode's concern)."""
    out = []
    for p in paths:
        if p.exists() and _unreadable_component(str(p)) is None:
            out.append(str(p))
    return out


def get_sandbox(mode: Optional[str] = None) -> Sandbox:
    """The sandbox workers use in this process: ``mode``, else ``$NNDL_SANDBOX``, else the
    best that works here (``bwrap``, then ``uid`` as root, then ``none``). Detected once."""
    requested = mode or os.environ.get("NNDL_SANDBOX") or None
    if requested is not None and requested not in MODES:
        raise SandboxError(f"NNDL_SANDBOX must be one of {', '.join(MODES)}, got {requested!r}")
    key = requested or "auto"
    if key not in _cache:
        sb = _detect(requested)
        _cache[key] = sb
        if requested is None:
            _cache[sb.mode] = sb
        log.info(sb.describe())
    return _cache[key]


def _detect(requested: Optional[str]) -> Sandbox:
    root = os.geteuid() == 0
    prefix = str(Path(sys.base_prefix).resolve())
    python = str(Path(sys.executable).resolve())
    site = _numpy_site()
    base = dict(root=root, python=python, prefix=prefix, site=site)
    why_not_bwrap = ""
    if requested in (None, "bwrap"):
        if shutil.which("bwrap") is None:
            why_not_bwrap = "bwrap is not installed (Debian: apt-get install bubblewrap)"
        elif not python.startswith(prefix + os.sep):
            why_not_bwrap = f"the interpreter {python} is not under its prefix {prefix}"
        else:
            sb = Sandbox(mode="bwrap", reason="bubblewrap works here", **base)
            problem = probe(sb)
            if problem is None:
                return sb
            why_not_bwrap = f"bubblewrap is installed but failed: {problem}"
        if requested == "bwrap":
            raise SandboxError(f"NNDL_SANDBOX=bwrap cannot work here: {why_not_bwrap}")
    if requested in (None, "uid"):
        if not root:
            if requested == "uid":
                raise SandboxError("NNDL_SANDBOX=uid needs the grader to run as root "
                                   "(it drops the worker to uid 65534)")
        else:
            notes = []
            blocked = _unreadable_component(prefix) or _unreadable_component(site)
            if blocked:
                notes.append(f"the Python interpreter and NumPy are not readable by uid {NOBODY}: "
                             f"{blocked}. Student code can import only the modules the worker "
                             f"loads before the privilege drop (NumPy and common standard-library "
                             f"modules).")
            from ..course import CHECKS_ROOT, REPO_ROOT

            exposed = exposed_to_other([CHECKS_ROOT, REPO_ROOT / "solutions"])
            if exposed:
                notes.append(f"readable by uid {NOBODY} (make them mode 700 or install bubblewrap): "
                             + ", ".join(exposed))
            reason = (why_not_bwrap or "forced by NNDL_SANDBOX=uid") if requested is None \
                else "forced by NNDL_SANDBOX=uid"
            sb = Sandbox(mode="uid", reason=reason, preload=bool(blocked), notes=tuple(notes), **base)
            problem = probe(sb)
            if problem is not None:
                raise SandboxError(f"the uid sandbox does not work here: {problem}")
            return sb
    reason = "forced by NNDL_SANDBOX=none" if requested == "none" else \
        f"{why_not_bwrap or 'bubblewrap is not available'}, and the grader is not root"
    sb = Sandbox(mode="none", reason=reason, **base)
    problem = probe(sb)
    if problem is not None:
        raise SandboxError(f"workers cannot start here: {problem}")
    return sb


def probe(sb: Sandbox) -> Optional[str]:
    """Start a worker on a one-line file; None when it runs as expected, else why not."""
    from . import wire

    src = Path(tempfile.mkdtemp(prefix="probe-src-", dir=_engine_root() / "work"))
    (src / "probe.py").write_text("x = 1\n")
    folder = prepare_folder(src, sb)
    proc = None
    try:
        proc = WorkerProcess.start(sb, Limits(timeout=20, memory_mb=512), folder, "probe.py")
        first = proc.receive(20.0)
        if first[0] != "ready":
            return f"the worker did not start: {first[1] if len(first) > 1 else first}"
        second = proc.receive(20.0)
        if second[0] != "imported" or second[1].get("x") != ("value", 1):
            return f"the worker could not import a file: {second}"
        if first[1]["uid"] != (NOBODY if sb.drops_uid or sb.mode == "bwrap" else os.getuid()):
            return f"the worker runs as uid {first[1]['uid']}, expected {NOBODY}"
        proc.send(wire.encode(("bye",), wire.no_handles))
        return None
    except WorkerGone as exc:
        out = proc.output_text().strip() if proc is not None else ""
        return f"{exc}" + (f"; it printed: {out[-500:]}" if out else "")
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        if proc is not None:
            proc.stop()
        remove_folder(src)
        remove_folder(folder)


# -- one worker process --------------------------------------------------------------------


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


def _children(pid: int) -> set[int]:
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


class WorkerProcess:
    """A started worker: its process, the channel and the captured output."""

    def __init__(self, sandbox: Sandbox, limits: Limits, proc: subprocess.Popen, sock: socket.socket,
                 info_r: Optional[int], before: set[int]) -> None:
        self.sandbox, self.limits, self.proc, self.sock = sandbox, limits, proc, sock
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
        if sandbox.mode != "bwrap":
            _become_subreaper()
        before = _children(os.getpid()) if sandbox.mode != "bwrap" else set()
        parent, child = socket.socketpair()
        info_r = info_w = None
        pass_fds = [child.fileno()]
        if sandbox.mode == "bwrap":
            info_r, info_w = os.pipe()
            pass_fds.append(info_w)
        argv = sandbox.command(folder, filename, limits, child.fileno(), info_w)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONHASHSEED": "0", "HOME": str(folder)}
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, pass_fds=pass_fds, env=env,
                                    start_new_session=True, cwd="/")
        finally:
            child.close()
            if info_w is not None:
                os.close(info_w)
        with _active_lock:
            _active.add(proc.pid)
        return cls(sandbox, limits, proc, parent, info_r, before)

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
    def send(self, payload: bytes) -> None:
        from .wire import frame

        try:
            self.sock.sendall(frame(payload))
        except OSError:
            raise self._gone("while sending a request") from None

    def receive(self, timeout: float, during: str = "", limit: Optional[float] = None) -> tuple:
        """The next message, decoded; ``WorkerGone`` on timeout, death or a bad message."""
        from . import wire

        data = self.receive_raw(timeout, during, limit)
        try:
            msg = wire.decode(data, wire.no_handles)
        except wire.WireError as exc:
            self.kill()
            raise WorkerGone(f"the worker sent a message the grader cannot read ({exc})",
                             "protocol") from None
        if not isinstance(msg, tuple) or not msg or not isinstance(msg[0], str):
            self.kill()
            raise WorkerGone("the worker sent a message that is not a reply", "protocol")
        return msg

    def receive_raw(self, timeout: float, during: str = "", limit: Optional[float] = None) -> bytes:
        """The next message's payload; ``WorkerGone`` on timeout or death. ``limit`` is the
        time limit the message names (``timeout`` may be what is left of it)."""
        deadline = time.monotonic() + timeout
        need: Optional[int] = None
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
                return data
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise WorkerGone(f"timed out after {_secs(limit or timeout)} (the wall-clock limit)"
                                 + (f" {during}" if during else ""), "timeout")
            got_data = False
            for fd, _ in self._poll.poll(max(min(left, 0.1), 0.0) * 1000):
                if fd == sock_fd:
                    try:
                        got = self.sock.recv_into(self._chunk)
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
        import select

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
            if name == "SIGKILL":
                return WorkerGone(f"the process was killed (SIGKILL), possibly for running out of memory "
                                  f"(limit {lim.memory_mb} MB)" + suffix, "signal")
            return WorkerGone(f"the process was killed by {name}" + suffix, "signal")
        return WorkerGone(f"the process exited with code {code}" + suffix, "exit")

    # -- the end ----------------------------------------------------------------------------
    def _read_inner_pid(self) -> None:
        if self.info_r is None or self.inner_pid is not None:
            return
        import json

        try:
            os.set_blocking(self.info_r, False)
            data = os.read(self.info_r, 4096)
            self.inner_pid = int(json.loads(data.decode())["child-pid"])
        except (OSError, ValueError, KeyError):
            pass

    def kill(self) -> None:
        """Kill the worker and everything it started."""
        self._read_inner_pid()
        if self.proc.poll() is None:
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
        if self.sandbox.mode != "bwrap":
            self._sweep()

    def _await_namespace(self) -> None:
        if self.inner_pid is None:
            return
        deadline = time.monotonic() + 5.0
        while _alive(self.inner_pid) and time.monotonic() < deadline:
            time.sleep(0.002)
        if _subreaper_pid == os.getpid():  # then the orphaned sandbox init is our child
            try:
                os.waitpid(self.inner_pid, os.WNOHANG)
            except OSError:
                pass

    def _sweep(self) -> None:
        """Kill the processes our worker left behind (re-parented to us, the subreaper)."""
        me = os.getpid()
        for _ in range(200):
            with _active_lock:
                busy = set(_active)
            strays = _children(me) - self.before - busy - {self.proc.pid}
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
        try:
            self.sock.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        self.drain()
        self.kill()
        for fd in (self.info_r,):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self.info_r = None
        try:
            self.proc.stdout.close()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a process that has not yet exited (a zombie has: when the sandbox's
    init is a zombie, the kernel has already killed everything in its PID namespace)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return False
    state = data[data.rfind(b")") + 2:data.rfind(b")") + 3]
    return state not in (b"Z", b"X")


def _secs(x: float) -> str:
    return f"{x:g} s"
