"""Time every exercise's graded checks (public and hidden) on its reference, in this process.

    .venv/bin/python benchmarks/bench_checks.py [--chapter ch5]

Prints one line per exercise: the wall time of loading the reference and running all its
checks with ``autograder.checks.runner``, the score, the CPU time of the same work (the
figure to compare across versions on a shared machine), and any check the reference fails; an
exercise without a check file, checks or reference yet is reported as not implemented. Then
the total of the exercises in ``TARGETS`` against its budget. Calls into student code cost
about 0.1 ms more each under the isolated grading engine; this measures the checks' own cost.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from autograder.checks.runner import load_check_file, load_student_file, run_case  # noqa: E402
from autograder.course import Chapter, Exercise, load_chapter  # noqa: E402

TARGETS = {"ch5": (("ex5_backprop", "ex5_numpy_cnn"), 10.0)}
"""Per chapter: the exercises whose summed time has a budget, and the budget in seconds."""


@dataclass(frozen=True)
class Row:
    """One exercise's timing: ``seconds`` is None when it could not be run."""

    exercise: str
    seconds: Optional[float]
    score: float
    points: float
    note: str
    cpu: Optional[float] = None
    """CPU seconds of this process for the same work (the checks' cost, whatever the load)."""


def bench_exercise(exercise: Exercise, solutions: Path, chapter: str) -> Row:
    """Load the reference and run every check of ``exercise`` on it, timed."""
    reference = solutions / chapter / exercise.code
    missing = [str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)
               for p in (exercise.check_file, reference) if not p.is_file()]
    if missing:
        return Row(exercise.id, None, 0.0, exercise.points,
                   f"not implemented yet ({', '.join(missing)} missing)")
    if not exercise.checks:
        return Row(exercise.id, None, 0.0, 0.0, "not implemented yet (no checks in the manifest)")
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        check_file = load_check_file(exercise.check_file)
        env = load_student_file(reference)
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
        return Row(exercise.id, None, 0.0, exercise.points,
                   f"could not be run: {type(exc).__name__}: {exc}")
    results = [run_case(case, env, str(reference)) for case in check_file.cases]
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    failed = [r.name for r in results if not r.passed]
    note = f"the reference FAILS {failed}" if failed else ""
    return Row(exercise.id, seconds, sum(r.score for r in results),
               sum(r.points for r in results), note, cpu)


def bench(chapter: Chapter, solutions: Path = ROOT / "solutions") -> list[Row]:
    """One row per exercise of ``chapter``, in manifest order."""
    return [bench_exercise(e, solutions, chapter.id) for e in chapter.exercises]


def report(rows: list[Row], chapter: str) -> str:
    """The table, and the budgeted total when the chapter has one."""
    lines = [f"graded checks on the references, {chapter} (public + hidden, in-process)"]
    for r in rows:
        if r.seconds is None:
            lines.append(f"  {r.exercise:16s}      -   {r.note}")
        else:
            cpu = f"  (CPU {r.cpu:.2f} s)" if r.cpu is not None else ""
            lines.append(f"  {r.exercise:16s} {r.seconds:7.2f} s  {r.score:g}/{r.points:g} points"
                         + cpu + (f"  {r.note}" if r.note else ""))
    timed = [r.seconds for r in rows if r.seconds is not None]
    cpus = [r.cpu for r in rows if r.cpu is not None]
    lines.append(f"  {'all exercises':16s} {sum(timed):7.2f} s"
                 + (f"  (CPU {sum(cpus):.2f} s)" if cpus else ""))
    if chapter in TARGETS:
        names, budget = TARGETS[chapter]
        parts = {r.exercise: r for r in rows if r.exercise in names}
        total = sum(r.seconds or 0.0 for r in parts.values())
        absent = [n for n in names if n not in parts or parts[n].seconds is None]
        verdict = "within" if total < budget else "OVER"
        line = f"  {' + '.join(names)}: {total:.2f} s, {verdict} the {budget:g} s budget"
        if absent:
            line += f" (not counted, not implemented yet: {', '.join(absent)})"
        lines.append(line)
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    args = parser.parse_args(argv)
    try:
        chapter = load_chapter(args.chapter)
    except FileNotFoundError as exc:
        print(f"bench_checks: {exc}", file=sys.stderr)
        return 2
    print(report(bench(chapter), chapter.id))
    return 0


if __name__ == "__main__":
    sys.exit(main())
