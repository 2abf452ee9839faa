"""Issue 14 on the Gradescope path: the chapter autograder run as Gradescope runs it, with the
project installed the way Otter's ``setup.sh`` installs it: into the interpreter's own prefix
(a conda environment there; here a hard-linked copy of this machine's interpreter prefix, a
non-venv prefix with its own ``site-packages``, which is what matters), in the bwrap and the
uid mode. The grader's package and the prefix's other packages (SciPy, PyYAML, IPython...) sit
in the same ``site-packages`` as NumPy: student code must reach none of them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.packaging.helpers import assert_valid_results, run
from tests.packaging.test_autograder_zip import (autograder_mount, entries, needs_bwrap,  # noqa: F401
                                             needs_engine, needs_root, run_on_gradescope)
from tests.engine.helpers import CORPUS, build_student
from tests.support import CHAPTER, SOLUTIONS


@pytest.fixture(scope="module")
def conda_like_prefix(entries, built, tmp_path_factory) -> Path:  # noqa: F811
    """A copy of this interpreter's prefix (hard links: fast, and nothing of the original is
    written) with the project installed from the zip's wheel into its ``site-packages``."""
    base = Path(sys.base_prefix).resolve()
    if Path(sys.prefix).resolve() != base and not (base / "lib").is_dir():
        pytest.skip(f"{base} is not a prefix this test can copy")
    copy = tmp_path_factory.mktemp("prefix") / "env"
    proc = run(["cp", "-al", str(base), str(copy)])
    if proc.returncode != 0:
        pytest.skip(f"cannot copy {base}: {proc.stderr}")
    purelib = copy / Path(sysconfig.get_paths(vars={"base": str(base)})["purelib"]).relative_to(base)
    whl = copy.parent / built.wheel_name
    whl.write_bytes(entries[f"files/{built.wheel_name}"])
    proc = run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                "--target", str(purelib), str(whl)])
    assert proc.returncode == 0, proc.stderr
    assert (purelib / "autograder" / "checks" / "oracle.py").is_file()
    missing = [m for m in ("numpy", "yaml") if not (purelib / m).exists()]
    for name in missing:  # the grader's own dependencies, as the conda environment has them
        import importlib

        src = Path(importlib.import_module(name).__file__).parent
        shutil.copytree(src, purelib / name, copy_function=os.link)
    python = copy / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import sys, autograder; print(sys.base_prefix, "
                                                "autograder.__file__)"],
                           capture_output=True, text=True, cwd="/")
    assert probe.returncode == 0 and str(copy) in probe.stdout.split()[0], probe.stderr
    return copy


ATTACKS = {"installed_package": 0, "third_party_import": 0}


@needs_bwrap
@needs_root
@needs_engine
@pytest.mark.parametrize("mode", ["bwrap", "uid"])
def test_non_venv_install_keeps_the_grader_out_of_reach(mode, built, conda_like_prefix, tmp_path,
                                                         results_validator, autograder_mount,
                                                         monkeypatch):
    """The reference scores full marks; the attacks of class 1 score 0 on the
    exercise they attack, in each mode, on a non-venv install."""
    ex = CHAPTER.exercise("ex5_4")
    env = {"PATH": f"{conda_like_prefix / 'bin'}:/usr/bin:/bin", "NNDL_SANDBOX": mode,
           "PYTHONPATH": ""}
    results, log = run_on_gradescope(built, None, tmp_path / "reference",
                                     {f: (SOLUTIONS / "ch5" / f).read_bytes()
                                      for e in CHAPTER.exercises for f in e.files
                                      if (SOLUTIONS / "ch5" / f).is_file()}, env=env)
    assert_valid_results(results_validator, results)
    assert results["score"] == CHAPTER.points, results["output"]
    assert f"sandbox mode '{mode}'" in log and str(conda_like_prefix) in log
    for attack, want in ATTACKS.items():
        folder = build_student(CORPUS / attack, tmp_path / "built" / attack)
        files = {p.name: p.read_bytes() for p in folder.iterdir()}
        results, log = run_on_gradescope(built, None, tmp_path / attack, files, env=env)
        got = sum(t["score"] for t in results["tests"] if t["name"].startswith(ex.id + " "))
        assert got == want, (mode, attack, [t["output"] for t in results["tests"]
                                            if t["name"].startswith(ex.id + " ")], log[-2000:])
