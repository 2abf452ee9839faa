"""A graded class whose written parts are to be marked: students who handed in answer sheets
only (each proof of 5-2 different, with formulas and Chinese), one who handed back the
template untouched, one whose answer tries to run script and load images, and one who
handed in nothing for 5-2. Graded once per session with
``nndl-grade grade``; each test marks a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.cli import main
from tests.report.conftest import HOSTILE_ANSWER
from tests.support import ASSIGNMENTS

WRITERS = ["ann", "ben", "cai", "dai", "eve"]


def proof(student: str, i: int) -> str:
    return (f"# 证明 / Proof by {student}\n\n"
            f"令 $\\tilde X$ 为零填充后的 $X$。Then $(W \\otimes X)_{{ij}} = "
            f"\\sum_{{u=1}}^{{U}} \\sum_{{v=1}}^{{V}} w_{{uv}} x_{{i+u-1, j+v-1}}$ "
            f"and the change of index $s = i + u - 1$ gives step {i}.\n\n"
            f"$$\\operatorname{{rot180}}(W) \\tilde\\otimes X = "
            f"\\operatorname{{rot180}}(X) \\tilde\\otimes W$$\n")


@pytest.fixture(scope="session")
def marking_class(tmp_path_factory) -> Path:
    subs = tmp_path_factory.mktemp("marking") / "submissions"
    for i, s in enumerate(WRITERS):
        (subs / s).mkdir(parents=True)
        (subs / s / "ex5_2.md").write_text(proof(s, i), encoding="utf-8")
        (subs / s / "ex5_3.md").write_text(f"1x1 卷积 mixes channels ({s}).\n", encoding="utf-8")
    (subs / "gus").mkdir()
    shutil.copy(ASSIGNMENTS / "ch5" / "ex5_2.md", subs / "gus" / "ex5_2.md")  # untouched
    (subs / "ivy").mkdir()
    (subs / "ivy" / "ex5_2.md").write_text(HOSTILE_ANSWER, encoding="utf-8")  # script, images
    (subs / "hal").mkdir()
    (subs / "hal" / "ex5_3.md").write_text("only 5-3\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("marking") / "out"
    assert main(["grade", str(subs), "--out", str(out), "--jobs", "2"]) == 0
    return out


@pytest.fixture
def out(marking_class, tmp_path) -> Path:
    """A copy of the graded folder that a test may mark."""
    work = tmp_path / "out"
    shutil.copytree(marking_class, work)
    return work
