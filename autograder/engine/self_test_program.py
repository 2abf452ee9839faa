"""The sandbox's self-test, as the student file it is: ``detect.self_test`` copies this source
into a worker's folder with ``PATHS`` and ``SEARCH`` filled in, and reads back the four names it
sets (``READABLE``, ``IMPORTED``, ``KEYRING``, ``CAPABILITIES``). The grader never imports it.

It runs inside the real sandbox under ``python -I -S``: the standard library only, Python 3.9.
Imported anywhere else (a linter, a test), ``PATHS`` is None and it tries nothing.
"""

import importlib
import os
import sys

PATHS = None
"""The protected paths student code must not read (``detect.self_test`` fills this line in)."""

SEARCH = None
"""Folders to put on ``sys.path`` before trying ``import autograder`` (filled in likewise)."""

GRADER = "autograder"
"""The grader's package, which student code must not be able to import (a name here, not an
import of this module: the engine imports nothing above it)."""

LIBRARY_TOPS = ("/nndl/python/lib", "/usr/lib", "/usr/local/lib")
"""Library folders whose ``site-packages``/``dist-packages`` are searched too."""


def readable(path):
    """Whether this process can list the folder or read a byte of the file at ``path``."""
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as fh:
                fh.read(1)
        return True
    except OSError:
        return False


def import_grader(search):
    """Where importing ``GRADER`` found the grader's package with ``search`` and every package
    folder of ``LIBRARY_TOPS`` on the path, or None when it cannot be imported."""
    extra = [p for p in search if os.path.isdir(p)]
    for top in LIBRARY_TOPS:
        try:
            names = os.listdir(top)
        except OSError:
            continue
        for name in names:
            for sub in ("site-packages", "dist-packages"):
                d = os.path.join(top, name, sub)
                if os.path.isdir(d):
                    extra.append(d)
    sys.path[:0] = extra
    try:
        grader = importlib.import_module(GRADER)
        where = getattr(grader, "__file__", None)
        return str(where or list(getattr(grader, "__path__", [])))
    except Exception:
        return None
    finally:
        del sys.path[:len(extra)]


def keyring():
    """0 when adding a key to the session keyring succeeds (the filter is not in force), the
    errno when it fails, None where it cannot be tried."""
    try:
        import ctypes
        import platform
        nr = {"x86_64": 248, "aarch64": 217}.get(platform.machine())
        if nr is None:
            return None
        libc = ctypes.CDLL(None, use_errno=True)
        key = libc.syscall(nr, b"user", b"nndl-self-test", b"x", 1, -3)
        return ctypes.get_errno() if key < 0 else 0
    except Exception:
        return None


def capabilities():
    """The permitted and effective capability masks of this process (hex), None if unknown."""
    try:
        with open("/proc/self/status") as fh:
            return [line.split()[1] for line in fh if line.startswith(("CapPrm:", "CapEff:"))]
    except Exception:
        return None


if PATHS is not None:
    READABLE = [p for p in PATHS if readable(p)]
    IMPORTED = import_grader(SEARCH)
    KEYRING = keyring()
    CAPABILITIES = capabilities()
