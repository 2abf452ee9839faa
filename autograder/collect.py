"""The collect step: ``python check.py --zip`` (and the last cell of each notebook) writes
``submission.zip``, holding exactly the chapter's exercise files and answer sheets found in
the folder, flat, and says what is missing, what is still as it was handed out, and what will
fail when graded: a syntax error, an import of anything beyond NumPy and the standard library
(the rule of ``engine.imports``).

Needs the standard library and the engine's describer only; ships in the handout.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from .engine.imports import beyond_numpy
from .engine.describe import describe_exception
from .files import write_atomic

SUBMISSION = "submission.zip"
"""The file the collect step writes, in the handout folder."""


def import_warnings(path: Path, own: Iterable[str] = ()) -> tuple[str, ...]:
    """Warnings about the imports of the file at ``path`` that the grader cannot satisfy;
    ``own`` names the student's other modules it may import (the other exercise files)."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    out = []
    for f in beyond_numpy(source, own):
        where = f"line {f.line}" + (f", in {f.function}" if f.function else "")
        where_zh = f"第 {f.line} 行" + (f",在 {f.function} 中" if f.function else "")
        if f.function is None:
            effect = f"{path.name} will fail to import when graded, and the exercise will score 0"
            effect_zh = "评分时这个文件会无法导入,本题得 0 分"
        else:
            effect = f"{f.function} will fail when graded, and so will the checks that call it"
            effect_zh = f"评分时 {f.function} 会出错,调用它的检查都不能通过"
        out.append(f"{path.name} imports {f.module} ({where}), but only NumPy and the Python "
                   f"standard library exist where your code is graded: {effect}. Remove the "
                   f"import. / {path.name} 导入了 {f.module}({where_zh}),但评分环境只有 NumPy 和 "
                   f"Python 标准库:{effect_zh}。请删除这个导入。")
    return tuple(out)


def syntax_error(path: Path) -> Optional[str]:
    """The grader's account of the syntax error in the file at ``path``, or None."""
    path = Path(path)
    try:
        compile(path.read_bytes(), str(path), "exec")
    except SyntaxError as exc:
        return describe_exception(exc, str(path.resolve().parent), path.name)
    except (OSError, ValueError):
        return None
    return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Collection:
    """What the collect step found in a folder."""

    folder: Path
    included: list[str] = field(default_factory=list)
    missing: list[tuple[str, bool]] = field(default_factory=list)
    """(file name, whether its exercise is optional)."""
    unchanged: list[str] = field(default_factory=list)
    """Files still byte for byte as handed out."""
    problems: list[str] = field(default_factory=list)


def collect(folder: Path, targets: Iterable[Any], pristine: Optional[dict[str, str]] = None
            ) -> Collection:
    """The chapter's files in ``folder`` (``targets``: the exercises, each with ``files``,
    ``code`` and ``optional``); ``pristine`` maps a file name to the sha256 of the file as
    handed out."""
    folder = Path(folder)
    targets = list(targets)
    found = Collection(folder)
    stems = {Path(t.code).stem for t in targets if (folder / t.code).is_file()}
    for t in targets:
        for name in t.files:
            path = folder / name
            if not path.is_file():
                found.missing.append((name, bool(t.optional)))
                continue
            found.included.append(name)
            if pristine and pristine.get(name) == sha256(path.read_bytes()):
                found.unchanged.append(name)
            if name == t.code:
                error = syntax_error(path)
                if error is not None:
                    found.problems.append(f"{name} has a syntax error: it will fail to import "
                                          f"when graded and score 0 / {name} 有语法错误,评分时"
                                          f"无法导入,得 0 分:\n{error}")
                found.problems += import_warnings(path, stems - {path.stem})
    return found


def zip_bytes(found: Collection) -> bytes:
    """The zip of the files found, flat, in the chapter's order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in found.included:
            info = zipfile.ZipInfo.from_file(found.folder / name, arcname=name,
                                             strict_timestamps=False)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, (found.folder / name).read_bytes())
    return buf.getvalue()


def write_submission(found: Collection, dest: Optional[Path] = None) -> Path:
    """Write ``submission.zip`` (into the folder, unless ``dest`` says where)."""
    dest = Path(dest) if dest is not None else found.folder / SUBMISSION
    return write_atomic(dest, zip_bytes(found))


def collection_lines(found: Collection, written: Optional[Path]) -> list[str]:
    """What the student reads after the collect step."""
    lines = []
    if written is None:
        lines.append(f"nothing to submit: {found.folder} holds none of the exercise files / "
                     f"没有可提交的文件")
    else:
        n = len(found.included)
        lines.append(f"wrote {written.name} with {n} files / 已写入 {written.name},共 {n} 个文件"
                     f" (in {written.parent}):")
        lines.append("  " + ", ".join(found.included))
    required = [n for n, optional in found.missing if not optional]
    optional = [n for n, opt in found.missing if opt]
    if required:
        lines.append(f"missing / 缺少: {', '.join(required)} (an exercise whose file is missing "
                     f"scores 0 / 缺少文件的习题得 0 分)")
    if optional:
        lines.append(f"not included, optional exercises / 未包含的选做题文件: {', '.join(optional)}")
    if found.unchanged:
        lines.append(f"still as handed out / 与发下时相同(尚未作答): {', '.join(found.unchanged)}")
    for problem in found.problems:
        first, *rest = problem.splitlines()
        lines += [f"warning / 警告: {first}"] + ["    " + line for line in rest]
    if written is not None:
        lines.append(f"upload {written.name} on Gradescope / 在 Gradescope 上提交 {written.name}")
    return lines


def collect_command(folder: Path, targets: Iterable[Any], printer: Any,
                    pristine: Optional[dict[str, str]] = None) -> int:
    """``check.py --zip``: collect, write ``submission.zip``, tell. 0 when it was written, 2
    when there was nothing to put in it."""
    folder = Path(folder)
    if not folder.is_dir():
        printer.say([f"--zip needs a folder; {folder} is not one / --zip 需要一个文件夹"])
        return 2
    found = collect(folder, targets, pristine)
    written = write_submission(found) if found.included else None
    printer.say(collection_lines(found, written))
    return 0 if written is not None else 2
