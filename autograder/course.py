"""The course manifest: chapters, exercises, their files and the points of each check.

A chapter is a folder ``autograder/checks/<chapter>/`` holding ``manifest.yaml`` and one
Otter exception-format check file per exercise; stubs live in ``assignments/<chapter>/``
and references in ``solutions/<chapter>/``. Adding a chapter adds folders, not code.

The manifest says which exercises a chapter has, their files and their written parts
(docs/writing-checks.md gives its schema). The checks of an exercise, with their points and
hidden flags, are read from its check file's ``@check(points=..., hidden=...)`` decorators,
without running the file: each is written in one place.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import yaml

CHECKS_ROOT = Path(__file__).resolve().parent / "checks"
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CheckSpec:
    """One graded check: the test-case function's name, its points, whether it is hidden."""

    name: str
    points: float
    hidden: bool


@dataclass(frozen=True)
class WrittenPart:
    """A written part (proof, analysis): graded by hand, never by the autograder. Its points
    are the most a grader can give it (``OUT/manual.csv``)."""

    id: str
    zh: str
    en: str
    points: float


@dataclass(frozen=True)
class Exercise:
    """One exercise of a chapter, as its manifest entry describes it."""

    id: str
    title_zh: str
    title_en: str
    code: str
    answer: Optional[str]
    optional: bool
    checks: tuple[CheckSpec, ...]
    written: tuple[WrittenPart, ...]
    check_file: Path

    @property
    def points(self) -> float:
        """Total auto-graded points of the exercise."""
        return sum(c.points for c in self.checks)

    @property
    def files(self) -> tuple[str, ...]:
        """The file names a student submits for this exercise."""
        return (self.code,) + ((self.answer,) if self.answer else ())

    def check(self, name: str) -> CheckSpec:
        """The check called ``name``; ``KeyError`` if the manifest has none."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(f"{self.id} has no check named {name!r}")


@dataclass(frozen=True)
class Chapter:
    """A chapter: its exercises in manifest order."""

    id: str
    title_zh: str
    title_en: str
    exercises: tuple[Exercise, ...]
    folder: Path = field(compare=False)

    @property
    def points(self) -> float:
        """Total auto-graded points of the chapter."""
        return sum(e.points for e in self.exercises)

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise with this id; ``KeyError`` naming the known ids otherwise."""
        for e in self.exercises:
            if e.id == exercise_id:
                return e
        known = ", ".join(e.id for e in self.exercises)
        raise KeyError(f"chapter {self.id} has no exercise {exercise_id!r} (it has {known})")

    def by_file(self, filename: str) -> Optional[Exercise]:
        """The exercise whose code or answer file is ``filename``, or None."""
        for e in self.exercises:
            if filename in e.files:
                return e
        return None


CHECK_DECORATOR = "check"
"""The decorator that declares a graded case in a check file (``autograder.checks.cases``)."""


class ManifestError(ValueError):
    """A manifest or a check file does not say what the course loader needs; the message
    names the file and what to fix."""


def case_decorator(node: ast.stmt) -> "ast.Call | None":
    """The ``@check(...)`` call decorating ``node``, or None when it is not a graded case."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    for dec in node.decorator_list:
        if isinstance(dec, ast.Call):
            func = dec.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name == CHECK_DECORATOR:
                return dec
    return None


def case_spec(node: ast.stmt, where: str = "<check>") -> Optional[CheckSpec]:
    """The ``CheckSpec`` a ``@check(points=..., hidden=...)`` function declares, or None.
    ``ManifestError`` when its arguments are not literals."""
    dec = case_decorator(node)
    if dec is None:
        return None
    args = {kw.arg: kw.value for kw in dec.keywords}
    if dec.args:
        args.setdefault("points", dec.args[0])
    if len(dec.args) > 1:
        args.setdefault("hidden", dec.args[1])
    try:
        points = ast.literal_eval(args["points"])
        hidden = ast.literal_eval(args["hidden"]) if "hidden" in args else False
    except (KeyError, ValueError):
        raise ManifestError(f"{where}, line {dec.lineno}: @{CHECK_DECORATOR}(...) of {node.name} "
                            f"needs literal points= and hidden= (e.g. points=2, hidden=True)") \
            from None
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0 \
            or not isinstance(hidden, bool):
        raise ManifestError(f"{where}, line {dec.lineno}: {node.name} has points={points!r}, "
                            f"hidden={hidden!r}; points must be positive, hidden True or False")
    return CheckSpec(name=node.name, points=points, hidden=hidden)


def read_checks(path: Path) -> tuple[CheckSpec, ...]:
    """The graded cases a check file declares, in file order, read from its syntax tree."""
    if not path.is_file():
        raise ManifestError(f"the check file {path} does not exist (the manifest lists it)")
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    specs = [case_spec(n, str(path)) for n in tree.body]
    return tuple(s for s in specs if s is not None)


def _written_part(raw: dict, exercise_id: str, folder: Path) -> WrittenPart:
    points = raw.get("points")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise ManifestError(f"{folder / 'manifest.yaml'}: the written part {raw.get('id')!r} of "
                            f"{exercise_id} needs points: a positive number (the most a grader "
                            f"can give it), got {points!r}")
    return WrittenPart(raw["id"], raw["zh"], raw["en"], points)


def _exercise(raw: dict, folder: Path) -> Exercise:
    files = raw["files"]
    checks = read_checks(folder / files["code"])
    written = tuple(_written_part(w, raw["id"], folder) for w in raw.get("written", []))
    return Exercise(
        id=raw["id"],
        title_zh=raw["title"]["zh"],
        title_en=raw["title"]["en"],
        code=files["code"],
        answer=files.get("answer"),
        optional=bool(raw.get("optional", False)),
        checks=checks,
        written=written,
        check_file=folder / files["code"],
    )


def load_chapter(chapter: str = "ch5", root: Path = CHECKS_ROOT) -> Chapter:
    """Read ``<root>/<chapter>/manifest.yaml``."""
    folder = root / chapter
    path = folder / "manifest.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no manifest for chapter {chapter!r}: {path} does not exist")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Chapter(
        id=raw["chapter"],
        title_zh=raw["title"]["zh"],
        title_en=raw["title"]["en"],
        exercises=tuple(_exercise(e, folder) for e in raw["exercises"]),
        folder=folder,
    )


def chapters(root: Path = CHECKS_ROOT) -> list[str]:
    """The ids of every chapter that has a manifest."""
    return sorted(p.parent.name for p in root.glob("*/manifest.yaml"))
