"""Which sandbox mode workers use in this process: found once, tried for real, and logged.

``get_sandbox`` takes ``mode``, else ``$NNDL_SANDBOX``, else the best that works here:
``bwrap``, then ``uid`` as root, then ``none``. Each candidate is tried (``probe`` starts a
worker on a one-line file); forcing a mode that cannot work is a ``SandboxError``, not a
silent fallback.

The engine does not know what it protects: the caller passes the paths student code must not
read (``protect``: the checks, the references). The ``uid`` mode relies on file modes, so its
notes name those of the paths that uid 65534 could read (``exposed_to_other``).
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

from . import wire
from .errors import SandboxError, WorkerGone
from .limits import MODES, Limits
from .modes import NOBODY, Sandbox
from .process import WorkerProcess
from .staging import numpy_site, prepare_folder, remove_folder, work_dir

log = logging.getLogger("autograder.engine")

_detected: dict[str, Sandbox] = {}
"""The sandbox found for each requested mode ("auto": the best available), before any note
about ``protect``: the probing happens once per mode and process."""

_cache: dict[tuple[str, frozenset[str]], Sandbox] = {}
"""What ``get_sandbox`` returns, by requested mode and the set of protected paths."""


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
    key = (requested or "auto", protected)
    if key not in _cache:
        sb = _detected.get(key[0])
        if sb is None:
            sb = _detect(requested)
            _detected[key[0]] = sb
            if requested is None:
                _detected[sb.mode] = sb
        if sb.mode == "uid":
            exposed = exposed_to_other(paths)
            if exposed:
                sb = replace(sb, notes=sb.notes + (
                    f"readable by uid {NOBODY} (make them mode 700 or install bubblewrap): "
                    + ", ".join(exposed),))
        _cache[key] = sb
        if requested is None:
            _cache[(sb.mode, protected)] = sb
        log.info(sb.describe())
    return _cache[key]


def _detect(requested: Optional[str]) -> Sandbox:
    root = os.geteuid() == 0
    prefix = str(Path(sys.base_prefix).resolve())
    python = str(Path(sys.executable).resolve())
    site = numpy_site()
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
    src = Path(tempfile.mkdtemp(prefix="probe-src-", dir=work_dir()))
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
