"""Submission times from a file the LMS exports: Moodle's grading worksheet in English and in
Chinese (copies of shared/lms/ in tests/fixtures/lms/), or a plain student,submitted_at CSV."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder.intake import Entry
from autograder.intake.times import parse_lms_time, read_times
from autograder.results import Identity

LMS = Path(__file__).resolve().parents[1] / "fixtures" / "lms"
CST = timezone(timedelta(hours=8))


def moodle(name: str, pid: str) -> Entry:
    return Entry(f"{name}_{pid}", Path("x"), (), Identity(name=name, lms="moodle", lms_id=pid))


@pytest.mark.parametrize("sheet", ["moodle-grading-worksheet-en.csv",
                                   "moodle-grading-worksheet-zh_cn.csv"])
def test_moodles_worksheet_in_either_language_gives_each_participants_time(sheet):
    times = read_times(LMS / sheet, CST)
    assert times.problems == []
    assert times.lookup(moodle("Alice Chen", "1058")) == (True, datetime(2024, 3, 11, 21, 5,
                                                                         tzinfo=CST))
    assert times.lookup(moodle("小明 王", "1056")) == (True, datetime(2024, 3, 12, 8, 47,
                                                                     tzinfo=CST))
    assert times.lookup(moodle("Emma O'Brien", "1057"))[1] == datetime(2024, 3, 13, 16, 20,
                                                                        tzinfo=CST)
    assert times.lookup(moodle("José García", "1059")) == (True, None)  # "-": no submission
    assert times.lookup(moodle("Li Lei", "2000")) == (False, None)
    # the participant id decides, never the name (Moodle's name order depends on language)
    assert times.lookup(moodle("Somebody Else", "1058"))[0]


def test_the_shared_samples_are_the_ones_tested():
    shared = LMS.parents[2].parent / "shared" / "lms"
    if not shared.is_dir():
        pytest.skip(f"{shared} is not on this machine")
    for copy in LMS.glob("moodle-grading-worksheet-*.csv"):
        assert copy.read_bytes() == (shared / copy.name).read_bytes()


def test_a_plain_times_file_matches_any_name_of_the_student(tmp_path):
    path = tmp_path / "times.csv"
    path.write_text("student,submitted_at\nzhangsan_12345,2025-06-02T10:00+08:00\n"
                    "23456,2025-06-01 20:00\nWang Wu,\n,2025-06-01\nbad,next friday\n",
                    encoding="utf-8")
    times = read_times(path, CST)
    canvas = Entry("lisi_23456", Path("x"), (), Identity(name="lisi", lms="canvas",
                                                         lms_id="23456"))
    assert times.lookup(canvas) == (True, datetime(2025, 6, 1, 20, 0, tzinfo=CST))
    assert times.lookup(Entry("zhangsan_12345", Path("x")))[1] == \
        datetime(2025, 6, 2, 10, 0, tzinfo=CST)
    assert times.lookup(Entry("ww", Path("x"), (), Identity(name="wang wu"))) == (True, None)
    assert len(times.problems) == 2
    assert "line 5: no student named" in times.problems[0]
    assert "line 6: 'next friday' is not a time" in times.problems[1]


def test_a_file_without_the_columns_is_refused_with_what_is_read(tmp_path):
    path = tmp_path / "gradebook.csv"
    path.write_text("Student,ID,SIS User ID\nChen Alice,1,s1\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        read_times(path)
    text = str(err.value)
    assert "gradebook.csv" in text and "Last modified (submission)" in text
    assert "上次修改（作业）" in text and "student,submitted_at" in text
    assert "Student, ID, SIS User ID" in text


def test_lms_times_are_read_in_the_zone_given():
    assert parse_lms_time("Tuesday, 5 March 2024, 9:05 AM", CST) == \
        datetime(2024, 3, 5, 9, 5, tzinfo=CST)
    assert parse_lms_time("2024年03月05日 星期二 21:05", CST) == \
        datetime(2024, 3, 5, 21, 5, tzinfo=CST)
    assert parse_lms_time("2024-03-05T21:05Z", CST) == datetime(2024, 3, 5, 21, 5,
                                                               tzinfo=timezone.utc)
    assert parse_lms_time("-") is None and parse_lms_time(" ") is None
    assert parse_lms_time("2024-03-05 21:05").tzinfo is not None  # local time without a zone
