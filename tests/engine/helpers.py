"""Helpers for the engine's tests: building submissions, finding processes left behind."""

from __future__ import annotations

import os
import shutil
import time
import zipfile
from pathlib import Path

import pytest

from autograder.engine import NOBODY, Limits

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions" / "ch5"
CORPUS = Path(__file__).resolve().parent / "corpus"

SMALL = Limits(timeout=3.0, memory_mb=300)
"""Small limits, so that the timeout and memory tests stay fast."""


def modes_available() -> list[str]:
    """The sandbox modes that can run here (bwrap needs bubblewrap; uid needs root)."""
    modes = []
    if shutil.which("bwrap"):
        modes.append("bwrap")
    if os.geteuid() == 0:
        modes.append("uid")
    modes.append("none")
    return modes


def mode_param(mode: str):
    marks = []
    if mode == "bwrap" and not shutil.which("bwrap"):
        marks.append(pytest.mark.skip(reason="bubblewrap is not installed"))
    if mode == "uid" and os.geteuid() != 0:
        marks.append(pytest.mark.skip(reason="the uid sandbox needs root"))
    return pytest.param(mode, id=mode, marks=marks)


ALL_MODES = [mode_param(m) for m in ("bwrap", "uid", "none")]


def build_student(src: Path, dest: Path, out: Path | None = None, token: str = "nndl-escapee") -> Path:
    """Copy a corpus folder: ``<id>.overlay.py`` is appended to the reference of ``<id>``,
    ``@OUT@`` becomes ``out`` and ``@TOKEN@`` becomes ``token`` (a process name)."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in sorted(src.iterdir()):
        if f.name.endswith(".overlay.py"):
            exercise = f.name[: -len(".overlay.py")]
            text = (SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8") \
                + "\n\n# ---- overlay ----\n" + f.read_text(encoding="utf-8")
            name = f"{exercise}.py"
        else:
            text, name = f.read_text(encoding="utf-8"), f.name
        if out is not None:
            text = text.replace("@OUT@", str(out))
        text = text.replace("@TOKEN@", token)
        (dest / name).write_text(text, encoding="utf-8")
    return dest


def write_file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def processes_of(uid: int) -> list[int]:
    """Live processes whose real uid is ``uid``."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as fh:
                status = fh.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "").strip().startswith(("Z", "X")):
            continue
        if int(fields.get("Uid", "-1").split()[0]) == uid:
            found.append(int(entry.name))
    return found


def new_token() -> str:
    """A process name (at most 15 characters) no other process has."""
    import secrets

    return "esc-" + secrets.token_hex(5)


def processes_named(name: str) -> list[int]:
    """Live processes whose name (``/proc/<pid>/comm``) is ``name``."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/comm") as fh:
                comm = fh.read().strip()
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        if comm == name and data[data.rfind(b")") + 2:][:1] not in (b"Z", b"X"):
            found.append(int(entry.name))
    return found


def live_children() -> list[int]:
    """This process's children that have not exited, but for the engine's zygotes (one per
    sandbox mode, started once and kept for the process's life: they run no student code)."""
    from autograder.engine import slots, zygote

    found = []
    for pid in sorted(slots.children_of(os.getpid()) - zygote.pids()):
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        if data[data.rfind(b")") + 2:].split()[0] not in (b"Z", b"X"):
            found.append(pid)
    return found


def wait_for(condition, timeout: float = 3.0) -> bool:
    """Poll ``condition()`` until it holds or ``timeout`` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def wait_until_gone(pids_fn, timeout: float = 3.0) -> list[int]:
    deadline = time.monotonic() + timeout
    left = pids_fn()
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = pids_fn()
    return left


__all__ = ["ALL_MODES", "CORPUS", "NOBODY", "SMALL", "SOLUTIONS", "build_student", "live_children",
           "make_zip", "modes_available", "new_token", "processes_named", "processes_of", "wait_for", "wait_until_gone", "write_file"]
