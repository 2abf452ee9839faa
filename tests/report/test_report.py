"""What ``nndl-grade grade`` and ``nndl-grade report`` leave in OUT for the instructor: the
report, the written pages, manual.csv folded into every grade, the similarity report."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest

from autograder.cli import main
from autograder.report import INSTALL, manual, write_report
from tests.report.conftest import require_seed
from tests.support import CHAPTER

WRITTEN = [(ex, w) for ex in CHAPTER.exercises for w in ex.written]
STUDENTS = ["alice", "alice_copy", "bob", "carol", "dave", "erin", "frank", "mallory"]


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def fill(out, student, exercise, part, points, comment=""):
    path = out / "manual.csv"
    rows = read_csv(path)
    for r in rows:
        if (r["student"], r["exercise"], r["part"]) == (student, exercise, part):
            r["points"], r["comment"] = points, comment
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_grade_writes_the_report_pages_and_a_row_per_student_and_part(graded_class):
    out = graded_class.out
    assert graded_class.exit_code == 0, graded_class.stderr
    assert (out / "report.html").is_file() and (out / "similarity.csv").is_file()
    for ex, w in WRITTEN:
        assert (out / "written" / f"{ex.id}-{w.id}.html").is_file()
    assert [r["student"] for r in read_csv(out / "grades.csv")] == STUDENTS
    for s in STUDENTS:
        assert (out / s / "feedback.html").is_file()
    rows = read_csv(out / "manual.csv")
    assert [(r["student"], r["exercise"], r["part"], r["max_points"]) for r in rows] == \
        [(s, ex.id, w.id, f"{w.points:g}") for s in STUDENTS for ex, w in WRITTEN]
    assert all(r["points"] == "" and r["comment"] == "" for r in rows)
    assert (out / "frank" / "submission" / "ex5_numpy_cnn.py").is_file()


def test_the_copy_is_flagged_in_every_exercise_with_a_side_by_side_view(graded_class):
    out = graded_class.out
    pairs = {(r["exercise"], r["a"], r["b"]): r for r in read_csv(out / "similarity.csv")
             if r["kind"] == "pair"}
    for ex in CHAPTER.exercises:
        row = pairs[(ex.id, "alice", "alice_copy")]
        assert float(row["similarity_a"]) == 1.0 and float(row["similarity_b"]) == 1.0
        view = (out / row["view"]).read_text(encoding="utf-8")
        assert "<mark>" in view and "alice_copy" in view
    report = (out / "report.html").read_text(encoding="utf-8")
    assert 'data-pair="alice|alice_copy"' in report
    # erin handed in the stubs (the boilerplate): her code is alike to nobody's
    assert not any("erin" in (a, b) for _, a, b in pairs)


def test_a_submission_built_from_the_seed_is_matched_to_it(graded_class):
    seed = require_seed(graded_class)
    matches = [r for r in read_csv(graded_class.out / "similarity.csv") if r["kind"] == "reference"]
    assert [(r["exercise"], r["a"], r["b"]) for r in matches] == \
        [("ex5_numpy_cnn", "frank", f"{seed.name}/nndl_ch5_exercises_answers.txt")]
    assert float(matches[0]["similarity_a"]) > 0.9
    view = (graded_class.out / matches[0]["view"]).read_text(encoding="utf-8")
    assert "<mark>" in view and "im2col" in view
    report = (graded_class.out / "report.html").read_text(encoding="utf-8")
    assert 'data-reference="frank|' in report and "ex5_numpy_cnn published" in report


def test_untouched_and_blank_sheets_are_flagged_not_submitted(graded_class):
    out = graded_class.out
    feedback = (out / "frank" / "feedback.md").read_text(encoding="utf-8")
    assert "(ex5_2.md, **untouched: the handout's answer sheet, unchanged**)" in feedback
    assert "(ex5_7.md, **blank: the file is empty**)" in feedback
    assert "(ex5_3.md, **not submitted**)" in feedback
    assert "(ex5_2.md, submitted)" in (out / "alice" / "feedback.md").read_text(encoding="utf-8")
    page = (out / "written" / "ex5_2-proof.html").read_text(encoding="utf-8")
    states = dict(re.findall(r'<section class="student" id="s-[^"]*" data-student="([^"]+)" '
                             r'data-state="([^"]+)"', page))
    assert states == {"alice": "submitted", "alice_copy": "submitted", "bob": "untouched",
                      "carol": "missing", "dave": "missing", "erin": "missing",
                      "frank": "untouched", "mallory": "submitted"}
    assert 'data-state="untouched">untouched: 2<' in page
    assert "Reference answer" in page and "评分要点" in page  # the reference, for the grader
    blank = (out / "written" / "ex5_7-analysis.html").read_text(encoding="utf-8")
    assert 'data-student="frank" data-state="blank"' in blank
    assert "ex5_7.md blank" in (out / "report.html").read_text(encoding="utf-8")


def test_student_markdown_cannot_put_html_or_requests_on_the_page(graded_class):
    page = (graded_class.out / "written" / "ex5_2-proof.html").read_text(encoding="utf-8")
    section = page[page.index('data-student="mallory"'):]
    section = section[:section.index("</section>")]
    assert "<script" not in section and "<img" not in section and "href=\"javascript" not in section
    assert "style=" not in section and "203.0.113.7/\"" not in section
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in section  # shown as text
    assert "[image: diagram — http://203.0.113.7/diagram.png; not loaded]" in section
    assert "<math" in section and 'class="tex-error"' in section


def test_filling_one_students_points_changes_only_their_written_and_final(out_copy, capsys):
    before = read_csv(out_copy / "grades.csv")
    files = {s: {n: (out_copy / s / n).read_bytes() for n in ("results.json", "feedback.md")}
             for s in STUDENTS}
    fill(out_copy, "bob", "ex5_2", "proof", "7", "Sizes shown; the padding step is missing.")
    assert main(["report", str(out_copy)]) == 0
    after = read_csv(out_copy / "grades.csv")
    assert list(after[0]) == list(before[0])
    for old, new in zip(before, after):
        changed = {k for k in old if old[k] != new[k]}
        if old["student"] == "bob":
            assert changed == {"written", "final", "written_pending"}
            assert new["written"] == "7" and float(new["final"]) == float(old["final"]) + 7
            assert "ex5_2.proof" in old["written_pending"] and \
                "ex5_2.proof" not in new["written_pending"]
        else:
            assert changed == set(), old["student"]
    results = json.loads((out_copy / "bob" / "results.json").read_text(encoding="utf-8"))
    manual_tests = [t for t in results["tests"] if "manual" in t.get("tags", [])]
    assert manual_tests == [{"name": "ex5_2 · written: proof", "score": 7.0, "max_score": 10.0,
                             "output": "Sizes shown; the padding step is missing.",
                             "tags": ["manual"], "visibility": "visible"}]
    assert results["score"] == float(before[2]["final"]) + 7
    feedback = (out_copy / "bob" / "feedback.md").read_text(encoding="utf-8")
    assert "graded by hand: **7 / 10**" in feedback and "> Sizes shown" in feedback
    assert "7 / 10" in (out_copy / "bob" / "feedback.html").read_text(encoding="utf-8")
    assert '<span class="badge">7 / 10</span>' in \
        (out_copy / "written" / "ex5_2-proof.html").read_text(encoding="utf-8")
    for s in STUDENTS:
        if s != "bob":
            assert {n: (out_copy / s / n).read_bytes() for n in files[s]} == files[s], s
    # the grader's cell survives the next run, which changes nothing
    assert main(["report", str(out_copy)]) == 0
    assert read_csv(out_copy / "grades.csv") == after
    bob = next(r for r in read_csv(out_copy / "manual.csv")
               if (r["student"], r["exercise"]) == ("bob", "ex5_2"))
    assert (bob["points"], bob["comment"]) == ("7", "Sizes shown; the padding step is missing.")


def test_bad_points_are_reported_by_line_and_not_counted(out_copy, capsys):
    fill(out_copy, "carol", "ex5_3", "analysis", "12")
    capsys.readouterr()
    assert main(["report", str(out_copy)]) == 1
    err = capsys.readouterr().err
    assert "manual.csv line 15 (carol, ex5_3, analysis): points 12 is more than max_points 10; " \
           "not counted" in err
    carol = next(r for r in read_csv(out_copy / "grades.csv") if r["student"] == "carol")
    assert carol["written"] == "" and carol["final"] == carol["total"]
    assert "points 12 is more than max_points 10" in \
        (out_copy / "report.html").read_text(encoding="utf-8")


def test_the_references_are_remembered_for_the_next_report(graded_class, out_copy):
    require_seed(graded_class)
    (out_copy / "similarity.csv").unlink()
    write_report(out_copy)
    assert any(r["kind"] == "reference" for r in read_csv(out_copy / "similarity.csv"))
    write_report(out_copy, references=[])
    assert not any(r["kind"] == "reference" for r in read_csv(out_copy / "similarity.csv"))


def test_without_the_extra_grading_writes_the_rest_and_one_note(tmp_path, capsys, monkeypatch):
    import autograder.report as report

    monkeypatch.setattr(report, "REPORT_EXTRA", report.REPORT_EXTRA + ("no_such_module_4711",))
    subs = tmp_path / "subs"
    (subs / "zoe").mkdir(parents=True)
    shutil.copy(CHAPTER.exercise("ex5_4").check_file.parents[3] / "solutions" / "ch5" / "ex5_4.py",
                subs / "zoe")
    out = tmp_path / "out"
    assert main(["grade", str(subs), "--out", str(out), "--timeout", "20"]) == 0
    captured = capsys.readouterr()
    assert "zoe" in captured.out and "10 / 75" in captured.out
    assert captured.err.count(INSTALL) == 1
    assert "no_such_module_4711" in captured.err
    assert (out / "grades.csv").is_file() and (out / "zoe" / "results.json").is_file()
    assert [r["student"] for r in read_csv(out / manual.FILE)] == ["zoe"] * len(WRITTEN)
    assert not (out / "report.html").exists() and not (out / "written").exists()


def test_report_needs_a_graded_folder(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_the_written_points_distribution_appears_once_there_are_marks(out_copy):
    report = (out_copy / "report.html").read_text(encoding="utf-8")
    assert "data-written-chart" not in report
    fill(out_copy, "alice", "ex5_2", "proof", "9")
    fill(out_copy, "alice_copy", "ex5_2", "proof", "4")
    assert main(["report", str(out_copy)]) == 0
    report = (out_copy / "report.html").read_text(encoding="utf-8")
    charts = re.findall(r'<figure data-written-chart="([^"]+)">(.*?)</figure>', report, re.S)
    assert [c for c, _ in charts] == ["ex5_2.proof"]
    assert "<svg" in charts[0][1] and "2 graded, mean 6.5" in charts[0][1]
