"""Whether stock ``otter run`` can run here, for the benchmarks that measure it."""

from __future__ import annotations

import sys
from pathlib import Path


def otter_missing() -> str:
    """Why stock ``otter run`` cannot run here ("" when it can): it executes the submission in
    a Jupyter ``python3`` kernel (ipykernel, otter-grader's [grading] extra) and is the
    ``otter`` command next to this interpreter."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return "jupyter_client is not installed"
    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return ("no Jupyter python3 kernel: stock `otter run` executes the submission in a "
                "Jupyter kernel, and ipykernel (otter-grader's [grading] extra) is not installed "
                "in this venv")
    otter = Path(sys.executable).parent / "otter"
    if not otter.is_file():
        return f"no otter command next to {sys.executable}"
    return ""
