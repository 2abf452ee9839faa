"""The report's figures: a check not passed is told apart as not submitted, an untouched stub
or a real failure; messages are cut at a space, never mid-word."""

from __future__ import annotations

import pytest

from autograder.report import stats
from autograder.store import graded_students
from tests.support import CHAPTER


@pytest.mark.parametrize("message, kind", [
    ("ex5_2.py was not found in the submission", stats.NOT_SUBMITTED),
    ("not graded", stats.NOT_SUBMITTED),
    ("NotImplementedError: rot180: fill in this TODO block (in ex5_2.py, line 55, in rot180)",
     stats.STUB),
    ("rot180(a): expected an array of shape (2, 3), got (3, 2)", stats.FAILED),
    ("ex5_2.py failed to import: SyntaxError in ex5_2.py, line 42", stats.FAILED),
])
def test_failure_kind(message, kind):
    assert stats.failure_kind(message) == kind


def test_shorten_cuts_at_a_space():
    text = "expected an array of shape (2, 3), got an array of shape (3, 2) " * 10
    cut = stats.shorten(text, 100)
    assert len(cut) <= 102 and cut.endswith(" …")
    assert text.startswith(cut[:-2]) and text[len(cut) - 2] == " "  # the word is whole
    assert stats.shorten("short", 100) == "short"
    assert stats.shorten("x" * 300, 100) == "x" * 100 + " …"  # one word: cut where it must be


def test_not_submitted_and_stubs_are_counted_apart_from_real_failures(graded_class):
    results = graded_students(graded_class.out)
    checks = stats.check_stats(results, CHAPTER)
    total = {k: sum(c.kinds[k] for c in checks) for k in stats.KINDS}
    assert all(total.values()), total  # the class has all three
    for c in checks:
        assert c.passed + sum(c.kinds.values()) == c.total == len(results)
        assert len(c.failed_students) == c.kinds[stats.FAILED]
        for message, _ in c.failures:
            assert stats.failure_kind(message) == stats.FAILED
    # a check that called a stub, or whose file was not handed in, is never a real failure
    for r in results:
        for c in checks:
            er = r.exercise(c.exercise_id)
            case = next((x for x in er.cases if x.name == c.name), None) if er else None
            if case is None or case.passed:
                continue
            told = "fill in this TODO block" in case.message or "not found" in case.message \
                or "not found" in er.message
            assert (r.student in c.failed_students) == (not told), (r.student, c.name)
    groups = stats.by_exercise(checks)
    assert [g.exercise_id for g in groups] == [ex.id for ex in CHAPTER.exercises]
    assert sum(g.count(stats.STUB) for g in groups) == total[stats.STUB]
