"""Student-chosen names that start like a spreadsheet formula reach grades.csv, manual.csv,
similarity.csv and every export only as inert text (csvcells), and read back as they were."""

from __future__ import annotations

import csv
import io

from autograder.cli import main
from autograder.csvcells import TRIGGERS
from autograder.grades import read_grades_csv
from autograder.report import manual
from tests.support import CHAPTER, SOLUTIONS

REFERENCE = (SOLUTIONS / "ch5" / "ex5_4.py").read_bytes()
NAMES = ["=1+2", "@SUM(A1)", "+cmd", "-2+3"]


def _live_cells(path) -> list[str]:
    """Cells a spreadsheet would run as formulas."""
    text = path.read_bytes().decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    return [c for c in cells if c.startswith(TRIGGERS) and c != "-"
            and not c.lstrip("-").replace(".", "", 1).isdigit()]


def test_formula_names_are_inert_in_every_csv_and_read_back(tmp_path):
    subs = tmp_path / "subs"
    for name in NAMES:
        (subs / name).mkdir(parents=True)
        (subs / name / "ex5_4.py").write_bytes(REFERENCE)
    (subs / "=HYPERLINK(1)_1001_assignsubmission_file_ex5_4.py").write_bytes(REFERENCE)
    out = tmp_path / "out"
    assert main(["grade", str(subs), "--out", str(out)]) == 0
    moodle_student = "=HYPERLINK(1)_1001"
    rows = {r["student"]: r for r in read_grades_csv(out / "grades.csv")}
    assert set(rows) == {*NAMES, moodle_student}
    assert rows[moodle_student]["name"] == "=HYPERLINK(1)"

    # a grader marks a written part of "=1+2" in manual.csv; it reads back and counts
    sheet = out / "manual.csv"
    text = sheet.read_text(encoding="utf-8-sig")
    assert "'=1+2,ex5_2,proof,,10," in text
    sheet.write_text(text.replace("'=1+2,ex5_2,proof,,10,", "'=1+2,ex5_2,proof,7,10,=oops"),
                     encoding="utf-8-sig")
    assert main(["report", str(out)]) == 0
    marks = manual.read(sheet, CHAPTER, list(rows)).for_student("=1+2")
    assert [(m.part, m.points, m.comment) for m in marks] == [("proof", 7.0, "=oops")]
    assert {r["student"]: r for r in read_grades_csv(out / "grades.csv")}["=1+2"]["written"] == "7"

    assert main(["export", str(out), "--format", "canvas"]) == 0
    assert main(["export", str(out), "--format", "moodle", "--language", "zh_cn"]) == 0
    worksheet = tmp_path / "ws.csv"
    worksheet.write_text("Identifier,Full name,Email address,Grade,Last modified (grade)\n"
                         "Participant 1001,=HYPERLINK(1),=x@y,,-\n", encoding="utf-8-sig")
    assert main(["export", str(out), "--into", str(worksheet)]) == 0
    files = ["grades.csv", "manual.csv", "similarity.csv", "export-canvas.csv",
             "export-moodle.csv", "filled-ws.csv"]
    for name in files:
        path = out / name
        assert path.is_file(), name
        assert _live_cells(path) == [], name
    assert "'=1+2" in (out / "similarity.csv").read_text(encoding="utf-8-sig")
