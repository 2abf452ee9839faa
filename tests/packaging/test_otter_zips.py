"""The per-exercise autograders, ``otter/<id>.zip``, graded by stock ``otter run``.

``otter run`` grades a Python script by running it as one notebook cell in a Jupyter kernel and
then the zip's ``tests/<id>.py`` in the same kernel; it does not run ``setup.sh``, so the
``autograder.checks`` helpers come from this environment (where the project is installed), as
they come from the wheel on Gradescope. A few seconds a run (a kernel starts each time): the
runs happen once per module, in two worker processes that import Otter once.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import re
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


def _examples(scratch: Path) -> list[tuple[str, Path]]:
    """(student, folder of files) of every example submission, zips extracted by the engine's
    own reader. All of them are honest (the attacks live in the engine's tests)."""
    if not EXAMPLES.is_dir():
        return []
    from autograder.intake import collect, discover

    out = []
    for entry in discover(EXAMPLES)[0]:
        collect(entry.path, scratch / entry.student, CHAPTER)
        out.append((entry.student, scratch / entry.student))
    return out


_MARKER = re.compile(r"^[ \t]*# =+ (TODO|SOLUTION) (BEGIN|END).*$", re.M)


def _same_code(data: bytes) -> str:
    """A key equal for two files that differ only in their TODO/SOLUTION marker lines."""
    return hashlib.sha256(_MARKER.sub("", data.decode("utf-8", "replace")).encode()).hexdigest()


@pytest.fixture(scope="module")
def otter_runs(built, tmp_path_factory):
    """Every ``otter run`` of this module, once per distinct file: returns
    {(exercise id, what): (score, possible, log)} for what in "reference", "stub" and
    "example:<student>"; an example whose code is the reference's or the stub's (apart from
    the marker lines) shares that run."""
    why = jupyter_kernel_missing()
    if why:
        pytest.skip(why)
    tmp = tmp_path_factory.mktemp("otter-run")
    wanted = []  # (exercise, what, bytes)
    for e in CHAPTER.exercises:
        wanted.append((e, "reference", (SOLUTIONS / "ch5" / e.code).read_bytes()))
        wanted.append((e, "stub", (ASSIGNMENTS / "ch5" / e.code).read_bytes()))
    for student, folder in _examples(tmp / "examples"):
        for e in CHAPTER.exercises:
            if (folder / e.code).is_file():
                wanted.append((e, f"example:{student}", (folder / e.code).read_bytes()))

    runs: dict[tuple[str, str], tuple] = {}  # (exercise id, code key) -> job arguments
    for e, what, data in wanted:
        key = (e.id, _same_code(data))
        if key not in runs:
            where = tmp / e.id / f"{len(runs)}"
            (where / "submission").mkdir(parents=True)
            (where / "submission" / e.code).write_bytes(data)
            runs[key] = (str(built.otter_zips[e.id]), str(where / "submission" / e.code),
                         str(where / "out"))
    keys = list(runs)
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        scores = dict(zip(keys, pool.map(otter_run, *zip(*(runs[k] for k in keys)))))
    return {(e.id, what): scores[(e.id, _same_code(data))] for e, what, data in wanted}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_otter_run_gives_the_reference_full_marks_and_the_stub_zero(otter_runs, exercise):
    score, possible, log = otter_runs[(exercise.id, "reference")]
    assert possible == exercise.points
    assert score == exercise.points, log
    score, possible, log = otter_runs[(exercise.id, "stub")]
    assert possible == exercise.points
    assert score == 0, log


def test_otter_run_agrees_with_the_engine_on_every_example_submission(otter_runs, tmp_path):
    examples = _examples(tmp_path)
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
