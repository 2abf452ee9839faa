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
    assert "[ TODO ]" in out and "[passed]" not in out
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


# ----------------------------------------------------------------- the report, as the checks run

import io  # noqa: E402
import shutil  # noqa: E402

from autograder.check import check_files, files_to_check  # noqa: E402
from autograder.check import main as check_main  # noqa: E402
from autograder.cli import _targets  # noqa: E402
from autograder.console import Printer, display_width, report_text, wrap  # noqa: E402

EX5_4_REF = (SOLUTIONS / "ch5" / "ex5_4.py").read_text(encoding="utf-8")


def _run(argv, base, live=False) -> tuple[int, str, str]:
    _, targets, pristine = _targets("ch5")
    out, err = io.StringIO(), io.StringIO()
    status = check_main(argv, targets, base=base, chapter="ch5", pristine=pristine, out=out,
                        err=err, live=live)
    return status, out.getvalue(), err.getvalue()


class _Recording(Printer):
    """A printer that notes how much it had printed when each case started."""

    def __init__(self, out):
        super().__init__(out, live=False, width=100)
        self.printed_at_start: list[str] = []

    def case(self, case):
        self.printed_at_start.append(self.out.getvalue())
        super().case(case)


def test_each_check_is_printed_when_it_ends_not_after_the_exercise(tmp_path):
    (tmp_path / "ex5_4.py").write_text(EX5_4_REF, encoding="utf-8")
    _, targets, _ = _targets("ch5")
    out = io.StringIO()
    printer = _Recording(out)
    reports = check_files(files_to_check(tmp_path, targets, "ch5"), listener=printer)
    first, second = printer.printed_at_start[:2]
    assert first.startswith("ex5_4.py — ") and "test_conv_cost_time_book" not in first
    assert "[passed] test_conv_cost_time_book (1/1)" in second  # printed before the next one ran
    assert "test_conv_cost_space_book" not in second
    printer.total(reports)
    assert out.getvalue() == report_text(reports) + "\n"  # the same words as the report after


def test_the_running_check_shows_on_a_live_line_that_its_result_replaces(tmp_path):
    (tmp_path / "ex5_4.py").write_text(EX5_4_REF, encoding="utf-8")
    status, out, _ = _run(["ex5_4"], tmp_path, live=True)
    assert status == 0
    assert "  [ .... ] test_conv_cost_time_book (1) running" in out
    shown = out[out.index("[ .... ] test_conv_cost_time_book"):]
    assert shown.index("\r") < shown.index("[passed] test_conv_cost_time_book")


def test_a_file_that_does_not_import_is_reported_once(tmp_path):
    (tmp_path / "ex5_3.py").write_text("def conv1x1(x, w, b=None)\n    return x\n")
    status, out, _ = _run([str(tmp_path / "ex5_3.py")], tmp_path)
    assert status == 1
    assert out.count("SyntaxError in ex5_3.py, line 1") == 1, out
    public = [c for c in CHAPTER.exercise("ex5_3").checks if not c.hidden]
    assert out.count("not run, the file did not import") == len(public)
    assert "conv1x1 is not defined" not in out


def test_the_total_of_public_points_ends_the_report(tmp_path):
    (tmp_path / "ex5_4.py").write_text(EX5_4_REF, encoding="utf-8")
    shutil.copy(ASSIGNMENTS / "ch5" / "ex5_2.py", tmp_path / "ex5_2.py")
    status, out, _ = _run([], tmp_path)
    assert status == 1
    lines = out.splitlines()
    assert lines[-4] == ("total: 4/10.5 public points in 2 exercises / "
                         "合计:2 道习题的公开检查得分 4/10.5")
    assert lines[-1] == "some public checks failed / 有公开检查未通过"


def test_an_exercise_id_names_its_file_and_a_check_file_is_refused(tmp_path):
    (tmp_path / "ex5_4.py").write_text(EX5_4_REF, encoding="utf-8")
    status, out, _ = _run(["ex5_4"], tmp_path)
    assert status == 0 and "[passed] test_bottleneck_cost_time_book" in out
    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copy(CHAPTER.exercise("ex5_4").check_file, tests / "ex5_4.py")
    status, out, err = _run([str(tests / "ex5_4.py")], tmp_path)
    assert status == 2 and out == ""
    assert "is the public check of ex5_4, not your code" in err
    assert "python check.py ex5_4" in err


def test_imports_beyond_numpy_are_warned_about_before_submitting(tmp_path):
    (tmp_path / "ex5_4.py").write_text("import pandas as pd\n" + EX5_4_REF, encoding="utf-8")
    status, out, _ = _run(["ex5_4"], tmp_path)
    assert status == 0  # pandas is here; it will not be where the file is graded
    assert "warning / 警告: ex5_4.py imports pandas (line 1), but only NumPy and the Python " \
           "standard library exist where your code is graded" in " ".join(out.split())
    guarded = "try:\n    import pandas\nexcept ImportError:\n    pandas = None\n"
    (tmp_path / "ex5_4.py").write_text(guarded + EX5_4_REF, encoding="utf-8")
    assert "warning" not in _run(["ex5_4"], tmp_path)[1]


def test_options_are_read_and_bad_ones_refused(tmp_path):
    (tmp_path / "ex5_4.py").write_text(EX5_4_REF + "\n\ndef conv_cost(m, k, c_in, c_out):\n"
                                       "    while True:\n        pass\n", encoding="utf-8")
    status, out, _ = _run(["ex5_4", "--timeout", "1"], tmp_path)
    assert status == 1
    assert "timed out after 1 s (the time limit / 超时) while running conv_cost(100, 3, 256, 256)" \
        in " ".join(out.split())
    for bad in (["--timeout", "soon"], ["--timeout=-1"], ["--verbose"]):
        status, out, err = _run(bad, tmp_path)
        assert status == 2 and out == "" and "usage:" in err, bad
    status, out, _ = _run(["--help"], tmp_path)
    assert status == 0 and "--zip" in out and "--timeout" in out


def test_long_lines_are_wrapped_to_the_width_counting_chinese_as_two_columns():
    line = ("      " + "wide_conv2d(w, x) for w of shape (2, 2): values differ in 3 of 12 places; "
            "宽卷积的结果与期望不同,请检查补零的行数和列数。" * 3)
    parts = wrap(line, 60)
    assert len(parts) > 3
    assert all(display_width(p) <= 60 for p in parts), parts
    assert all(p.startswith("          ") for p in parts[1:])  # hanging indent
    assert "".join(p.strip() for p in parts).replace(" ", "") == line.replace(" ", "")
    row = "      [[ 1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17. 18.]]"
    assert wrap(row, 40) == [row]  # an array's rows stay whole


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
