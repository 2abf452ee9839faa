"""The engine's private folder on disk, and each worker's copy of the submission.

On first use a process makes ``nndl-engine-XXXX/`` (mode 0711) in the temporary folder and
removes it at exit:

``runtime/``
    ``worker.py``, ``wire.py``, ``plain.py``, ``confine.py``, ``describe.py`` and
    ``forkserver.py`` copied from this package,
    ``site/`` with links to NumPy alone: all the worker may import besides the standard
    library (read-only, mode 0755), ``empty/``, the empty folder bubblewrap hides Python
    package folders behind, and ``filter.bpf``, the seccomp program for workers that load it
    themselves.
``work/``
    One fresh folder per worker (``prepare_folder``), holding copies of the submission's
    regular files, read-only (mode 0444, the grader's); in the uid mode the folder is the
    worker's uid's (``process.py``), mode 0700. Removed when the worker ends.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    from .modes import Sandbox

MAX_FILES = 200
"""Most files of one submission copied into a worker's folder."""

MAX_BYTES = 50 * 2**20
"""Most bytes of one submission copied into a worker's folder."""

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
        for name in ("worker.py", "wire.py", "plain.py", "confine.py", "describe.py",
                     "forkserver.py"):
            shutil.copyfile(here / name, rt / name)
            os.chmod(rt / name, 0o644)
        os.chmod(rt, 0o755)
        site = rt / "site"  # NumPy alone, for the modes without bubblewrap
        site.mkdir(mode=0o755)
        numpy_dir = Path(numpy_site())
        for name in ("numpy", "numpy.libs"):
            if (numpy_dir / name).exists():
                os.symlink(numpy_dir / name, site / name)
        (rt / "empty").mkdir(mode=0o555)
        os.chmod(rt / "empty", 0o555)
        work = base / "work"
        work.mkdir()
        os.chmod(work, 0o711)
        _runtime, _runtime_owner = base, os.getpid()
        atexit.register(_cleanup, base, os.getpid())
    return _runtime


def _cleanup(base: Path, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(base, ignore_errors=True)


def numpy_site() -> str:
    """The folder NumPy is installed in (its ``site-packages``)."""
    import numpy

    return str(Path(numpy.__file__).resolve().parent.parent)


def runtime_dir() -> Path:
    """The read-only folder holding the worker's code (``worker.py``, ``wire.py``, ``plain.py``)."""
    return _engine_root() / "runtime"


def work_dir() -> Path:
    """The folder (mode 0711) in which each worker's own folder is made."""
    return _engine_root() / "work"


def prepare_folder(files_dir: Optional[Path], sandbox: Sandbox) -> Path:
    """A fresh folder holding copies of the regular files at the top of ``files_dir``.

    Symbolic links and sub-folders are not copied (a link could point at the references);
    at most ``MAX_FILES`` files and ``MAX_BYTES`` bytes. The files are read-only (0444); the
    folder is 0711 until the worker's start gives it to the worker's uid (uid mode).
    """
    folder = Path(tempfile.mkdtemp(prefix="w-", dir=work_dir()))
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
            os.chmod(dest, 0o444)
    os.chmod(folder, 0o700 if not sandbox.drops_uid else 0o711)
    return folder


def _nofollow(path, flags):
    return os.open(path, flags | os.O_NOFOLLOW)


def remove_folder(folder: Path) -> None:
    """Remove a worker's folder and everything in it (errors are ignored)."""
    shutil.rmtree(folder, ignore_errors=True)
