"""The rules every chapter's graded checks keep, run on every chapter that has a manifest:
the reference scores every point, the stub none, each wrong-answer fixture fails exactly what
it names, each correct-style fixture scores every point, and every check is failed by some
wrong answer."""

from __future__ import annotations

import pytest

from autograder.checks.runner import load_check_file
from tests.support import (all_exercises, chapter_of, correct_answer_env, correct_answer_fixtures,
                           reference_path, run_env, run_file, stub_path, wrong_answer_env,
                           wrong_answer_fixtures)

EXERCISES = [pytest.param(e, id=f"{chapter_of(e)}/{e.id}") for e in all_exercises()]
FIXTURES = [pytest.param(e, p, id=f"{chapter_of(e)}/{e.id}/{p.stem}")
            for e, p in wrong_answer_fixtures()]
CORRECT = [pytest.param(e, p, id=f"{chapter_of(e)}/{e.id}/{p.stem}")
           for e, p in correct_answer_fixtures()]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_scores_every_point(exercise):
    results = run_file(exercise, reference_path(exercise))
    failed = {n: r.message for n, r in results.items() if not r.passed}
    assert not failed, f"the reference fails: {failed}"
    assert sum(r.score for r in results.values()) == exercise.points > 0


@pytest.mark.parametrize("exercise", EXERCISES)
def test_stub_scores_zero_on_every_check(exercise):
    results = run_file(exercise, stub_path(exercise))
    passed = [n for n, r in results.items() if r.passed]
    assert not passed, f"the stub passes {passed}"
    for r in results.values():
        assert "NotImplementedError" in r.message or "not defined" in r.message, r.message


@pytest.mark.parametrize("exercise,fixture", FIXTURES)
def test_wrong_answer_fails_exactly_what_it_gets_wrong(exercise, fixture):
    """MUST_FAIL names every check the mistake fails, and no other: the lists tell the truth,
    and partial credit follows what is wrong."""
    env = wrong_answer_env(exercise, fixture)
    must_fail = env["MUST_FAIL"]
    assert must_fail, f"{fixture.name} declares no check it must fail"
    results = run_env(exercise, env, str(fixture))
    unknown = set(must_fail) - set(results)
    assert not unknown, f"{fixture.name} names checks that do not exist: {unknown}"
    failed = {n for n, r in results.items() if not r.passed}
    assert failed == set(must_fail), (f"{fixture.name} fails {sorted(failed - set(must_fail))} "
                                      f"beyond MUST_FAIL and passes {sorted(set(must_fail) - failed)}")
    for n in must_fail:
        assert "expected" in results[n].message or "relative error" in results[n].message \
            or "Error" in results[n].message, results[n].message


@pytest.mark.parametrize("exercise,fixture", CORRECT)
def test_correct_answer_scores_every_point(exercise, fixture):
    """Answers written in another style than the reference's, all right: full marks."""
    env = correct_answer_env(exercise, fixture)
    results = run_env(exercise, env, str(fixture))
    failed = {n: r.message for n, r in results.items() if not r.passed}
    assert not failed, f"{fixture.name} loses points: {failed}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_check_is_failed_by_some_wrong_answer(exercise):
    covered = set()
    for ex, fixture in wrong_answer_fixtures(chapter_of(exercise)):
        if ex.id == exercise.id:
            covered |= set(wrong_answer_env(ex, fixture)["MUST_FAIL"])
    names = {c.name for c in load_check_file(exercise.check_file).cases}
    assert names - covered == set(), f"no wrong-answer fixture fails {sorted(names - covered)}"
