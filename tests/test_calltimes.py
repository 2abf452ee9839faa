"""Per-call time limits from the reference (issue 18): a generous multiple of what the
reference needs for the check, with a floor, never above ``Limits.timeout``; an endless loop
costs one limit, and the exercise's remaining calls to the same function fail at once."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from autograder import calltimes
from autograder.engine import Limits
from autograder.grading import GradingContext, check_file_of, grade_submission
from tests.engine.helpers import CORPUS, build_student
from tests.support import CHAPTER


def test_limit_is_a_multiple_with_a_floor_and_a_ceiling():
    assert calltimes.limit_for(0.001, 60) == calltimes.FLOOR
    assert calltimes.limit_for(1.0, 60) == min(60, calltimes.MULTIPLE * 1.0)
    assert calltimes.limit_for(100.0, 60) == 60
    with pytest.raises(ValueError, match="seconds=-1"):
        calltimes.limit_for(-1, 60)
    with pytest.raises(ValueError, match="timeout=0"):
        calltimes.limit_for(1, 0)


def test_no_limits_when_the_timeout_is_below_the_floor():
    context = GradingContext.resolve(CHAPTER, Limits(timeout=3.0, memory_mb=300))
    assert context.call_limits == {}


def test_reference_times_are_measured_once_and_cover_every_check(tmp_path, monkeypatch):
    monkeypatch.setenv("NNDL_CACHE", str(tmp_path))
    context = GradingContext.resolve(CHAPTER, Limits(timeout=30.0, memory_mb=300))
    every = {f"{e.id}/{c.name}" for e in CHAPTER.exercises for c in check_file_of(e).cases}
    assert set(context.call_limits) == every  # the reference passes every check
    assert all(calltimes.FLOOR <= v <= 30.0 for v in context.call_limits.values())
    assert calltimes.cache_file().is_file()
    start = time.monotonic()
    again = GradingContext.resolve(CHAPTER, Limits(timeout=30.0, memory_mb=300))
    assert again.call_limits == context.call_limits and time.monotonic() - start < 5


def test_an_endless_loop_costs_one_limit(tmp_path):
    """loop_one_function loops in bottleneck_cost, which six checks call (two phases): with a
    per-check limit of 2 s, the first call is stopped and every later one fails at once."""
    folder = build_student(CORPUS / "loop_one_function", tmp_path / "loop_one_function")
    context = GradingContext.resolve(CHAPTER, Limits(timeout=20.0, memory_mb=300))
    ex = CHAPTER.exercise("ex5_4")
    limits = {f"ex5_4/{c.name}": 2.0 for c in check_file_of(ex).cases}
    context = replace(context, call_limits=limits)
    start = time.monotonic()
    result = grade_submission(folder, context=context).exercise("ex5_4")
    elapsed = time.monotonic() - start
    failed = [c.message for c in result.cases if not c.passed]
    assert result.score == 5 and len(failed) == 6, failed
    assert sum("fail at once" in m for m in failed) == 5, failed
    assert any(("2 s of CPU time" in m or "after 6 s" in m) for m in failed), failed
    assert elapsed < 20, elapsed  # before: 4 workers x 20 s
