"""The student handout: the stubs and answer sheets, the public checks, the helper modules
they import (never the oracle, never anything outside ``autograder.checks``), the data sets
they load, a bilingual README and ``check.py``; audited before it is written."""

from __future__ import annotations

import ast
import hashlib
import pprint
import re
from pathlib import Path
from typing import Iterable, Optional

from ..course import EXTRA, REQUIRED, Chapter
from .base import (DATA_SUFFIXES, HANDOUT_PACKAGES, NEVER_IN_HANDOUT, PACKAGE_ROOT, TEMPLATES,
                   BuildError)
from .notebooks import handout_notebooks
from .public import _is_oracle_import, _public_check


def _module_file(module: str) -> Optional[Path]:
    """The source file of the module named ``module`` (``autograder.<x>.<y>``) in this package,
    or None."""
    parts = module.split(".")
    if parts[0] != "autograder":
        return None
    base = PACKAGE_ROOT.joinpath(*parts[1:])
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE_ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(source: str, module: str, is_package: bool) -> set[str]:
    """Every ``autograder.*`` module ``source`` imports, at any depth, relative ones resolved."""
    out = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            out.add(base)
            out |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in out if m.split(".")[0] == "autograder" and _module_file(m) is not None}


FRONT_END = "autograder.check"
"""The local check's module: ``check.py`` runs the public checks with it, through the engine
in the student's own process."""

STUDENT_MODULES = (FRONT_END, "autograder.console", "autograder.collect", "autograder.files",
                   "autograder.notebook")
"""The modules of ``autograder`` (besides the checks' helpers and the engine) that may ship in
the handout: the local check, its printing, the collect step, the one atomic writer and what
the notebooks call."""


def _checks_only(name: str, path: Path) -> bool:
    """A module a public check may import: ``autograder.checks`` helpers, never the oracle,
    never a chapter's own folder."""
    return name in HANDOUT_PACKAGES or (
        name.startswith("autograder.checks.")
        and not any(name == n or name.startswith(n + ".") for n in NEVER_IN_HANDOUT)
        and not any((d / "manifest.yaml").is_file() for d in path.parents))


def _front_end(name: str, path: Path) -> bool:
    """A module the local check may need besides the checks' helpers: itself and the engine."""
    return _checks_only(name, path) or name in STUDENT_MODULES or name == "autograder.engine" \
        or name.startswith("autograder.engine.")


def _closure(todo: set[str], allowed, why: str) -> dict[str, Path]:
    found: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in found:
            continue
        path = _module_file(name)
        if path is None:
            continue
        if not allowed(name, path):
            raise BuildError(f"{why} need {name} ({path}), which must not ship in the student "
                             f"handout")
        found[name] = path
        parent = name.rpartition(".")[0]
        if parent:
            todo.add(parent)
        todo |= _imports(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
    return found


def handout_modules(sources: Iterable[str]) -> dict[str, Path]:
    """The ``autograder`` modules the handout needs, with their parent packages, by name: what
    the public check ``sources`` import, transitively, and the local check's own modules.

    ``BuildError`` if a public check reaches anything outside ``autograder.checks`` (public
    checks may import only NumPy, the standard library and ``autograder.checks`` helpers, so
    that stock Otter runs them), or if anything reaches the oracle or the course loader.
    """
    todo: set[str] = set()
    for src in sources:
        todo |= _imports(src, "handout", False)
    found = _closure(todo, _checks_only, "the public checks (which may import only NumPy, the "
                                         "standard library and autograder.checks helpers)")
    found.update(_closure(set(STUDENT_MODULES), _front_end, "the local check"))
    return found


def _string_constants(sources: Iterable[str]) -> set[str]:
    return {n.value for src in sources for n in ast.walk(ast.parse(src))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def support_data_files(chapter: Chapter, public_sources: Iterable[str]) -> list[Path]:
    """The data sets the public checks load: ``autograder/checks/<chapter>/data/<name>.*``
    whose ``<name>`` (or file name) a public check spells as a string. Other data files of a
    chapter folder stay out: a hidden check may use data of its own."""
    names = _string_constants(public_sources)
    data_dir = chapter.folder / "data"
    if not data_dir.is_dir():
        return []
    return [p for p in sorted(data_dir.iterdir())
            if p.is_file() and p.suffix in DATA_SUFFIXES and (p.stem in names or p.name in names)]



def _render_check_py(chapter: Chapter, handed_out: dict[str, bytes]) -> str:
    """``check.py`` with the chapter written into it: its exercises, their files, and the
    sha256 of each stub and answer sheet as handed out (``handed_out``: name -> bytes), so
    that the collect step can tell a file the student has not touched."""
    data = {
        "id": chapter.id,
        "title_zh": chapter.title_zh,
        "title_en": chapter.title_en,
        "exercises": [{"id": e.id, "code": e.code, "answer": e.answer, "title_zh": e.title_zh,
                       "title_en": e.title_en, "optional": e.optional} for e in chapter.exercises],
        "handout_sha256": {name: hashlib.sha256(data).hexdigest()
                           for name, data in sorted(handed_out.items())},
    }
    template = (TEMPLATES / "check.py").read_text(encoding="utf-8")
    marker = "CHAPTER: dict = {}  # filled in by nndl-grade build\n"
    if marker not in template:
        raise BuildError(f"{TEMPLATES / 'check.py'} lost its line {marker.strip()!r}")
    return template.replace(marker, "CHAPTER = " + pprint.pformat(data, width=96) + "\n")


def _fmt_points(x: float) -> str:
    return f"{x:g}"


def _render_readme(chapter: Chapter, folder: str) -> str:
    rows = []
    for e in chapter.exercises:
        public = sum(c.points for c in e.checks if not c.hidden)
        files = ", ".join(f"`{f}`" for f in e.files)
        how = chapter.composition.count(e.id)
        opt = "" if how == REQUIRED else \
            " (选做，附加分 / optional, extra credit)" if how == EXTRA else " (选做 / optional)"
        written = "是 / yes" if e.written else "—"
        rows.append(f"| `{e.id}`{opt} | {e.title_zh}<br>{e.title_en} | {files} | "
                    f"{_fmt_points(e.points)} ({_fmt_points(public)} public) | {written} |")
    first = chapter.exercises[0] if chapter.exercises else None
    example = first.code if first else "ex.py"
    example_id = first.id if first else "ex"
    text = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    values = {
        "{{chapter}}": chapter.id,
        "{{title_zh}}": chapter.title_zh,
        "{{title_en}}": chapter.title_en,
        "{{folder}}": folder,
        "{{table}}": "\n".join(rows),
        "{{possible}}": _fmt_points(chapter.possible),
        "{{required}}": _fmt_points(sum(e.points for e in chapter.counted(REQUIRED))),
        "{{example}}": example,
        "{{example_id}}": example_id,
        "{{all_files}}": ", ".join(f"`{f}`" for e in chapter.exercises for f in e.files),
    }
    for key, value in values.items():
        text = text.replace(key, value)
    if "{{" in text:
        raise BuildError(f"{TEMPLATES / 'README.md'} has a placeholder the build does not fill")
    return text


def handout_entries(chapter: Chapter, assignments: Path) -> dict[str, bytes]:
    """The student handout's files, by archive name (all under one top folder)."""
    folder = f"nndl-{chapter.id}"
    entries: dict[str, bytes] = {}
    checks = {}
    for e in chapter.exercises:
        for f in e.files:
            src = assignments / chapter.id / f
            if not src.is_file():
                raise BuildError(f"{e.id}: {src} does not exist (the manifest lists it)")
            entries[f"{folder}/{f}"] = src.read_bytes()
        checks[e.id] = _public_check(e)
        entries[f"{folder}/tests/{e.code}"] = checks[e.id].encode("utf-8")
    for name, path in sorted(handout_modules(checks.values()).items()):
        rel = path.relative_to(PACKAGE_ROOT.parent).as_posix()
        entries[f"{folder}/{rel}"] = path.read_bytes()
    for path in support_data_files(chapter, checks.values()):
        rel = path.relative_to(PACKAGE_ROOT.parent).as_posix()
        entries[f"{folder}/{rel}"] = path.read_bytes()
    handed_out = {f: entries[f"{folder}/{f}"] for e in chapter.exercises for f in e.files}
    entries[f"{folder}/check.py"] = _render_check_py(chapter, handed_out).encode("utf-8")
    entries[f"{folder}/README.md"] = _render_readme(chapter, folder).encode("utf-8")
    entries.update(handout_notebooks(chapter, assignments, folder))
    _audit_handout(entries, chapter)
    return entries


def _audit_handout(entries: dict[str, bytes], chapter: Chapter) -> None:
    """Refuse a handout that names a hidden check, says ``hidden=True``, imports the oracle or
    holds any of its functions."""
    hidden = {c.name for e in chapter.exercises for c in e.checks if c.hidden}
    oracle = PACKAGE_ROOT / "checks" / "oracle.py"
    oracle_defs = set()
    if oracle.is_file():
        oracle_defs = {ast.unparse(n) for n in ast.parse(oracle.read_text(encoding="utf-8")).body
                       if isinstance(n, ast.FunctionDef)}
    for name, data in entries.items():
        text = data.decode("utf-8", errors="replace")
        if "hidden=True" in text.replace(" ", ""):
            raise BuildError(f"the handout's {name} says hidden=True")
        leaked = sorted(h for h in hidden if re.search(rf"\b{re.escape(h)}\b", text))
        if leaked:
            raise BuildError(f"the handout's {name} names hidden checks {leaked}")
        if name.endswith(".py") and oracle_defs:
            try:
                tree = ast.parse(text)
            except SyntaxError:
                continue
            if any(_is_oracle_import(n) for n in ast.walk(tree) if isinstance(n, ast.stmt)):
                raise BuildError(f"the handout's {name} imports the oracle")
            defs = {ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
            if defs & oracle_defs:
                raise BuildError(f"the handout's {name} holds code of the oracle")
