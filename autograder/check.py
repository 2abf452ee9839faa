"""The student's local check: the public checks of each exercise file, judged as the grader
judges them.

The student's code runs through the grader's own engine, in this process
(``engine.local``): the same proxies, the same normalisation of returned values, the same
description of an exception, the same time limit per call. So a public check passes here
exactly when it passes on submission. Only public checks run and only they are printed;
hidden checks are never named.

``nndl-grade check`` (which reads the course manifest) and the handout's ``check.py`` (which
has the chapter written into it) both call ``check_files`` and ``format_report``. This module
needs Python, NumPy and the engine only: it ships in the handout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

from .checks.runner import Case, CaseResult, CheckFile, load_check_file, run_case
from .engine import Limits, Session
from .engine.local import local_sandbox

LOCAL_TIMEOUT = 10.0
"""Seconds one call into the student's code may take in the local check."""


@dataclass(frozen=True)
class Target:
    """An exercise as the local check needs it: its id, titles, code file and check file."""

    id: str
    title_zh: str
    title_en: str
    code: str
    check_file: Path


@dataclass(frozen=True)
class ExerciseReport:
    """The public checks of one exercise, run on the student's file."""

    target: Target
    path: Path
    results: tuple[CaseResult, ...]

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def possible(self) -> float:
        return sum(r.points for r in self.results)


def files_to_check(path: Path, targets: Iterable[Target], chapter: str = "") -> list[tuple[Target, Path]]:
    """The exercises at ``path``: one exercise file, or every exercise file in a folder.
    ``ValueError`` saying what was expected otherwise."""
    path, targets = Path(path), list(targets)
    names = ", ".join(t.code for t in targets)
    of = f" of {chapter}" if chapter else " of this chapter"
    if path.is_dir():
        found = [(t, path / t.code) for t in targets if (path / t.code).is_file()]
        if not found:
            raise ValueError(f"{path} holds none of the exercise files{of} ({names})")
        return found
    if not path.is_file():
        raise ValueError(f"{path} does not exist: give an exercise file such as "
                         f"{targets[0].code if targets else 'ex.py'} or a folder")
    for t in targets:
        if t.code == path.name:
            return [(t, path)]
    raise ValueError(f"{path.name} is not an exercise file{of}; expected one of {names}")


def run_cases(session: Session, cases: Sequence[Case]) -> list[CaseResult]:
    """Run ``cases`` on a started session, as the grader and the local check both do: every
    public case first, then the hidden ones in a fresh worker (launched while the public ones
    run), so that nothing a hidden case passed can reach a public case's message. Results in
    the order of ``cases``."""
    def one(case: Case) -> CaseResult:
        return session.run_case(lambda env: run_case(case, env),
                                lambda why: CaseResult(case.name, case.points, case.hidden,
                                                       False, why))

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


def run_file(check_file: CheckFile, path: Path, *, hidden: bool = True,
             limits: Optional[Limits] = None) -> list[CaseResult]:
    """Run the cases of ``check_file`` (the hidden ones too unless ``hidden`` is false) on
    the student's file at ``path``, through the engine in this process. A file that cannot
    be imported fails every case with the same message."""
    limits = limits or Limits(timeout=LOCAL_TIMEOUT)
    cases = [c for c in check_file.cases if hidden or not c.hidden]
    path = Path(path)

    def failed(case, why: str) -> CaseResult:
        return CaseResult(case.name, case.points, case.hidden, False, why)

    if not path.is_file():
        return [failed(c, f"{path.name} was not found in the submission") for c in cases]
    session = Session(path.parent, path.name, limits, local_sandbox())
    try:
        try:
            session.start()
        except Exception as exc:  # noqa: BLE001 - ImportFailed or a worker that never started
            why = str(getattr(exc, "reason", "") or exc)
            return [failed(c, why) for c in cases]
        return run_cases(session, cases)
    finally:
        session.close()


def check_exercise(target: Target, path: Path, *,
                   limits: Optional[Limits] = None) -> ExerciseReport:
    """Run the public checks of ``target`` on the file at ``path``."""
    results = run_file(load_check_file(target.check_file), path, hidden=False, limits=limits)
    return ExerciseReport(target, Path(path), tuple(results))


def check_files(pairs: Iterable[tuple[Target, Path]], *,
                limits: Optional[Limits] = None) -> list[ExerciseReport]:
    """Run the public checks of every (exercise, file) pair."""
    return [check_exercise(t, p, limits=limits) for t, p in pairs]


def format_report(reports: list[ExerciseReport]) -> str:
    """Plain text: each public check with passed or failed, and why it failed."""
    lines = []
    for rep in reports:
        t = rep.target
        lines.append(f"{t.id} — {t.title_zh} / {t.title_en}  ({rep.path.name})")
        for r in rep.results:
            mark = "passed" if r.passed else "FAILED"
            lines.append(f"  [{mark}] {r.name} ({r.score:g}/{r.points:g})")
            if not r.passed:
                lines += ["      " + line for line in r.message.splitlines()]
        lines.append(f"  public checks: {rep.score:g}/{rep.possible:g} points "
                     f"(hidden checks run only when you submit)")
        lines.append("")
    return "\n".join(lines)
