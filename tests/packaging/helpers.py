"""Helpers of the build tests: unzipping, schema validation, running commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support import ROOT

SCHEMA = ROOT / "tests" / "fixtures" / "gradescope" / "results.schema.json"
"""Gradescope's results.json specification as a JSON schema (a copy of the team's shared one)."""


def extract(zip_path: Path, dest: Path) -> Path:
    """Unzip keeping the mode bits stored in the archive (as ``unzip`` does)."""
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = zf.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(target, mode)
    return dest


def assert_valid_results(validator, results: dict) -> None:
    """Fail, listing every violation, unless ``results`` follows Gradescope's specification."""
    errors = sorted(validator.iter_errors(results), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def jupyter_kernel_missing() -> str:
    """Why stock Otter cannot run here ("" when it can): it needs a Jupyter python3 kernel."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return "jupyter_client is not installed"
    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return ("stock Otter (otter run / otter check) needs a Jupyter python3 kernel, i.e. "
                "ipykernel (otter-grader's [grading] extra), which this environment lacks")
    return ""


def otter_bin() -> str:
    """The ``otter`` command of this interpreter's environment."""
    candidate = Path(sys.executable).parent / "otter"
    return str(candidate) if candidate.exists() else (shutil.which("otter") or "otter")


def run(cmd, **kw) -> subprocess.CompletedProcess:
    """Run a command, capturing text output."""
    return subprocess.run(cmd, capture_output=True, text=True, **kw)
