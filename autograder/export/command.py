"""``nndl-grade export``: its options and what it prints; a thin layer over ``export``."""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

from . import DETAILS, FORMATS, MISSING, MOODLE_LANGUAGES, SCORES, ExportError, export


def _export_default(name: str):
    return inspect.signature(export).parameters[name].default


def add_export_parser(sub) -> None:
    """Add ``export`` to the sub-commands ``sub`` of ``nndl-grade``."""
    export = sub.add_parser(
        "export", help="fill the gradebook file Canvas or Moodle gave you, or write one",
        description="Write the grades of OUT (the students of OUT/grades.csv) for an LMS: "
                    "--into FILE fills the assignment's column of the gradebook export "
                    "(Canvas) or grading worksheet (Moodle) you downloaded, keeping its rows; "
                    "--format writes one from nothing. docs/lms.md says what each LMS needs.")
    export.add_argument("out", help="the folder nndl-grade grade wrote (holds grades.csv)")
    export.add_argument("--into", type=Path, default=None, metavar="FILE",
                        help="the LMS's own file to fill: Canvas's gradebook export or Moodle's "
                             "grading worksheet, as downloaded (written to OUT/filled-<name>)")
    export.add_argument("--format", choices=FORMATS, default=None,
                        help="write a new file for this LMS instead of --into")
    export.add_argument("--output", type=Path, default=None,
                        help="the CSV to write (default: OUT/export-<format>.csv or "
                             "OUT/filled-<name of FILE>)")
    export.add_argument("--assignment", default=_export_default("assignment"),
                        help="Canvas: the assignment column to fill (with --into: its title or "
                             "id; without: '<title> (<id>)' as Canvas names it)")
    export.add_argument("--column", default=_export_default("column"),
                        help="Moodle --into: the grade column's header, for a worksheet in an "
                             "interface language other than English or Chinese")
    export.add_argument("--language", choices=MOODLE_LANGUAGES,
                        default=_export_default("language"),
                        help="Moodle --format: the interface language you will upload in "
                             f"(default: {_export_default('language')})")
    export.add_argument("--detail", choices=[d for d in DETAILS if d],
                        help="add a column per exercise or per check (--format only)")
    export.add_argument("--score", choices=SCORES, default=None,
                        help="final (default): the course grade of grades.csv (counted "
                             "exercises, written parts, extra credit, less the late penalty); "
                             "auto: the counted exercises' auto-graded points only")
    export.add_argument("--missing", choices=MISSING, default=_export_default("missing"),
                        help="students with no gradeable upload: leave empty (default) or 0")
    export.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    export.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``nndl-grade export`` as parsed."""
    if not args.format and args.into is None:
        print("nndl-grade export: give --into FILE (the gradebook export or grading worksheet "
              "the LMS gave you) or --format canvas|moodle", file=sys.stderr)
        return 2
    try:
        done = export(Path(args.out), format=args.format or "", into=args.into,
                      output=args.output, assignment=args.assignment, column=args.column,
                      detail=args.detail or "", score=args.score, missing=args.missing,
                      language=args.language, chapter=args.chapter)
    except (ExportError, FileNotFoundError, KeyError) as exc:
        print(f"nndl-grade export: {exc}", file=sys.stderr)
        return 2
    for n in done.notes:
        print(f"note: {n}", file=sys.stderr)
    for who in done.unmatched:
        print(f"not in the file (no row matches): {who}", file=sys.stderr)
    left = "not filled (kept as downloaded)" if args.into is not None else "left empty"
    for who in done.left:
        print(f"{left}: {who}", file=sys.stderr)
    kind = "filled from " + str(args.into) if args.into is not None else args.format
    print(f"{done.rows} grade(s) ({done.score}) written to {done.path} ({kind}); "
          f"{len(done.left)} {left}, {len(done.unmatched)} not matched")
    return 0
