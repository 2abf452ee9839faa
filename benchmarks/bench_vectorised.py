"""The figures behind ``timing.PER_UNIT_BUDGET``: CPU microseconds per unit of each dimension
the vectorisation checks grow, for the reference and for every fixture of ex5_backprop and
ex5_numpy_cnn whose vectorisation case is graded (the right styles and the loops).

    .venv/bin/python benchmarks/bench_vectorised.py

Prints one line per answer: its worst figure over the dimensions, which dimension, and
whether the check passes it (in this process; the grader reads the worker's figure the same
way, ``timing.cpu_seconds``). Runs in about a minute.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from autograder.checks import timing  # noqa: E402
from autograder.checks.runner import load_check_file, load_student_file, run_case  # noqa: E402
from tests.support import (CHAPTER, correct_answer_env, correct_answer_fixtures,  # noqa: E402
                           wrong_answer_env, wrong_answer_fixtures)

CASES = {"ex5_backprop": ["test_conv_vectorised"],
         "ex5_numpy_cnn": ["test_conv_vectorised", "test_maxpool_vectorised"]}


def _worst(check, env, filename):
    """Run one vectorisation case, recording every ``growth`` figure it measures."""
    seen = []
    real = timing.growth

    def recording(small, large, owner, units, per_unit, tries=3):
        out = real(small, large, owner, units, per_unit, tries)
        seen.append(out[1])
        return out

    timing.growth = recording
    try:
        result = run_case(check, env, filename)
    finally:
        timing.growth = real
    return (max(seen) if seen else float("nan")), result.passed


def main() -> int:
    print(f"CPU microseconds per unit (budget {timing.PER_UNIT_BUDGET * 1e6:g}); "
          f"units {timing.UNITS[0]} -> {timing.UNITS[1]}")
    for ex_id, names in CASES.items():
        exercise = CHAPTER.exercise(ex_id)
        checks = {c.name: c for c in load_check_file(exercise.check_file).cases}
        answers = [("reference", load_student_file(ROOT / "solutions" / "ch5" / exercise.code))]
        answers += [(f"correct/{p.stem}", correct_answer_env(e, p))
                    for e, p in correct_answer_fixtures() if e.id == ex_id]
        answers += [(f"wrong/{p.stem}", wrong_answer_env(e, p))
                    for e, p in wrong_answer_fixtures() if e.id == ex_id
                    and set(names) & set(wrong_answer_env(e, p)["MUST_FAIL"])]
        for label, env in answers:
            for n in names:
                worst, passed = _worst(checks[n], env, exercise.code)
                print(f"  {ex_id:14s} {n:24s} {label:44s} {worst * 1e6:8.3f}  "
                      f"{'passes' if passed else 'FAILS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
