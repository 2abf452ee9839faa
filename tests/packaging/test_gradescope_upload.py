"""The results.json ``autograder.gradescope`` writes when grading cannot happen (how it reads
an upload is the intake's, tested in tests/test_intake.py)."""

from __future__ import annotations

import json

from autograder import gradescope
from autograder.gradescope import error_results
from tests.packaging.helpers import assert_valid_results
from tests.support import ASSIGNMENTS, CHAPTER

CODE = [e.code for e in CHAPTER.exercises]


def test_error_results_are_valid_and_score_zero(results_validator):
    res = error_results("something broke")
    res["execution_time"] = 0.5
    assert_valid_results(results_validator, res)
    assert res["score"] == 0 and res["stdout_visibility"] == "hidden"


def test_a_crash_of_the_grader_still_writes_a_valid_results_json(tmp_path, monkeypatch,
                                                                  results_validator, capsys):
    ag = tmp_path / "autograder"
    (ag / "submission").mkdir(parents=True)
    (ag / "results").mkdir()
    (ag / "results" / "results.json").write_text('{"score": 100}')  # whatever was there goes
    (ag / "submission" / CODE[0]).write_bytes((ASSIGNMENTS / "ch5" / CODE[0]).read_bytes())

    def boom(*args, **kwargs):
        raise RuntimeError("engine exploded")
    monkeypatch.setattr(gradescope, "grade_upload", boom)
    assert gradescope.main(["--autograder-dir", str(ag)]) == 0
    res = json.loads((ag / "results" / "results.json").read_text())
    assert_valid_results(results_validator, res)
    assert res["score"] == 0
    assert "internal error" in res["output"] and "not a problem with your files" in res["output"]
    assert "engine exploded" in capsys.readouterr().out  # for staff: stdout is hidden
