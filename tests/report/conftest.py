"""One graded class for the report's tests: the example submissions, a copy of one of them, a
submission built from the seed answer's code with an untouched and a blank answer sheet,
and one whose answer tries to run script and load images. Graded once per session with
``nndl-grade grade ... --reference <shared seed>`` (when the seed is on this machine)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

from autograder.cli import main
from tests.support import ASSIGNMENTS, FIXTURES, ROOT

EXAMPLES = ROOT / "examples" / "submissions"
SEED_FOLDER = Path(os.environ.get("NNDL_SHARED", ROOT.parent / "shared")) / "seed"
"""The team's shared seed (the published answer set the project was made from), read at
test time; ``NNDL_SHARED`` points elsewhere when this checkout is not beside shared/."""
SEED_SUBMISSION = FIXTURES / "ch5" / "seed" / "ex5_numpy_cnn.py"
"""The seed answer's code as a submission (its indentation restored, the torch import
removed): see the fixture's docstring."""

HOSTILE_ANSWER = r"""# 证明 / Proof

<script>window.pwned = 1</script>
<img src="http://203.0.113.7/tracker.png">
![diagram](http://203.0.113.7/diagram.png)
[a link](javascript:window.pwned=2)

$$\text{<script>window.pwned = 3</script>} \href{http://203.0.113.7/}{x} \style{background:url(http://203.0.113.7/b.png)}{y}$$

Inline $W \otimes X$ and a broken one $\frac{1}{$.
"""


@dataclass(frozen=True)
class GradedClass:
    submissions: Path
    out: Path
    seed: Optional[Path]
    """The shared seed folder given as --reference, None when it is not on this machine."""
    exit_code: int
    stderr: str


def require_seed(graded: GradedClass) -> Path:
    if graded.seed is None:
        pytest.skip(f"the shared seed answer set is not at {SEED_FOLDER} (set NNDL_SHARED to "
                    f"the folder holding seed/)")
    return graded.seed


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory) -> GradedClass:
    subs = tmp_path_factory.mktemp("class") / "submissions"
    shutil.copytree(EXAMPLES, subs)
    shutil.copytree(EXAMPLES / "alice", subs / "alice_copy")
    frank = subs / "frank"
    frank.mkdir()
    shutil.copy(SEED_SUBMISSION, frank / "ex5_numpy_cnn.py")
    shutil.copy(ASSIGNMENTS / "ch5" / "ex5_2.md", frank / "ex5_2.md")  # untouched
    (frank / "ex5_7.md").write_text("  \n")  # blank
    mallory = subs / "mallory"
    mallory.mkdir()
    (mallory / "ex5_2.md").write_text(HOSTILE_ANSWER, encoding="utf-8")
    out = tmp_path_factory.mktemp("graded") / "out"
    seed = SEED_FOLDER if SEED_FOLDER.is_dir() else None
    args = ["grade", str(subs), "--out", str(out), "--jobs", "2"]
    if seed is not None:
        args += ["--reference", str(seed)]
    capture = pytest.MonkeyPatch()
    import io
    import sys

    err = io.StringIO()
    capture.setattr(sys, "stderr", err)
    try:
        code = main(args)
    finally:
        capture.undo()
    return GradedClass(subs, out, seed, code, err.getvalue())


@pytest.fixture
def out_copy(graded_class, tmp_path) -> Path:
    """A copy of the graded folder that a test may change."""
    work = tmp_path / "out"
    shutil.copytree(graded_class.out, work)
    return work
