"""``nndl-grade``: a thin command line over the package's functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence, TextIO

from .engine import Limits

if TYPE_CHECKING:  # pragma: no cover
    from .batch import Progress
    from .check import ExerciseReport

DEFAULTS = Limits()
"""The grading limits' defaults: the command line's defaults are read from here."""


def check_path(path: Path, chapter: str = "ch5") -> "list[ExerciseReport]":
    """The local check of an exercise file or a folder, for a chapter of the manifest."""
    from .check import Target, check_files, files_to_check
    from .course import load_chapter

    ch = load_chapter(chapter)
    targets = [Target(e.id, e.title_zh, e.title_en, e.code, e.check_file) for e in ch.exercises]
    return check_files(files_to_check(Path(path), targets, ch.id))


def _cmd_check(args: argparse.Namespace) -> int:
    from .check import format_report

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
    from .engine import SandboxError
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
    return 0


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
                    "and OUT/<student>/feedback.md.")
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
    grade.set_defaults(func=_cmd_grade)

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
