"""Moodle's download prefix is read from the left, so a student's own file name is data: it can
never make an upload count for another participant; two uploads with one LMS id are flagged."""

from __future__ import annotations

from pathlib import Path

from autograder.intake import collect, discover
from tests.support import CHAPTER


def test_a_forged_moodle_file_name_stays_with_its_uploader(tmp_path):
    """Eve (participant 1001) uploads a file whose own name is Moodle's prefix of Bob (1002)."""
    subs = tmp_path / "subs"
    subs.mkdir()
    forged = "Eve Li_1001_assignsubmission_file_Bob Wu_1002_assignsubmission_file_ex5_4.py"
    (subs / forged).write_text("x = 1\n")
    (subs / "Bob Wu_1002_assignsubmission_file_ex5_2.py").write_text("y = 2\n")
    entries, notes = discover(subs, chapter=CHAPTER)
    by = {e.student: e for e in entries}
    assert set(by) == {"Eve Li_1001", "Bob Wu_1002"}, (by, notes)
    assert by["Eve Li_1001"].identity.lms_id == "1001"
    assert [i.where for i in by["Eve Li_1001"].items] == [
        "Bob Wu_1002_assignsubmission_file_ex5_4.py"]
    assert [i.where for i in by["Bob Wu_1002"].items] == ["ex5_2.py"]
    assert not notes


def test_moodle_folders_as_moodle_names_them_and_the_older_trailing_underscore(tmp_path):
    subs = tmp_path / "subs"
    for folder in ("Alice Chen_1058_assignsubmission_file", "王小明_1056_assignsubmission_file_",
                   "Alice Chen_1058_assignsubmission_onlinetext"):
        (subs / folder).mkdir(parents=True)
    (subs / "Alice Chen_1058_assignsubmission_file" / "ex5_4.py").write_text("x = 1\n")
    (subs / "王小明_1056_assignsubmission_file_" / "ex5_4.py").write_text("x = 1\n")
    entries, notes = discover(subs, chapter=CHAPTER)
    assert [(e.student, e.identity.lms, e.identity.lms_id) for e in entries] == [
        ("Alice Chen_1058", "moodle", "1058"), ("王小明_1056", "moodle", "1056")]
    upload = collect(entries[0], tmp_path / "work", CHAPTER)
    assert upload.received == {"ex5_4.py": "ex5_4.py"}
    assert any("online text" in n for n in notes)


def test_two_uploads_with_one_lms_id_are_flagged(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "Eve Li_1001_assignsubmission_file_ex5_4.py").write_text("x = 1\n")
    (subs / "Bob Wu_1001_assignsubmission_file_ex5_4.py").write_text("x = 1\n")
    (subs / "zhang_LATE_777_1_ex5_4.py").write_text("x = 1\n")
    (subs / "li_777_2_ex5_4.py").write_text("x = 1\n")
    entries, notes = discover(subs, chapter=CHAPTER)
    assert len(entries) == 4
    dup = [n for n in notes if "same" in n]
    assert len(dup) == 2, notes
    assert "moodle id 1001" in dup[1] and "Bob Wu_1001" in dup[1] and "Eve Li_1001" in dup[1]
    assert "canvas id 777" in dup[0]
