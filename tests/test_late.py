"""The late policy: deadlines, penalties per day (partial days rounded up), cut-offs, and what
each source of a submission time is worth."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from autograder.late import FILE_TIME, GRADESCOPE_TIME, TIMES_FILE, LatePolicy, iso, parse_time
from autograder.results import Identity, Late, SubmissionResult

CST = timezone(timedelta(hours=8))
DEADLINE = datetime(2025, 6, 1, 23, 59, tzinfo=CST)


def at(days: float) -> datetime:
    return DEADLINE + timedelta(days=days)


def test_times_are_read_as_iso_8601_with_local_time_for_naive_ones():
    assert parse_time("2025-06-01T23:59+08:00") == DEADLINE
    assert parse_time("2025-06-01T15:59:00Z") == DEADLINE
    assert parse_time("2025-06-01").astimezone(CST).hour in range(24)
    end = parse_time("2025-06-01")
    assert (end.hour, end.minute, end.second) == (23, 59, 59)  # a date alone: the day's end
    naive = parse_time("2025-06-01T12:00")
    assert naive.tzinfo is not None  # local time, made explicit
    assert naive.replace(tzinfo=None) == datetime(2025, 6, 1, 12, 0)
    with pytest.raises(ValueError, match="ISO 8601.*2025-06-01T23:59"):
        parse_time("next friday")


@pytest.mark.parametrize("days_late,days,penalty", [(-1, 0, 0), (0, 0, 0), (0.01, 1, 10),
                                                    (1, 1, 10), (1.5, 2, 20), (12, 12, 100)])
def test_partial_days_round_up(days_late, days, penalty):
    policy = LatePolicy(deadline=DEADLINE, penalty_per_day=10)
    late = policy.judge(at(days_late), GRADESCOPE_TIME)
    assert (late.days, late.penalty_pct, late.after_cutoff) == (days, penalty, False)
    assert late.deadline == "2025-06-01T23:59:00+08:00"


def test_after_the_cutoff_nothing_counts():
    policy = LatePolicy(deadline=DEADLINE, penalty_per_day=10, cutoff=at(3))
    assert policy.judge(at(2.5), GRADESCOPE_TIME).penalty_pct == 30
    late = policy.judge(at(3.1), GRADESCOPE_TIME)
    assert late.after_cutoff and late.penalty_pct == 100
    alone = LatePolicy(cutoff=DEADLINE)  # a cut-off alone is a hard deadline
    assert alone.judge(at(-1), GRADESCOPE_TIME).penalty_pct == 0
    assert alone.judge(at(0.1), GRADESCOPE_TIME).after_cutoff


def test_file_times_count_only_when_asked_and_the_canvas_flag_wins_over_them():
    asked = LatePolicy(deadline=DEADLINE, penalty_per_day=10, file_times=True)
    on_time = asked.judge(at(5), FILE_TIME, lms_late=False, lms="canvas")
    assert on_time.days == 0 and "Canvas does not mark it late" in on_time.note
    marked = asked.judge(at(-1), FILE_TIME, lms_late=True, lms="canvas")
    assert marked.days == 1 and marked.penalty_pct == 10 and "Canvas marks it late" in marked.note
    by_file = asked.judge(at(2.5), FILE_TIME, lms_late=True, lms="canvas")
    assert by_file.days == 3  # Canvas says late, the file time says by how much
    assert asked.judge(at(2.5), FILE_TIME).days == 3 and not asked.judge(at(2.5), FILE_TIME).unknown
    not_asked = LatePolicy(deadline=DEADLINE, penalty_per_day=10)
    for when in (at(-3), at(2.5), at(30)):  # a file time is no submission time unless asked
        late = not_asked.judge(when, FILE_TIME)
        assert (late.days, late.penalty_pct, late.unknown) == (0, 0, True)
        assert "No trustworthy submission time" in late.note and "没有可信的提交时间" in late.note


def test_without_a_time_the_canvas_flag_says_late_days_unknown_and_costs_nothing():
    policy = LatePolicy(deadline=DEADLINE, penalty_per_day=10, cutoff=at(3))
    flagged = policy.judge(None, "", lms_late=True, lms="canvas")
    assert (flagged.days, flagged.penalty_pct, flagged.after_cutoff, flagged.unknown) == \
        (0, 0, False, True)
    assert "Canvas marks it late" in flagged.note and "days unknown" in flagged.note
    clean = policy.judge(None, "", lms_late=False, lms="canvas")
    assert (clean.days, clean.penalty_pct, clean.unknown) == (0, 0, False)
    unknown = policy.judge(None, "")
    assert unknown.unknown and unknown.days == 0 and "No trustworthy" in unknown.note
    # a time the LMS gives is trusted, and wins over the flag when they disagree
    by_times = policy.judge(at(-0.5), TIMES_FILE, lms_late=True, lms="canvas")
    assert by_times.days == 0 and not by_times.unknown and "on time" in by_times.note
    assert policy.judge(at(1.5), TIMES_FILE, lms_late=True, lms="canvas").penalty_pct == 20
    assert policy.judge(at(3.5), TIMES_FILE).after_cutoff


def test_no_deadline_no_verdict_and_bad_policies_are_refused():
    assert LatePolicy().judge(at(10), GRADESCOPE_TIME) == Late()
    with pytest.raises(ValueError, match="needs a deadline"):
        LatePolicy(penalty_per_day=10)
    with pytest.raises(ValueError, match="before the deadline"):
        LatePolicy(deadline=DEADLINE, cutoff=at(-1))
    with pytest.raises(ValueError, match="between 0 and 100"):
        LatePolicy(deadline=DEADLINE, penalty_per_day=150)


def test_apply_sets_the_verdict_and_the_adjusted_points():
    from autograder.checks.runner import CaseResult
    from autograder.results import ExerciseResult

    r = SubmissionResult("s", [ExerciseResult("ex5_4", [CaseResult("c", 80, False, True, "")])],
                         identity=Identity(lms="gradescope"), submitted_at=iso(at(1.2)),
                         time_source=GRADESCOPE_TIME)
    assert LatePolicy(deadline=DEADLINE, penalty_per_day=15).apply(r) is True
    assert (r.late.days, r.late.penalty_pct, r.adjusted, r.score) == (2, 30, 56, 80)
    assert LatePolicy(deadline=DEADLINE, penalty_per_day=15).apply(r) is False  # unchanged
    assert "2 day(s) late: -30% of its points" in r.lateness_line()
    LatePolicy(deadline=DEADLINE, cutoff=at(1)).apply(r)
    assert r.adjusted == 0 and "after the cut-off" in r.lateness_line()
