"""A pytest plugin that runs the graded checks as pytest tests.

``pytest --against solutions autograder/checks`` collects every test case of every check
file and runs it against the implementation in ``solutions/<chapter>/`` (or any folder
holding the chapter's files, flat or under a chapter folder), through the engine's proxies
in this process (``engine.local``), exactly as the local check runs it. Without ``--against``
the plugin does nothing. Registered through the ``pytest11`` entry point.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import pytest

from .checks.runner import CheckFile, load_check_file, run_case
from .engine import Limits, Session
from .engine.local import local_sandbox


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--against", metavar="DIR", default=None,
        help="run the graded check files (autograder/checks/<chapter>/ex*.py) against the "
             "implementation in DIR, e.g. solutions or assignments")


def implementation_file(against: Path, chapter: str, filename: str) -> Path:
    """``against/chapter/filename`` when that exists, else ``against/filename``."""
    nested = against / chapter / filename
    return nested if nested.exists() else against / filename


def _exercise_for(path: Path) -> Optional[Any]:
    from .course import load_chapter

    manifest = path.parent / "manifest.yaml"
    if not manifest.is_file():
        return None
    chapter = load_chapter(path.parent.name, root=path.parent.parent)
    return chapter.by_file(path.name)


def _is_check_file(config: pytest.Config, file_path: Path) -> bool:
    if config.getoption("--against") is None or file_path.suffix != ".py":
        return False
    exercise = _exercise_for(file_path)
    return exercise is not None and exercise.code == file_path.name


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    # A file named on the command line goes through pytest's Python collector instead,
    # which asks ``pytest_pycollect_makemodule`` below for the collector.
    if parent.session.isinitpath(file_path) or not _is_check_file(parent.config, file_path):
        return None
    return CheckFileCollector.from_parent(parent, path=file_path)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector):
    if _is_check_file(parent.config, module_path):
        return CheckFileCollector.from_parent(parent, path=module_path)
    return None


class CheckFileCollector(pytest.File):
    """One check file: yields a ``CheckItem`` per test case."""

    def collect(self):
        check_file = load_check_file(self.path)
        against = Path(self.config.getoption("--against"))
        if not against.is_absolute():
            against = Path(self.config.invocation_params.dir) / against
        student = implementation_file(against, self.path.parent.name, self.path.name)
        shared: dict[str, Any] = {}
        for case in check_file.cases:
            yield CheckItem.from_parent(self, name=case.name, case=case, check_file=check_file,
                                        student=student, shared=shared)

    def teardown(self) -> None:
        session = getattr(self, "_session", None)
        if session is not None:
            session.close()


class CheckFailed(Exception):
    """A graded check failed; its message is the one the student would read."""


class CheckItem(pytest.Item):
    """One graded test case run in this process against the chosen implementation."""

    def __init__(self, *, case, check_file: CheckFile, student: Path, shared: dict, **kw):
        super().__init__(**kw)
        self.case, self.check_file, self.student, self.shared = case, check_file, student, shared
        self.add_marker(pytest.mark.hidden if case.hidden else pytest.mark.public)

    def _session(self) -> Session:
        """One in-process session per check file, its import done once (or its failure)."""
        if "session" not in self.shared:
            session = Session(self.student.parent, self.student.name, Limits(timeout=60.0),
                              local_sandbox())
            self.parent._session = session
            self.shared["session"] = session
            try:
                if not self.student.is_file():
                    raise FileNotFoundError(f"{self.student.name} was not found in {self.student.parent}")
                session.start()
            except Exception as exc:  # noqa: BLE001 - ImportFailed, a missing file
                self.shared["import_error"] = str(getattr(exc, "reason", "") or exc)
        return self.shared["session"]

    def runtest(self) -> None:
        session = self._session()
        if "import_error" in self.shared:
            raise CheckFailed(self.shared["import_error"])
        result = session.run_case(lambda env: run_case(self.case, env),
                                  lambda why: why)
        if isinstance(result, str):
            raise CheckFailed(result)
        if not result.passed:
            raise CheckFailed(result.message)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return f"{self.check_file.name}::{self.case.name} ({self.case.points:g} points) against {self.student}:\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.check_file.name}::{self.case.name}"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "hidden: a hidden graded check")
    config.addinivalue_line("markers", "public: a public graded check")
