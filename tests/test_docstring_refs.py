"""Every dotted name a docstring of the package cites in ``double backticks`` names something
that exists: a module, a class, a function, an attribute or a field, or a ``.py`` file of the
package. A name that moved or was renamed fails here with the file that cites it."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import importlib.util
import re
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

import autograder

PACKAGE = Path(autograder.__file__).resolve().parent

CITED = re.compile(r"``([^`\s]+)``")
DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")

DATA_SUFFIXES = {"bpf", "csv", "html", "ipynb", "j2", "json", "md", "npz", "sh", "toml", "txt",
                 "whl", "yaml", "yml", "zip"}
"""A cited ``name.<suffix>`` with one of these suffixes is a data file's name, not code."""

NOT_PYTHON = {
    "cgroup.kill", "cgroup.procs", "cpu.stat", "cpuacct.usage", "memory.limit_in_bytes", "memory.max", "pids.max",  # cgroups
    "sys.last_value",  # set by the interpreter only once an exception went uncaught
    "assignment.due_date",  # a key of Gradescope's submission_metadata.json
}
"""Dotted names that are not found by importing: the kernel's cgroup files, an attribute
Python sets only at times, keys of a JSON file."""

ALIASES = {"np": "numpy", "dtype": "numpy.dtype", "Client": "distributed.Client"}
"""Names docstrings use as the code imports them."""


def package_modules() -> dict[str, str]:
    """Every module of the package by dotted name (the chapter's check files and the handout's
    templates aside: they are not imported by name; ``__main__`` runs the command)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        if "templates" in rel.parts or (path.parent / "manifest.yaml").is_file() \
                or path.name == "__main__.py":
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = str(path)
    return out


MODULES = package_modules()
CHECK_FILES = {f"{p.parent.relative_to(PACKAGE.parent).as_posix().replace('/', '.')}.{p.stem}": str(p)
               for p in sorted(PACKAGE.rglob("*.py")) if (p.parent / "manifest.yaml").is_file()}
"""A chapter's check files, scanned too; they are loaded by path, never imported by name."""
FILE_STEMS = {Path(p).name for p in MODULES.values()} | \
    {p.name for p in PACKAGE.rglob("*.py")}


def _is_text(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) \
        and isinstance(stmt.value.value, str)


def docstrings(tree: ast.AST) -> Iterator[tuple[int, str, tuple[tuple[str, str], ...]]]:
    """(line, text, parameters) of every docstring: modules, classes, functions (with their
    parameters and annotations, as written), and the string after an assignment."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            params: tuple[tuple[str, str], ...] = ()
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                params = tuple((p.arg, ast.unparse(p.annotation) if p.annotation else "")
                               for p in a.posonlyargs + a.args + a.kwonlyargs)
            body = node.body
            if body and _is_text(body[0]):
                yield body[0].lineno, body[0].value.value, params
            for prev, stmt in zip(body, body[1:]):
                if isinstance(prev, (ast.Assign, ast.AnnAssign)) and _is_text(stmt):
                    yield stmt.lineno, stmt.value.value, ()


Citation = tuple[str, str, int, str, tuple[tuple[str, str], ...]]


def citations() -> list[Citation]:
    """(module, file, line, name, parameters) of every dotted name cited in a docstring of the
    package; the parameters are those of the function whose docstring it is."""
    out = set()
    for module, file in {**MODULES, **CHECK_FILES}.items():
        tree = ast.parse(Path(file).read_text(encoding="utf-8"))
        for line, text, params in docstrings(tree):
            for match in CITED.finditer(text):
                name = match.group(1).removesuffix("()")
                if DOTTED.fullmatch(name):
                    out.add((module, file, line, name, params))
    return sorted(out)


def _attribute(obj: Any, name: str) -> Any:
    """``getattr``, also finding a dataclass's fields and a class's annotated attributes."""
    if hasattr(obj, name):
        return getattr(obj, name)
    fields = getattr(obj, "__dataclass_fields__", None)
    if fields and name in fields:
        return fields[name].type
    for klass in getattr(obj, "__mro__", ()):
        if name in getattr(klass, "__annotations__", {}):
            return klass.__annotations__[name]
    raise AttributeError(name)


def _walk(obj: Any, rest: list[str]) -> bool:
    for part in rest:
        try:
            obj = _attribute(obj, part)
        except AttributeError:
            return False
    return True


def _import_dotted(name: str) -> Any:
    """The module or attribute at dotted ``name`` (``distributed.Client``)."""
    parts = name.split(".")
    for depth in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:depth]))
        except ImportError:
            continue
        for part in parts[depth:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(name)


def _reference(check_file: str) -> Any:
    """The reference solution a chapter's check file grades, loaded by path: what its
    docstrings name of the student's code (``Module.backward``)."""
    path = Path(check_file)
    ref = PACKAGE.parent / "solutions" / path.parent.name / path.name
    spec = importlib.util.spec_from_file_location(f"reference_{path.stem}", ref)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _top_level_names(file: str) -> set[str]:
    tree = ast.parse(Path(file).read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}


TOP_LEVEL = {module: _top_level_names(file) for module, file in MODULES.items()}


def _defining(name: str) -> list[str]:
    """The package's modules that define a class or function ``name`` (a docstring may name
    ``Limits`` where ``Limits`` is not imported)."""
    return [m for m, names in TOP_LEVEL.items() if name in names]


def _anchors(module: str, first: str) -> list[Any]:
    """What ``first`` may stand for in ``module``'s docstrings: a name of the module itself (of
    the reference solution, for a check file), a module of the package named ``first`` (nearest
    to ``module`` first), or an importable module (the standard library, NumPy, Otter)."""
    found: list[Any] = []
    here = importlib.import_module(module) if module in MODULES else _reference(CHECK_FILES[module])
    if hasattr(here, first):
        found.append(getattr(here, first))
    package = module.split(".")
    for depth in range(len(package), 0, -1):
        candidate = ".".join(package[:depth] + [first])
        if candidate in MODULES:
            found.append(importlib.import_module(candidate))
    found += [importlib.import_module(m) for m in MODULES if m.rsplit(".", 1)[-1] == first]
    found += [getattr(importlib.import_module(m), first) for m in _defining(first)]
    try:
        found.append(_import_dotted(ALIASES.get(first, first)))
    except (ImportError, AttributeError):
        pass
    return found


def resolves(module: str, name: str, params: tuple[tuple[str, str], ...] = ()) -> Optional[str]:
    """None when ``name``, cited in ``module`` (in the docstring of a function of ``params``),
    names something that exists, else why not. A parameter's attribute (``limits.nproc``) is
    looked up on its annotation (``Limits``)."""
    first, *rest = name.split(".")
    if name in NOT_PYTHON or rest[-1] in DATA_SUFFIXES:
        return None
    if first in ("self", "cls"):
        return None  # the class's own attribute, next to the docstring
    annotations = dict(params)
    if first in annotations:
        annotation = re.sub(r"Optional\[(.*)\]|(.*) \| None", r"\1\2", annotations[first].strip("'\""))
        if not annotation:
            return f"parameter {first} has no annotation to look {name} up on"
        first, *outer = annotation.split("[")[0].split(".")
        rest = outer + rest
    if rest == ["py"]:
        return None if name in FILE_STEMS else f"no file {name} in the package"
    if name.startswith("autograder."):
        parts = name.split(".")
        for depth in range(len(parts), 0, -1):
            head = ".".join(parts[:depth])
            if head in MODULES and _walk(importlib.import_module(head), parts[depth:]):
                return None
        return f"{name} is not in the package"
    if any(_walk(anchor, rest) for anchor in _anchors(module, first)):
        return None
    try:  # a module of the standard library or an installed package (``http.server``)
        if importlib.util.find_spec(name) is not None:
            return None
    except (ImportError, ValueError):
        pass
    return f"nothing named {name} where {module} can see it"


CITATIONS = citations()



def test_docstrings_cite_names():
    """The scan finds the citations (a regression in the scan would pass everything)."""
    assert len(CITATIONS) > 150
    assert any(c[3] == "autograder.checks.oracle" for c in CITATIONS)


@pytest.mark.parametrize("module", sorted({c[0] for c in CITATIONS}))
def test_every_dotted_name_a_docstring_cites_exists(module):
    stale = [f"{file}:{line}: ``{name}``: {why}"
             for m, file, line, name, params in CITATIONS if m == module
             for why in [resolves(module, name, params)] if why is not None]
    assert not stale, "docstrings cite names that do not exist:\n" + "\n".join(stale)


@pytest.mark.parametrize("name, ok", [
    ("engine.worker", True), ("wire.plain_value", True), ("np.einsum", True),
    ("autograder.checks.oracle", True), ("zygote.py", True), ("results.json", True),
    ("worker.Zygote", False), ("report.Printer", False), ("engine.sandbox", False),
    ("autograder.nowhere", False), ("nowhere.py", False), ("plain.no_such_name", False),
])
def test_the_resolver_tells_a_stale_name_from_a_live_one(name, ok):
    assert (resolves("autograder.engine.detect", name) is None) is ok
