"""``nndl-grade``: commands, arguments, errors and what ``grade`` prints."""

from __future__ import annotations

import io
import shutil
import zipfile

import pytest

from autograder import __version__
from autograder.cli import ProgressLines, build_parser, main
from autograder.grades import read_grades_csv
from tests.support import SOLUTIONS

REFERENCE = (SOLUTIONS / "ch5" / "ex5_4.py").read_bytes()


def test_help_lists_the_options():
    text = build_parser().parse_args(["grade", "s", "--out", "o"])
    assert (text.jobs, text.timeout, text.memory, text.force, text.chapter) == (1, 60.0, 1024, False, "ch5")
    assert (text.only, text.deadline, text.late_penalty, text.late_cutoff) == (None, None, None, None)
    assert (text.times, text.file_times, text.course) == (None, False, None)
    export = build_parser().parse_args(["export", "o", "--format", "moodle"])
    assert (export.score, export.detail, export.output, export.into, export.missing,
            export.language) == (None, None, None, None, "empty", "en")  # score None: final
    # (autograder/export/classlist.py)


def test_the_bare_command_prints_help_and_every_command_is_described(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "usage: nndl-grade" in out and "from download to upload" in out
    for command in ("check", "grade", "export", "build"):
        assert command in out
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        text = capsys.readouterr().out
        assert len(text.split("\n\n")[1]) > 80, f"{command} has no description"
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.strip() == f"nndl-grade {__version__}"


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
    assert "zoe" in captured.out and "10 / 75" in captured.out
    assert (tmp_path / "o" / "zoe" / "results.json").is_file()
    assert main(["grade", str(tmp_path / "s"), "--out", str(tmp_path / "o"), "--force"]) == 0
    assert "already graded" not in capsys.readouterr().err


def _grade(tmp_path, *extra):
    return main(["grade", str(tmp_path / "s"), "--out", str(tmp_path / "o"), *extra])


def test_an_empty_folder_is_an_error_that_says_so(tmp_path, capsys):
    (tmp_path / "s").mkdir()
    assert _grade(tmp_path) == 2
    err = capsys.readouterr().err
    assert "no submissions to grade" in err and "it is empty" in err
    (tmp_path / "s" / "notes.txt").write_text("hi")
    assert _grade(tmp_path) == 2
    err = capsys.readouterr().err
    assert "nothing in it is a student's submission" in err and "notes.txt" in err
    assert not (tmp_path / "o" / "grades.csv").exists()


def test_one_students_folder_is_refused_with_advice(tmp_path, capsys):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "ex5_4.py").write_bytes(REFERENCE)
    (tmp_path / "s" / "tests").mkdir()
    assert _grade(tmp_path) == 2
    err = capsys.readouterr().err
    assert "looks like one student's submission" in err and "--only" in err


def test_a_canvas_flat_folder_of_two_students_gives_two_rows(tmp_path, capsys):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "zhangsan_12345_678901_ex5_4.py").write_bytes(REFERENCE)
    (tmp_path / "s" / "lisi_LATE_23456_678902_ex5_4.py").write_bytes(REFERENCE)
    assert _grade(tmp_path) == 0
    rows = read_grades_csv(tmp_path / "o" / "grades.csv")
    assert [(r["student"], r["lms"], r["lms_id"], r["total"]) for r in rows] == [
        ("lisi_23456", "canvas", "23456", "10"), ("zhangsan_12345", "canvas", "12345", "10")]
    out = capsys.readouterr().out
    assert "late (canvas)" in out.split("lisi_23456")[1].splitlines()[0]
    assert "days unknown" not in out  # no deadline: nothing is judged


def test_problem_submissions_are_flagged_on_their_line_and_counted(tmp_path, capsys):
    s = tmp_path / "s"
    for name in ("good", "renamed", "broken", "empty"):
        (s / name).mkdir(parents=True)
    (s / "good" / "ex5_4.py").write_bytes(REFERENCE)
    (s / "renamed" / "ex5-4.py").write_bytes(REFERENCE)
    (s / "broken" / "work.zip").write_bytes(b"PK junk")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../ex5_4.py", REFERENCE)
    (s / "slip.zip").write_bytes(buf.getvalue())
    assert _grade(tmp_path) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if " / 75" in line}
    assert "partial upload" in lines["good"]
    assert "misnamed: Not used: ex5-4.py: rename it to ex5_4.py" in lines["renamed"]
    assert "refused: Not used: work.zip: not a readable zip file" in lines["broken"]
    assert "nothing recognised: Your upload holds none" in lines["empty"]
    assert "refused" in lines["slip"] and "climbs out of the zip" in lines["slip"]
    assert "to look at: 2 refused, 1 misnamed, 1 nothing recognised, 1 partial upload" in out \
        or "to look at: 1 misnamed, 1 nothing recognised, 1 partial upload, 2 refused" in out
    statuses = {r["student"]: r["status"] for r in read_grades_csv(tmp_path / "o" / "grades.csv")}
    assert statuses == {"good": "partial upload", "renamed": "misnamed", "broken": "refused",
                        "empty": "nothing recognised", "slip": "refused"}


def test_only_regrades_some_and_grades_csv_covers_the_folder(tmp_path, capsys):
    s = tmp_path / "s"
    for name in ("ann", "ben", "cat"):
        (s / name).mkdir(parents=True)
        (s / name / "ex5_4.py").write_bytes(REFERENCE)
    assert _grade(tmp_path) == 0
    stamp = {n: (tmp_path / "o" / n / "summary.json").stat().st_mtime_ns for n in ("ann", "cat")}
    (s / "ben" / "ex5_4.py").write_text("def conv_cost(*a):\n    return None\n")
    (s / "cat" / "ex5_4.py").write_text("broken(")  # changed, but not named by --only
    capsys.readouterr()
    assert _grade(tmp_path, "--only", "ben") == 0
    err = capsys.readouterr().err
    assert "cat's files or the checks changed since it was graded" in err
    rows = {r["student"]: r for r in read_grades_csv(tmp_path / "o" / "grades.csv")}
    assert (rows["ann"]["total"], rows["ben"]["total"], rows["cat"]["total"]) == ("10", "0", "10")
    assert {n: (tmp_path / "o" / n / "summary.json").stat().st_mtime_ns
            for n in ("ann", "cat")} == stamp
    assert _grade(tmp_path, "--only", "bne") == 2
    assert "no student 'bne' (did you mean ben?)" in capsys.readouterr().err

    shutil.rmtree(s / "ann")  # ann left the class folder: she leaves grades.csv, with a note
    assert _grade(tmp_path) == 0
    assert "1 student(s) graded in" in capsys.readouterr().err
    assert [r["student"] for r in read_grades_csv(tmp_path / "o" / "grades.csv")] == ["ben", "cat"]
    assert (tmp_path / "o" / "ann" / "feedback.md").is_file()  # her report stays


def test_a_deadline_is_applied_and_shown(tmp_path, capsys):
    (tmp_path / "s" / "ann").mkdir(parents=True)
    (tmp_path / "s" / "ann" / "ex5_4.py").write_bytes(REFERENCE)
    assert _grade(tmp_path, "--deadline", "2000-01-01T00:00+08:00", "--late-penalty", "5") == 0
    captured = capsys.readouterr()
    assert "late policy: deadline 2000-01-01T00:00:00+08:00, -5% per day late" in captured.err
    assert "no trustworthy submission time: lateness unknown" in captured.out
    row = read_grades_csv(tmp_path / "o" / "grades.csv")[0]
    assert (row["time_source"], row["late_days"], row["penalty_pct"]) == ("", "", "")
    assert "No trustworthy submission time" in row["late_note"] and row["final"] == "10"
    # the files' own times only when asked for
    assert _grade(tmp_path, "--deadline", "2000-01-01T00:00+08:00", "--late-penalty", "5",
                  "--file-times") == 0
    captured = capsys.readouterr()
    assert "day(s) late -100% -> 0" in captured.out
    row = read_grades_csv(tmp_path / "o" / "grades.csv")[0]
    assert row["time_source"] == "file modification time" and row["penalty_pct"] == "100"
    assert (row["total"], row["penalty"], row["final"]) == ("10", "10", "0")
    feedback = (tmp_path / "o" / "ann" / "feedback.md").read_text()
    assert "deadline 2000-01-01T00:00:00+08:00" in feedback and "-100%" in feedback
    # the same folder without a deadline: the recorded student is not regraded, the verdict goes
    assert _grade(tmp_path) == 0
    row = read_grades_csv(tmp_path / "o" / "grades.csv")[0]
    assert (row["late_days"], row["penalty"], row["final"]) == ("", "0", "10")
    assert "deadline" not in (tmp_path / "o" / "ann" / "feedback.md").read_text()


@pytest.mark.parametrize("args,why", [(["--deadline", "friday"], "not an ISO 8601 date-time"),
                                      (["--late-penalty", "10"], "needs a deadline"),
                                      (["--deadline", "2025-06-02", "--late-cutoff", "2025-06-01"],
                                       "before the deadline")])
def test_bad_late_policies_are_errors(tmp_path, capsys, args, why):
    (tmp_path / "s").mkdir()
    assert _grade(tmp_path, *args) == 2
    assert why in capsys.readouterr().err


def test_progress_lines_say_the_grader_is_alive_while_a_student_is_slow():
    now = [0.0]
    stream = io.StringIO()
    lines = ProgressLines(stream, quiet=60, clock=lambda: now[0])
    assert lines.beat() is None
    now[0] = 61.0
    assert "still grading: 0/? done, 1:01 elapsed" in lines.beat()
    assert lines.beat() is None  # once per quiet spell
