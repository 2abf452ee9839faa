"""The class an export sends, read from a grades.csv written here: two students with one LMS
id get no grade anywhere; a student with nothing gradeable is left empty unless asked."""

from __future__ import annotations

from autograder.export import export
from autograder.grades import csv_header, write_csv
from tests.export.importers import FIXTURES, moodle_import, moodle_participants
from tests.support import CHAPTER


def _grades(out, rows):
    header = csv_header(CHAPTER)
    out.mkdir(parents=True, exist_ok=True)
    table = [header]
    for r in rows:
        table.append([r.get(c, "") for c in header])
    write_csv(out / "grades.csv", table)


def test_two_students_with_one_participant_id_get_no_grade(tmp_path):
    out = tmp_path / "out"
    _grades(out, [
        {"student": "Emma OBrien_1057", "name": "Emma OBrien", "lms": "moodle", "lms_id": "1057",
         "status": "ok", "adjusted": "60", "final": "60"},
        {"student": "Eve Li_1057", "name": "Eve Li", "lms": "moodle", "lms_id": "1057",
         "status": "ok", "adjusted": "90", "final": "90"},
        {"student": "Alice Chen_1058", "name": "Alice Chen", "lms": "moodle", "lms_id": "1058",
         "status": "ok", "adjusted": "70", "final": "70"},
        {"student": "José García_1059", "name": "José García", "lms": "moodle",
         "lms_id": "1059", "status": "nothing recognised", "adjusted": "0", "final": "0"},
    ])
    done = export(out, into=FIXTURES / "moodle-grading-worksheet-en.csv",
                  output=tmp_path / "w.csv")
    state = moodle_participants((FIXTURES / "moodle-grading-worksheet-en.csv").read_bytes())
    assert moodle_import(done.path.read_bytes(), "en", state) == {1058: 70.0}
    assert any("Emma OBrien_1057, Eve Li_1057: all carry moodle id 1057" in x
               for x in done.left)
    assert any("José García_1059: nothing recognised" in x for x in done.left)

    scratch = export(out, format="moodle", output=tmp_path / "m.csv")
    text = scratch.path.read_text(encoding="utf-8-sig")
    assert "1057" not in text and "Participant 1058" in text
    assert ",José García,,,," in text  # empty, not 0

    zero = export(out, format="moodle", output=tmp_path / "z.csv", missing="zero")
    assert ",José García,,,0," in zero.path.read_text(encoding="utf-8-sig")
