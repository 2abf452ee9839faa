"""Zips written reproducibly (sorted entries, fixed timestamps) and atomically, and read back."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Iterable

from ..files import write_atomic
from .base import ZIP_DATE


def _zip_info(name: str, executable: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o755 if executable else 0o644) | 0o100000) << 16
    return info


def write_zip(path: Path, entries: dict[str, bytes], executable: Iterable[str] = ()) -> Path:
    """Write ``entries`` (archive name -> bytes) to ``path``, sorted, with fixed timestamps."""
    executable = set(executable)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(entries):
            zf.writestr(_zip_info(name, name in executable), entries[name])
    return write_atomic(path, buf.getvalue())


def read_zip(path: Path) -> dict[str, bytes]:
    """Every file entry of a zip, by archive name."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
