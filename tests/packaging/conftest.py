"""One build of the course per test session, shared by the tests of this folder."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from autograder.packaging import BuildOutputs, build
from tests.packaging.helpers import SCHEMA, extract, run

HANDOUT_FOLDER = "nndl-ch5"
"""The handout's top folder."""


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> BuildOutputs:
    """``nndl-grade build`` of chapter 5, into a temporary folder."""
    return build(tmp_path_factory.mktemp("dist"), chapter="ch5")


@pytest.fixture(scope="session")
def results_validator():
    """A jsonschema validator of Gradescope's results.json."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)




@pytest.fixture(scope="session")
def numpy_only_python(tmp_path_factory) -> Path:
    """A fresh virtual environment with NumPy and nothing else (no otter, no yaml, not us)."""
    venv = tmp_path_factory.mktemp("venv") / "numpy-only"
    base = getattr(sys, "_base_executable", None) or sys.executable
    # Without pip of its own (ensurepip takes seconds): this environment's pip installs into it.
    proc = run([base, "-m", "venv", "--without-pip", str(venv)])
    assert proc.returncode == 0, proc.stderr
    python = venv / "bin" / "python"
    proc = run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "numpy"])
    if proc.returncode != 0:
        pytest.skip(f"pip could not install numpy into a fresh venv: {proc.stderr[-500:]}")
    probe = run([str(python), "-c", "import importlib.util as u; print([m for m in "
                 "('numpy', 'otter', 'yaml', 'autograder', 'pip', 'pandas') if u.find_spec(m)])"],
                cwd=str(venv))
    assert probe.stdout.strip() == "['numpy']", probe.stdout + probe.stderr
    return python


@pytest.fixture()
def handout_dir(built, tmp_path) -> Path:
    """A fresh copy of the handout's folder, as a student unzips it."""
    return extract(built.student_zip, tmp_path) / HANDOUT_FOLDER
