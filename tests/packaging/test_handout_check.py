"""The handout's ``check.py`` as a student uses it, in a fresh environment with NumPy alone:
exercise ids, a looping stub stopped and named, a closed pipe, IPython's ``%run``, the same
output as ``nndl-grade check``, and ``--zip``, whose zip the real grader scores."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from autograder.grading import GradingContext, grade_upload
from autograder.intake import chapter_files
from tests.packaging.helpers import run
from tests.support import CHAPTER, ROOT, SOLUTIONS

VENV_BIN = Path(sys.executable).parent


def _env() -> dict:
    env = dict(os.environ)
    env.pop("COLUMNS", None)  # both commands wrap to the same width: no terminal, 100 columns
    return env


def test_a_looping_stub_is_stopped_locally_and_named(numpy_only_python, handout_dir):
    path = handout_dir / "ex5_4.py"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'raise NotImplementedError("conv_cost: fill in this TODO block")',
        "while True:\n        pass"), encoding="utf-8")
    proc = run([str(numpy_only_python), "check.py", "ex5_4", "--timeout", "1"],
               cwd=str(handout_dir), timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = " ".join(proc.stdout.split())
    assert "[FAILED] test_conv_cost_time_book (0/1) timed out after 1 s" in out
    assert "while running conv_cost(100, 3, 256, 256)" in out


def test_nndl_grade_check_and_check_py_print_the_same(numpy_only_python, handout_dir):
    shutil.copy(SOLUTIONS / "ch5" / "ex5_4.py", handout_dir / "ex5_4.py")
    shutil.copy(ROOT / "examples" / "submissions" / "bob" / "ex5_2.py", handout_dir / "ex5_2.py")
    (handout_dir / "ex5_3.py").write_text("import numpy as np\ndef conv1x1(x, w, b=None)\n")
    script = run([str(numpy_only_python), "check.py"], cwd=str(handout_dir), env=_env())
    command = run([str(VENV_BIN / "nndl-grade"), "check", "."], cwd=str(handout_dir), env=_env())
    assert script.returncode == command.returncode == 1, script.stderr + command.stderr
    assert script.stdout == command.stdout
    assert "[passed] test_conv_cost_time_book" in script.stdout and "[FAILED] test_rot180" in script.stdout
    assert script.stdout.count("SyntaxError in ex5_3.py, line 2") == 1


def test_a_closed_pipe_ends_the_check_quietly(numpy_only_python, handout_dir):
    """``python check.py | head -1``: the reader leaves while the check still prints."""
    stub = handout_dir / "ex5_3.py"
    stub.write_text("import time\ntime.sleep(1)\n" + stub.read_text(encoding="utf-8"),
                    encoding="utf-8")
    proc = subprocess.Popen([str(numpy_only_python), "check.py"], cwd=str(handout_dir),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # as head does after its line; ex5_3.py is still sleeping
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert first.startswith(b"ex5_2.py")
    assert err == "", err


def test_ipython_runs_check_py_without_a_traceback(handout_dir):
    ipython = VENV_BIN / "ipython"
    proc = run([str(ipython), "--no-banner", "--colors=NoColor", "-c", "%run check.py ex5_4"],
               cwd=str(handout_dir), timeout=120)
    out = proc.stdout + proc.stderr
    assert "[ TODO ] test_conv_cost_time_book (0/1): conv_cost (line " in out
    assert "SystemExit" not in out and "Traceback" not in out, out
    proc = run([sys.executable, "-c", "import check; print('status', check.main(['ex5_4']))"],
               cwd=str(handout_dir), timeout=120)
    assert proc.stdout.rstrip().endswith("status 1"), proc.stdout + proc.stderr


def test_zip_collects_the_references_and_the_grader_gives_full_marks(numpy_only_python,
                                                                    handout_dir, tmp_path):
    for name in chapter_files(CHAPTER):
        shutil.copy(SOLUTIONS / "ch5" / name, handout_dir / name)
    (handout_dir / ".OTTER_LOG").write_bytes(b"otter's log")  # never submitted
    proc = run([str(numpy_only_python), "check.py", "--zip"], cwd=str(handout_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "missing" not in proc.stdout and "warning" not in proc.stdout
    with zipfile.ZipFile(handout_dir / "submission.zip") as zf:
        assert sorted(zf.namelist()) == sorted(chapter_files(CHAPTER))
    result = grade_upload(handout_dir / "submission.zip", student="s",
                          context=GradingContext.resolve("ch5"))
    assert result.possible > 0 and result.score == result.possible
    assert result.upload == []  # nothing "not used", nothing "appears 2 times"


def test_zip_says_what_is_missing_and_what_is_untouched(numpy_only_python, handout_dir):
    for name in ("ex5_7.py", "ex5_7.md", "ex5_numpy_cnn.py"):
        (handout_dir / name).unlink()
    shutil.copy(SOLUTIONS / "ch5" / "ex5_2.py", handout_dir / "ex5_2.py")
    proc = run([str(numpy_only_python), "check.py", "--zip"], cwd=str(handout_dir))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = " ".join(proc.stdout.split())
    assert "missing / 缺少: ex5_7.py, ex5_7.md (an exercise whose file is missing scores 0" in out
    assert "not included, optional exercises / 未包含的选做题文件: ex5_numpy_cnn.py" in out
    untouched = out.split("still as handed out / 与发下时相同(尚未作答): ")[1].split(" upload")[0]
    assert "ex5_2.md" in untouched and "ex5_2.py" not in untouched
    with zipfile.ZipFile(handout_dir / "submission.zip") as zf:
        assert "ex5_7.py" not in zf.namelist() and "ex5_2.py" in zf.namelist()
