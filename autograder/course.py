"""The course manifest: chapters, exercises, their files and the points of each check.

A chapter is a folder ``autograder/checks/<chapter>/`` holding ``manifest.yaml`` and one
Otter exception-format check file per exercise; stubs live in ``assignments/<chapter>/``
and references in ``solutions/<chapter>/``. Adding a chapter adds folders, not code.

The manifest says which exercises a chapter has, their files and their written parts
(docs/writing-checks.md gives its schema), and what counts toward the grade (its
``composition``: required exercises, extra credit, written points, the late policy; see
docs/grades.md), which a course may override with a YAML file of its own (``load_course``). The checks of an exercise, with their points and
hidden flags, are read from its check file's ``@check(points=..., hidden=...)`` decorators,
without running the file: each is written in one place.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
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


REQUIRED, EXTRA, NONE = "required", "extra", "none"
COUNTS = (REQUIRED, EXTRA, NONE)
"""How an exercise counts toward the grade: ``required`` (its auto-graded and written points
are in ``possible``), ``extra`` (extra credit: its points come on top, outside ``possible``),
``none`` (graded and shown, never counted)."""


@dataclass(frozen=True)
class LateRules:
    """The late policy a manifest or course file declares (``late.LatePolicy.from_rules``
    turns it into a policy; command-line options override each key)."""

    deadline: str = ""
    """ISO 8601, '' for none."""
    penalty_per_day: float = 0.0
    """Percent of the submission's points taken off per day late."""
    cutoff: str = ""
    """ISO 8601, '' for none: after it the submission counts 0."""
    file_times: bool = False
    """Whether the files' modification times may stand in for a submission time (never
    trustworthy: only when the instructor asks for it)."""


@dataclass(frozen=True)
class Composition:
    """What counts toward the grade, declared once (the manifest's ``composition``, a course
    file over it): how each exercise counts, a cap on extra credit, the late policy."""

    counts: tuple[tuple[str, str], ...] = ()
    """(exercise id, one of ``COUNTS``), in manifest order."""
    extra_max: Optional[float] = None
    """The most extra credit counted (None: all of it)."""
    late: LateRules = LateRules()

    def count(self, exercise_id: str) -> str:
        """How ``exercise_id`` counts (``NONE`` for an exercise the composition does not know)."""
        return dict(self.counts).get(exercise_id, NONE)


@dataclass(frozen=True)
class Chapter:
    """A chapter: its exercises in manifest order, and what counts toward the grade."""

    id: str
    title_zh: str
    title_en: str
    exercises: tuple[Exercise, ...]
    folder: Path = field(compare=False)
    composition: Composition = Composition()

    @property
    def points(self) -> float:
        """Total auto-graded points of the chapter (every exercise, counted or not)."""
        return sum(e.points for e in self.exercises)

    def counted(self, how: str) -> tuple[Exercise, ...]:
        """The exercises that count as ``how`` (one of ``COUNTS``)."""
        return tuple(e for e in self.exercises if self.composition.count(e.id) == how)

    @property
    def possible(self) -> float:
        """The grade's denominator: the auto-graded and written points of the required
        exercises. A perfect set of them is 100%; extra credit comes on top."""
        return sum(e.points + sum(w.points for w in e.written) for e in self.counted(REQUIRED))

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
    """Read ``<root>/<chapter>/manifest.yaml``, its composition included."""
    folder = root / chapter
    path = folder / "manifest.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"no manifest for chapter {chapter!r}: {path} does not exist")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    exercises = tuple(_exercise(e, folder) for e in raw["exercises"])
    base = Composition(tuple((e.id, EXTRA if e.optional else REQUIRED) for e in exercises))
    ch = Chapter(id=raw["chapter"], title_zh=raw["title"]["zh"], title_en=raw["title"]["en"],
                 exercises=exercises, folder=folder, composition=base)
    return compose(ch, raw.get("composition") or {}, str(path))


COURSE_FILE = "course.yaml"
"""The course's composition as ``nndl-grade grade --course`` gave it, kept in the output
folder so that ``report`` and ``export`` count the same way later."""

COMPOSITION_KEYS = ("required", "extra", "none", "extra_max", "written", "late")
LATE_KEYS = ("deadline", "penalty_per_day", "cutoff", "file_times")


def load_course(chapter: str = "ch5", course: Optional[Path] = None,
                out: Optional[Path] = None, root: Path = CHECKS_ROOT) -> Chapter:
    """The chapter with a course's composition over the manifest's: ``course`` (a YAML file
    of ``COMPOSITION_KEYS``, at the top level or under ``composition:``), else the one kept in
    ``out`` (``COURSE_FILE``) by an earlier ``grade --course``. ``ManifestError`` names the
    file and what to fix."""
    ch = load_chapter(chapter, root)
    path = Path(course) if course is not None else (
        Path(out) / COURSE_FILE if out is not None else None)
    if path is None or (course is None and not path.is_file()):
        return ch
    if not path.is_file():
        raise FileNotFoundError(f"the course file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path} is not readable YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ManifestError(f"{path}: expected a mapping of {', '.join(COMPOSITION_KEYS)}")
    return compose(ch, raw.get("composition", raw) or {}, str(path))


def compose(ch: Chapter, raw: object, where: str) -> Chapter:
    """``ch`` with the composition keys of ``raw`` applied over its own: ``required``,
    ``extra``, ``none`` (lists of exercise ids, moved there), ``extra_max``, ``written``
    (``"<exercise>.<part>": points``, 0 drops a part from the grade) and ``late``."""
    if not isinstance(raw, dict):
        raise ManifestError(f"{where}: composition must be a mapping of "
                            f"{', '.join(COMPOSITION_KEYS)}, got {raw!r}")
    unknown = sorted(set(raw) - set(COMPOSITION_KEYS))
    if unknown:
        raise ManifestError(f"{where}: unknown composition key(s) {', '.join(map(str, unknown))}; "
                            f"the keys are {', '.join(COMPOSITION_KEYS)}")
    ids = [e.id for e in ch.exercises]
    counts = dict(ch.composition.counts)
    named: dict[str, str] = {}
    for how in COUNTS:
        listed = raw.get(how) or []
        if not isinstance(listed, list):
            raise ManifestError(f"{where}: {how} must be a list of exercise ids, got {listed!r}")
        for ex_id in listed:
            if ex_id not in ids:
                raise ManifestError(f"{where}: {how} names {ex_id!r}, which is no exercise of "
                                    f"{ch.id} (its exercises are {', '.join(ids)})")
            if ex_id in named:
                raise ManifestError(f"{where}: {ex_id} is listed under both {named[ex_id]} and "
                                    f"{how}; list it once")
            named[ex_id] = how
    counts.update(named)
    extra_max = ch.composition.extra_max
    if "extra_max" in raw:
        extra_max = raw["extra_max"]
        if extra_max is not None and (isinstance(extra_max, bool) or not isinstance(
                extra_max, (int, float)) or extra_max < 0):
            raise ManifestError(f"{where}: extra_max must be a number of points, 0 or more (or "
                                f"null for no cap), got {extra_max!r}")
    exercises = _written_points(ch, raw.get("written") or {}, where)
    late = _late_rules(ch.composition.late, raw.get("late") or {}, where)
    composition = Composition(tuple((i, counts[i]) for i in ids),
                              None if extra_max is None else float(extra_max), late)
    return replace(ch, exercises=exercises, composition=composition)


def _written_points(ch: Chapter, raw: object, where: str) -> tuple[Exercise, ...]:
    if not isinstance(raw, dict):
        raise ManifestError(f"{where}: written must map '<exercise>.<part>' to points, got "
                            f"{raw!r}")
    parts = {f"{e.id}.{w.id}" for e in ch.exercises for w in e.written}
    for key, points in raw.items():
        if key not in parts:
            raise ManifestError(f"{where}: written names {key!r}, which is no written part "
                                f"(they are {', '.join(sorted(parts))})")
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
            raise ManifestError(f"{where}: written {key} must be points, 0 or more (0 leaves "
                                f"it out of the grade), got {points!r}")
    out = []
    for e in ch.exercises:
        written = tuple(replace(w, points=float(raw.get(f"{e.id}.{w.id}", w.points)))
                        for w in e.written)
        out.append(replace(e, written=tuple(w for w in written if w.points > 0)))
    return tuple(out)


def _late_rules(base: LateRules, raw: object, where: str) -> LateRules:
    if not isinstance(raw, dict) or set(raw) - set(LATE_KEYS):
        raise ManifestError(f"{where}: late must be a mapping of {', '.join(LATE_KEYS)}, got "
                            f"{raw!r}")
    values = {}
    for key in ("deadline", "cutoff"):
        if key in raw:
            value = raw[key]
            values[key] = "" if value is None else (
                value.isoformat() if hasattr(value, "isoformat") else str(value))
    if "penalty_per_day" in raw:
        pen = raw["penalty_per_day"]
        if isinstance(pen, bool) or not isinstance(pen, (int, float)) or not 0 <= pen <= 100:
            raise ManifestError(f"{where}: late.penalty_per_day is a percent between 0 and 100, "
                                f"got {pen!r}")
        values["penalty_per_day"] = float(pen)
    if "file_times" in raw:
        if not isinstance(raw["file_times"], bool):
            raise ManifestError(f"{where}: late.file_times is true or false, got "
                                f"{raw['file_times']!r}")
        values["file_times"] = raw["file_times"]
    return replace(base, **values)


def chapters(root: Path = CHECKS_ROOT) -> list[str]:
    """The ids of every chapter that has a manifest."""
    return sorted(p.parent.name for p in root.glob("*/manifest.yaml"))
