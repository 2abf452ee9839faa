"""Every fixture graded both ways: by the grading engine (real worker processes, the sandbox,
the plain-data wire) and by the student's local check (``check.check_path``, what
``nndl-grade check`` and the handout's ``check.py`` run, in one process).

- The two agree on every public check of every fixture: a student who sees "all public
  checks passed" locally gets those points, and a check that fails locally fails when graded.
- Through the engine, a correct-style answer gets full marks and a wrong answer fails exactly
  its ``MUST_FAIL`` (as in process, ``test_ch5_graded``), so the engine and the in-process
  runner agree on the hidden checks too.

The fixtures are graded as one batch (``grade_folder``, two at a time), each as a student
whose file is the reference followed by the fixture (``support.fixture_source``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.batch import grade_folder
from autograder.cli import check_path
from autograder.engine import Limits
from tests.support import (CHAPTER, FIXTURES, correct_answer_fixtures, fixture_source,
                           wrong_answer_env, wrong_answer_fixtures)

SEED = FIXTURES / "ch5" / "seed" / "ex5_numpy_cnn.py"


def _students():
    """(student id, exercise, fixture, checks it must fail or None for "as in process")."""
    out = []
    for ex, fx in wrong_answer_fixtures():
        out.append((f"{ex.id}__wrong__{fx.stem}", ex, fx, set(wrong_answer_env(ex, fx)["MUST_FAIL"])))
    for ex, fx in correct_answer_fixtures():
        out.append((f"{ex.id}__correct__{fx.stem}", ex, fx, set()))
    out.append(("ex5_numpy_cnn__seed", CHAPTER.exercise("ex5_numpy_cnn"), SEED, None))
    return out


STUDENTS = _students()
PARAMS = [pytest.param(s, id=s[0]) for s in STUDENTS]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    subs = tmp_path_factory.mktemp("fixtures")
    for student, ex, fx, _ in STUDENTS:
        folder = subs / student
        folder.mkdir()
        source = SEED.read_text(encoding="utf-8") if fx == SEED else fixture_source(ex, fx)
        (folder / ex.code).write_text(source, encoding="utf-8")
    results = grade_folder(subs, tmp_path_factory.mktemp("out"), jobs=2, limits=Limits())
    return subs, {r.student: r for r in results}


@pytest.mark.parametrize("student", PARAMS)
def test_local_check_agrees_with_the_grader_on_every_public_check(graded, student):
    name, ex, fx, _ = student
    subs, results = graded
    engine = {c.name: c for c in results[name].exercise(ex.id).cases}
    (report,) = check_path(Path(subs) / name / ex.code)
    local = {r.name: r for r in report.results}
    public = {c.name for c in ex.checks if not c.hidden}
    assert set(local) == public
    differ = {n: (f"local {'passed' if local[n].passed else 'failed'}: {local[n].message[:300]}",
                  f"grader {'passed' if engine[n].passed else 'failed'}: {engine[n].message[:300]}")
              for n in public if local[n].passed != engine[n].passed}
    assert not differ, differ


@pytest.mark.parametrize("student", [p for p in PARAMS if p.values[0][3] is not None])
def test_the_grader_fails_exactly_what_the_fixture_gets_wrong(graded, student):
    name, ex, fx, must_fail = student
    _, results = graded
    cases = results[name].exercise(ex.id).cases
    failed = {c.name for c in cases if not c.passed}
    messages = {c.name: c.message[:300] for c in cases if c.passed == (c.name in must_fail)}
    assert failed == must_fail, messages
