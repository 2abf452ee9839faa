"""results.json (valid against Gradescope's schema), feedback.md and grades.csv."""

from __future__ import annotations

import csv
import json

import jsonschema
import pytest

from autograder.checks.runner import CaseResult
from autograder.engine.results import feedback_markdown, gradescope_results, write_grades_csv
from autograder.grading import ExerciseResult, SubmissionResult
from tests.support import CHAPTER, RESULTS_SCHEMA

SCHEMA = json.loads(RESULTS_SCHEMA.read_text())
SECRET = "hidden input 4711 leaked"


def sample() -> SubmissionResult:
    exercises = []
    for ex in CHAPTER.exercises:
        cases = []
        for i, c in enumerate(ex.checks):
            passed = i % 2 == 0
            message = "passed" if passed else (SECRET if c.hidden else f"{c.name}: expected 1, got 2")
            cases.append(CaseResult(c.name, c.points, c.hidden, passed, message))
        exercises.append(ExerciseResult(ex.id, cases, "", "printed", 0.1,
                                        True if ex.answer else None))
    exercises[1] = ExerciseResult(exercises[1].exercise_id,
                                  [CaseResult(c.name, c.points, c.hidden, False,
                                              "ex5_3.py was not found in the submission")
                                   for c in exercises[1].cases],
                                  "ex5_3.py was not found in the submission", "", 0.0, False)
    return SubmissionResult("alice", exercises, 2.5, "", "bwrap")


def test_results_json_is_valid_and_complete():
    result = sample()
    data = gradescope_results(result, CHAPTER)
    jsonschema.validate(data, SCHEMA)
    names = [t["name"] for t in data["tests"]]
    assert len(names) == sum(len(ex.checks) for ex in CHAPTER.exercises)
    assert names[0] == f"{CHAPTER.exercises[0].id} · {CHAPTER.exercises[0].checks[0].name}"
    assert data["score"] == result.score
    assert sum(t["score"] for t in data["tests"]) == result.score
    assert data["stdout_visibility"] == "hidden"
    assert data["execution_time"] == 2.5
    for t in data["tests"]:
        ex_id, name = t["name"].split(" · ")
        spec = CHAPTER.exercise(ex_id).check(name)
        assert t["max_score"] == spec.points
        assert t["visibility"] == ("after_published" if spec.hidden else "visible")
        if spec.hidden:
            assert t["output"] in ("passed", "failed")
        assert t["status"] == ("passed" if t["score"] == t["max_score"] else "failed")
    assert SECRET not in json.dumps(data)
    assert "ex5_3.py was not found in the submission" in data["output"]
    assert "graded by hand" in data["output"]
    assert "proof" in data["output"]


def test_feedback_shows_messages_but_not_hidden_ones():
    text = feedback_markdown(sample(), CHAPTER)
    assert SECRET not in text
    assert "expected 1, got 2" in text
    assert "(hidden)" in text and "graded by hand" in text
    assert "ex5_3.py was not found in the submission" in text
    assert "**not submitted**" in text
    for ex in CHAPTER.exercises:
        assert f"## {ex.id}" in text


def test_grades_csv_has_a_row_per_student(tmp_path):
    a, b = sample(), SubmissionResult("bob", [], 0.0, "refused", "")
    path = tmp_path / "grades.csv"
    write_grades_csv([b, a], CHAPTER, path)
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["student", *[ex.id for ex in CHAPTER.exercises], "total", "possible"]
    assert [r[0] for r in rows[1:]] == ["alice", "bob"]
    alice = dict(zip(rows[0], rows[1]))
    assert float(alice["total"]) == a.score
    assert float(alice["possible"]) == CHAPTER.points
    assert float(alice["ex5_3"]) == 0
    assert dict(zip(rows[0], rows[2]))["total"] == "0"


@pytest.mark.parametrize("student", ["refused"])
def test_a_refused_submission_is_still_valid(student):
    from autograder.grading import _refused

    result = _refused(student, CHAPTER, "x.zip was refused: too big")
    data = gradescope_results(result, CHAPTER)
    jsonschema.validate(data, SCHEMA)
    assert data["score"] == 0 and "x.zip was refused" in data["output"]


def test_schema_copy_is_the_shared_one():
    shared = RESULTS_SCHEMA.parents[3].parent / "shared" / "gradescope" / "results.schema.json"
    if not shared.is_file():
        pytest.skip(f"{shared} is not on this machine")
    assert json.loads(shared.read_text()) == SCHEMA
