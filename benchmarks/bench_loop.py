"""How long one endless loop holds a submission (issue 18): grade a copy of the reference
whose ``bottleneck_cost`` never returns (six checks call it) with ``--timeout T`` (default
20 s) and print the seconds it took and the score. Before the per-call limits and the
at-once failure of a timed-out function, it took (max_restarts + 1) x T.

    python benchmarks/bench_loop.py [T]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.engine import Limits  # noqa: E402
from autograder.grading import GradingContext, grade_submission  # noqa: E402
from tests.support import CHAPTER  # noqa: E402

LOOP = '''

def bottleneck_cost(m, k, c_in, c_mid, c_out):
    while True:
        pass
'''


def main() -> None:
    timeout = float(sys.argv[1]) if len(sys.argv) > 1 else 20.0
    folder = Path(tempfile.mkdtemp(prefix="nndl-bench-loop-"))
    try:
        (folder / "ex5_4.py").write_text((ROOT / "solutions" / "ch5" / "ex5_4.py").read_text() + LOOP)
        context = GradingContext.resolve(CHAPTER, Limits(timeout=timeout, memory_mb=300))
        start = time.monotonic()
        ex = grade_submission(folder, context=context).exercise("ex5_4")
        print(f"timeout {timeout:g} s: graded in {time.monotonic() - start:.1f} s, "
              f"{ex.score:g}/{ex.possible:g} ({context.sandbox.mode})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
