"""What counts toward the grade: the composition declared once in the manifest, a course's
file over it, and one student's grade (``tally``) as every output shows it."""

from __future__ import annotations

import pytest

from autograder.course import ManifestError, load_chapter, load_course
from autograder.late import LatePolicy, parse_time
from autograder.marks import ManualMark
from autograder.tally import tally

CHAPTER = load_chapter("ch5")
REQUIRED = ("ex5_2", "ex5_3", "ex5_4", "ex5_7")
OPTIONAL = ("ex5_backprop", "ex5_numpy_cnn")


def full(ids=REQUIRED + OPTIONAL, chapter=CHAPTER) -> dict[str, float]:
    return {i: chapter.exercise(i).points for i in ids}


def marks(chapter=CHAPTER, ids=REQUIRED + OPTIONAL, scale=1.0) -> list[ManualMark]:
    return [ManualMark(e.id, w.id, w.points * scale, w.points)
            for e in chapter.exercises if e.id in ids for w in e.written]


def test_the_manifest_declares_required_work_and_extra_credit():
    comp = CHAPTER.composition
    assert [e.id for e in CHAPTER.counted("required")] == list(REQUIRED)
    assert [e.id for e in CHAPTER.counted("extra")] == list(OPTIONAL)
    assert all(comp.count(e.id) == "extra" for e in CHAPTER.exercises if e.optional)
    required = CHAPTER.counted("required")
    assert CHAPTER.possible == sum(e.points + sum(w.points for w in e.written) for e in required)
    assert CHAPTER.possible == 75 and CHAPTER.points == 100


def test_a_perfect_required_set_is_100_percent_and_only_extra_credit_goes_beyond():
    auto_only = tally(CHAPTER, full(REQUIRED))
    assert (auto_only.auto, auto_only.written, auto_only.extra, auto_only.final) == (45, None, 0, 45)
    assert auto_only.pending == ("ex5_2.proof", "ex5_3.analysis", "ex5_7.analysis")
    perfect = tally(CHAPTER, full(REQUIRED), marks(ids=REQUIRED))
    assert (perfect.final, perfect.possible, perfect.percent) == (75, 75, 100)
    assert perfect.pending == ()
    everything = tally(CHAPTER, full(), marks())
    assert (everything.auto, everything.written, everything.extra) == (45, 30, 25 + 30 + 15)
    assert everything.final == 75 + 70 and everything.final > everything.possible
    # written points of the optional exercise alone are extra credit, not written
    only_extra = tally(CHAPTER, {}, marks(ids=("ex5_backprop",)))
    assert (only_extra.written, only_extra.extra, only_extra.final) == (None, 15, 15)


def test_scores_and_marks_never_exceed_what_the_composition_allows():
    inflated = {i: 1000.0 for i in REQUIRED + OPTIONAL}
    over = [ManualMark(m.exercise_id, m.part, m.points * 3, m.max_points) for m in marks()]
    grade = tally(CHAPTER, inflated, over)
    assert (grade.auto, grade.written, grade.extra) == (45, 30, 70)
    stale = [ManualMark("ex5_4", "essay", 50, 50)]  # ex5_4 has no written part: counts nowhere
    assert tally(CHAPTER, {}, stale).final == 0


def test_the_late_penalty_is_a_percent_of_the_submissions_points():
    grade = tally(CHAPTER, full(REQUIRED), marks(ids=REQUIRED), penalty_pct=20)
    assert (grade.penalty, grade.final) == (15, 60)
    assert tally(CHAPTER, full(), marks(), penalty_pct=100).final == 0
    with pytest.raises(ValueError, match="between 0 and 100, got 120"):
        tally(CHAPTER, {}, penalty_pct=120)


def test_a_course_file_overrides_the_composition(tmp_path):
    course = tmp_path / "course.yaml"
    course.write_text(
        "composition:\n"
        "  required: [ex5_backprop]\n"
        "  none: [ex5_numpy_cnn]\n"
        "  extra_max: 5\n"
        "  written: {ex5_2.proof: 20, ex5_3.analysis: 0}\n"
        "  late: {deadline: '2025-06-01T23:59+08:00', penalty_per_day: 10}\n")
    ch = load_course("ch5", course=course)
    assert [e.id for e in ch.counted("required")] == list(REQUIRED) + ["ex5_backprop"]
    assert ch.counted("none")[0].id == "ex5_numpy_cnn" and not ch.counted("extra")
    assert ch.exercise("ex5_2").written[0].points == 20 and not ch.exercise("ex5_3").written
    assert ch.possible == 45 + 25 + 20 + 10 + 15
    grade = tally(ch, full(), marks(ch))
    assert (grade.extra, grade.final, grade.possible) == (0, ch.possible, ch.possible)
    policy = LatePolicy.from_rules(ch.composition.late)
    assert policy.deadline == parse_time("2025-06-01T23:59+08:00")
    assert policy.penalty_per_day == 10 and not policy.file_times
    # an option overrides the file; the file is kept in OUT for report and export
    assert LatePolicy.from_rules(ch.composition.late, penalty_per_day=0).penalty_per_day == 0
    out = tmp_path / "out"
    out.mkdir()
    (out / "course.yaml").write_bytes(course.read_bytes())
    assert load_course("ch5", out=out).composition == ch.composition
    assert load_course("ch5", out=tmp_path / "elsewhere").composition == CHAPTER.composition
    capped = load_course("ch5", course=_write(tmp_path, "extra_max: 5\n"))
    assert tally(capped, full(), marks(capped)).extra == 5


def _write(tmp_path, text: str):
    path = tmp_path / "c2.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text,why", [
    ("required: [ex9_1]\n", "'ex9_1', which is no exercise of ch5"),
    ("required: [ex5_2]\nextra: [ex5_2]\n", "listed under both required and extra"),
    ("extra_max: -1\n", "extra_max must be a number of points, 0 or more"),
    ("written: {ex5_4.essay: 5}\n", "no written part"),
    ("written: {ex5_2.proof: -5}\n", "must be points, 0 or more"),
    ("late: {penalty_per_day: 200}\n", "between 0 and 100, got 200"),
    ("late: {grace: 1}\n", "late must be a mapping of deadline"),
    ("bonus: 3\n", "unknown composition key(s) bonus"),
    ("[1, 2]\n", "expected a mapping"),
])
def test_a_bad_course_file_is_refused_with_what_to_fix(tmp_path, text, why):
    with pytest.raises(ManifestError, match=None) as err:
        load_course("ch5", course=_write(tmp_path, text))
    assert why in str(err.value) and "c2.yaml" in str(err.value)
