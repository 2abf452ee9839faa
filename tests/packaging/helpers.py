"""Helpers of the build tests: unzipping, schema validation, running commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support import RESULTS_SCHEMA, ROOT

SCHEMA = RESULTS_SCHEMA
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


def otter_run(zip_path: str, submission: str, out: str) -> tuple[float, float, str]:
    """Stock ``otter run`` of one submission, in this process: (score, possible, log).

    Meant for a process pool whose workers import Otter once (the command line spends about
    two seconds importing it on every run). Otter changes the working directory while it
    grades: never call this from two threads of one process.
    """
    import contextlib
    import io

    from otter.run import main as otter_run_main

    os.makedirs(out, exist_ok=True)
    log = io.StringIO()
    with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        otter_run_main(submission, autograder=zip_path, output_dir=out, no_logo=True)
    results = json.loads(Path(out, "results.json").read_text(encoding="utf-8"))
    scored = [t for t in results["tests"] if "max_score" in t]
    return (sum(t["score"] for t in scored), sum(t["max_score"] for t in scored),
            log.getvalue() + json.dumps(results, indent=1))


def otter_check(folder: str, file: str, question: str) -> str:
    """Stock ``otter check FILE -q QUESTION`` run in ``folder``, in this process: its output.

    For a process pool, like ``otter_run`` (it changes the working directory).
    """
    import contextlib
    import io

    from otter.check import main as otter_check_main

    os.chdir(folder)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        otter_check_main(file, question=question, tests_path="./tests")
    return out.getvalue()
