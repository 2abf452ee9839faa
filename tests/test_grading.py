"""Grading a folder: the README's main job on ``examples/submissions``, re-runs, interrupted
runs, and the seed answer that imports torch."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder.cli import main
from autograder.engine import Limits
from autograder.batch import grade_folder
from autograder.grading import grade_exercise, grade_submission
from autograder.grades import csv_header, read_grades_csv
from autograder.store import MARKER
from tests.support import CHAPTER, FIXTURES, RESULTS_SCHEMA, ROOT

EXAMPLES = ROOT / "examples" / "submissions"
SCHEMA = json.loads(RESULTS_SCHEMA.read_text())

# the points every example student must get, per exercise (scripts/make_examples.py says why)
EXPECTED = {
    "alice": {"ex5_2": 10, "ex5_3": 10, "ex5_4": 10, "ex5_7": 15, "ex5_backprop": 25, "ex5_numpy_cnn": 30},
    "bob": {"ex5_2": 7, "ex5_3": 8, "ex5_4": 8.5, "ex5_7": 4.5, "ex5_backprop": 14,
            "ex5_numpy_cnn": 21.5},  # no bias: also the timed values
    "carol": {"ex5_2": 0, "ex5_3": 10, "ex5_4": 10, "ex5_7": 0, "ex5_backprop": 0, "ex5_numpy_cnn": 0},
    # dave's wrong space costs the space checks only (the book's case cannot tell)
    "dave": {"ex5_2": 0, "ex5_3": 0, "ex5_4": 8, "ex5_7": 0, "ex5_backprop": 0, "ex5_numpy_cnn": 0},
    "erin": {"ex5_2": 1, "ex5_3": 0, "ex5_4": 0, "ex5_7": 0, "ex5_backprop": 0, "ex5_numpy_cnn": 0},
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs = tmp_path_factory.mktemp("subs") / "submissions"
    shutil.copytree(EXAMPLES, subs)
    out = tmp_path_factory.mktemp("out") / "out"
    code = main(["grade", str(subs), "--out", str(out), "--jobs", "2"])
    return subs, out, code


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    return {row["student"]: row for row in read_grades_csv(path)}


def test_examples_score_as_expected(graded):
    subs, out, code = graded
    assert code == 0
    rows = read_csv(out / "grades.csv")
    assert sorted(rows) == sorted(EXPECTED)
    assert list(next(iter(rows.values()))) == csv_header(CHAPTER)
    for student, want in EXPECTED.items():
        got = {ex: float(rows[student][ex]) for ex in want}
        assert got == want, student
        assert float(rows[student]["total"]) == sum(want.values())
        # no late policy, every exercise counts (required or extra credit): final is total
        assert float(rows[student]["final"]) == sum(want.values())
        assert float(rows[student]["possible"]) == CHAPTER.possible
        checks = [c for c in rows[student] if " · " in c]
        assert sum(float(rows[student][c]) for c in checks) == sum(want.values())
    # alice and bob sent every file; carol and dave left out required ones; erin sent stubs
    assert {s: rows[s]["status"] for s in rows} == {
        "alice": "ok", "bob": "ok", "carol": "partial upload", "dave": "partial upload",
        "erin": "ok"}


def test_every_student_gets_valid_reports(graded):
    _, out, _ = graded
    for student in EXPECTED:
        data = json.loads((out / student / "results.json").read_text())
        jsonschema.validate(data, SCHEMA)
        assert data["score"] == sum(EXPECTED[student].values())
        assert len(data["tests"]) == sum(len(e.checks) for e in CHAPTER.exercises)
        feedback = (out / student / "feedback.md").read_text()
        assert f"Feedback for **{student}**" in feedback
        assert (out / student / MARKER).is_file()


def test_broken_submissions_say_why(graded):
    _, out, _ = graded
    carol = (out / "carol" / "feedback.md").read_text()
    assert "SyntaxError in ex5_2.py, line" in carol and "def rot180(a)" in carol
    assert "No module named 'torch'" in carol
    assert "ex5_7.py was not found in the submission" in carol
    erin = (out / "erin" / "feedback.md").read_text()
    assert "NotImplementedError" in erin
    bob = json.loads((out / "bob" / "results.json").read_text())
    visible = [t for t in bob["tests"] if t["visibility"] == "visible" and t["status"] == "failed"]
    assert visible and all("expected" in t["output"] or "error" in t["output"] for t in visible)


def test_rerun_skips_graded_students_and_regrades_changed_or_interrupted_ones(graded, tmp_path):
    subs, out, _ = graded
    work = tmp_path / "out"
    shutil.copytree(out, work)
    os.chmod(work, 0o700)
    notes: list[str] = []
    before = {s: (work / s / "summary.json").stat().st_mtime_ns for s in EXPECTED}
    results = grade_folder(subs, work, jobs=1, on_note=notes.append)
    assert [r.student for r in results] == sorted(EXPECTED)
    assert any("5 student(s) already graded" in n for n in notes)
    assert {s: (work / s / "summary.json").stat().st_mtime_ns for s in EXPECTED} == before

    (work / "dave" / MARKER).unlink()  # dave's grading was interrupted
    (work / "erin" / "feedback.md").unlink()
    dave_dir = tmp_path / "subs"
    shutil.copytree(subs, dave_dir)
    (dave_dir / "dave" / "notes.txt").write_text("changed")  # and bob resubmitted
    (dave_dir / "bob" / "ex5_4.py").write_text("def conv_cost(*a):\n    return None\n")
    notes.clear()
    results = grade_folder(dave_dir, work, jobs=1, on_note=notes.append,
                           limits=Limits(timeout=30))
    assert any("3 student(s) already graded" in n for n in notes)
    by = {r.student: r for r in results}
    assert by["bob"].exercise("ex5_4").score == 0
    assert (work / "dave" / MARKER).is_file()
    rows = read_csv(work / "grades.csv")
    assert float(rows["bob"]["ex5_4"]) == 0 and float(rows["alice"]["total"]) == 100
    # erin's record is complete (the marker is there) and unchanged: she is not regraded
    assert not (work / "erin" / "feedback.md").exists()


def test_progress_is_reported_per_student(tmp_path):
    subs = tmp_path / "subs"
    (subs / "x").mkdir(parents=True)
    (subs / "y").mkdir()
    seen = []
    grade_folder(subs, tmp_path / "a", on_progress=seen.append)
    assert [(p.done, p.total) for p in seen] == [(1, 2), (2, 2)]
    assert sorted(p.result.student for p in seen) == ["x", "y"]


def test_the_command_line_draws_a_bar_on_a_terminal_and_lines_elsewhere(tmp_path, capsys):
    import io

    from autograder.batch import Progress
    from autograder.cli import ProgressBar
    from autograder.results import SubmissionResult

    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar(Progress(1, 2, SubmissionResult("x", []), 61.0))
    bar.finish()
    assert "1/2 students 1:01  ~1:01 left" in stream.getvalue()
    assert stream.getvalue().endswith("\n")
    subs = tmp_path / "subs"
    (subs / "x").mkdir(parents=True)
    (subs / "y").mkdir()
    assert main(["grade", str(subs), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err  # stderr is not a terminal here: one line per student
    assert "[1/2] " in err and "[2/2] " in err and "elapsed" in err and "left" in err
    assert "\r" not in err


def test_an_empty_submission_gets_a_row(tmp_path):
    result = grade_submission(tmp_path / "nothing", student="ghost")
    assert result.score == 0 and result.possible == CHAPTER.points
    assert all("was not found in the submission" in e.message for e in result.exercises)


def test_seed_answer_with_torch_scores_zero_and_names_torch():
    folder = FIXTURES / "ch5" / "seed" / "with_torch"
    if not (folder / "ex5_numpy_cnn.py").is_file():
        pytest.skip("the seed-with-torch fixture is not there yet")
    result = grade_exercise(CHAPTER.exercise("ex5_numpy_cnn"), folder)
    assert result.score == 0 and result.possible > 0
    assert "No module named 'torch'" in result.message
    assert all("torch" in c.message for c in result.cases)


def _submission_files(path: Path) -> dict[str, str]:
    if path.is_dir():
        return {p.name: p.read_text(encoding="utf-8") for p in path.iterdir()}
    with zipfile.ZipFile(path) as zf:
        return {Path(n).name: zf.read(n).decode("utf-8") for n in zf.namelist() if not n.endswith("/")}


def test_examples_are_what_the_script_makes_from_the_current_references():
    spec = importlib.util.spec_from_file_location("make_examples", ROOT / "scripts" / "make_examples.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    for student in EXPECTED:
        path = EXAMPLES / student if (EXAMPLES / student).is_dir() else EXAMPLES / f"{student}.zip"
        made = getattr(script, student)()
        assert _submission_files(path) == made, (
            f"{path} is stale: run .venv/bin/python scripts/make_examples.py and commit the result")
