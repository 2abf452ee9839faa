"""The public checks: a check file with its hidden cases, the module docstring and whatever
only they needed cut out, by its syntax tree; what stays keeps its text and layout."""

from __future__ import annotations

import ast
import re
from typing import Iterable, Optional

from ..course import Exercise, ManifestError, case_spec
from .base import BuildError


def _test_case_hidden(node: ast.stmt) -> Optional[bool]:
    """``hidden`` of a ``@check(...)``-decorated function, or None for any other node."""
    try:
        spec = case_spec(node)
    except ManifestError as exc:
        raise BuildError(str(exc)) from None
    return None if spec is None else spec.hidden


def _bound_names(node: ast.stmt) -> set[str]:
    """Module-level names a statement binds."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {(a.asname or a.name).split(".")[0] for a in node.names}
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    out = set()
    for t in targets:
        out |= {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
    return out


def _used_names(nodes: Iterable[ast.AST]) -> set[str]:
    """Names read anywhere inside ``nodes`` (any scope: a conservative over-approximation)."""
    return {n.id for node in nodes for n in ast.walk(node)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _is_oracle_import(node: ast.stmt) -> bool:
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if module.endswith("oracle") or any(a.name == "oracle" for a in node.names):
            return True
    if isinstance(node, ast.Import):
        return any(a.name.split(".")[-1] == "oracle" for a in node.names)
    return False


KEEP = {"name", "OK_FORMAT", "__all__"}
"""Module-level names of an Otter check file that stay even when nothing in it reads them."""


def _span(node: ast.stmt, lines: list[str]) -> tuple[int, int]:
    """0-based [start, end) lines of a statement with its decorators and the comment lines
    directly above it."""
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    return start, node.end_lineno


def public_check_source(source: str, filename: str = "<check>") -> str:
    """The check file ``source`` with its hidden test cases removed.

    Hidden cases (``@check(..., hidden=True)``) and the module docstring go, then, until
    nothing changes, every module-level helper, constant and import that nothing left reads
    (with the comment lines right above each); an import of the oracle module must go with
    them (``BuildError`` if a public case still needs it). What stays keeps its text,
    comments and layout.
    """
    tree = ast.parse(source, filename)
    body = [n for n in tree.body if _test_case_hidden(n) is not True]
    if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)):
        body = body[1:]  # written for the course's authors, it may tell of the hidden checks
    rewritten: set[int] = set()  # ids of imports that lost some of their names
    changed = True
    while changed:
        changed = False
        for node in list(body):
            if _test_case_hidden(node) is not None:
                continue
            bound = _bound_names(node)
            if not bound or bound & KEEP or any(b.startswith("__") for b in bound):
                continue
            others = _used_names(n for n in body if n is not node)
            if isinstance(node, (ast.Import, ast.ImportFrom)) and len(node.names) > 1:
                kept = [a for a in node.names
                        if (a.asname or a.name).split(".")[0] in others]
                if len(kept) != len(node.names):
                    if kept:
                        node.names = kept
                        rewritten.add(id(node))
                    else:
                        body.remove(node)
                    changed = True
                continue
            if not bound & others:
                body.remove(node)
                changed = True
    leftover = [ast.unparse(n) for n in body if _is_oracle_import(n)]
    if leftover:
        raise BuildError(
            f"{filename}: a public check uses the oracle ({'; '.join(leftover)}); public checks "
            f"must not contain solution code (docs/writing-checks.md, rule 7)")

    lines = source.splitlines()
    kept_ids = {id(n) for n in body}
    kept_lines = {i for n in body for i in range(n.lineno - 1, n.end_lineno)}
    removed = [n for n in tree.body if id(n) not in kept_ids]
    if any(i in kept_lines for n in removed for i in range(n.lineno - 1, n.end_lineno)):
        tree.body = body  # statements share lines (``a = 1; b = 2``): fall back to unparsing
        return ast.unparse(ast.fix_missing_locations(tree)) + "\n"
    out: list[Optional[str]] = list(lines)
    for n in removed:
        start, end = _span(n, lines)
        for i in range(start, end):
            if i not in kept_lines:
                out[i] = None
    for n in body:
        if id(n) in rewritten:
            out[n.lineno - 1] = " " * n.col_offset + ast.unparse(n)
            for i in range(n.lineno, n.end_lineno):
                out[i] = None
    text = "\n".join(line for line in out if line is not None)
    text = re.sub(r"\n{4,}", "\n\n\n", text).rstrip("\n") + "\n"
    ast.parse(text, filename)  # still Python
    return text


def _public_check(exercise: Exercise) -> str:
    """The public check file of ``exercise``, verified against the manifest."""
    path = exercise.check_file
    if not path.is_file():
        raise BuildError(f"{exercise.id}: its check file {path} does not exist")
    src = public_check_source(path.read_text(encoding="utf-8"), str(path))
    tree = ast.parse(src)
    got = [n.name for n in tree.body if _test_case_hidden(n) is False]
    want = [c.name for c in exercise.checks if not c.hidden]
    if got != want:
        raise BuildError(f"{path}: the public cases left after removing the hidden ones are "
                         f"{got}, but the manifest lists {want}")
    header = (f'"""Public checks of {exercise.id} ({exercise.code}), in Otter-Grader\'s format.\n\n'
              f"The hidden checks run only when you submit. Written by nndl-grade build from\n"
              f'the course\'s check file; do not edit.\n"""\n')
    return header + src.lstrip("\n")
