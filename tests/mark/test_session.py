"""The marking session: anonymous keys in a stable shuffled order, one app per folder, each
mark written at once to manual.csv with every other row and column kept."""

from __future__ import annotations

import csv

import pytest

from autograder.mark.session import Busy, Session
from autograder.report import manual
from tests.support import CHAPTER


def rows(out):
    with open(out / "manual.csv", newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_keys_hide_the_ids_and_the_order_is_shuffled_but_stable(out):
    s = Session.open(out, CHAPTER)
    p = s.part("ex5_2-proof")
    first = [e["key"] for e in s.entries(p)]
    students = [s.student(k) for k in first]
    s.close()
    assert sorted(students) == sorted(s.results)
    assert not any(st in k for k in first for st in students)
    again = Session.open(out, CHAPTER)
    assert [e["key"] for e in again.entries(again.part("ex5_2-proof"))] == first
    again.close()
    (out / ".mark.json").unlink()  # a new secret: another order, other keys
    other = Session.open(out, CHAPTER)
    assert set(e["key"] for e in other.entries(other.part("ex5_2-proof"))).isdisjoint(first)
    other.close()


def test_a_second_app_on_the_folder_is_refused_until_the_first_closes(out):
    s = Session.open(out, CHAPTER)
    with pytest.raises(Busy, match="another nndl-grade mark"):
        Session.open(out, CHAPTER)
    s.close()
    Session.open(out, CHAPTER).close()


def test_a_mark_is_written_at_once_and_nothing_else_changes(out):
    path = out / "manual.csv"
    table = rows(out)
    header = list(table[0]) + ["grader"]
    for r in table:
        r["grader"] = "TA1"
    gus = next(r for r in table if (r["student"], r["exercise"]) == ("gus", "ex5_3"))
    gus["points"], gus["comment"] = "4", "短 / short"
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(table)
    s = Session.open(out, CHAPTER)
    p = s.part("ex5_2-proof")
    key = next(k for k in s.order if s.student(k) == "ann")
    assert s.save(key, p, 7.5, "清楚 / clear")["mark"] == {"points": 7.5, "comment": "清楚 / clear"}
    after = rows(out)
    changed = [r for r, b in zip(after, table) if r != b]
    assert [(r["student"], r["part"], r["points"], r["comment"], r["grader"]) for r in changed] \
        == [("ann", "proof", "7.5", "清楚 / clear", "TA1")]
    assert not list(out.glob(".manual.csv.*"))  # no temporary file left
    sheet = manual.read(path, CHAPTER)
    assert sheet.problems == []
    assert {(m.exercise_id, m.points) for m in sheet.for_student("ann")} == {("ex5_2", 7.5)}
    s.save(key, p, None, "")  # cleared
    assert manual.read(path, CHAPTER).for_student("ann") == []
    assert s.progress(p) == (0, len(s.results))
    s.close()


def test_a_comment_without_points_is_kept_and_not_graded(out):
    s = Session.open(out, CHAPTER)
    p = s.part("ex5_2-proof")
    key = s.order[0]
    assert s.save(key, p, None, "看第二步 / see step 2")["mark"] == \
        {"points": None, "comment": "看第二步 / see step 2"}
    assert s.progress(p)[0] == 0
    s.close()


@pytest.mark.parametrize("points, words", [(10.5, ["10.5", "0..10"]), (-1, ["-1", "0..10"]),
                                           (float("nan"), ["nan"])])
def test_points_out_of_range_are_refused_with_the_numbers(out, points, words):
    s = Session.open(out, CHAPTER)
    before = (out / "manual.csv").read_bytes()
    with pytest.raises(ValueError) as err:
        s.save(s.order[0], s.part("ex5_2-proof"), points, "")
    for w in words:
        assert w in str(err.value)
    assert (out / "manual.csv").read_bytes() == before
    s.close()


def test_a_manual_csv_that_cannot_be_read_is_left_alone(out):
    (out / "manual.csv").write_text("who,what\nx,y\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no column"):
        Session.open(out, CHAPTER)
    assert (out / "manual.csv").read_text(encoding="utf-8") == "who,what\nx,y\n"


def test_a_mark_saved_while_the_report_rewrites_manual_csv_is_kept(out, monkeypatch):
    import threading

    s = Session.open(out, CHAPTER)
    p = s.part("ex5_2-proof")
    key = s.order[0]
    saver = threading.Thread(target=lambda: s.save(key, p, 5, "kept / 保留"))
    real = manual.write_rows

    def write_rows(*args, **kwargs):
        if saver.ident is None:  # the report has read manual.csv and is about to write it
            saver.start()
            saver.join(timeout=1.0)  # the app saves now, or waits for the report's lock
        return real(*args, **kwargs)

    monkeypatch.setattr(manual, "write_rows", write_rows)
    manual.sync(out, CHAPTER, list(s.results))  # what nndl-grade report does first
    saver.join()
    marks = manual.read(out / "manual.csv", CHAPTER).for_student(s.student(key))
    assert [(m.points, m.comment) for m in marks] == [(5, "kept / 保留")]
    s.close()
