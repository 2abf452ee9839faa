"""Grading pays for what it uses: no Otter (its import pulled pandas and nbconvert, about 1 s
per process, issue 9), and no Dask unless a scheduler is given."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support import ROOT

HEAVY = ("otter", "pandas", "nbconvert", "nbformat", "jupyter_client", "distributed", "dask")

SCRIPT = f"""
import json, sys, tempfile
from pathlib import Path
from autograder.cli import main
out = Path(tempfile.mkdtemp()) / "out"
code = main(["grade", {str(ROOT / "examples" / "submissions")!r}, "--out", str(out),
             "--only", "dave"])
from autograder.gradescope import main as gradescope_main  # the Gradescope path's module
heavy = sorted({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
print(json.dumps({{"code": code, "heavy": heavy}}))
"""


def test_grading_a_class_imports_neither_otter_nor_dask():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["code"] == 0
    assert report["heavy"] == []
