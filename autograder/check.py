"""The student's local check: the public checks of each exercise file, judged as the grader
judges them, shown as they run.

The student's code runs through the grader's own engine, in this process
(``engine.local``): the same proxies, the same normalisation of returned values, the same
description of an exception, the same time limit per call. So a public check passes here
exactly when it passes on submission. Only public checks run and only they are printed;
hidden checks are never named.

``nndl-grade check`` (which reads the course manifest) and the handout's ``check.py`` (which
has the chapter written into it) both call ``main``: the same arguments, the same checks, the
same words (``console.py`` writes them). This module needs Python, NumPy and the engine only:
it ships in the handout.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence, TextIO

from .checks.runner import Case, CaseResult, CheckFile, load_check_file, run_case
from .collect import import_warnings
from .engine import Limits, Session
from .engine.local import local_sandbox

LOCAL_TIMEOUT = 10.0
"""Seconds one call into the student's code may take in the local check (``--timeout``)."""


@dataclass(frozen=True)
class Target:
    """An exercise as the local check needs it: its id, titles, code file, check file and
    answer sheet (if it has a written part)."""

    id: str
    title_zh: str
    title_en: str
    code: str
    check_file: Path
    answer: Optional[str] = None
    optional: bool = False

    @property
    def files(self) -> tuple[str, ...]:
        """The files a student submits for this exercise."""
        return (self.code,) + ((self.answer,) if self.answer else ())


@dataclass(frozen=True)
class ExerciseReport:
    """The public checks of one exercise, run on the student's file."""

    target: Target
    path: Path
    results: tuple[CaseResult, ...]
    import_error: Optional[str] = None
    """Why the file could not be imported (then no check ran), or None."""
    warnings: tuple[str, ...] = ()
    """What the student should fix before submitting though the checks here pass."""

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def possible(self) -> float:
        return sum(r.points for r in self.results)


class Listener:
    """Told what the local check does while it does it (``console.Printer`` prints it). Every
    method does nothing here."""

    def exercise(self, target: Target, path: Path, warnings: tuple[str, ...]) -> None:
        """An exercise file is about to be imported."""

    def imported(self, error: Optional[str], cases: tuple[Case, ...]) -> None:
        """The file was imported (``error`` None) or not (then no case runs)."""

    def case(self, case: Case) -> None:
        """A case starts."""

    def result(self, result: CaseResult) -> None:
        """A case ended."""

    def done(self, report: ExerciseReport) -> None:
        """The exercise is checked."""


# -- which files ----------------------------------------------------------------------------

def _is_check_file(path: Path, targets: list[Target]) -> Optional[Target]:
    """The exercise whose public (or graded) check file ``path`` is, or None."""
    for t in targets:
        if t.code == path.name:
            try:
                if path.resolve() == Path(t.check_file).resolve():
                    return t
                head = path.read_text(encoding="utf-8", errors="replace")[:4000]
            except OSError:
                return None
            if "from autograder.checks.cases import check" in head and "OK_FORMAT" in head:
                return t
    return None


def files_to_check(path: Path, targets: Iterable[Target], chapter: str = "",
                   base: Optional[Path] = None) -> list[tuple[Target, Path]]:
    """The exercises at ``path``: one exercise file, an exercise id (``ex5_2``: its file in
    ``base``), or every exercise file in a folder. ``ValueError`` saying what was expected
    otherwise."""
    path, targets = Path(path), list(targets)
    names = ", ".join(t.code for t in targets)
    of = f" of {chapter}" if chapter else " of this chapter"
    base = Path(base) if base is not None else Path.cwd()
    if not path.exists() and len(path.parts) == 1:
        for t in targets:
            if str(path) in (t.id, t.code):  # an exercise id, or the file of one in base
                path = base / t.code
                break
    if path.is_dir():
        found = [(t, path / t.code) for t in targets if (path / t.code).is_file()]
        if not found:
            raise ValueError(f"{path} holds none of the exercise files{of} ({names})")
        return found
    if not path.is_file():
        raise ValueError(f"{path} does not exist: give an exercise file such as "
                         f"{targets[0].code if targets else 'ex.py'}, an exercise id such as "
                         f"{targets[0].id if targets else 'ex'} or a folder")
    test_of = _is_check_file(path, targets)
    if test_of is not None:
        raise ValueError(f"{path} is the public check of {test_of.id}, not your code: to check "
                         f"your {test_of.code}, run  python check.py {test_of.id}")
    for t in targets:
        if t.code == path.name:
            return [(t, path)]
    raise ValueError(f"{path.name} is not an exercise file{of}; expected one of {names}")


# -- running the checks ---------------------------------------------------------------------

def run_cases(session: Session, cases: Sequence[Case],
              listener: Optional[Listener] = None) -> list[CaseResult]:
    """Run ``cases`` on a started session, as the grader and the local check both do: every
    public case first, then the hidden ones in a fresh worker (launched while the public ones
    run), so that nothing a hidden case passed can reach a public case's message. Results in
    the order of ``cases``; ``listener`` hears of each case as it starts and ends."""
    listener = listener or Listener()

    def one(case: Case) -> CaseResult:
        listener.case(case)
        result = session.run_case(lambda env: run_case(case, env),
                                  lambda why: CaseResult(case.name, case.points, case.hidden,
                                                         False, why))
        listener.result(result)
        return result

    public = [c for c in cases if not c.hidden]
    hidden = [c for c in cases if c.hidden]
    if hidden and public:
        try:
            session.launch()
        except Exception:  # noqa: BLE001 - its own start reports the problem
            pass
    by_name = {c.name: one(c) for c in public}
    if hidden:
        if public:
            session.renew()
        by_name.update((c.name, one(c)) for c in hidden)
    return [by_name[c.name] for c in cases]


def run_session(check_file: CheckFile, path: Path, *, hidden: bool = True,
                limits: Optional[Limits] = None, listener: Optional[Listener] = None
                ) -> tuple[list[CaseResult], Optional[str]]:
    """Run the cases of ``check_file`` (the hidden ones too unless ``hidden`` is false) on
    the student's file at ``path``, through the engine in this process, telling ``listener``
    as each starts and ends. Returns the results and why the file could not be imported (then
    every case fails with that reason), or None."""
    limits = limits or Limits(timeout=LOCAL_TIMEOUT)
    listener = listener or Listener()
    cases = tuple(c for c in check_file.cases if hidden or not c.hidden)
    path = Path(path)

    def failed(case, why: str) -> CaseResult:
        return CaseResult(case.name, case.points, case.hidden, False, why)

    def all_fail(why: str) -> tuple[list[CaseResult], str]:
        listener.imported(why, cases)
        results = [failed(c, why) for c in cases]
        for r in results:
            listener.result(r)
        return results, why

    if not path.is_file():
        return all_fail(f"{path.name} was not found in the submission")
    session = Session(path.parent, path.name, limits, local_sandbox())
    try:
        try:
            session.start()
        except Exception as exc:  # noqa: BLE001 - ImportFailed or a worker that never started
            return all_fail(str(getattr(exc, "reason", "") or exc))
        listener.imported(None, cases)
        return run_cases(session, cases, listener), None
    finally:
        session.close()


def run_file(check_file: CheckFile, path: Path, *, hidden: bool = True,
             limits: Optional[Limits] = None) -> list[CaseResult]:
    """``run_session``'s results only. A file that cannot be imported fails every case with
    the same message."""
    return run_session(check_file, path, hidden=hidden, limits=limits)[0]


def check_exercise(target: Target, path: Path, *, limits: Optional[Limits] = None,
                   listener: Optional[Listener] = None,
                   own: Iterable[str] = ()) -> ExerciseReport:
    """Run the public checks of ``target`` on the file at ``path``; ``own`` names the student's
    other modules the file may import (the other exercise files)."""
    listener = listener or Listener()
    path = Path(path)
    warnings = import_warnings(path, own)
    listener.exercise(target, path, warnings)
    results, error = run_session(load_check_file(target.check_file), path, hidden=False,
                                 limits=limits, listener=listener)
    report = ExerciseReport(target, path, tuple(results), error, warnings)
    listener.done(report)
    return report


def check_files(pairs: Iterable[tuple[Target, Path]], *, limits: Optional[Limits] = None,
                listener: Optional[Listener] = None) -> list[ExerciseReport]:
    """Run the public checks of every (exercise, file) pair."""
    pairs = list(pairs)
    own = {Path(t.code).stem for t, _ in pairs}
    return [check_exercise(t, p, limits=limits, listener=listener, own=own - {Path(t.code).stem})
            for t, p in pairs]


def format_report(reports: list[ExerciseReport]) -> str:
    """Plain text: each public check with passed or failed, and why it failed; the total."""
    from .console import report_text

    return report_text(reports)


# -- the command ----------------------------------------------------------------------------

USAGE = """\
usage: {prog} [EXERCISE ...] [--timeout SECONDS] [--zip]

  EXERCISE   an exercise id (ex5_2), its file (ex5_2.py) or a folder; default: {base}
  --timeout  seconds one call into your code may take (default {timeout:g})
  --zip      write submission.zip with your exercise files and answer sheets, and say
             what is missing (no checks are run)

只运行公开检查;隐藏检查在提交后运行。Only the public checks run; hidden checks run when
you submit. Exit status: 0 every public check passed, 1 one failed, 2 a usage error.
"""


def _parse(argv: list[str]) -> tuple[list[str], dict]:
    opts: dict = {"zip": False, "timeout": LOCAL_TIMEOUT, "help": False}
    paths: list[str] = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            opts["help"] = True
        elif a == "--zip":
            opts["zip"] = True
        elif a == "--timeout" or a.startswith("--timeout="):
            value = a.partition("=")[2] if "=" in a else (args.pop(0) if args else "")
            try:
                opts["timeout"] = float(value)
                if not opts["timeout"] > 0:
                    raise ValueError
            except ValueError:
                raise ValueError(f"--timeout needs a positive number of seconds, got {value!r}") \
                    from None
        elif a.startswith("-") and len(a) > 1:
            raise ValueError(f"unknown option {a}")
        else:
            paths.append(a)
    return paths, opts


def main(argv: Iterable[str], targets: Iterable[Target], *, base: Path, chapter: str = "",
         prog: str = "check.py", pristine: Optional[dict[str, str]] = None,
         out: Optional[TextIO] = None, err: Optional[TextIO] = None,
         live: Optional[bool] = None) -> int:
    """The local check as a command: ``check.py`` and ``nndl-grade check`` both run this.
    ``base`` is where exercise ids are looked up and what is checked when no path is given.
    Returns the exit status (never raises SystemExit: it runs in notebooks too)."""
    from .collect import collect_command
    from .console import Printer

    out = out or sys.stdout
    err = err or sys.stderr
    targets = list(targets)
    try:
        paths, opts = _parse(list(argv))
    except ValueError as exc:
        print(f"{prog}: {exc}", file=err)
        print(USAGE.format(prog=prog, base=base, timeout=LOCAL_TIMEOUT), file=err)
        return 2
    if opts["help"]:
        print(USAGE.format(prog=prog, base=base, timeout=LOCAL_TIMEOUT), file=out)
        return 0
    printer = Printer(out, live=live)
    try:
        if opts["zip"]:
            return collect_command(Path(paths[0]) if paths else Path(base), targets, printer,
                                   pristine)
        pairs = []
        try:
            for p in paths or [str(base)]:
                pairs += files_to_check(Path(p), targets, chapter, base=base)
        except ValueError as exc:
            print(f"{prog}: {exc}", file=err)
            return 2
        reports = check_files(pairs, limits=Limits(timeout=opts["timeout"]), listener=printer)
        printer.total(reports)
        return 0 if all(r.score == r.possible for r in reports) else 1
    except BrokenPipeError:  # `python check.py | head`: the reader has gone; say nothing more
        _quiet_stdout(out)
        return 1
    except KeyboardInterrupt:
        printer.interrupted()
        return 130


def _quiet_stdout(out: TextIO) -> None:
    """Send the rest of the output (and the interpreter's final flush) nowhere."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
    except (OSError, ValueError, AttributeError):
        pass
