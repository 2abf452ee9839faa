"""``nndl-grade export OUT --into FILE`` fills the LMS's own download (../shared/lms's Canvas
gradebook export with and without BOM, Moodle's grading worksheet in English and Chinese), and
the LMS's importer, re-enacted in ``importers``, reads back exactly the grades meant."""

from __future__ import annotations

import pytest

from autograder.cli import main
from autograder.export import ExportError, export
from autograder.grades import read_grades_csv
from tests.export.importers import (FIXTURES, SHARED, ImportFailed, canvas_import, canvas_roster,
                                    moodle_import, moodle_participants)

CANVAS = ("canvas-gradebook-export.csv", "canvas-gradebook-export-bom.csv")
MOODLE = {"en": "moodle-grading-worksheet-en.csv", "zh_cn": "moodle-grading-worksheet-zh_cn.csv"}


def test_the_fixtures_are_the_shared_samples():
    if not SHARED.is_dir():
        pytest.skip("../shared/lms is not next to this checkout")
    for f in FIXTURES.iterdir():
        assert f.read_bytes() == (SHARED / f.name).read_bytes(), f.name


def _grades(out):
    return {r["student"]: r for r in read_grades_csv(out / "grades.csv")}


@pytest.mark.parametrize("name", CANVAS)
def test_canvas_gradebook_export_filled_and_read_back(canvas_class, tmp_path, name, capsys):
    source = FIXTURES / name
    filled = tmp_path / name
    assert main(["export", str(canvas_class), "--into", str(source), "--output", str(filled),
                 "--assignment", "305771"]) == 0
    err = capsys.readouterr().err
    before, after = source.read_bytes(), filled.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") == before.startswith(b"\xef\xbb\xbf")
    assert before.count(b"\n") == after.count(b"\n") and b"\r" not in after
    roster, current = canvas_roster(before)
    changes, missing = canvas_import(after, roster, current)
    g = _grades(canvas_class)
    chen = float(g["chenalice_48211"]["final"])
    wang = float(g["wangxm"]["final"])
    assert chen > 0 and wang > 0
    # only the two graded students' Essay 1 changes: García's refused upload and O'Brien's
    # missing one keep what Canvas holds (78.00 and empty), nothing else moves
    assert changes == {(48211, "Essay 1 (305771)"): f"{chen:.2f}",
                       (48212, "Essay 1 (305771)"): f"{wang:.2f}"}
    assert missing == []
    assert "not in the file (no row matches): zhao_49999" in err
    assert "not filled (kept as downloaded): garcíajosé_48213: nothing recognised" in err
    assert "O'Brien, Emma (ID 48214): no graded student" in err
    # Essay 1 is out of 100 in Canvas, the chapter's grade out of its composition's 75: said
    assert "is out of 100.00 in Canvas; the grades written are out of 75" in err
    # every other cell is kept as Canvas wrote it
    old_rows, new_rows = before.decode().splitlines(), after.decode().splitlines()
    assert old_rows[0] == new_rows[0] and old_rows[1] == new_rows[1]


def test_canvas_column_is_named_by_title_or_refused_with_the_choices(canvas_class, tmp_path):
    done = export(canvas_class, into=FIXTURES / CANVAS[0], output=tmp_path / "a.csv",
                  assignment="Essay 1")
    assert done.rows == 2 and any("out of 75" in n for n in done.notes)
    done = export(canvas_class, into=FIXTURES / CANVAS[0], output=tmp_path / "q.csv",
                  assignment="Quiz 1 (305772)")
    assert any("'Quiz 1 (305772)' is out of 10.00 in Canvas" in n for n in done.notes)
    with pytest.raises(ExportError, match="3 assignment columns"):
        export(canvas_class, into=FIXTURES / CANVAS[0], output=tmp_path / "b.csv")
    with pytest.raises(ExportError, match="Essay 1 \\(305771\\); Quiz 1"):
        export(canvas_class, into=FIXTURES / CANVAS[0], output=tmp_path / "c.csv",
               assignment="Final Score")
    with pytest.raises(ExportError, match="stays as the LMS gave it"):
        export(canvas_class, into=FIXTURES / CANVAS[0], output=FIXTURES / CANVAS[0])


@pytest.mark.parametrize("language", ["en", "zh_cn"])
def test_moodle_worksheet_filled_and_read_back_in_its_language(moodle_class, tmp_path, language,
                                                               capsys):
    source = FIXTURES / MOODLE[language]
    filled = tmp_path / MOODLE[language]
    assert main(["export", str(moodle_class), "--into", str(source), "--output",
                 str(filled)]) == 0
    err = capsys.readouterr().err
    raw = filled.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    state = moodle_participants((FIXTURES / MOODLE["en"]).read_bytes())
    g = _grades(moodle_class)
    alice = float(g["Alice Chen_1058"]["final"])
    wang = float(g["小明 王_1056"]["final"])
    assert float(g["Alice Chen_1058"]["written"]) == 8  # the written proof counts in final
    assert "still have ungraded written parts" in err and "小明 王_1056 (ex5_2/proof" in err
    assert "not in the file (no row matches): Bob Wu_2000" in err
    assert "not filled (kept as downloaded): José García_1059: nothing recognised" in err
    got = moodle_import(raw, language, state)
    if language == "en":
        assert got == {1058: alice, 1056: wang}
    else:
        # a zh_cn Moodle cannot parse its own dates: graded rows are "modified since download"
        assert got == {} and "Allow updating records" in err
        assert moodle_import(raw, language, state, ignoremodified=True) == {1058: alice,
                                                                            1056: wang}
    other = "zh_cn" if language == "en" else "en"
    with pytest.raises(ImportFailed):  # uploaded in another language: Moodle cannot read it
        moodle_import(raw, other, state)
    assert f"interface language it was downloaded in ({language})" in err


def test_moodle_worksheet_in_another_language_needs_its_grade_column(moodle_class, tmp_path):
    text = (FIXTURES / MOODLE["en"]).read_text(encoding="utf-8-sig")
    french = text.replace("Identifier", "Identifiant").replace(",Grade,", ",Note,")
    src = tmp_path / "fr.csv"
    src.write_text(french.replace("Participant ", "Participant "), encoding="utf-8-sig")
    with pytest.raises(ExportError, match="--column"):
        export(moodle_class, into=src, output=tmp_path / "x.csv")
    done = export(moodle_class, into=src, output=tmp_path / "y.csv", column="Note")
    assert done.rows == 2


def test_duplicate_ids_in_the_lms_file_are_left_and_listed(canvas_class, tmp_path):
    lines = (FIXTURES / CANVAS[0]).read_text().splitlines()
    lines.append(lines[2].replace('"Chen, Alice"', '"Chen, Alicia"'))  # a second 48211 row
    src = tmp_path / "dup.csv"
    src.write_text("\n".join(lines) + "\n")
    done = export(canvas_class, into=src, output=tmp_path / "out.csv", assignment="305771")
    assert done.rows == 1  # only 王小明
    assert sum("two rows of the file share its id" in x for x in done.left) == 2


def test_a_semicolon_canvas_export_stays_semicolon(canvas_class, tmp_path):
    import csv
    import io

    rows = list(csv.reader(io.StringIO((FIXTURES / CANVAS[0]).read_text(), newline="")))
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows)
    src = tmp_path / "semi.csv"
    src.write_text(buf.getvalue())
    done = export(canvas_class, into=src, output=tmp_path / "out.csv", assignment="305771")
    after = done.path.read_bytes()
    roster, current = canvas_roster(src.read_bytes())
    changes, _ = canvas_import(after, roster, current)
    assert set(changes) == {(48211, "Essay 1 (305771)"), (48212, "Essay 1 (305771)")}
    assert after.decode().splitlines()[0] == buf.getvalue().splitlines()[0]


def test_a_column_canvas_marks_read_only_is_refused(canvas_class, tmp_path):
    text = (FIXTURES / CANVAS[0]).read_text()
    src = tmp_path / "ro.csv"
    src.write_text(text.replace("Possible,,,,,100.00,", "Possible,,,,,(read only),"))
    with pytest.raises(ExportError, match="read only"):
        export(canvas_class, into=src, output=tmp_path / "o.csv", assignment="305771")
