"""``nndl-grade grade``: arguments, errors and what it prints."""

from __future__ import annotations

import shutil

import pytest

from autograder.cli import build_parser, main
from tests.support import SOLUTIONS


def test_help_lists_the_options():
    text = build_parser().parse_args(["grade", "s", "--out", "o"])
    assert (text.jobs, text.timeout, text.memory, text.force, text.chapter) == (1, 60.0, 1024, False, "ch5")


def test_missing_folder_is_an_error(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("args,why", [(["--timeout", "0"], "timeout must be positive"),
                                      (["--memory", "10"], "memory_mb must be at least"),
                                      (["--jobs", "0"], "jobs must be at least 1")])
def test_bad_limits_are_errors(tmp_path, capsys, args, why):
    (tmp_path / "s").mkdir()
    assert main(["grade", str(tmp_path / "s"), "--out", str(tmp_path / "o"), *args]) == 2
    assert why in capsys.readouterr().err


def test_grades_one_student(tmp_path, capsys):
    (tmp_path / "s" / "zoe").mkdir(parents=True)
    shutil.copy(SOLUTIONS / "ch5" / "ex5_4.py", tmp_path / "s" / "zoe")
    (tmp_path / "s" / "readme.txt").write_text("not a student")
    assert main(["grade", str(tmp_path / "s"), "--out", str(tmp_path / "o"), "--timeout", "20"]) == 0
    captured = capsys.readouterr()
    assert "sandbox:" in captured.err and "note: skipped readme.txt" in captured.err
    assert "zoe" in captured.out and "10 / 100" in captured.out
    assert (tmp_path / "o" / "zoe" / "results.json").is_file()
    assert main(["grade", str(tmp_path / "s"), "--out", str(tmp_path / "o"), "--force"]) == 0
    assert "already graded" not in capsys.readouterr().err
