"""The final grade end to end (issue 18): a 25-student Canvas download and a Moodle download
(folders and flat) graded by ``nndl-grade grade``, written marks filled in manual.csv and
folded in by ``nndl-grade report``, late students timed only from what the LMS gives, a zip
made by ``check.py --zip``, a whole-handout upload; every student's final grade asserted."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder.packaging.handout import handout_entries
from autograder.cli import main
from autograder.grades import CSV_ENCODING, read_grades_csv
from tests.support import ASSIGNMENTS, CHAPTER, SOLUTIONS

LMS = Path(__file__).resolve().parent / "fixtures" / "lms"
REQUIRED = [e for e in CHAPTER.exercises if not e.optional]
WRONG_EX5_4 = b"def conv_cost(*a):\n    return None\n"
DEADLINE = "2025-06-01T23:59+08:00"
CST = timezone(timedelta(hours=8))
HANDOUT_DAY = datetime(2024, 1, 1, 12, tzinfo=CST).timestamp()  # the handout's fixed file times


def answers(exercises) -> dict[str, bytes]:
    """The reference answers (code and answer sheets) of ``exercises``, by file name."""
    return {f: (SOLUTIONS / "ch5" / f).read_bytes() for e in exercises for f in e.files}


def canvas(folder: Path, name: str, uid: int, files: dict[str, bytes], late: bool = False) -> None:
    for i, (fname, data) in enumerate(files.items()):
        (folder / f"{name}_{'LATE_' if late else ''}{uid}_{uid * 10 + i}_{fname}").write_bytes(data)


def check_zip(tmp: Path, files: dict[str, bytes]) -> bytes:
    """The submission.zip ``check.py --zip`` writes for these files, dated as the handout."""
    work = tmp / "handout-copy"
    work.mkdir()
    for fname, data in files.items():
        (work / fname).write_bytes(data)
        os.utime(work / fname, (HANDOUT_DAY, HANDOUT_DAY))
    assert main(["check", str(work), "--zip"]) == 0
    return (work / "submission.zip").read_bytes()


def handout_zip(files: dict[str, bytes]) -> bytes:
    """The whole handout folder zipped, the student's answers in place of the stubs."""
    entries = handout_entries(CHAPTER, ASSIGNMENTS)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for arcname, data in sorted(entries.items()):
            name = arcname.split("/", 1)[1]
            zf.writestr(arcname, files.get(name, data))
    return buf.getvalue()


def fill_manual(out: Path, points: dict[tuple[str, str, str], float]) -> None:
    """Fill manual.csv's points as a grader would."""
    path = out / "manual.csv"
    with open(path, newline="", encoding=CSV_ENCODING) as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    for row in rows:
        key = (row["student"], row["exercise"], row["part"])
        if key in points:
            row["points"] = f"{points.pop(key):g}"
    assert not points, f"no manual.csv row for {points}"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, header)
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding=CSV_ENCODING)


def grades(out: Path) -> dict[str, dict[str, str]]:
    return {r["student"]: r for r in read_grades_csv(out / "grades.csv")}


def numbers(row: dict[str, str]) -> tuple:
    return tuple(row[c] for c in ("auto", "written", "extra", "penalty", "final", "possible"))


@pytest.fixture(scope="module")
def canvas_class(tmp_path_factory) -> tuple[Path, Path]:
    """25 students as Canvas's "Download Submissions" holds them, graded once."""
    tmp = tmp_path_factory.mktemp("canvas")
    s = tmp / "submissions"
    s.mkdir()
    canvas(s, "chenfull", 1001, answers(CHAPTER.exercises))
    canvas(s, "lirequired", 1002, answers(REQUIRED))
    canvas(s, "wangzipped", 1003, {"submission.zip": check_zip(tmp, answers(REQUIRED))})
    canvas(s, "zhaohandout", 1004, {"nndl-ch5.zip": handout_zip(answers(REQUIRED))})
    canvas(s, "sunlate", 1005, answers([CHAPTER.exercise("ex5_4")]), late=True)
    canvas(s, "zhoumisnamed", 1006, {"ex5-4.py": answers([CHAPTER.exercise("ex5_4")])["ex5_4.py"]})
    for uid in range(1007, 1026):  # the rest of the class: ex5_4 only, right or wrong
        data = answers([CHAPTER.exercise("ex5_4")])["ex5_4.py"] if uid % 2 else WRONG_EX5_4
        canvas(s, f"student{uid}", uid, {"ex5_4.py": data}, late=uid == 1008)
    out = tmp / "out"
    assert main(["grade", str(s), "--out", str(out), "--jobs", "2", "--deadline", DEADLINE,
                 "--late-penalty", "10"]) == 0
    return s, out


def test_a_canvas_class_gets_its_final_grades(canvas_class, capsys):
    s, out = canvas_class
    rows = grades(out)
    assert len(rows) == 25
    # before any written part is graded: written '' and pending, auto out of possible 75
    assert numbers(rows["chenfull_1001"]) == ("45", "", "55", "0", "100", "75")
    assert rows["chenfull_1001"]["written_pending"] == "ex5_2.proof ex5_3.analysis ex5_7.analysis"
    assert numbers(rows["lirequired_1002"]) == ("45", "", "0", "0", "45", "75")

    fill_manual(out, {("chenfull_1001", "ex5_2", "proof"): 10,
                      ("chenfull_1001", "ex5_3", "analysis"): 10,
                      ("chenfull_1001", "ex5_7", "analysis"): 10,
                      ("chenfull_1001", "ex5_backprop", "derivation"): 15,
                      ("lirequired_1002", "ex5_2", "proof"): 10,
                      ("lirequired_1002", "ex5_3", "analysis"): 10,
                      ("lirequired_1002", "ex5_7", "analysis"): 10,
                      ("wangzipped_1003", "ex5_2", "proof"): 5})
    capsys.readouterr()
    main(["report", str(out)])
    rows = grades(out)
    want = {
        # optional work is extra credit, above possible; its written part too
        "chenfull_1001": ("45", "30", "70", "0", "145", "75"),
        # a perfect set of the required exercises is exactly 100% of possible
        "lirequired_1002": ("45", "30", "0", "0", "75", "75"),
        "wangzipped_1003": ("45", "5", "0", "0", "50", "75"),
        "zhaohandout_1004": ("45", "", "0", "0", "45", "75"),
        # Canvas marks it late but says not how late: no days, no penalty
        "sunlate_1005": ("10", "", "0", "0", "10", "75"),
        "zhoumisnamed_1006": ("0", "", "0", "0", "0", "75"),
    }
    for uid in range(1007, 1026):
        want[f"student{uid}_{uid}"] = ("10" if uid % 2 else "0", "", "0", "0",
                                       "10" if uid % 2 else "0", "75")
    assert {k: numbers(v) for k, v in rows.items()} == want
    assert rows["wangzipped_1003"]["written_pending"] == "ex5_3.analysis ex5_7.analysis"
    for sid in ("chenfull_1001", "lirequired_1002", "wangzipped_1003", "zhaohandout_1004"):
        assert rows[sid]["status"] == "ok", sid
    assert rows["zhoumisnamed_1006"]["status"] == "misnamed"

    late = rows["sunlate_1005"]
    assert (late["late_days"], late["penalty_pct"], late["time_source"]) == ("", "", "")
    assert "Canvas marks it late" in late["late_note"] and "days unknown" in late["late_note"]
    on_time = rows["student1007_1007"]
    assert on_time["late_days"] == "0" and "does not mark it late" in on_time["late_note"]

    # every output says the same: results.json (extra credit above the maximum) and feedback
    full = json.loads((out / "chenfull_1001" / "results.json").read_text())
    assert full["score"] == 145
    assert sum(t["max_score"] for t in full["tests"]) == 75  # required checks and written parts
    assert "**145 / 75**" in (out / "chenfull_1001" / "feedback.md").read_text()
    required = json.loads((out / "lirequired_1002" / "results.json").read_text())
    assert required["score"] == 75


def test_the_whole_handout_uploaded_is_not_misnamed(canvas_class):
    s, out = canvas_class
    summary = json.loads((out / "zhaohandout_1004" / "summary.json").read_text())
    assert summary["status"] == "ok"
    assert summary["upload"] == []  # no "Not used:" line for README, check.py, tests/, notebooks
    feedback = (out / "zhaohandout_1004" / "feedback.md").read_text()
    assert "Not used" not in feedback and "appears 2 times" not in feedback
    assert sorted(summary["received"]) == sorted(f for e in REQUIRED for f in e.files) + [] or \
        set(summary["received"]) >= {f for e in REQUIRED for f in e.files}


def test_times_the_lms_gives_are_applied_without_regrading(canvas_class, tmp_path, capsys):
    s, out = canvas_class
    times = tmp_path / "times.csv"
    times.write_text("student,submitted_at\nsunlate_1005,2025-06-03T20:00+08:00\n"
                     "student1008_1008,2025-06-01T23:00+08:00\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["grade", str(s), "--out", str(out), "--deadline", DEADLINE,
                 "--late-penalty", "10", "--times", str(times)]) == 0
    err = capsys.readouterr().err
    assert "25 student(s) already graded" in err and "23 student(s) have no row in times.csv" in err
    rows = grades(out)
    late = rows["sunlate_1005"]
    assert (late["late_days"], late["penalty_pct"], late["time_source"]) == \
        ("2", "20", "LMS times file")
    assert (late["penalty"], late["final"]) == ("2", "8")
    # Canvas flags 1008 late (another due date); the LMS's time says on time by the deadline
    assert (rows["student1008_1008"]["late_days"], rows["student1008_1008"]["final"]) == ("0", "0")


def test_a_zips_entry_dates_are_never_its_submission_time(tmp_path):
    s = tmp_path / "s"
    (s / "ann").mkdir(parents=True)
    data = check_zip(tmp_path, answers([CHAPTER.exercise("ex5_4")]))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # dated as the handout: long before
        assert all(i.date_time[:3] == (2024, 1, 1) for i in zf.infolist())
    upload = s / "ann" / "submission.zip"
    upload.write_bytes(data)
    five_days = datetime(2025, 6, 6, 20, 0, tzinfo=CST).timestamp()
    os.utime(upload, (five_days, five_days))  # when it reached this disk: five days late
    out = tmp_path / "out"
    assert main(["grade", str(s), "--out", str(out), "--deadline", DEADLINE,
                 "--late-penalty", "10"]) == 0
    row = grades(out)["ann"]
    assert (row["late_days"], row["penalty"], row["final"]) == ("", "0", "10")
    assert "No trustworthy submission time" in row["late_note"]
    assert main(["grade", str(s), "--out", str(out), "--deadline", DEADLINE,
                 "--late-penalty", "10", "--file-times"]) == 0
    row = grades(out)["ann"]
    assert (row["late_days"], row["time_source"], row["final"]) == \
        ("5", "file modification time", "5")


MOODLE_CLASS = {  # participant id -> (name, what the worksheet says, final grade)
    "1058": ("Alice Chen", "on time", "10"),
    "1056": ("小明 王", "8 h 48 min late: 1 day", "9"),
    "1057": ("Emma O'Brien", "1 day 16 h late: 2 days", "8"),
    "1059": ("José García", "'-': no time", "10"),
    "1060": ("Li Lei", "no row", "10"),
}


@pytest.mark.parametrize("layout,sheet", [("folders", "moodle-grading-worksheet-en.csv"),
                                          ("flat", "moodle-grading-worksheet-zh_cn.csv")])
def test_a_moodle_download_is_timed_by_its_grading_worksheet(tmp_path, capsys, layout, sheet):
    s = tmp_path / "s"
    s.mkdir()
    code = answers([CHAPTER.exercise("ex5_4")])["ex5_4.py"]
    for pid, (name, _, _) in MOODLE_CLASS.items():
        prefix = f"{name}_{pid}_assignsubmission_file_"
        if layout == "folders":
            (s / prefix).mkdir()
            (s / prefix / "ex5_4.py").write_bytes(code)
        else:
            (s / f"{prefix}ex5_4.py").write_bytes(code)
    out = tmp_path / "out"
    assert main(["grade", str(s), "--out", str(out), "--deadline", "2024-03-11T23:59+08:00",
                 "--late-penalty", "10", "--times", str(LMS / sheet), "--jobs", "2"]) == 0
    err = capsys.readouterr().err
    assert "1 student(s) have no row in" in err and "Li Lei_1060" in err
    assert "2 student(s) have no trustworthy submission time" in err and "--times FILE" in err
    rows = grades(out)
    assert {r["lms_id"]: r["final"] for r in rows.values()} == \
        {pid: final for pid, (_, _, final) in MOODLE_CLASS.items()}
    by_id = {r["lms_id"]: r for r in rows.values()}
    assert [by_id[p]["late_days"] for p in ("1058", "1056", "1057", "1059", "1060")] == \
        ["0", "1", "2", "", ""]
    assert by_id["1056"]["submitted_at"] == "2024-03-12T08:47:00+08:00"
    assert by_id["1056"]["time_source"] == "LMS times file"
    assert all("No trustworthy submission time" in by_id[p]["late_note"] for p in ("1059", "1060"))
