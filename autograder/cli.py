"""``nndl-grade``: a thin command line over the package's functions.

The grading limits, the late policy and the export's options read their defaults from the
dataclass or function they feed (``Limits``, ``LatePolicy``, ``export.export``), so there the
command line and the Python API cannot disagree. The other defaults are written here, in each
command's options: ``--chapter ch5`` (also ``course.load_chapter``'s default), ``--jobs 1``,
build's ``--out dist`` and the local check's 10 s ``--timeout`` (named in its help).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional, Sequence, TextIO

from . import __version__
from .engine import Limits
from .late import LatePolicy, iso

if TYPE_CHECKING:  # pragma: no cover
    from .course import Chapter, LateRules
    from .batch import Progress
    from .check import ExerciseReport
    from .results import SubmissionResult

DEFAULTS = Limits()
"""The grading limits' defaults: the command line's defaults are read from here."""

LATE_DEFAULTS = LatePolicy()
"""The late policy's defaults (no deadline, no penalty, no cut-off)."""


def _targets(chapter: str = "ch5"):
    """The local check's view of a chapter of the manifest: its exercises, and the sha256 of
    each stub and answer sheet as handed out (``assignments/<chapter>/``)."""
    from .check import Target
    from .collect import sha256
    from .course import REPO_ROOT, load_chapter

    ch = load_chapter(chapter)
    targets = [Target(e.id, e.title_zh, e.title_en, e.code, e.check_file, e.answer, e.optional)
               for e in ch.exercises]
    handed_out = REPO_ROOT / "assignments" / ch.id
    pristine = {f: sha256((handed_out / f).read_bytes()) for t in targets for f in t.files
                if (handed_out / f).is_file()}
    return ch, targets, pristine


def check_path(path: Path, chapter: str = "ch5") -> "list[ExerciseReport]":
    """The local check of an exercise file or a folder, for a chapter of the manifest."""
    from .check import check_files, files_to_check

    ch, targets, _ = _targets(chapter)
    return check_files(files_to_check(Path(path), targets, ch.id))


def _cmd_check(args: argparse.Namespace) -> int:
    """The handout's ``python check.py`` with the manifest's chapter: the same arguments, the
    same output (``check.main``)."""
    from .check import main as run

    try:
        ch, targets, pristine = _targets(args.chapter)
    except FileNotFoundError as exc:
        print(f"nndl-grade check: {exc}", file=sys.stderr)
        return 2
    argv = list(args.path) + (["--zip"] if args.zip else []) + \
        (["--timeout", str(args.timeout)] if args.timeout is not None else [])
    return run(argv, targets, base=Path.cwd(), chapter=ch.id, prog="nndl-grade check",
               pristine=pristine)


def _cmd_build(args: argparse.Namespace) -> int:
    from .packaging import BuildError, build

    try:
        outputs = build(Path(args.out), chapter=args.chapter)
    except (BuildError, FileNotFoundError) as exc:
        print(f"nndl-grade build: {exc}", file=sys.stderr)
        return 2
    print(outputs.summary())
    return 0


def _clock(seconds: float) -> str:
    secs = int(seconds)
    return f"{secs // 3600}:{secs // 60 % 60:02d}:{secs % 60:02d}" if secs >= 3600 \
        else f"{secs // 60}:{secs % 60:02d}"


class ProgressBar:
    """Draws ``batch.Progress`` as a one-line bar on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.drawn = False

    def __call__(self, p: Progress) -> None:
        width = 30
        filled = int(width * p.done / max(p.total, 1))
        left = f"  ~{_clock(p.remaining)} left" if p.remaining is not None else ""
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} students "
                          f"{_clock(p.elapsed)}{left}  {p.result.student[:30]:<30}")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


class ProgressLines:
    """``batch.Progress`` as one line per student, for logs and pipes (no terminal), with the
    time left at the pace so far; while no student finishes for ``quiet`` seconds, a line
    says the grader is still working."""

    def __init__(self, stream: TextIO, quiet: float = 60.0,
                 clock: Callable[[], float] = time.monotonic,
                 chapter: "Optional[Chapter]" = None) -> None:
        self.stream = stream
        self.chapter = chapter
        self.quiet = quiet
        self.clock = clock
        self.start = clock()
        self.last = self.start
        self.done, self.total = 0, 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread: Optional[threading.Thread] = None

    def begin(self) -> "ProgressLines":
        self.thread = threading.Thread(target=self._watch, name="progress", daemon=True)
        self.thread.start()
        return self

    def __call__(self, p: Progress) -> None:
        left = f", about {_clock(p.remaining)} left" if p.remaining is not None else ""
        width = len(str(p.total))
        with self.lock:
            self.done, self.total, self.last = p.done, p.total, self.clock()
            self.stream.write(f"[{p.done:>{width}}/{p.total}] {student_line(p.result, 0, self.chapter)}  "
                              f"({_clock(p.elapsed)} elapsed{left})\n")
            self.stream.flush()

    def beat(self) -> Optional[str]:
        """The still-working line, when no student finished for ``quiet`` seconds."""
        now = self.clock()
        with self.lock:
            if now - self.last < self.quiet:
                return None
            self.last = now
            line = (f"... still grading: {self.done}/{self.total or '?'} done, "
                    f"{_clock(now - self.start)} elapsed (a slow student takes up to the "
                    f"--timeout per call)\n")
            self.stream.write(line)
            self.stream.flush()
            return line

    def _watch(self) -> None:
        while not self.stop.wait(min(5.0, self.quiet)):
            self.beat()

    def finish(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


def student_line(r: SubmissionResult, width: int = 0,
                 chapter: "Optional[Chapter]" = None) -> str:
    """One student on the terminal: points (the grade as ``chapter``'s composition counts it,
    written parts not included), status, what went wrong, lateness."""
    from .results import OK, pts

    extra = ""
    if chapter is not None:
        grade = r.tally(chapter)
        score, possible = grade.final, grade.possible
        extra = f" (extra credit +{pts(grade.extra)})" if grade.extra else ""
    else:
        score, possible = r.adjusted, r.possible
    line = f"{r.student:<{width}}  {pts(score):>5} / {pts(possible)}{extra}  {r.status or '?'}"
    if r.status not in (OK, ""):
        problem = r.problem
        if problem:
            line += f": {problem[:100]}{'...' if len(problem) > 100 else ''}"
    if r.late.deadline and r.late.unknown:
        line += ("  late (" + (r.identity.lms or "LMS") + "), days unknown: no penalty"
                 if r.lms_late else "  no trustworthy submission time: lateness unknown")
    elif r.late.deadline and r.late.after_cutoff:
        line += "  after the cut-off -> 0"
    elif r.late.deadline and r.late.days:
        line += f"  {r.late.days} day(s) late"
        if r.late.penalty_pct:
            line += f" -{pts(r.late.penalty_pct)}% -> {pts(score)}"
    elif r.lms_late and not r.late.deadline:
        line += f"  late ({r.identity.lms or 'LMS'})"
    return line


def _late_policy(args: argparse.Namespace, rules: "LateRules") -> LatePolicy:
    """The composition's late policy (``rules``), the options given overriding it."""
    return LatePolicy.from_rules(rules, deadline=args.deadline, cutoff=args.late_cutoff,
                                 penalty_per_day=args.late_penalty,
                                 file_times=True if args.file_times else None)


def _cmd_grade(args: argparse.Namespace) -> int:
    from .batch import grade_folder
    from .cluster import ClusterError
    from .engine import SandboxError
    from .grading import GradingContext
    from .results import OK

    from .course import COURSE_FILE, load_course
    from .intake.times import read_times

    out = Path(args.out)
    try:
        chapter = load_course(args.chapter, course=args.course, out=out)
        late = _late_policy(args, chapter.composition.late)
        zone = (late.deadline or late.cutoff).tzinfo if late.active else None
        times = read_times(Path(args.times), zone) if args.times else None
        limits = Limits(timeout=args.timeout, memory_mb=args.memory)
        context = GradingContext.resolve(chapter, limits)
    except (ValueError, SandboxError, FileNotFoundError) as exc:
        print(f"nndl-grade grade: {exc}", file=sys.stderr)
        return 2
    if args.course:  # report and export count the same way later
        out.mkdir(parents=True, exist_ok=True)
        (out / COURSE_FILE).write_bytes(Path(args.course).read_bytes())
    if not args.scheduler:  # on a cluster, the workers' sandboxes are reported
        print(context.sandbox.describe(), file=sys.stderr)
    if late.active:
        print(f"late policy: deadline {iso(late.deadline or late.cutoff)}"
              + (f", -{late.penalty_per_day:g}% per day late" if late.penalty_per_day else "")
              + (f", 0 after {iso(late.cutoff)}" if late.cutoff else "")
              + (f"; submission times from {args.times}" if times is not None else "")
              + ("; the files' own times when the LMS gives none" if late.file_times else ""),
              file=sys.stderr)
    progress = ProgressBar(sys.stderr) if sys.stderr.isatty() else \
        ProgressLines(sys.stderr, chapter=context.chapter).begin()
    try:
        results = grade_folder(Path(args.submissions), out, jobs=args.jobs, force=args.force,
                               only=args.only or (), late=late, times=times,
                               context=context,
                               on_progress=progress, scheduler=args.scheduler,
                               on_note=lambda text: print(f"note: {text}", file=sys.stderr))
    except (FileNotFoundError, ValueError, ClusterError) as exc:
        progress.finish()
        print(f"nndl-grade grade: {exc}", file=sys.stderr)
        return 2
    finally:
        progress.finish()
    width = max([len(r.student) for r in results] + [7])
    for r in results:
        print(student_line(r, width, context.chapter))
    problems = Counter(r.status for r in results if r.status not in (OK, ""))
    summary = f"{len(results)} student(s); grades in {out / 'grades.csv'}, reports in {out}/<student>/"
    if problems:
        summary += "\nto look at: " + ", ".join(f"{n} {status}" for status, n in
                                                sorted(problems.items()))
    print(summary)
    _report(out, chapter=context.chapter, references=args.reference, command="grade")
    return 0


EPILOG = """\
a course, from download to upload (README.md has the details):
  nndl-grade build --out dist                       # handout + Gradescope autograder
  nndl-grade grade submissions/ --out out --jobs 2  # submissions: unzipped LMS download
  nndl-grade grade submissions/ --out out --only zhangsan_12345   # regrade one student
  nndl-grade export out --into grades-from-lms.csv  # fill the LMS's own gradebook file
"""


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
    from .export.command import add_export_parser
    from .mark.command import add_mark_parser

    parser = argparse.ArgumentParser(
        prog="nndl-grade",
        description="Auto-graded exercises for chapter 5 (convolutional networks) of Qiu "
                    "Xipeng's Neural Networks and Deep Learning: build the handout and the "
                    "Gradescope autograder, grade a class, export the grades.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"nndl-grade {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser(
        "check", help="run the public checks on an exercise file or a folder of them",
        description="Run the public checks of the exercises found at PATH (hidden checks run "
                    "only when graded). Exit status 0 when every public check passes, 1 when "
                    "one fails, 2 when PATH holds no exercise file.")
    check.add_argument("path", nargs="*",
                       help="exercise ids (ex5_2), exercise files (ex5_2.py) or folders of them "
                            "(default: the current folder)")
    check.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    check.add_argument("--timeout", type=float, default=None,
                       help="seconds one call into the student's code may take (default: 10)")
    check.add_argument("--zip", action="store_true",
                       help="write submission.zip with the exercise files and answer sheets "
                            "found, and say what is missing (runs no check)")
    check.set_defaults(func=_cmd_check)

    grade = sub.add_parser(
        "grade", help="grade a class: a folder of submissions, or an LMS's bulk download",
        description="Grade every student's submission in isolated, limited workers. "
                    "SUBMISSIONS holds one sub-folder or one .zip per student (named by the "
                    "student), or a Canvas or Moodle bulk download, unzipped. Writes "
                    "OUT/grades.csv (one row per student of SUBMISSIONS, with a status column "
                    "flagging problem submissions) and, per student, OUT/<student>/results.json "
                    "(Gradescope's format), feedback.md (for the student) and summary.json "
                    "(the record), then the report (see nndl-grade report). Students already "
                    "graded and unchanged are skipped. Exit status 2 when nothing could be "
                    "graded.")
    grade.add_argument("submissions", help="folder of submissions (one sub-folder or .zip per "
                                           "student, or an unzipped Canvas or Moodle download)")
    grade.add_argument("--out", required=True, help="folder for grades.csv and the reports")
    grade.add_argument("--jobs", type=int, default=1, help="students graded at once (default: 1)")
    grade.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="grade on the Dask distributed cluster whose scheduler is at this "
                            "address (needs the dask extra: pip install "
                            "'nndl-autograder[dask]'; every worker runs nndl-autograder and "
                            "bubblewrap); OUT is written on this machine as usual")
    grade.add_argument("--timeout", type=float, default=DEFAULTS.timeout,
                       help=f"wall-clock seconds for the import and for each call "
                            f"(default: {DEFAULTS.timeout:g})")
    grade.add_argument("--memory", type=int, default=DEFAULTS.memory_mb,
                       help=f"memory limit per worker in MB (default: {DEFAULTS.memory_mb})")
    grade.add_argument("--force", action="store_true", help="regrade students already graded")
    grade.add_argument("--only", nargs="+", metavar="STUDENT",
                       help="regrade only these students (their folder or zip name, LMS id, "
                            "name or SID); the others keep their recorded grades")
    grade.add_argument("--deadline", metavar="ISO",
                       help="deadline, ISO 8601: 2025-06-01T23:59 (local time), "
                            "2025-06-01T23:59+08:00, or 2025-06-01 (end of that day)")
    grade.add_argument("--late-penalty", type=float, default=None, metavar="PCT",
                       help=f"percent of the submission's points taken off per day late, "
                            f"partial days rounded up (default: the composition's, "
                            f"{LATE_DEFAULTS.penalty_per_day:g} in the manifest); needs a "
                            f"deadline")
    grade.add_argument("--late-cutoff", metavar="ISO",
                       help="after this time the submission counts 0")
    grade.add_argument("--times", metavar="FILE",
                       help="submission times exported from the LMS: Moodle's grading "
                            "worksheet (any of its columns; English or Chinese headers) or a "
                            "CSV with columns student,submitted_at. Without it (or Gradescope's "
                            "metadata) no time is trusted: lateness stays unknown")
    grade.add_argument("--file-times", action="store_true",
                       help="take the files' modification times on this disk as submission "
                            "times when the LMS gives none (untrustworthy: copying or "
                            "unzipping changes them; a zip's entry dates are never used)")
    grade.add_argument("--course", metavar="YAML",
                       help="the course's composition over the manifest's: required, extra, "
                            "none, extra_max, written, late (docs/grades.md); kept in OUT for "
                            "report and export")
    grade.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    _reference_option(grade)
    grade.set_defaults(func=_cmd_grade)

    add_export_parser(sub)

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

    add_mark_parser(sub)

    build = sub.add_parser(
        "build", help="write the student handout and the Gradescope autograders",
        description="Build, from a checkout, OUT/<chapter>/student.zip (the handout), "
                    "OUT/<chapter>/autograder.zip (one Gradescope programming assignment for "
                    "the chapter) and OUT/<chapter>/otter/<exercise>.zip (stock Otter "
                    "autograders, one per exercise).")
    build.add_argument("--out", default="dist", help="output folder (default: dist)")
    build.add_argument("--chapter", default="ch5", help="chapter id (default: ch5)")
    build.set_defaults(func=_cmd_build)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
