"""``nndl-grade check``: public checks only, passed/failed, and why a check failed."""

from __future__ import annotations

import subprocess
import sys

from autograder.check import format_report
from autograder.cli import check_path, main
from tests.support import ASSIGNMENTS, CHAPTER, SOLUTIONS


def _hidden_names():
    return [c.name for e in CHAPTER.exercises for c in e.checks if c.hidden]


def test_reference_file_passes_its_public_checks(capsys):
    assert main(["check", str(SOLUTIONS / "ch5" / "ex5_4.py")]) == 0
    out = capsys.readouterr().out
    assert "[passed] test_conv_cost_time_book (1/1)" in out
    assert "FAILED" not in out


def test_stub_folder_fails_and_never_names_a_hidden_check(capsys):
    assert main(["check", str(ASSIGNMENTS / "ch5")]) == 1
    out = capsys.readouterr().out
    for exercise in CHAPTER.exercises:
        assert exercise.id in out
    assert "[FAILED]" in out and "[passed]" not in out
    for name in _hidden_names():
        assert name not in out


def test_failure_says_what_was_expected_and_what_came_back(tmp_path):
    (tmp_path / "ex5_4.py").write_text(
        "def conv_cost(m, k, c_in, c_out):\n"
        "    return {'time': m*m*k*k*c_in*c_out, 'space': m*m*c_out, 'params': k*k*c_in*c_out + c_out}\n"
        "def bottleneck_cost(m, k, c_in, c_mid, c_out):\n"
        "    return [1, 2, 3]\n")
    text = format_report(check_path(tmp_path))
    assert ('conv_cost(100, 3, 256, 256)["params"] (kernel weights, no biases): expected 589,824, '
            'got 590,080') in text
    assert "bottleneck_cost(100, 3, 256, 64, 256): expected a dict with keys" in text
    assert "got a list of length 3" in text
    assert "[passed] test_conv_cost_time_book (1/1)" in text  # one quantity per check
    assert "public checks: 1.5/4 points" in text


def test_syntax_error_names_file_and_line(tmp_path):
    (tmp_path / "ex5_4.py").write_text("def conv_cost(m, k, c_in, c_out)\n    return 1\n")
    text = format_report(check_path(tmp_path / "ex5_4.py"))
    assert "SyntaxError in ex5_4.py, line 1" in text
    assert "def conv_cost(m, k, c_in, c_out)" in text


def test_bad_paths_are_rejected_with_a_reason(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 2
    assert "holds none of the exercise files" in capsys.readouterr().err
    other = tmp_path / "homework.py"
    other.write_text("x = 1\n")
    assert main(["check", str(other)]) == 2
    assert "homework.py is not an exercise file of ch5" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "nothing.py")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_python_dash_m_is_the_same_command():
    proc = subprocess.run([sys.executable, "-m", "autograder", "check", str(SOLUTIONS / "ch5" / "ex5_4.py")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "[passed] test_bottleneck_cost_time_book" in proc.stdout


def test_a_module_using_dataclasses_imports_as_it_does_in_the_grader(tmp_path):
    """The local runner registers the student's module in sys.modules, as the worker does:
    dataclasses look the class's module up there (it once failed to import locally only)."""
    (tmp_path / "ex5_4.py").write_text(
        "from __future__ import annotations\n"
        "from dataclasses import dataclass\n\n"
        "@dataclass\n"
        "class Cost:\n"
        "    time: int\n"
        "    space: int\n"
        "    params: int\n\n"
        "def conv_cost(m, k, c_in, c_out):\n"
        "    c = Cost(m*m*k*k*c_in*c_out, m*m*c_out, k*k*c_in*c_out)\n"
        "    return {'time': c.time, 'space': c.space, 'params': c.params}\n\n"
        "def bottleneck_cost(m, k, c_in, c_mid, c_out):\n"
        "    a, b = conv_cost(m, 1, c_in, c_mid), conv_cost(m, k, c_mid, c_out)\n"
        "    return {key: a[key] + b[key] for key in a}\n")
    (report,) = check_path(tmp_path / "ex5_4.py")
    assert report.score == report.possible > 0, format_report([report])
