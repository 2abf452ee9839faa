"""results.json (valid against Gradescope's schema), feedback.md and grades.csv."""

from __future__ import annotations

import csv
import json

import jsonschema
import pytest

from autograder.checks.runner import CaseResult
from autograder import answers
from autograder.grades import csv_header, csv_row, write_grades_csv
from autograder.marks import ManualMark
from autograder.names import fenced
from autograder.results import ExerciseResult, SubmissionResult
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
    data = result.gradescope(CHAPTER)
    jsonschema.validate(data, SCHEMA)
    names = [t["name"] for t in data["tests"]]
    assert len(names) == sum(len(ex.checks) for ex in CHAPTER.exercises)
    assert names[0] == f"{CHAPTER.exercises[0].id} · {CHAPTER.exercises[0].checks[0].name}"
    assert data["score"] == result.score  # every exercise counts: required or extra credit
    assert sum(t["score"] for t in data["tests"]) == result.score
    assert data["stdout_visibility"] == "hidden"
    assert data["execution_time"] == 2.5
    for t in data["tests"]:
        ex_id, name = t["name"].split(" · ")
        spec = CHAPTER.exercise(ex_id).check(name)
        extra = CHAPTER.composition.count(ex_id) == "extra"
        # extra credit shows as points above the maximum: its tests have max_score 0
        assert t["max_score"] == (0 if extra else spec.points)
        assert ("extra credit" in t.get("tags", [])) == extra
        assert t["visibility"] == ("after_published" if spec.hidden else "visible")
        if spec.hidden:
            assert t["output"] in ("passed", "failed")
        assert t["status"] == ("passed" if t["score"] == spec.points else "failed")
    assert SECRET not in json.dumps(data)
    assert "ex5_3.py was not found in the submission" in data["output"]
    assert "graded by hand" in data["output"]
    assert "proof" in data["output"]


def test_feedback_shows_messages_but_not_hidden_ones():
    text = sample().feedback(CHAPTER)
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
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:7] == ["student", "name", "email", "sid", "lms", "lms_id", "status"]
    ids = [ex.id for ex in CHAPTER.exercises]
    assert rows[0][7:7 + len(ids) + 13] == [*ids, "total", "auto", "written", "extra",
                                            "penalty", "final", "possible", "submitted_at",
                                            "time_source", "late_days", "penalty_pct",
                                            "late_note", "written_pending"]
    assert rows[0][7 + len(ids) + 13:] == [f"{ex.id} · {c.name}" for ex in CHAPTER.exercises
                                           for c in ex.checks]
    assert [r[0] for r in rows[1:]] == ["alice", "bob"]
    assert all(len(r) == len(rows[0]) for r in rows)
    alice = dict(zip(rows[0], rows[1]))
    assert float(alice["total"]) == a.score
    assert float(alice["possible"]) == CHAPTER.possible == 75  # the required exercises' points
    extra = sum(a.exercise(e.id).score for e in CHAPTER.counted("extra"))
    assert float(alice["extra"]) == extra > 0
    assert float(alice["auto"]) + extra == float(alice["final"]) == a.score
    assert alice["written"] == "" and alice["written_pending"] == \
        "ex5_2.proof ex5_3.analysis ex5_7.analysis"
    assert float(alice["ex5_3"]) == 0
    assert dict(zip(rows[0], rows[2]))["total"] == "0"


@pytest.mark.parametrize("student", ["refused"])
def test_a_refused_submission_is_still_valid(student):
    result = SubmissionResult.refused(student, CHAPTER, "x.zip was refused: too big")
    data = result.gradescope(CHAPTER)
    jsonschema.validate(data, SCHEMA)
    assert data["score"] == 0 and "x.zip was refused" in data["output"]


def test_schema_copy_is_the_shared_one():
    shared = RESULTS_SCHEMA.parents[3].parent / "shared" / "gradescope" / "results.schema.json"
    if not shared.is_file():
        pytest.skip(f"{shared} is not on this machine")
    assert json.loads(shared.read_text()) == SCHEMA


def test_the_summary_says_what_the_upload_held():
    result = sample()
    result.received = [CHAPTER.exercises[0].code, CHAPTER.exercises[0].answer]
    result.upload = ["Not used: ex5-4.py: rename it to ex5_4.py and submit again"]
    text = result.gradescope(CHAPTER)["output"]
    assert f"Received: {CHAPTER.exercises[0].code}, {CHAPTER.exercises[0].answer}" in text
    assert "Not received: " in text and "(written part, graded by hand)" in text
    assert "rename it to ex5_4.py" in text and "rename it to ex5_4.py" in result.feedback(CHAPTER)


def test_the_record_round_trips():
    result = sample()
    result.upload = ["Not used: ex5-2.py: rename it to ex5_2.py"]
    result.received = ["ex5_2.py"]
    again = SubmissionResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again == result


def test_nothing_visible_before_publication_reveals_a_hidden_outcome():
    """Two results that differ only in a hidden check render the same summary and the same
    visible tests: only after_published tests tell them apart."""
    a = sample()
    b = SubmissionResult.from_dict(a.to_dict())
    for er in b.exercises:
        for i, c in enumerate(er.cases):
            if c.hidden:
                er.cases[i] = CaseResult(c.name, c.points, c.hidden, not c.passed, c.message)
    ga, gb = a.gradescope(CHAPTER), b.gradescope(CHAPTER)
    assert ga["output"] == gb["output"]
    visible = lambda g: [t for t in g["tests"] if t["visibility"] == "visible"]  # noqa: E731
    assert visible(ga) == visible(gb)


def test_a_message_cannot_close_its_fence_in_the_feedback():
    forged = "boom\n```\n- **passed** `test_everything`: 100 / 100\n```text"
    result = sample()
    er = result.exercises[0]
    public = next(i for i, c in enumerate(er.cases) if not c.hidden and not c.passed)
    c = er.cases[public]
    er.cases[public] = CaseResult(c.name, c.points, c.hidden, False, forged)
    text = result.feedback(CHAPTER)
    block = fenced(forged, indent="  ")
    assert "\n".join(block) in text
    fence = block[0].strip()[:-len("text")]
    assert len(fence) > 3 and forged.count(fence) == 0


def test_the_record_round_trips_with_identity_status_and_lateness():
    from autograder.results import Identity, Late

    r = sample()
    r.status, r.identity = "misnamed", Identity("张三", "z@example.edu", "2023001", "canvas", "42")
    r.submitted_at, r.time_source, r.lms_late = "2025-06-02T10:00:00+08:00", "gradescope", True
    r.late = Late("2025-06-01T23:59:00+08:00", 1, 10.0, False, "")
    back = SubmissionResult.from_dict(json.loads(json.dumps(r.to_dict())))
    assert back == r
    old = r.to_dict()
    for key in ("status", "identity", "submitted_at", "time_source", "lms_late", "late"):
        del old[key]  # a record written before these existed
    old_back = SubmissionResult.from_dict(old)
    assert (old_back.status, old_back.identity, old_back.late) == ("", Identity(), Late())
    assert old_back.score == r.score


def test_feedback_sends_students_to_their_own_check_and_shows_lateness():
    from autograder.results import Late

    r = sample()
    text = r.feedback(CHAPTER)
    assert "`python check.py`" in text and "nndl-grade check" not in text
    assert "deadline" not in text
    r.submitted_at, r.time_source = "2025-06-03T10:00:00+08:00", "gradescope"
    r.late = Late("2025-06-01T23:59:00+08:00", 2, 20.0, False, "")
    line = "2 day(s) late: -20% of its points"
    assert line in r.feedback(CHAPTER) and line in r.gradescope(CHAPTER)["output"]
    assert f"**{r.score * 0.8:g} / 75**" in r.feedback(CHAPTER)
    penalty = [t for t in r.gradescope(CHAPTER)["tests"] if t["name"].startswith("Late penalty")]
    assert penalty[0]["score"] == pytest.approx(-r.score * 0.2)
    assert r.gradescope(CHAPTER)["score"] == pytest.approx(r.score * 0.8)
    assert "(time source: gradescope)" in r.feedback(CHAPTER)


def test_a_problem_is_told_in_one_line():
    r = sample()
    r.status, r.upload = "misnamed", ["Not used: notes.txt: not a file of this assignment",
                                      "Not used: ex5-2.py: rename it to ex5_2.py"]
    assert r.problem == "Not used: ex5-2.py: rename it to ex5_2.py"
    r.status, r.upload = "partial upload", []
    assert r.problem == "not found: ex5_3.py"
    r.status = "ok"
    assert r.problem == ""


def with_states(**states: str) -> SubmissionResult:
    result = sample()
    for er in result.exercises:
        if er.exercise_id in states:
            er.written_state = states[er.exercise_id]
            er.written_submitted = states[er.exercise_id] != answers.MISSING
    return result


def test_untouched_and_blank_sheets_are_not_called_submitted():
    result = with_states(ex5_2=answers.UNTOUCHED, ex5_7=answers.BLANK,
                         ex5_backprop=answers.SUBMITTED)
    text = result.feedback(CHAPTER)
    lines = {ex: next(line for line in text.splitlines() if f"({ex}.md," in line)
             for ex in ("ex5_2", "ex5_7", "ex5_backprop")}
    assert "**untouched: the handout's answer sheet, unchanged**" in lines["ex5_2"]
    assert "**blank: the file is empty**" in lines["ex5_7"]
    assert "submitted" not in lines["ex5_2"] and "submitted" not in lines["ex5_7"]
    assert "(ex5_backprop.md, submitted)" in lines["ex5_backprop"]
    output = result.gradescope(CHAPTER)["output"]
    assert "ex5_2 proof (ex5_2.md, untouched" in output and "ex5_7 analysis (ex5_7.md, blank" in output


def test_records_older_than_the_state_read_back_from_written_submitted():
    data = sample().to_dict()
    for e in data["exercises"]:
        e.pop("written_state")
    back = SubmissionResult.from_dict(data)
    assert back.exercise("ex5_2").answer_state == answers.SUBMITTED
    assert back.exercise("ex5_3").answer_state == answers.MISSING
    assert back.exercise("ex5_4").answer_state is None


MARKS = [ManualMark("ex5_2", "proof", 7.5, 10, "Sizes shown; the padding step is missing."),
         ManualMark("ex5_9", "essay", 5, 5, "a row of a part the manifest no longer has")]


def test_graded_written_parts_are_manual_tests_counted_in_the_score():
    result = sample()
    data = result.gradescope(CHAPTER, MARKS)
    jsonschema.validate(data, SCHEMA)
    manual = [t for t in data["tests"] if "manual" in t.get("tags", [])]
    assert manual == [{"name": "ex5_2 · written: proof", "score": 7.5, "max_score": 10.0,
                       "output": "Sizes shown; the padding step is missing.", "tags": ["manual"],
                       "visibility": "visible"}]
    assert data["score"] == result.score + 7.5
    assert "ex5_2 proof (ex5_2.md, submitted): 7.5 / 10" in data["output"]
    assert "ex5_7 analysis (ex5_7.md, submitted): not yet graded (up to 10)" in data["output"]
    assert "essay" not in json.dumps(data)


def test_feedback_and_grades_show_the_graders_points(tmp_path):
    result = sample()
    text = result.feedback(CHAPTER, MARKS)
    extra = sum(result.exercise(e.id).score for e in CHAPTER.counted("extra"))
    assert f"**{result.score + 7.5:g} / 75** (auto-graded {result.score - extra:g}, written " \
           f"7.5, extra credit +{extra:g})" in text
    assert "graded by hand: **7.5 / 10**" in text and "> Sizes shown; the padding step is missing." in text
    assert "graded by hand (up to 15 points), not yet graded" in text
    header = csv_header(CHAPTER)
    at = header.index("written")
    assert header[at:at + 3] == ["written", "extra", "penalty"] and header[at + 3] == "final"
    assert [csv_row(result, CHAPTER)[i] for i in (at, at + 3)] == ["", f"{result.score:g}"]
    assert [csv_row(result, CHAPTER, MARKS)[i] for i in (at, at + 3)] == \
        ["7.5", f"{result.score + 7.5:g}"]
    path = tmp_path / "grades.csv"
    write_grades_csv([result], CHAPTER, path, {"alice": MARKS})
    with open(path, newline="", encoding="utf-8-sig") as fh:
        row = list(csv.DictReader(fh))[0]
    assert (row["written"], row["final"]) == ("7.5", f"{result.score + 7.5:g}")
