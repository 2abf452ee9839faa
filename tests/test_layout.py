"""The package's shape: no import cycle, small modules, one module that writes files
atomically, the engine below everything else."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import autograder

PACKAGE = Path(autograder.__file__).resolve().parent
MAX_LINES = 450
"""Longest module (a chapter's check files excepted: one exercise's checks belong together)."""


def modules() -> dict[str, Path]:
    """Every module of the package, by dotted name (chapter check files and templates aside)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        if "templates" in rel.parts or (path.parent / "manifest.yaml").is_file():
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = modules()


def imports_of(name: str, path: Path) -> set[str]:
    """The package modules ``name`` imports, at any depth of the file (lazy imports count)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[:len(package) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m in MODULES and m != name}


def test_no_import_cycle():
    graph = {name: imports_of(name, path) for name, path in MODULES.items()}
    graph = {n: {m for m in deps if not (n.startswith(m + ".") and m != n)} for n, deps in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                cycle = stack[stack.index(m):] + [m]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[name]} has {lines} lines (at most {MAX_LINES}): split it"


def test_one_module_writes_files_atomically():
    """``os.replace``/``os.rename`` (the atomic step) appear in ``files.py`` only."""
    offenders = []
    for name, path in MODULES.items():
        if name == "autograder.files":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("replace", "rename") and \
                    isinstance(node.value, ast.Name) and node.value.id == "os":
                offenders.append(f"{path}:{node.lineno}")
    assert not offenders, f"write through autograder.files.write_atomic instead: {offenders}"


def test_the_engine_imports_nothing_above_it():
    for name, path in MODULES.items():
        if name.startswith("autograder.engine"):
            above = {m for m in imports_of(name, path) if not m.startswith("autograder.engine")}
            assert not above, f"{path} imports {sorted(above)}"


def test_checks_never_import_the_engine_or_grading():
    for name, path in MODULES.items():
        if name.startswith("autograder.checks"):
            bad = {m for m in imports_of(name, path)
                   if not m.startswith("autograder.checks") and m != "autograder"}
            assert not bad, f"{path} imports {sorted(bad)}"
