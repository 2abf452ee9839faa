"""Time ``nndl-grade report`` on a class of 200 students.

    .venv/bin/python benchmarks/bench_report.py [--students 200] [--reference DIR ...]

Grades the example submissions once (``examples/submissions``, through the engine), then
makes a class of ``--students`` by copying their graded folders (record, feedback, kept
files) under new names, cycling through the five examples, with graders' points filled in
for every other student. That class is a worst case for the similarity check: every student
is a copy of one of five submissions, so each exercise has groups of about 40 alike
submissions. With ``--distinct`` each copy gets a line of code and a sentence with a formula
of its own, so that no two files are the same text (every file is fingerprinted and every
sheet rendered; copies that differ only in names, spaces or comments are still measured
once). Prints the time of the first report (everything written), of the similarity
check alone, and of a second report with nothing changed (no file rewritten), and the sizes
of what was written. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from autograder.batch import grade_folder  # noqa: E402
from autograder.course import load_chapter  # noqa: E402
from autograder.report import manual, similarity, write_report  # noqa: E402
from autograder.store import graded_students  # noqa: E402


def make_class(work: Path, students: int, distinct: bool = False) -> Path:
    """Grade the examples, then copy them into a class of ``students``; returns OUT."""
    graded = work / "graded"
    grade_folder(ROOT / "examples" / "submissions", graded, jobs=2)
    examples = [r.student for r in graded_students(graded)]
    out = work / "out"
    out.mkdir()
    for i in range(students):
        source = examples[i % len(examples)]
        name = f"s{i:03d}-{source}"
        shutil.copytree(graded / source, out / name)
        summary = (out / name / "summary.json").read_text(encoding="utf-8")
        (out / name / "summary.json").write_text(
            summary.replace(f'"student": "{source}"', f'"student": "{name}"', 1), encoding="utf-8")
        if distinct:
            for f in (out / name / "submission").iterdir():
                extra = f"\n\ndef _mine_{i}(x):\n    return x * {i} + {7 * i}\n" \
                    if f.suffix == ".py" else f"\n\nMy own remark {i}: $x_{{{i}}} = {i}^2$.\n"
                f.write_text(f.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return out


def fill_points(out: Path, chapter) -> int:
    """Give every other student points for each written part; returns the rows filled."""
    manual.sync(out, chapter, [r.student for r in graded_students(out)])
    path = out / manual.FILE
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    filled = 0
    for i, row in enumerate(rows):
        if (i // 4) % 2 == 0:
            row["points"] = str(min(float(row["max_points"]), 3 + i % 7))
            row["comment"] = "clear; the border case is missing"
            filled += 1
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return filled


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() \
        else path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--distinct", action="store_true",
                        help="give every student's files a line of their own")
    parser.add_argument("--reference", nargs="*", default=[],
                        help="folders of published answer sets (e.g. ../shared/seed)")
    args = parser.parse_args()
    chapter = load_chapter("ch5")
    work = Path(tempfile.mkdtemp(prefix="nndl-bench-report-"))
    try:
        start = time.perf_counter()
        out = make_class(work, args.students, args.distinct)
        print(f"class of {args.students}{' (distinct files)' if args.distinct else ''} made "
              f"from the graded examples in "
              f"{time.perf_counter() - start:.1f} s")
        filled = fill_points(out, chapter)
        start = time.perf_counter()
        report = write_report(out, chapter, references=args.reference)
        first = time.perf_counter() - start
        start = time.perf_counter()
        found = similarity.detect(out, chapter, [r.student for r in graded_students(out)],
                                  [Path(r) for r in args.reference])
        sim = time.perf_counter() - start
        start = time.perf_counter()
        write_report(out, chapter)
        second = time.perf_counter() - start
        pairs = sum(1 for m in found.matches if m.kind == "pair")
        print(f"report for {report.students} students ({filled} written parts graded): "
              f"{first:.1f} s; of which the similarity check {sim:.1f} s ({pairs} flagged "
              f"pairs, {len(found.views)} side-by-side pages); again, nothing changed: "
              f"{second:.1f} s")
        print(f"report.html {size(out / 'report.html') / 1e6:.2f} MB, written/ "
              f"{size(out / 'written') / 1e6:.1f} MB, similarity/ "
              f"{size(out / 'similarity') / 1e6:.1f} MB")
        if report.problems or report.notes:
            print("notes: " + "; ".join(report.problems + report.notes))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
