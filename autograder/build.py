"""``nndl-grade build``: the student handout and the Gradescope autograders of a chapter.

Writes, under ``<out>/<chapter>/``:

- ``student.zip``: the stubs and answer sheets exactly as in ``assignments/<chapter>/``, the
  public checks (hidden cases cut out of each check file by its syntax tree), the helpers those
  checks import, a bilingual README and ``check.py``, a local check that needs only Python
  and NumPy.
- ``autograder.zip``: one Gradescope programming assignment for the whole chapter. Made by
  Otter-Grader's own ``generate`` step (its ``setup.sh``, ``environment.yml``,
  ``otter_config.json``), with this project's wheel inside and installed through Otter's
  requirements; its ``run_autograder`` runs ``python -m autograder.gradescope`` (the isolated
  engine) instead of Otter's in-kernel grading, and ``setup.sh`` also prepares the
  unprivileged user and bubblewrap.
- ``otter/<id>.zip``: one stock Otter autograder per exercise (``otter generate`` with the
  exercise's full check file), for an instructor who prefers plain Otter.

The build needs the project's source tree (it builds the wheel from it) and Otter-Grader.
"""

from __future__ import annotations

import ast
import io
import json
import pprint
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .course import REPO_ROOT, Chapter, Exercise, ManifestError, case_spec, load_chapter
from .files import write_atomic

PACKAGE_ROOT = Path(__file__).resolve().parent
TEMPLATES = PACKAGE_ROOT / "templates"

GRADESCOPE_DIR = "/autograder"
"""Where Gradescope unpacks an autograder: ``source/``, ``submission/``, ``results/``."""

PYTHON_VERSION = "3.11"
"""Python of Otter's conda environment on Gradescope: the version this project is tested on."""

ZIP_DATE = (2024, 1, 1, 0, 0, 0)
"""Timestamp of every entry of the zips this build writes itself (reproducible zips)."""

HANDOUT_PACKAGES = ("autograder", "autograder.checks")
"""Packages that ship in the handout with the modules of ``autograder.checks``; nothing else
of ``autograder`` (the engine, the course loader) ever does."""

NEVER_IN_HANDOUT = ("autograder.checks.oracle",)
"""Modules that must never reach a student: the hidden checks' independent oracles."""

DATA_SUFFIXES = (".npz", ".npy", ".csv", ".json", ".txt")
"""Suffixes of the data sets in ``autograder/checks/<chapter>/data/`` a public check may load."""


class BuildError(Exception):
    """The course cannot be built as it stands; the message says which file and why."""


@dataclass
class BuildOutputs:
    """What ``build`` wrote."""

    chapter: str
    student_zip: Path
    autograder_zip: Path
    otter_zips: dict[str, Path] = field(default_factory=dict)
    wheel_name: str = ""
    handout_files: tuple[str, ...] = ()

    def summary(self) -> str:
        """Lines a person reads after a build."""
        lines = [f"built chapter {self.chapter}:",
                 f"  {self.student_zip}  (student handout, {len(self.handout_files)} files)",
                 f"  {self.autograder_zip}  (Gradescope autograder for the whole chapter, "
                 f"ships {self.wheel_name})"]
        lines += [f"  {p}  (stock Otter autograder for {eid})" for eid, p in self.otter_zips.items()]
        return "\n".join(lines)


# --------------------------------------------------------------------------- public checks

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


# --------------------------------------------------------------------------- helper modules

def _module_file(module: str) -> Optional[Path]:
    """The source file of ``autograder.x.y`` in this package, or None."""
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


def handout_modules(sources: Iterable[str]) -> dict[str, Path]:
    """The ``autograder`` modules that ``sources`` need, with their parent packages, by name.

    Follows imports transitively. ``BuildError`` if the closure reaches the oracle or anything
    outside ``autograder.checks`` (the engine must never ship to students).
    """
    todo = {"autograder.checks.runner"}  # check.py runs the checks with it
    for src in sources:
        todo |= _imports(src, "handout", False)
    found: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in found:
            continue
        path = _module_file(name)
        if path is None:
            continue
        allowed = name in HANDOUT_PACKAGES or (
            name.startswith("autograder.checks.")
            and not any(name == n or name.startswith(n + ".") for n in NEVER_IN_HANDOUT)
            and not any((d / "manifest.yaml").is_file() for d in path.parents))
        if not allowed:
            raise BuildError(
                f"the public checks need {name} ({path}), which must not ship in the student "
                f"handout: public checks may import only NumPy, the standard library, "
                f"otter.test_files and autograder.checks helpers")
        found[name] = path
        parent = name.rpartition(".")[0]
        if parent:
            todo.add(parent)
        todo |= _imports(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
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


# --------------------------------------------------------------------------- zips

def _zip_info(name: str, executable: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = ((0o755 if executable else 0o644) | 0o100000) << 16
    return info


def write_zip(path: Path, entries: dict[str, bytes], executable: Iterable[str] = ()) -> Path:
    """Write ``entries`` (archive name -> bytes) to ``path``, sorted, with fixed timestamps."""
    executable = set(executable)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(entries):
            zf.writestr(_zip_info(name, name in executable), entries[name])
    return write_atomic(path, buf.getvalue())


def read_zip(path: Path) -> dict[str, bytes]:
    """Every file entry of a zip, by archive name."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}


# --------------------------------------------------------------------------- handout

def _render_check_py(chapter: Chapter) -> str:
    data = {
        "id": chapter.id,
        "title_zh": chapter.title_zh,
        "title_en": chapter.title_en,
        "exercises": [{"id": e.id, "code": e.code, "title_zh": e.title_zh,
                       "title_en": e.title_en, "optional": e.optional} for e in chapter.exercises],
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
        opt = " (选做 / optional)" if e.optional else ""
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
        "{{points}}": _fmt_points(chapter.points),
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
    entries[f"{folder}/check.py"] = _render_check_py(chapter).encode("utf-8")
    entries[f"{folder}/README.md"] = _render_readme(chapter, folder).encode("utf-8")
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


# --------------------------------------------------------------------------- wheel

def build_wheel(dest: Path, repo: Path = REPO_ROOT) -> Path:
    """Build this project's wheel into ``dest`` with ``pip wheel --no-deps``.

    Builds from a copy of the sources (``pyproject.toml``, ``README.md``, ``autograder/``) so
    that setuptools leaves nothing in the working tree.
    """
    if not (repo / "pyproject.toml").is_file():
        raise BuildError(f"{repo} is not this project's source tree (no pyproject.toml): "
                         f"nndl-grade build runs from a checkout of the repository")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nndl-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (repo / name).is_file():
                shutil.copy2(repo / name, src / name)
        shutil.copytree(repo / "autograder", src / "autograder",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dest), str(src)],
            capture_output=True, text=True)
        if proc.returncode != 0:
            raise BuildError(f"pip wheel failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    wheels = sorted(dest.glob("nndl_autograder-*.whl"))
    if len(wheels) != 1:
        raise BuildError(f"pip wheel left {len(wheels)} wheels in {dest}; expected one")
    return wheels[0]


# --------------------------------------------------------------------------- otter generate

def _otter_generate(stage: Path, tests: dict[str, str], wheel: Path, output: Path) -> None:
    """Run Otter's ``generate`` in ``stage`` with ``tests`` (file name -> source), this
    project's wheel as a support file and a requirements file that installs it."""
    from otter.generate import main as otter_generate
    from otter.utils import chdir

    (stage / "tests").mkdir(parents=True)
    for fname, src in tests.items():
        (stage / "tests" / fname).write_text(src, encoding="utf-8")
    shutil.copy2(wheel, stage / wheel.name)
    # Gradescope unpacks the zip into /autograder/source; Otter keeps support files in files/.
    (stage / "requirements.txt").write_text(
        f"{GRADESCOPE_DIR}/source/files/{wheel.name}\n", encoding="utf-8")
    (stage / "otter_config.json").write_text(json.dumps({"lang": "python"}), encoding="utf-8")
    with chdir(stage):
        otter_generate(tests_dir="tests", output_path=str(output), config="otter_config.json",
                       requirements="requirements.txt", no_environment=True,
                       files=[wheel.name], python_version=PYTHON_VERSION)


def _chapter_autograder(entries: dict[str, bytes], chapter: Chapter) -> dict[str, bytes]:
    """Adapt Otter's generated autograder: our ``run_autograder``, ``setup.sh`` extended."""
    from otter.generate import OTTER_ENV_NAME

    if "run_autograder" not in entries or "setup.sh" not in entries:
        raise BuildError("otter generate wrote no run_autograder or setup.sh: has Otter changed?")
    stock = entries["run_autograder"].decode("utf-8")
    if "run_otter.py" not in stock:
        raise BuildError("Otter's run_autograder no longer calls run_otter.py; the build must be "
                         "updated for this Otter version")
    values = {"{{otter_env}}": OTTER_ENV_NAME, "{{autograder_dir}}": GRADESCOPE_DIR,
              "{{chapter}}": chapter.id}

    def render(name: str) -> str:
        text = (TEMPLATES / name).read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        return text

    out = dict(entries)
    out["run_autograder"] = render("run_autograder.sh").encode("utf-8")
    setup = entries["setup.sh"].decode("utf-8").rstrip("\n") + "\n\n" + render("setup.sh")
    out["setup.sh"] = setup.encode("utf-8")
    return out


def build(out: Path = Path("dist"), chapter: str = "ch5", *,
          assignments: Path = REPO_ROOT / "assignments", repo: Path = REPO_ROOT) -> BuildOutputs:
    """Build the handout and the autograders of ``chapter`` into ``out/<chapter>/``."""
    ch = load_chapter(chapter)
    if not ch.exercises:
        raise BuildError(f"chapter {chapter} lists no exercises")
    target = Path(out) / ch.id
    handout = handout_entries(ch, assignments)
    with tempfile.TemporaryDirectory(prefix="nndl-build-") as tmp:
        tmp = Path(tmp)
        wheel = build_wheel(tmp / "wheel", repo)

        chapter_zip = tmp / "autograder.zip"
        tests = {}
        for e in ch.exercises:
            if not e.check_file.is_file():
                raise BuildError(f"{e.id}: its check file {e.check_file} does not exist")
            tests[e.code] = e.check_file.read_text(encoding="utf-8")
        _otter_generate(tmp / "chapter", tests, wheel, chapter_zip)
        adapted = _chapter_autograder(read_zip(chapter_zip), ch)

        per_exercise = {}
        for e in ch.exercises:
            z = tmp / f"{e.id}.zip"
            _otter_generate(tmp / f"otter-{e.id}", {e.code: tests[e.code]}, wheel, z)
            per_exercise[e.id] = read_zip(z)

        outputs = BuildOutputs(
            chapter=ch.id,
            student_zip=write_zip(target / "student.zip", handout,
                                  executable=[n for n in handout if n.endswith("/check.py")]),
            autograder_zip=write_zip(target / "autograder.zip", adapted,
                                     executable=["run_autograder", "setup.sh"]),
            wheel_name=wheel.name,
            handout_files=tuple(sorted(handout)),
        )
        otter_dir = target / "otter"
        for stale in otter_dir.glob("*.zip") if otter_dir.is_dir() else ():
            if stale.stem not in per_exercise:
                stale.unlink()
        for eid, entries in per_exercise.items():
            outputs.otter_zips[eid] = write_zip(otter_dir / f"{eid}.zip", entries,
                                                executable=["run_autograder", "setup.sh"])
    return outputs
