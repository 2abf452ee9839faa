"""``nndl-grade``: a thin command line over the package's functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence, TextIO

from .engine.sandbox import Limits

if TYPE_CHECKING:  # pragma: no cover
    from .batch import Progress

DEFAULTS = Limits()
"""The grading limits' defaults: the command line's defaults are read from here."""


def _cmd_check(args: argparse.Namespace) -> int:
    from .check import check_path, format_report

    try:
        reports = check_path(Path(args.path), chapter=args.chapter)
    except ValueError as exc:
        print(f"nndl-grade check: {exc}", file=sys.stderr)
        return 2
    print(format_report(reports))
    return 0 if all(r.score == r.possible for r in reports) else 1


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildError, build

    try:
        outputs = build(Path(args.out), chapter=args.chapter)
    except (BuildError, FileNotFoundError) as exc:
        print(f"nndl-grade build: {exc}", file=sys.stderr)
        return 2
    print(outputs.summary())
    return 0


class ProgressBar:
    """Draws ``batch.Progress`` as a one-line bar on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.drawn = False

    def __call__(self, p: Progress) -> None:
        width = 30
        filled = int(width * p.done / max(p.total, 1))
        secs = int(p.elapsed)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} students "
                          f"{secs // 60}:{secs % 60:02d}  {p.result.student[:30]:<30}")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _cmd_grade(args: argparse.Namespace) -> int:
    from .batch import grade_folder
    from .engine.sandbox import Limits, SandboxError
    from .grading import GradingContext

    try:
        limits = Limits(timeout=args.timeout, memory_mb=args.memory)
        context = GradingContext.resolve(args.chapter, limits)
    except (ValueError, SandboxError, FileNotFoundError) as exc:
        print(f"nndl-grade grade: {exc}", file=sys.stderr)
        return 2
    print(context.sandbox.describe(), file=sys.stderr)
    out = Path(args.out)
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    try:
        results = grade_folder(Path(args.submissions), out, jobs=args.jobs, force=args.force,
                               context=context, on_progress=bar,
                               on_note=lambda text: print(f"note: {text}", file=sys.stderr))
    except (FileNotFoundError, ValueError) as exc:
        print(f"nndl-grade grade: {exc}", file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.finish()
    width = max([len(r.student) for r in results] + [7])
    for r in results:
        print(f"{r.student:<{width}}  {r.score:g} / {r.possible:g}")
    print(f"{len(results)} student(s); grades in {out / 'grades.csv'}, reports in {out}/<student>/")
    _report(out, chapter=context.chapter, references=args.reference, command="grade")
    return 0


def _report(out: Path, **kwargs: object) -> int:
    """Run ``report.write_report`` with ``kwargs``; its notes go to stderr. 0 when all went
    well, 1 when manual.csv has problems or the report could not be written."""
    from .report import write_report

    command = kwargs.pop("command", "report")

    def note(text: str) -> None:
        print(f"note: {text}", file=sys.stderr)

    try:
        report = write_report(out, on_note=note, **kwargs)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - grading is done; say what failed and go on
        print(f"nndl-grade {command}: the report could not be written: "
              f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 1 if report.problems else 0


def _cmd_report(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if not out.is_dir():
        print(f"nndl-grade report: {out} is not a folder (give the --out folder of "
              f"nndl-grade grade)", file=sys.stderr)
        return 2
    code = _report(out, chapter=args.chapter, references=args.reference)
    if (out / "report.html").is_file():
        print(f"report in {out / 'report.html'}; written answers in {out / 'written'}/; "
              f"graders' points in {out / 'manual.csv'}")
    return code


def _reference_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reference", nargs="+", metavar="DIR", default=None,
                        help="folders of answer sets published on the web (.py, .ipynb, .md, "
                             ".html, .txt) to match submissions against; remembered in OUT for "
                             "later runs")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nndl-grade",
        description="Auto-graded exercises for chapter 5 of Neural Networks and Deep Learning.")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="run the public checks on your file or folder")
    check.add_argument("path", help="an exercise file (e.g. ex5_2.py) or a folder of them")
    check.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    check.set_defaults(func=_cmd_check)

    grade = sub.add_parser(
        "grade", help="grade a folder of submissions (one sub-folder or .zip per student)",
        description="Grade every student's submission in isolated, limited workers. Writes "
                    "OUT/grades.csv and, per student, OUT/<student>/results.json (Gradescope) "
                    "and OUT/<student>/feedback.md, then the report (see nndl-grade report).")
    grade.add_argument("submissions", help="folder holding one sub-folder or one .zip per student")
    grade.add_argument("--out", required=True, help="folder for grades.csv and the reports")
    grade.add_argument("--jobs", type=int, default=1, help="students graded at once (default: 1)")
    grade.add_argument("--timeout", type=float, default=DEFAULTS.timeout,
                       help=f"wall-clock seconds for the import and for each call "
                            f"(default: {DEFAULTS.timeout:g})")
    grade.add_argument("--memory", type=int, default=DEFAULTS.memory_mb,
                       help=f"memory limit per worker in MB (default: {DEFAULTS.memory_mb})")
    grade.add_argument("--force", action="store_true", help="regrade students already graded")
    grade.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    _reference_option(grade)
    grade.set_defaults(func=_cmd_grade)

    report = sub.add_parser(
        "report", help="rewrite OUT/report.html, OUT/written/ and the similarity report, and "
                       "fold the graders' points of OUT/manual.csv into the grades",
        description="Read what nndl-grade grade left in OUT and write OUT/report.html, "
                    "OUT/written/ (every answer to each written part), OUT/similarity.csv, "
                    "and fold the points filled in OUT/manual.csv into grades.csv, each "
                    "results.json and each feedback.")
    report.add_argument("out", help="the --out folder of nndl-grade grade")
    report.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    _reference_option(report)
    report.set_defaults(func=_cmd_report)

    build = sub.add_parser(
        "build", help="write the student handout and the Gradescope autograders into OUT/<chapter>/")
    build.add_argument("--out", default="dist", help="output folder (default: dist)")
    build.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    build.set_defaults(func=_cmd_build)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
