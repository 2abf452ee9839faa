"""``nndl-grade export OUT --format canvas|moodle``: files written from nothing, read back with
the importers' own rules (``importers``); the score sent; students left empty; no Gradescope CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from autograder.cli import main
from autograder.export import ExportError, export, score_of
from autograder.grades import read_grades_csv
from autograder.results import pts
from tests.export.importers import ImportFailed, canvas_import, moodle_import
from tests.support import CHAPTER


def _rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def test_score_of_reads_final_else_adjusted():
    assert score_of({"final": "18", "adjusted": "10"}) == 18
    assert score_of({"adjusted": "10"}) == 10  # a grades.csv without final
    assert score_of({"final": "", "adjusted": "7.5"}) == 7.5
    assert score_of({"auto": "9", "total": "8", "final": "1"}, "auto") == 9
    assert score_of({"total": "8"}, "auto") == 8
    with pytest.raises(ExportError, match="no column final or adjusted"):
        score_of({"student": "x"})
    with pytest.raises(ExportError, match="'ten', not a number"):
        score_of({"student": "x", "final": "ten"})


def test_canvas_from_scratch_imports_by_id(canvas_class, capsys):
    assert main(["export", str(canvas_class), "--format", "canvas",
                 "--assignment", "Chapter 5 programming (4242)"]) == 0
    err = capsys.readouterr().err
    path = canvas_class / "export-canvas.csv"
    roster = {48211: {"name": "Chen, Alice", "sis": "S20240001", "login": "achen"},
              48213: {"name": "García, José", "sis": "S20240003", "login": "jgarcia"}}
    changes, missing = canvas_import(path.read_bytes(), roster, {})
    g = {r["student"]: r for r in read_grades_csv(canvas_class / "grades.csv")}
    assert changes == {(48211, "Chapter 5 programming (4242)"): g["chenalice_48211"]["final"]}
    # García's upload held nothing gradeable: an empty cell, not 0; the others are unknown here
    assert sorted(missing) == ["wangxm", "zhao"]
    assert "left empty: garcíajosé_48213: nothing recognised" in err
    assert _rows(path)[1][:6] == ["Points Possible", "", "", "", "", g["chenalice_48211"]["possible"]]


def test_missing_zero_sends_0_when_asked(canvas_class, tmp_path):
    done = export(canvas_class, format="canvas", output=tmp_path / "z.csv", missing="zero")
    rows = {r[1]: r for r in _rows(done.path)[2:]}
    assert rows["48213"][5] == "0" and done.left == []


def test_canvas_detail_columns_and_read_only_titles(canvas_class, tmp_path):
    done = export(canvas_class, format="canvas", output=tmp_path / "c.csv", detail="exercises",
                  score="auto")
    header, points = _rows(done.path)[:2]
    assert header[6:] == [f"nndl ch5 auto-graded {ex.id}" for ex in CHAPTER.exercises]
    required = sum(ex.points for ex in CHAPTER.exercises if not ex.optional)  # auto: 45
    assert points[5:] == [pts(required), *[pts(ex.points) for ex in CHAPTER.exercises]]
    with pytest.raises(ExportError, match="never imports as an assignment"):
        export(canvas_class, format="canvas", output=tmp_path / "x.csv", assignment="Final Score")


@pytest.mark.parametrize("language", ["en", "zh_cn"])
def test_moodle_from_scratch_in_the_uploaders_language(moodle_class, tmp_path, language):
    done = export(moodle_class, format="moodle", language=language, output=tmp_path / "m.csv")
    assert done.score == "final"  # a written part is graded
    g = {r["student"]: r for r in read_grades_csv(moodle_class / "grades.csv")}
    state = {1058: {"grade": None, "timemodified": None},
             1056: {"grade": 50.0, "timemodified": datetime.now().timestamp() - 3600}}
    got = moodle_import(done.path.read_bytes(), language, state)
    assert got == {1058: float(g["Alice Chen_1058"]["final"]),
                   1056: float(g["小明 王_1056"]["final"])}
    with pytest.raises(ImportFailed):
        moodle_import(done.path.read_bytes(), "en" if language == "zh_cn" else "zh_cn", state)
    rows = _rows(done.path)
    assert {len(r) for r in rows} == {len(rows[0])}  # Moodle drops a file with ragged rows
    assert any("José García_1059: nothing recognised" in x for x in done.left)


def test_the_written_points_wait_for_the_report(moodle_class, tmp_path):
    """manual.csv filled after the last report: refused until the report folds it in."""
    import shutil

    out = tmp_path / "out"
    shutil.copytree(moodle_class, out)
    manual = out / "manual.csv"
    text = manual.read_text(encoding="utf-8-sig").replace(
        "小明 王_1056,ex5_3,analysis,,10,", "小明 王_1056,ex5_3,analysis,6,10,")
    manual.write_text(text, encoding="utf-8-sig")
    with pytest.raises(ExportError, match="run nndl-grade report"):
        export(out, format="moodle", output=tmp_path / "m.csv")
    assert main(["report", str(out)]) == 0
    done = export(out, format="moodle", output=tmp_path / "m.csv")
    wang = next(r for r in _rows(done.path) if r[0] == "Participant 1056")
    g = {r["student"]: r for r in read_grades_csv(out / "grades.csv")}
    assert float(wang[4]) == float(g["小明 王_1056"]["final"])
    assert float(g["小明 王_1056"]["written"]) == 6  # the written points reach the export


def test_final_is_the_default_and_says_no_written_part_is_graded(canvas_class, tmp_path):
    done = export(canvas_class, format="canvas", output=tmp_path / "c.csv")
    assert done.score == "final"
    assert any("no written part is graded yet" in n for n in done.notes)


def test_no_gradescope_csv(canvas_class, capsys):
    with pytest.raises(ExportError, match="results.json"):
        export(canvas_class, format="gradescope")
    with pytest.raises(SystemExit):  # argparse: an unknown choice
        main(["export", str(canvas_class), "--format", "gradescope"])


def test_exporting_before_grading_says_what_to_do(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--format", "canvas"]) == 2
    assert "grade the class first" in capsys.readouterr().err
    assert main(["export", str(tmp_path)]) == 2
    assert "--into FILE" in capsys.readouterr().err
