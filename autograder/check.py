"""The student's local check: run the public checks on a file or a folder and report.

Only public checks run and only they are printed; hidden checks are never named.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .checks.runner import CaseResult, load_check_file, run_check_file
from .course import Chapter, Exercise, load_chapter


@dataclass(frozen=True)
class ExerciseReport:
    """The public checks of one exercise, run on the student's file."""

    exercise: Exercise
    path: Path
    results: tuple[CaseResult, ...]

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def possible(self) -> float:
        return sum(r.points for r in self.results)


def files_to_check(path: Path, chapter: Chapter) -> list[tuple[Exercise, Path]]:
    """The exercises found at ``path``: one exercise file, or every exercise file in a folder."""
    path = Path(path)
    if path.is_dir():
        found = [(e, path / e.code) for e in chapter.exercises if (path / e.code).is_file()]
        if not found:
            names = ", ".join(e.code for e in chapter.exercises)
            raise ValueError(f"{path} holds none of the exercise files of {chapter.id} ({names})")
        return found
    if not path.is_file():
        raise ValueError(f"{path} does not exist: give an exercise file such as ex5_2.py or a folder")
    exercise = chapter.by_file(path.name)
    if exercise is None or exercise.code != path.name:
        names = ", ".join(e.code for e in chapter.exercises)
        raise ValueError(f"{path.name} is not an exercise file of {chapter.id}; expected one of {names}")
    return [(exercise, path)]


def check_path(path: Path, chapter: str = "ch5") -> list[ExerciseReport]:
    """Run the public checks of every exercise found at ``path``."""
    ch = load_chapter(chapter)
    reports = []
    for exercise, file in files_to_check(Path(path), ch):
        results = run_check_file(load_check_file(exercise.check_file), file, include_hidden=False)
        reports.append(ExerciseReport(exercise, file, tuple(results)))
    return reports


def format_report(reports: list[ExerciseReport]) -> str:
    """Plain text: each public check with passed or failed, and why it failed."""
    lines = []
    for rep in reports:
        ex = rep.exercise
        lines.append(f"{ex.id} — {ex.title_zh} / {ex.title_en}  ({rep.path.name})")
        for r in rep.results:
            mark = "passed" if r.passed else "FAILED"
            lines.append(f"  [{mark}] {r.name} ({r.score:g}/{r.points:g})")
            if not r.passed:
                lines += ["      " + line for line in r.message.splitlines()]
        lines.append(f"  public checks: {rep.score:g}/{rep.possible:g} points "
                     f"(hidden checks run only when you submit)")
        lines.append("")
    return "\n".join(lines)
