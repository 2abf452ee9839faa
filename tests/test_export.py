"""``nndl-grade export``: each CSV is checked against the rules its importer applies, as read
from the importers' sources and documentation (autograder/export.py cites them)."""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.export import (CANVAS_READ_ONLY, ExportError, MOODLE_PARTICIPANT,
                               MOODLE_REQUIRED, export)
from autograder.results import pts
from autograder.grades import read_grades_csv
from tests.support import CHAPTER, SOLUTIONS

REFERENCE = (SOLUTIONS / "ch5" / "ex5_4.py").read_bytes()


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """A class from three sources: a Canvas download (one student late), a Moodle download,
    a plain folder; graded with a deadline and a penalty."""
    subs = tmp_path_factory.mktemp("subs")
    (subs / "zhangsan_12345_678901_ex5_4.py").write_bytes(REFERENCE)
    (subs / "lisi_LATE_23456_678902_ex5_4.py").write_bytes(REFERENCE)
    moodle = subs / "王五_1001_assignsubmission_file_"
    moodle.mkdir()
    (moodle / "ex5_4.py").write_bytes(REFERENCE)
    (subs / "2023009").mkdir()
    (subs / "2023009" / "ex5_4.py").write_bytes(REFERENCE)
    out = tmp_path_factory.mktemp("out") / "out"
    deadline = (datetime.now().astimezone() + timedelta(hours=1)).isoformat(timespec="seconds")
    assert main(["grade", str(subs), "--out", str(out), "--deadline", deadline,
                 "--late-penalty", "25"]) == 0
    return out


def read(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark, for Excel
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def canvas_importer(rows: list[list[str]]) -> dict:
    """What Canvas's GradebookImporter (app/models/gradebook_importer.rb) makes of the file:
    its header checks, its student-column count, its assignment columns (``Title (id)``)."""
    header = rows[0]
    assert len(header) > 3 and "Student" in header[0] and "ID" in header[1], header
    columns = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        columns += 1
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        columns += 2
    assert "Section" in header[columns - 1], "the last student column must be Section"
    read_only = re.compile("|".join(CANVAS_READ_ONLY))
    assignments = [h for h in header[columns:] if not read_only.search(h)]
    assert assignments == header[columns:], "no read-only columns are exported"
    body = rows[1:]
    points = body.pop(0) if body and "Points Possible" in body[0][0] else None
    students = []
    for row in body:
        assert len(row) == len(header)
        for value in row[columns:]:
            float(value)  # every grade is a number
        students.append({"name": row[0], "id": row[1], "sis": row[2], "grades": row[columns:]})
    titles = [re.match(r"\A(.*)\s\((\d+)\)\Z", a) for a in assignments]
    return {"assignments": assignments, "ids": [t[2] if t else None for t in titles],
            "points": points[columns:] if points else None, "students": students}


def test_canvas_export_imports(graded, capsys):
    assert main(["export", str(graded), "--format", "canvas",
                 "--assignment", "Chapter 5 programming (4242)"]) == 0
    assert "Canvas will match them by name only" in capsys.readouterr().err
    got = canvas_importer(read(graded / "export-canvas.csv"))
    assert got["assignments"] == ["Chapter 5 programming (4242)"] and got["ids"] == ["4242"]
    assert got["points"] == [pts(CHAPTER.points)]
    by_id = {s["id"]: s for s in got["students"]}
    assert set(by_id) == {"12345", "23456", ""}  # the Moodle and folder students have no id
    assert by_id["12345"]["grades"] == ["10"]
    # Canvas marks it late but gives no time: late, days unknown, no penalty (issue 18)
    assert by_id["23456"]["grades"] == ["10"]
    rows = {r["student"]: r for r in read_grades_csv(graded / "grades.csv")}
    assert rows["lisi_23456"]["late_days"] == "" and rows["lisi_23456"]["penalty"] == "0"
    assert "days unknown" in rows["lisi_23456"]["late_note"]
    assert rows["zhangsan_12345"]["late_days"] == "0"


def test_canvas_detail_columns_are_assignments_with_their_points(graded, tmp_path):
    done = export(graded, format="canvas", output=tmp_path / "c.csv", detail="exercises",
                  score="total")
    got = canvas_importer(read(done.path))
    assert got["assignments"][1:] == [f"nndl ch5 auto-graded {ex.id}" for ex in CHAPTER.exercises]
    assert got["points"] == [pts(CHAPTER.points), *[pts(ex.points) for ex in CHAPTER.exercises]]
    assert all(s["grades"][0] == "10" for s in got["students"])  # total: no penalty
    with pytest.raises(ExportError, match="never imports as an assignment"):
        export(graded, format="canvas", output=tmp_path / "x.csv", assignment="Final Score")


def test_moodle_export_imports(graded):
    assert main(["export", str(graded), "--format", "moodle", "--detail", "checks"]) == 0
    rows = read(graded / "export-moodle.csv")
    header = rows[0]
    for column in MOODLE_REQUIRED:  # what assignfeedback_offline_grade_importer needs
        assert column in header
    records = [dict(zip(header, r)) for r in rows[1:]]
    moodle = [r for r in records if r["Identifier"]]
    assert [r["Full name"] for r in moodle] == ["王五"]
    ident = moodle[0]["Identifier"]
    assert ident.startswith(MOODLE_PARTICIPANT) and ident[len(MOODLE_PARTICIPANT):] == "1001"
    for r in records:
        assert 0 <= float(r["Grade"]) <= float(r["Maximum Grade"]) == CHAPTER.points
        datetime.fromisoformat(r["Last modified (grade)"])  # ISO 8601, which strtotime reads
    check_columns = [h for h in header if " · " in h]
    assert len(check_columns) == sum(len(ex.checks) for ex in CHAPTER.exercises)


def test_gradescope_export_has_the_roster_columns(graded):
    assert main(["export", str(graded), "--format", "gradescope"]) == 0
    rows = read(graded / "export-gradescope.csv")
    assert rows[0] == ["Name", "Email", "SID", "Score"]
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["2023009"][2] == "2023009"  # a folder named by the student number
    assert by_name["王五"][3] == "10"


def test_exporting_before_grading_says_what_to_do(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--format", "canvas"]) == 2
    assert "grade the class first" in capsys.readouterr().err
