"""Writing files atomically: the one place the grader writes a file a reader may open while it
is being written (results, feedback, grades, zips).

A file is written next to its destination under a temporary name, flushed to disk, then moved
over the destination in one step, so a reader sees the old file or the new one, never half.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Union


def write_atomic(path: Path, data: Union[str, bytes], *, mode: int = 0o644) -> Path:
    """Write ``data`` (text as UTF-8, or bytes) to ``path`` atomically, with permissions
    ``mode``; the parent folder must exist. Returns ``path``."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def write_if_changed(path: Path, data: Union[str, bytes], *, mode: int = 0o644) -> bool:
    """``write_atomic`` unless ``path`` already holds exactly ``data``; True if it wrote.
    Renderings redone on every run (the report, each student's feedback) keep their dates."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path = Path(path)
    try:
        if path.is_file() and not path.is_symlink() and path.read_bytes() == raw:
            return False
    except OSError:
        pass
    write_atomic(path, raw, mode=mode)
    return True
