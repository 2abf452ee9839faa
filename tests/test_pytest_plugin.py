"""``pytest --against DIR autograder/checks``: the graded checks as pytest tests, run through
the engine's proxies in this process."""

from __future__ import annotations

import shutil
import subprocess
import sys

from tests.support import ASSIGNMENTS, CHAPTER, ROOT, SOLUTIONS

CASES = sum(len(e.checks) for e in CHAPTER.exercises)


def _pytest(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-o", "addopts=", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def test_every_check_passes_on_the_references_and_fails_on_the_stubs():
    ok = _pytest("--against", str(SOLUTIONS), "autograder/checks")
    assert ok.returncode == 0, ok.stdout[-2000:]
    assert f"{CASES} passed" in ok.stdout
    bad = _pytest("--against", str(ASSIGNMENTS), "autograder/checks")
    assert bad.returncode == 1
    assert f"{CASES} failed" in bad.stdout
    assert "NotImplementedError" in bad.stdout and "TODO block" in bad.stdout


def test_a_wrong_file_fails_with_the_students_message_and_markers_select(tmp_path):
    exercise = CHAPTER.exercise("ex5_4")
    folder = tmp_path / "impl"
    folder.mkdir()
    shutil.copy(SOLUTIONS / "ch5" / exercise.code, folder / exercise.code)
    with open(folder / exercise.code, "a", encoding="utf-8") as fh:
        fh.write("\n\ndef bottleneck_cost(m, k, c_in, c_mid, c_out):\n    return {'time': 1, "
                 "'space': 2, 'params': 3}\n")
    out = _pytest("--against", str(folder), "-m", "public",
                  str(ROOT / "autograder" / "checks" / "ch5" / "ex5_4.py"))
    public = [c for c in exercise.checks if not c.hidden]
    assert "3 failed, 3 passed" in out.stdout, out.stdout[-2000:]  # time, space, params apart
    assert f"{len(exercise.checks) - len(public)} deselected" in out.stdout
    assert ('bottleneck_cost(100, 3, 256, 64, 256)["time"] (multiplications): expected '
            '1,638,400,000, got 1') in out.stdout
    missing = _pytest("--against", str(tmp_path / "nowhere"),
                      str(ROOT / "autograder" / "checks" / "ch5" / "ex5_4.py"))
    assert f"{len(exercise.checks)} failed" in missing.stdout
    assert "ex5_4.py was not found" in missing.stdout


def test_without_against_the_plugin_collects_nothing_from_the_checks():
    out = _pytest("--collect-only", "autograder/checks/ch5")
    assert "no tests collected" in out.stdout, out.stdout[-1000:]
