"""The engine's shape: it imports nothing above it, the two files that run inside the sandbox
need only the standard library and NumPy, its modules stay small, and its API is there."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import autograder.engine

ENGINE = Path(autograder.engine.__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    """The absolute names of the modules ``path`` imports (relative imports resolved)."""
    package = "autograder.engine".split(".")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            else:
                found.add(node.module)
    return found


def engine_modules() -> list[Path]:
    return sorted(ENGINE.glob("*.py"))


@pytest.mark.parametrize("path", engine_modules(), ids=lambda p: p.name)
def test_the_engine_imports_nothing_above_it(path):
    above = {m for m in imported_modules(path)
             if m.split(".")[0] == "autograder" and not m.startswith("autograder.engine")}
    assert not above, f"{path.name} imports {sorted(above)}"


@pytest.mark.parametrize("name", ["wire.py", "plain.py", "worker.py", "confine.py", "describe.py",
                                  "forkserver.py"])
def test_the_sandboxed_files_need_only_the_standard_library_and_numpy(name):
    if not hasattr(sys, "stdlib_module_names"):
        pytest.skip("needs Python 3.10's sys.stdlib_module_names")
    allowed = set(sys.stdlib_module_names) | {"numpy", "wire", "plain", "confine", "describe",
                                              "forkserver"}
    # imported in-process (the local check), worker.py takes its siblings as package modules;
    # run as a script in the sandbox, the copies next to it
    siblings = {"autograder.engine", "autograder.engine.wire", "autograder.engine.plain",
                "autograder.engine.confine", "autograder.engine.describe",
                "autograder.engine.forkserver"}
    roots = {m.split(".")[0] for m in imported_modules(ENGINE / name) - siblings}
    assert roots <= allowed, sorted(roots - allowed)


@pytest.mark.parametrize("path", sorted(ENGINE.glob("*.py")), ids=lambda p: p.name)
def test_no_engine_module_is_over_450_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 450


def test_the_api_is_what_it_says():
    for name in autograder.engine.__all__:
        assert hasattr(autograder.engine, name), name

