"""Grades do not depend on a neighbour's load: the reference, graded beside a CPU hog (a
submission whose children each leave its session and spin) at ``--jobs 2``, scores full
marks. Each worker has a CPU group of its own where the host allows (a fair share, at most
one core) and its time limits count the CPU time of its whole tree, the wall clock being only
a backstop; the filter denies ``setsid`` (a session of its own escapes the kernel's per-session
fairness where there is no CPU group)."""

from __future__ import annotations

import shutil

import pytest

from autograder.batch import grade_folder
from autograder.engine import Limits
from autograder.grading import GradingContext
from tests.support import CHAPTER

from .helpers import CORPUS, SOLUTIONS, build_student, mode_param, new_token, processes_named, wait_until_gone

# small limits, which the reference meets alone with room to spare, and which a hog's
# children would make it miss if their share of the machine were taken from its own
LIMITS = dict(timeout=5.0, memory_mb=300)


@pytest.mark.parametrize("mode", [mode_param("bwrap"), mode_param("uid")])
def test_reference_scores_full_marks_beside_a_cpu_hog(mode, tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    token = new_token()
    build_student(CORPUS / "cpu_hog", subs / "aaa_cpu_hog", token=token)
    for name in ("reference", "reference_too"):
        (subs / name).mkdir(parents=True)
        for f in SOLUTIONS.glob("*.py"):
            shutil.copy(f, subs / name / f.name)
    context = GradingContext.resolve(CHAPTER, Limits(sandbox=mode, **LIMITS), jobs=2)
    results = {r.student: r for r in grade_folder(subs, out, jobs=2, context=context)}
    for name in ("reference", "reference_too"):
        for ex in results[name].exercises:
            failed = {c.name: c.message for c in ex.cases if not c.passed}
            assert ex.score == ex.possible, f"{mode}: {name} {ex.exercise_id} {ex.score}/{ex.possible}: {failed}"
    assert wait_until_gone(lambda: processes_named(token)) == []
