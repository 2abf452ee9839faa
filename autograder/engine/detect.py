"""Which sandbox mode workers use in this process: found once, tried for real, and logged.

``get_sandbox`` takes ``mode``, else ``$NNDL_SANDBOX``, else the best that works here:
``bwrap``, then ``uid`` as root, then ``none``. Each candidate is tried (``probe`` starts a
worker on a one-line file); forcing a mode that cannot work is a ``SandboxError``, not a
silent fallback.

The engine does not know what it protects: the caller passes the paths student code must not
read (``protect``: the checks, the references, the installed package, the submissions and
results). The ``uid`` mode relies on file modes: it refuses when one of them is readable by
"other" and says which ``chmod`` to run (``exposed_to_other``). In every mode, once per set of
protected paths, a self-test runs inside the real sandbox (``self_test``, running
``self_test_program.py`` as a student file): ``import autograder`` must fail, the protected
paths must be unreadable, the kernel keyring closed, no capability held and the seccomp filter
in force; the grader refuses to grade when it does not hold.

The modes that promise a seccomp filter (``bwrap``, ``uid``) refuse to start without one
(``seccomp.py`` says why there is none).
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Optional

from . import cgroups, seccomp, wire, zygote
from .errors import SandboxError, WorkerGone
from .limits import MODES, Limits
from .modes import NOBODY, Sandbox
from .staging import numpy_site, prepare_folder, remove_folder, runtime_dir, work_dir

log = logging.getLogger("autograder.engine")

_detected: dict[tuple[str, bool], Sandbox] = {}
"""The sandbox found for each requested mode ("auto": the best available) and whether a
zygote is wanted (``zygote.enabled``), before any note about ``protect``: the probing happens
once per mode and process."""

_cache: dict[tuple[str, bool, frozenset[str]], Sandbox] = {}
"""What ``get_sandbox`` returns, by requested mode, zygote wanted and protected paths."""


def get_sandbox(mode: Optional[str] = None, protect: Iterable[Path] = ()) -> Sandbox:
    """The sandbox workers use in this process: ``mode``, else ``$NNDL_SANDBOX``, else the
    best that works here (``bwrap``, then ``uid`` as root, then ``none``). Detected once.

    ``protect`` names the paths student code must not read; in the ``uid`` mode the sandbox's
    notes name those that uid 65534 could read. The same paths, in any order, give the same
    sandbox; other paths only recompute those notes, not the mode."""
    requested = mode or os.environ.get("NNDL_SANDBOX") or None
    if requested is not None and requested not in MODES:
        raise SandboxError(f"NNDL_SANDBOX must be one of {', '.join(MODES)}, got {requested!r}")
    paths = [Path(p) for p in protect]
    protected = frozenset(str(p.resolve()) for p in paths)
    forks = zygote.enabled()
    key = (requested or "auto", forks, protected)
    if key not in _cache:
        sb = _detected.get(key[:2])
        if sb is None:
            sb = _detect(requested)
            _detected[key[:2]] = sb
            if requested is None:
                _detected[(sb.mode, forks)] = sb
        if paths:
            require_private(sb, paths)
        _cache[key] = sb
        if requested is None:
            _cache[(sb.mode, forks, protected)] = sb
        log.info(sb.describe())
    return _cache[key]


def require_private(sb: Sandbox, paths: Iterable[Path]) -> None:
    """Refuse (``SandboxError``) unless student code in ``sb`` can read none of ``paths``: in
    the uid mode, none may be readable by "other"; in every mode, the self-test must pass."""
    paths = [Path(p) for p in paths]
    if sb.mode == "none":  # no sandbox: it protects nothing, and says so
        log.warning("sandbox none: student code runs as the grader's own user and can read "
                    "everything it can (development only)")
        return
    if sb.mode == "uid":
        exposed = exposed_to_other(paths)
        if exposed:
            raise SandboxError(
                "refusing to grade in the uid sandbox: student code (another user) could read "
                + ", ".join(exposed) + ". Close them to other users, then grade again:\n"
                + "\n".join(f"    chmod o-rwx {p}" for p in exposed)
                + "\n(or install bubblewrap: apt-get install bubblewrap)")
    problems = self_test(sb, paths)
    if problems:
        raise SandboxError("refusing to grade: the sandbox's self-test failed (" + sb.mode
                           + " mode): " + "; ".join(problems)
                           + ". Nothing was graded. Close the paths named to other users "
                             "(chmod o-rwx PATH), or install bubblewrap and python3-seccomp.")


def _masked_dirs(prefix: str) -> tuple[str, ...]:
    """The Python package folders (``site-packages``, ``dist-packages``) under the library
    folders the bwrap view binds: the prefix's ``lib/`` and the system's."""
    found = []
    for lib in (os.path.join(prefix, "lib"), "/usr/lib", "/usr/lib64", "/usr/lib32"):
        try:
            entries = os.listdir(lib)
        except OSError:
            continue
        for name in entries:
            if not name.startswith("python"):
                continue
            for sub in ("site-packages", "dist-packages"):
                path = os.path.join(lib, name, sub)
                if os.path.isdir(path) and not os.path.islink(path):
                    found.append(path)
    return tuple(sorted(set(found)))


def _detect(requested: Optional[str]) -> Sandbox:
    root = os.geteuid() == 0
    prefix = str(Path(sys.base_prefix).resolve())
    python = str(Path(sys.executable).resolve())
    site = numpy_site()
    program = seccomp.build()
    plan = cgroups.probe()
    limits_note = plan.describe() + ("" if plan.memory else
                                     "; a lower process limit bounds the tree's memory instead")
    base = dict(root=root, python=python, prefix=prefix, site=site, seccomp=program,
                limits_note=limits_note)
    no_filter = f"no seccomp filter: {seccomp.why_not()}" if program is None else ""
    why_not_bwrap = ""
    if requested in (None, "bwrap"):
        if shutil.which("bwrap") is None:
            why_not_bwrap = "bwrap is not installed (Debian: apt-get install bubblewrap)"
        elif no_filter:
            why_not_bwrap = no_filter
        elif not python.startswith(prefix + os.sep):
            why_not_bwrap = f"the interpreter {python} is not under its prefix {prefix}"
        elif not os.path.isdir(os.path.join(prefix, "lib")):
            why_not_bwrap = f"the interpreter's prefix {prefix} has no lib/ folder"
        else:
            sb = Sandbox(mode="bwrap", reason="bubblewrap works here", masked=_masked_dirs(prefix),
                         **base)
            sb, problem = _probe_forked(sb)
            if problem is None:
                return sb
            why_not_bwrap = f"bubblewrap is installed but failed: {problem}"
        if requested == "bwrap":
            raise SandboxError(f"NNDL_SANDBOX=bwrap cannot work here: {why_not_bwrap}")
    if requested in (None, "uid"):
        if not root:
            if requested == "uid":
                raise SandboxError("NNDL_SANDBOX=uid needs the grader to run as root "
                                   "(it drops each worker to a uid of its own)")
        elif no_filter:
            if requested == "uid":
                raise SandboxError(f"NNDL_SANDBOX=uid cannot work here: {no_filter}")
            raise SandboxError(f"no sandbox can work here as root: bubblewrap: {why_not_bwrap}; "
                               f"uid: {no_filter}")
        else:
            notes = []
            blocked = _unreadable_component(prefix) or _unreadable_component(site)
            if blocked:
                notes.append(f"the Python interpreter and NumPy are not readable by uid {NOBODY}: "
                             f"{blocked}. Student code can import only the modules the worker "
                             f"loads before the privilege drop (NumPy and common standard-library "
                             f"modules).")
            reason = (why_not_bwrap or "forced by NNDL_SANDBOX=uid") if requested is None \
                else "forced by NNDL_SANDBOX=uid"
            filter_file = seccomp.filter_file(str(runtime_dir()))
            masked = tuple(sorted(set(_masked_dirs(prefix)) | {
                str(Path(p).resolve()) for p in sys.path
                if os.path.basename(p) in ("site-packages", "dist-packages") and os.path.isdir(p)}))
            sb = Sandbox(mode="uid", reason=reason, preload=bool(blocked), notes=tuple(notes),
                         filter_file=filter_file or "", private=True, masked=masked, **base)
            tried, problem = _probe_forked(sb)
            if problem is None:
                return tried
            if problem is not None:  # perhaps no mount namespace here: without a private one
                private_problem = problem
                sb = replace(sb, private=False, notes=sb.notes + (
                    f"no private mount namespace for workers ({private_problem}): /tmp, /var/tmp "
                    f"and /dev/shm are shared (each worker's files there are deleted after it), "
                    f"/proc lists every process, the working folder is on disk, and Python "
                    f"packages readable by other users are importable",))
                sb, problem = _probe_forked(sb)
            if problem is not None:
                raise SandboxError(f"the uid sandbox does not work here: {problem}")
            return sb
    reason = "forced by NNDL_SANDBOX=none" if requested == "none" else \
        f"{why_not_bwrap or 'bubblewrap is not available'}, and the grader is not root"
    sb = Sandbox(mode="none", reason=reason, filter_file=seccomp.filter_file(str(runtime_dir())) or "",
                 **base)
    problem = probe(sb)
    if problem is not None:
        raise SandboxError(f"workers cannot start here: {problem}")
    return sb


def _probe_forked(sb: Sandbox) -> tuple[Sandbox, Optional[str]]:
    """``probe`` with workers forked from a zygote where that is possible (root, and
    ``NNDL_ZYGOTE`` not off); when forking fails, with workers started one by one and a note
    saying why. The sandbox to use, and None or why it does not work."""
    if not (sb.drops_uid and zygote.enabled()):
        return sb, probe(sb)
    forked = replace(sb, zygote=True)
    problem = probe(forked)
    if problem is None:
        return forked, None
    log.warning("workers cannot be forked from a zygote here (%s); each is started from nothing",
                problem)
    return replace(sb, notes=sb.notes + (f"each worker is started from nothing: the zygote "
                                         f"failed ({problem})",)), probe(sb)


def probe(sb: Sandbox) -> Optional[str]:
    """Start a worker on a one-line file; None when it runs as expected, else why not."""
    src = Path(tempfile.mkdtemp(prefix="probe-src-", dir=work_dir()))
    (src / "probe.py").write_text("x = 1\n")
    folder = prepare_folder(src, sb)
    proc = None
    try:
        proc = zygote.start_worker(sb, Limits(timeout=20, memory_mb=512), folder, "probe.py")
        first = proc.receive(20.0)
        if first[0] != "ready":
            return f"the worker did not start: {first[1] if len(first) > 1 else first}"
        second = proc.receive(20.0, last=True)
        if second[0] != "imported" or second[1].get("x") != ("value", 1):
            return f"the worker could not import a file: {second}"
        uid = first[1]["uid"]
        if sb.drops_uid and not (uid >= 1000 and uid != os.getuid()) or \
                not sb.drops_uid and uid != (NOBODY if sb.mode == "bwrap" else os.getuid()):
            return f"the worker runs as uid {uid}, not a uid of its own"
        if sb.seccomp is not None and first[1].get("seccomp") != 2:
            return "the worker runs without the seccomp filter"
        proc.send(wire.encode(("bye",), wire.no_handles))
        return None
    except WorkerGone as exc:
        out = proc.output_text().strip() if proc is not None else ""
        return f"{exc}" + (f"; it printed: {out[-500:]}" if out else "")
    except SandboxError as exc:
        return str(exc)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        if proc is not None:
            proc.stop()
        remove_folder(src)
        remove_folder(folder)


SELF_TEST_PROGRAM = Path(__file__).with_name("self_test_program.py")
"""The student file the self-test runs (``self_test_program.py``), before its two inputs."""


def self_test_source(paths: list[str], search: list[str]) -> str:
    """The self-test program with the protected ``paths`` and the ``search`` folders filled in."""
    source = SELF_TEST_PROGRAM.read_text(encoding="utf-8")
    for name, value in (("PATHS", paths), ("SEARCH", search)):
        line = f"\n{name} = None\n"
        if source.count(line) != 1:
            raise SandboxError(f"{SELF_TEST_PROGRAM} must set {name} = None on exactly one line")
        source = source.replace(line, f"\n{name} = {value!r}\n")
    return source


_self_tested: dict[tuple, list[str]] = {}


def self_test(sb: Sandbox, protect: Iterable[Path]) -> list[str]:
    """Run a student file inside the real sandbox that tries what the sandbox must forbid;
    what it managed, in words (empty when the sandbox holds). Once per sandbox and paths."""
    paths = sorted(str(Path(p).resolve()) for p in protect)
    key = (sb.mode, sb.private, tuple(paths))
    if key in _self_tested:
        return _self_tested[key]
    search = sorted({p for p in sys.path if p} | set(sb.masked) | {os.path.dirname(p) for p in paths})
    src = Path(tempfile.mkdtemp(prefix="self-test-src-", dir=work_dir()))
    (src / "self_test.py").write_text(self_test_source(paths, search))
    folder = prepare_folder(src, sb)
    proc = None
    problems: list[str] = []
    try:
        proc = zygote.start_worker(sb, Limits(timeout=20, memory_mb=512), folder, "self_test.py")
        ready = proc.receive(20.0)
        if ready[0] != "ready":
            return [f"the self-test's worker did not start: {ready}"]
        reply = proc.receive(20.0, last=True)
        if reply[0] != "imported":
            return [f"the self-test did not run: {reply}"]
        names = reply[1]
        readable = names.get("READABLE", ("value", []))[1]
        imported = names.get("IMPORTED", ("value", None))[1]
        keyring = names.get("KEYRING", ("value", None))[1]
        if imported:
            problems.append(f"student code can import the grader's package (autograder, at {imported})")
        if readable:
            problems.append("student code can read " + ", ".join(readable))
        if sb.seccomp is not None and keyring == 0:
            problems.append("student code can use the kernel keyring (the seccomp filter is not in force)")
        capabilities = names.get("CAPABILITIES", ("value", None))[1]
        if capabilities and any(int(c, 16) for c in capabilities):
            problems.append(f"student code holds capabilities ({', '.join(capabilities)})")
        if sb.seccomp is not None and ready[1].get("seccomp") != 2:
            problems.append("the worker runs without the seccomp filter")
        proc.send(wire.encode(("bye",), wire.no_handles), 5.0)
    except WorkerGone as exc:
        problems.append(f"the self-test's worker failed: {exc}")
    finally:
        if proc is not None:
            proc.stop()
        remove_folder(src)
        remove_folder(folder)
    _self_tested[key] = problems
    return problems


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


def exposed_to_other(paths: Iterable[Path]) -> list[str]:
    """Which of ``paths`` a different unprivileged user could read (uid mode's concern)."""
    out = []
    for p in paths:
        if p.exists() and _unreadable_component(str(p)) is None:
            out.append(str(p))
    return out
