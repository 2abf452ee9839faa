"""The per-exercise autograders, ``otter/<id>.zip``, graded by stock ``otter run``.

``otter run`` grades a Python script by running it as one notebook cell in a Jupyter kernel and
then the zip's ``tests/<id>.py`` in the same kernel; it does not run ``setup.sh``, so the
``autograder.checks`` helpers come from this environment (where the project is installed), as
they come from the wheel on Gradescope. A few seconds a run (a kernel starts each time): the
runs happen once per module, in two worker processes that import Otter once.
"""

from __future__ import annotations

import multiprocessing
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import yaml

from tests.packaging.helpers import jupyter_kernel_missing, otter_run
from tests.support import ASSIGNMENTS, CHAPTER, ROOT, SOLUTIONS

EXERCISES = [pytest.param(e, id=e.id) for e in CHAPTER.exercises]
EXAMPLES = ROOT / "examples" / "submissions"


def test_each_exercise_zip_is_stock_otter_with_the_full_check_and_our_wheel(built):
    assert sorted(built.otter_zips) == sorted(e.id for e in CHAPTER.exercises)
    for e in CHAPTER.exercises:
        with zipfile.ZipFile(built.otter_zips[e.id]) as zf:
            names = set(zf.namelist())
            assert {"run_autograder", "run_otter.py", "setup.sh", "environment.yml",
                    "otter_config.json", f"files/{built.wheel_name}"} <= names
            assert [n for n in names if n.startswith("tests/")] == [f"tests/{e.code}"]
            assert zf.read(f"tests/{e.code}") == e.check_file.read_bytes()
            assert b"autograder.gradescope" not in zf.read("run_autograder")  # stock Otter
            env = yaml.safe_load(zf.read("environment.yml"))
            pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
            assert f"/autograder/source/files/{built.wheel_name}" in pip


def _honest_examples() -> list[tuple[str, Path]]:
    """(student, folder) of each example submission that is not an attack on the grader."""
    if not EXAMPLES.is_dir():
        return []
    out = []
    for p in sorted(EXAMPLES.iterdir()):
        if p.is_dir() and not any(w in p.name.lower() for w in ("attack", "tamper", "cheat", "evil")):
            out.append((p.name, p))
    return out


@pytest.fixture(scope="module")
def otter_runs(built, tmp_path_factory) -> dict[tuple[str, str], tuple[float, float, str]]:
    """Every ``otter run`` of this module: (exercise id, what) -> (score, possible, log)."""
    why = jupyter_kernel_missing()
    if why:
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp("otter-run")
    jobs = []
    for e in CHAPTER.exercises:
        jobs.append((e, "reference", SOLUTIONS / "ch5" / e.code))
        jobs.append((e, "stub", ASSIGNMENTS / "ch5" / e.code))
        for student, folder in _honest_examples():
            if (folder / e.code).is_file():
                jobs.append((e, f"example:{student}", folder / e.code))

    args = []
    for e, what, path in jobs:
        where = tmp / e.id / what.replace(":", "-")
        (where / "submission").mkdir(parents=True)
        sub = where / "submission" / e.code
        sub.write_bytes(path.read_bytes())
        args.append((str(built.otter_zips[e.id]), str(sub), str(where / "out")))
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        scores = list(pool.map(otter_run, *zip(*args)))
    return {(e.id, what): s for (e, what, _), s in zip(jobs, scores)}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_otter_run_gives_the_reference_full_marks_and_the_stub_zero(otter_runs, exercise):
    score, possible, log = otter_runs[(exercise.id, "reference")]
    assert possible == exercise.points
    assert score == exercise.points, log
    score, possible, log = otter_runs[(exercise.id, "stub")]
    assert possible == exercise.points
    assert score == 0, log


def test_otter_run_agrees_with_the_engine_on_every_honest_example(otter_runs):
    examples = _honest_examples()
    if not examples:
        pytest.skip("examples/submissions/ has not landed")
    from autograder.grading import grade_submission

    compared = 0
    for student, folder in examples:
        result = grade_submission(folder, student=student, chapter="ch5")
        for e in CHAPTER.exercises:
            if (e.id, f"example:{student}") in otter_runs:
                otter_score = otter_runs[(e.id, f"example:{student}")][0]
                assert otter_score == result.exercise(e.id).score, (student, e.id)
                compared += 1
    assert compared > 0
