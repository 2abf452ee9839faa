"""OUT/manual.csv: a row per student and written part, graders' cells kept across runs,
every problem named by its line."""

from __future__ import annotations

import csv

from autograder.report import manual
from autograder.marks import ManualMark
from tests.support import CHAPTER

PARTS = [(ex.id, w.id, w.points) for ex in CHAPTER.exercises for w in ex.written]


def rows(path):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def fill(path, student, exercise, part, points, comment=""):
    table = rows(path)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    for r in table:
        if (r["student"], r["exercise"], r["part"]) == (student, exercise, part):
            r["points"], r["comment"] = points, comment
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(table)


def test_a_row_per_student_and_written_part_with_the_manifest_maximum(tmp_path):
    sheet = manual.sync(tmp_path, CHAPTER, ["bob", "alice"])
    assert sheet.problems == [] and sheet.marks == {}
    assert (tmp_path / "manual.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # Excel: UTF-8
    with open(tmp_path / "manual.csv", newline="", encoding="utf-8-sig") as fh:
        assert next(csv.reader(fh)) == ["student", "exercise", "part", "points", "max_points",
                                        "comment"]
    got = [(r["student"], r["exercise"], r["part"], r["points"], r["max_points"])
           for r in rows(tmp_path / "manual.csv")]
    assert got == [(s, e, p, "", f"{m:g}") for s in ("alice", "bob") for e, p, m in PARTS]


def test_graders_cells_survive_new_students_and_reruns(tmp_path):
    manual.sync(tmp_path, CHAPTER, ["alice", "bob"])
    fill(tmp_path / "manual.csv", "bob", "ex5_2", "proof", "8.5", "很好, but say where padding is used")
    before = (tmp_path / "manual.csv").read_bytes()
    sheet = manual.sync(tmp_path, CHAPTER, ["alice", "bob"])
    assert (tmp_path / "manual.csv").read_bytes() == before  # nothing to change: not rewritten
    assert sheet.marks == {"bob": [ManualMark("ex5_2", "proof", 8.5, 10,
                                              "很好, but say where padding is used")]}
    sheet = manual.sync(tmp_path, CHAPTER, ["alice", "bob", "carol"])
    table = rows(tmp_path / "manual.csv")
    assert len(table) == 3 * len(PARTS)
    bob = next(r for r in table if (r["student"], r["exercise"]) == ("bob", "ex5_2"))
    assert (bob["points"], bob["comment"]) == ("8.5", "很好, but say where padding is used")
    assert sheet.for_student("bob")[0].points == 8.5


def test_filled_rows_of_students_no_longer_graded_are_kept_not_counted(tmp_path):
    manual.sync(tmp_path, CHAPTER, ["alice", "zed"])
    fill(tmp_path / "manual.csv", "zed", "ex5_7", "analysis", "3")
    sheet = manual.sync(tmp_path, CHAPTER, ["alice"])
    table = rows(tmp_path / "manual.csv")
    assert [r["student"] for r in table].count("zed") == 1  # the filled one; the empty ones go
    assert "zed" not in sheet.marks
    assert any("'zed' is not a graded student" in p and "kept, not counted" in p
               for p in sheet.problems)


def test_bad_points_are_named_by_line_and_not_counted(tmp_path):
    manual.sync(tmp_path, CHAPTER, ["alice"])
    path = tmp_path / "manual.csv"
    fill(path, "alice", "ex5_2", "proof", "11")
    fill(path, "alice", "ex5_3", "analysis", "seven")
    fill(path, "alice", "ex5_7", "analysis", "-1")
    fill(path, "alice", "ex5_backprop", "derivation", "15")
    sheet = manual.read(path, CHAPTER, ["alice"])
    assert sheet.problems == [
        "manual.csv line 2 (alice, ex5_2, proof): points 11 is more than max_points 10; not counted",
        "manual.csv line 3 (alice, ex5_3, analysis): points 'seven' is not a number; not counted",
        "manual.csv line 4 (alice, ex5_7, analysis): points -1 is negative; not counted",
    ]
    assert sheet.marks == {"alice": [ManualMark("ex5_backprop", "derivation", 15, 15, "")]}


def test_a_file_without_the_columns_is_never_rewritten(tmp_path):
    path = tmp_path / "manual.csv"
    path.write_text("name,score\nalice,3\n")
    sheet = manual.sync(tmp_path, CHAPTER, ["alice"])
    assert not sheet.readable and "has no column student" in sheet.problems[0]
    assert path.read_text() == "name,score\nalice,3\n"


def test_columns_a_grader_added_are_kept_and_a_bom_is_read(tmp_path):
    manual.sync(tmp_path, CHAPTER, ["alice"])
    path = tmp_path / "manual.csv"
    text = path.read_text(encoding="utf-8-sig").splitlines()
    text[0] += ",grader"
    text[1] = text[1].replace(",,10,", ",6,10,") + ",ming"
    path.write_text("\ufeff" + "\n".join(text) + "\n", encoding="utf-8")
    sheet = manual.sync(tmp_path, CHAPTER, ["alice", "bob"])
    assert sheet.marks["alice"] == [ManualMark("ex5_2", "proof", 6, 10, "")]
    alice = rows(path)[0]
    assert (alice["grader"], alice["points"]) == ("ming", "6")
