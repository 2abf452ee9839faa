"""Helpers shared by the project's tests: paths, and running checks in this process."""

from __future__ import annotations

import importlib.util
import pickle
import sys
import types
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from autograder.checks.runner import CaseResult, load_check_file, load_student_file, run_case
from autograder.course import Chapter, Exercise, chapters, load_chapter

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ROOT / "assignments"
SOLUTIONS = ROOT / "solutions"
FIXTURES = ROOT / "tests" / "fixtures"
CHAPTERS: list[Chapter] = [load_chapter(c) for c in chapters()]
"""Every chapter that has a manifest: the tests of rules every chapter keeps run on each."""
CHAPTER = load_chapter("ch5")
"""The chapter the chapter-specific tests are about."""
RESULTS_SCHEMA = FIXTURES / "gradescope" / "results.schema.json"
"""Gradescope's results.json format as a JSON Schema (a copy of shared/gradescope/)."""

CALL_BUDGET = 1000
"""Most calls into student code one check may make: about 0.1 s under the grading engine."""


def load_script(name: str) -> types.ModuleType:
    """``scripts/<name>.py`` as a module, registered in ``sys.modules`` (as dataclasses need)."""
    module_name = f"scripts_{name}"
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name, ROOT / "scripts" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


def chapter_of(exercise: Exercise) -> str:
    """The id of the chapter an exercise belongs to (the folder of its check file)."""
    return exercise.check_file.parent.name


def all_exercises() -> list[Exercise]:
    """Every exercise of every chapter."""
    return [e for ch in CHAPTERS for e in ch.exercises]


def reference_path(exercise: Exercise, chapter: str | None = None) -> Path:
    return SOLUTIONS / (chapter or chapter_of(exercise)) / exercise.code


def stub_path(exercise: Exercise, chapter: str | None = None) -> Path:
    return ASSIGNMENTS / (chapter or chapter_of(exercise)) / exercise.code


def run_env(exercise: Exercise, env: dict[str, Any], filename: str | None = None) -> dict[str, CaseResult]:
    """Run every case of ``exercise`` against an already-built namespace, by case name."""
    check_file = load_check_file(exercise.check_file)
    return {c.name: run_case(c, env, filename) for c in check_file.cases}


def run_file(exercise: Exercise, path: Path) -> dict[str, CaseResult]:
    """Run every case of ``exercise`` against the file at ``path``."""
    return run_env(exercise, load_student_file(path), str(path))


def check_file_globals(exercise: Exercise) -> dict[str, Any]:
    """A check file's globals (its literal constants, shape lists and helpers), for tests."""
    load_check_file(exercise.check_file)  # installs the Otter stand-in if otter is missing
    env: dict[str, Any] = {"__name__": f"{exercise.id}_check"}
    path = exercise.check_file
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), env)
    return env


def whole_file(fixture: Path) -> bool:
    """Whether a fixture is a whole student file (it says ``WHOLE_FILE = True``), not what
    differs from the reference (needed for ``from __future__`` imports, which come first)."""
    return "\nWHOLE_FILE = True\n" in fixture.read_text(encoding="utf-8")


def wrong_answer_env(exercise: Exercise, fixture: Path) -> dict[str, Any]:
    """The reference's namespace with a wrong-answer fixture executed on top of it.

    A fixture redefines only what it gets wrong; everything else stays the reference's
    (a whole-file fixture is the student's file by itself).
    """
    if whole_file(fixture):
        return load_student_file(fixture)
    env = load_student_file(reference_path(exercise))
    code = compile(fixture.read_text(encoding="utf-8"), str(fixture), "exec")
    exec(code, env)
    return env


correct_answer_env = wrong_answer_env
"""A correct-style fixture is built the same way: it redefines what it writes differently."""


def _fixtures(kind: str, chapter: str | None) -> list[tuple[Exercise, Path]]:
    out = []
    for ch in CHAPTERS if chapter is None else [load_chapter(chapter)]:
        for ex in ch.exercises:
            folder = FIXTURES / ch.id / kind / ex.id
            out += [(ex, p) for p in sorted(folder.glob("*.py"))]
    return out


def wrong_answer_fixtures(chapter: str | None = None) -> list[tuple[Exercise, Path]]:
    """Every wrong-answer fixture, ``tests/fixtures/<chapter>/wrong/<exercise>/<mistake>.py``."""
    return _fixtures("wrong", chapter)


def correct_answer_fixtures(chapter: str | None = None) -> list[tuple[Exercise, Path]]:
    """Every correct-answer fixture, ``tests/fixtures/<chapter>/correct/<exercise>/<style>.py``:
    a right answer in another style than the reference's (a namedtuple, a dict subclass,
    np.str_ letters, a ValueError subclass, a dataclass, another vectorisation...)."""
    return _fixtures("correct", chapter)


def fixture_source(exercise: Exercise, fixture: Path) -> str:
    """A fixture as the student's whole file: the reference, then the fixture (what
    ``wrong_answer_env`` executes, as one module), for the local check and the engine."""
    if whole_file(fixture):
        return fixture.read_text(encoding="utf-8")
    return (reference_path(exercise).read_text(encoding="utf-8")
            + "\n\n# ---- fixture: " + fixture.name + " ----\n"
            + fixture.read_text(encoding="utf-8"))


def remote_env(env: dict[str, Any], calls: Counter) -> dict[str, Any]:
    """``env`` with every public function wrapped as the grading engine sees it.

    Arguments and results cross a pickle round trip (plain data only, never shared), and
    after each call the wrapper scribbles NaN over the caller's array arguments: a check
    that reuses an array it passed without copying breaks. ``calls`` counts the calls.
    """
    def wrap(name, fn):
        def remote(*args, **kwargs):
            calls[name] += 1
            a, kw = pickle.loads(pickle.dumps((args, kwargs)))
            result = pickle.loads(pickle.dumps(fn(*a, **kw)))
            for arg in list(args) + list(kwargs.values()):
                if isinstance(arg, np.ndarray) and arg.dtype.kind == "f" and arg.flags.writeable:
                    arg.fill(np.nan)
            return result
        return remote

    own = env.get("__name__")
    return {k: wrap(k, v) if isinstance(v, types.FunctionType) and not k.startswith("_")
            and v.__module__ == own else v
            for k, v in env.items()}

