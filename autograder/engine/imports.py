"""What student code may import: NumPy and the Python standard library, and nothing else.

That is all the grader's sandbox holds, so an import of anything else fails there (the
worker's account: "No module named ... Only NumPy and the Python standard library are
available"). The local check runs student code in the student's own Python, which may have
much more; ``beyond_numpy`` reads a file's imports without running it and names those the
grader will not have, so that the student hears of them before submitting. It is the one
statement of the rule: the local check and the collect step both use it.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import sys
import sysconfig
from dataclasses import dataclass
from typing import Iterable, Optional

AVAILABLE = "NumPy and the Python standard library"
"""What student code may import, in words."""

PACKAGES = frozenset({"numpy"})
"""The packages beyond the standard library the grader's sandbox holds."""


@dataclass(frozen=True)
class ForeignImport:
    """An import the grader's sandbox cannot satisfy."""

    module: str
    """The top-level name imported (``pandas`` for ``import pandas.core``)."""
    line: int
    function: Optional[str]
    """The function the import is in, or None at module level (it runs at import)."""


def is_standard(name: str) -> bool:
    """Whether ``name`` is a top-level module of the Python standard library."""
    names = getattr(sys, "stdlib_module_names", None)  # Python 3.10+
    if names is not None:
        return name in names
    if name in sys.builtin_module_names:
        return True
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    origin = spec.origin or ""
    if origin in ("built-in", "frozen"):
        return True
    stdlib = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")}
    where = os.path.realpath(origin)
    return any(where.startswith(p + os.sep) for p in stdlib) and \
        "site-packages" not in where and "dist-packages" not in where


def available(name: str, own: Iterable[str] = ()) -> bool:
    """Whether the grader's sandbox can import the top-level module ``name``; ``own`` names the
    student's own modules that are submitted beside the file (other exercise files)."""
    return name in PACKAGES or name in set(own) or is_standard(name)


def _guarded(tree: ast.AST) -> set[int]:
    """Ids of the import statements inside ``try`` blocks that catch ImportError: the code
    expects them to fail and has a way round."""
    out: set[int] = set()
    catches = ("ImportError", "ModuleNotFoundError", "Exception", "BaseException")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        names = set()
        for h in node.handlers:
            if h.type is None:
                names.add("Exception")
            for n in ast.walk(h.type) if h.type is not None else ():
                if isinstance(n, ast.Name):
                    names.add(n.id)
        if names & set(catches):
            for stmt in node.body:
                out |= {id(n) for n in ast.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return out


def beyond_numpy(source: str, own: Iterable[str] = ()) -> list[ForeignImport]:
    """The imports of ``source`` the grader cannot satisfy, in file order; [] when the source
    does not parse (the syntax error is reported elsewhere). Imports inside a ``try`` that
    catches ImportError are left out; ``__import__("x")`` and ``importlib.import_module("x")``
    with a literal name count."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    own = set(own)
    guarded = _guarded(tree)
    found: list[ForeignImport] = []

    def visit(node: ast.AST, scope: str, function: Optional[str]) -> None:
        for child in ast.iter_child_nodes(node):
            inner_scope, inner_function = scope, function
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner_scope = f"{scope}.{child.name}" if scope else child.name
                if not isinstance(child, ast.ClassDef):
                    inner_function = inner_scope
            names: list[str] = []
            if isinstance(child, ast.Import) and id(child) not in guarded:
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and id(child) not in guarded and not child.level:
                names = [child.module or ""]
            elif isinstance(child, ast.Call) and child.args and \
                    isinstance(child.args[0], ast.Constant) and isinstance(child.args[0].value, str):
                f = child.func
                if (isinstance(f, ast.Name) and f.id == "__import__") or \
                        (isinstance(f, ast.Attribute) and f.attr == "import_module"):
                    names = [child.args[0].value]
            for name in names:
                top = name.split(".")[0]
                if top and not available(top, own):
                    found.append(ForeignImport(top, child.lineno, function))
            visit(child, inner_scope, inner_function)

    visit(tree, "", None)
    return found
