"""``nndl-grade``: a thin command line over the package's functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Optional, Sequence


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nndl-grade",
        description="Auto-graded exercises for chapter 5 of Neural Networks and Deep Learning.")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="run the public checks on your file or folder")
    check.add_argument("path", help="an exercise file (e.g. ex5_2.py) or a folder of them")
    check.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    check.set_defaults(func=_cmd_check)

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
