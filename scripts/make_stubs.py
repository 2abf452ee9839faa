"""Write the student stubs, ``assignments/<ch>/*.py``, from the references, ``solutions/<ch>/*.py``.

Docstrings, signatures and argument checks are written once, in the reference.

A reference marks the code students write with two comment lines, indented like that code:

    # ====== SOLUTION BEGIN ======
    ...
    # ====== SOLUTION END ======

The stub is the reference, byte for byte, with every such block replaced by a TODO block at the
same indentation. Inside a function it raises, naming the function with its enclosing classes
(and functions) as Python's ``__qualname__`` does, without ``<locals>``: ``rot180``,
``Conv2D.forward``, ``outer.inner``. A function may hold several blocks; each raises.

    # ====== TODO BEGIN: 你的代码 / your code ======
    raise NotImplementedError("Conv2D.forward: fill in this TODO block")
    # ====== TODO END ======

Outside any function (module or class body: the reference's helpers), it holds a comment:

    # ====== TODO BEGIN: 你的代码 / your code ======
    # 需要的辅助函数写在这里 / helper functions you need go here
    # ====== TODO END ======

A reference without a SOLUTION block, a marker without its pair, a marker indented unlike the
code it holds, a comment that looks like a marker but is not one, or a stub that would not parse
is refused with the file and line. The answer sheets (``*.md``) are not generated: the stub's is a
template and the reference's a full answer, two separate sources.

    python scripts/make_stubs.py                  # every chapter with a solutions/<ch>/ folder
    python scripts/make_stubs.py --chapter ch5    # one chapter
    python scripts/make_stubs.py --check          # write nothing: exit 1 if a stub is stale

Exit codes: 0 done (or up to date), 1 ``--check`` found a stale, missing or orphaned stub,
2 a reference is malformed or the chapter does not exist.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SOLUTION_BEGIN = "# ====== SOLUTION BEGIN ======"
SOLUTION_END = "# ====== SOLUTION END ======"
TODO_BEGIN = "# ====== TODO BEGIN: 你的代码 / your code ======"
TODO_END = "# ====== TODO END ======"
HELPERS = "# 需要的辅助函数写在这里 / helper functions you need go here"
FIX = "run python scripts/make_stubs.py"
DIFF_LINES = 40
"""Most lines of unified diff ``--check`` prints per stale stub."""


class StubError(ValueError):
    """A reference the stub cannot be made from; the message names the file and line."""


@dataclass(frozen=True)
class Block:
    """One SOLUTION block: 0-based indices of its marker lines, and their indentation."""

    begin: int
    end: int
    indent: str


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def find_blocks(lines: list[str], where: str) -> list[Block]:
    """The SOLUTION blocks of a reference's lines (without their ``\\n``), checked for balance."""
    blocks: list[Block] = []
    begin: int | None = None
    for i, line in enumerate(lines):
        text = line.strip()
        at = f"{where}:{i + 1}"
        if text == SOLUTION_BEGIN:
            if begin is not None:
                raise StubError(f"{at}: SOLUTION BEGIN inside the block opened at line {begin + 1}; "
                                f"close that block with '{SOLUTION_END}' first")
            begin = i
        elif text == SOLUTION_END:
            if begin is None:
                raise StubError(f"{at}: SOLUTION END without a SOLUTION BEGIN before it; "
                                f"add '{SOLUTION_BEGIN}' above the code, or remove this line")
            if _indent(line) != _indent(lines[begin]):
                raise StubError(f"{at}: SOLUTION END is indented unlike its SOLUTION BEGIN "
                                f"(line {begin + 1}); indent both like the code they hold")
            blocks.append(Block(begin, i, _indent(line)))
            begin = None
        elif text.startswith("#") and any(w in text for w in ("SOLUTION BEGIN", "SOLUTION END",
                                                               "TODO BEGIN", "TODO END")):
            what = "is a stub's marker" if "TODO" in text else "looks like a marker but is not one"
            raise StubError(f"{at}: {text!r} {what}; a reference marks the code students write "
                            f"with exactly '{SOLUTION_BEGIN}' and '{SOLUTION_END}'")
    if begin is not None:
        raise StubError(f"{where}:{begin + 1}: SOLUTION BEGIN is never closed; "
                        f"add '{SOLUTION_END}' after the block's last line")
    if not blocks:
        raise StubError(f"{where}: no SOLUTION block, so the stub would be the reference itself; "
                        f"put the code students write between '{SOLUTION_BEGIN}' and '{SOLUTION_END}'")
    for b in blocks:
        code = [j for j in range(b.begin + 1, b.end) if lines[j].strip()
                and not lines[j].strip().startswith("#")]
        if code and _indent(lines[code[0]]) != b.indent:
            raise StubError(f"{where}:{b.begin + 1}: the markers are indented by {len(b.indent)} but "
                            f"the block's code by {len(_indent(lines[code[0]]))} (line {code[0] + 1}); "
                            f"indent the markers like the code they hold")
    return blocks


def _eol(line: str) -> str:
    """What is left of a line's ending once split at ``\\n``: ``\\r`` for Windows endings."""
    return "\r" if line.endswith("\r") else ""


def _raise(name: str) -> str:
    return f'raise NotImplementedError("{name}: fill in this TODO block")'


def _replace(lines: list[str], blocks: list[Block], bodies: list[str]) -> tuple[list[str], list[int]]:
    """``lines`` with each block replaced by a TODO block holding the matching body line;
    also the 1-based line number of each body line in the result."""
    out: list[str] = []
    at: list[int] = []
    start = 0
    for block, body in zip(blocks, bodies):
        out += lines[start:block.begin]
        begin, end = _eol(lines[block.begin]), _eol(lines[block.end])
        out += [block.indent + TODO_BEGIN + begin, block.indent + body + begin,
                block.indent + TODO_END + end]
        at.append(len(out) - 1)
        start = block.end + 1
    return out + lines[start:], at


def _scopes(tree: ast.Module) -> dict[int, tuple[str, bool]]:
    """For every line of a statement: the dotted names of the classes and functions around it,
    and whether the innermost is a function. Only statements directly in a scope are recorded."""
    found: dict[int, tuple[str, bool]] = {}

    def visit(node: ast.AST, names: tuple[str, ...], in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                found.setdefault(child.lineno, (".".join(names), in_function))
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, names + (child.name,), True)
            elif isinstance(child, ast.ClassDef):
                visit(child, names + (child.name,), False)
            else:
                visit(child, names, in_function)

    visit(tree, (), False)
    return found


def _parse_stub(text: str, where: str, blocks: list[Block], at: list[int], hint: str) -> ast.Module:
    """``text`` (a stub, blocks at lines ``at``) parsed, or an error naming the nearest block."""
    try:
        return ast.parse(text)
    except SyntaxError as e:
        k = min(range(len(blocks)), key=lambda k: abs(at[k] - (e.lineno or 0)))
        raise StubError(f"{where}:{blocks[k].begin + 1}: the stub would not parse (its line {e.lineno}: "
                        f"{e.msg}); {hint}") from None


def make_stub(source: str, where: str = "<reference>") -> str:
    """The stub of a reference's source: every SOLUTION block replaced by a TODO block.

    ``where`` (the reference's path) starts every error message.
    """
    try:
        ast.parse(source)
    except SyntaxError as e:
        raise StubError(f"{where}:{e.lineno}: the reference does not parse: {e.msg}") from None
    lines = source.split("\n")
    blocks = find_blocks(lines, where)
    # First pass: a raise in every block, to learn from Python's own parser where each sits.
    skeleton, at = _replace(lines, blocks, [_raise("?")] * len(blocks))
    tree = _parse_stub("\n".join(skeleton), where, blocks, at,
                       "a block must hold whole statements: markers go between statements, "
                       "never inside brackets")
    scopes = _scopes(tree)
    bodies = []
    for block, line in zip(blocks, at):
        if line not in scopes:
            raise StubError(f"{where}:{block.begin + 1}: this block is inside a string, not between "
                            f"statements; markers are comment lines between statements")
        name, in_function = scopes[line]
        bodies.append(_raise(name) if in_function else HELPERS)
    stub, _ = _replace(lines, blocks, bodies)
    text = "\n".join(stub)
    _parse_stub(text, where, blocks, at, "a block that is the whole body of a class (or of an if, "
                "for, ... outside functions) leaves it empty: keep the class docstring outside it")
    return text


def chapters(root: Path = ROOT) -> list[str]:
    """The chapters that have references: the folders in ``solutions/``."""
    folder = root / "solutions"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def expected_stubs(chapter: str, root: Path = ROOT) -> dict[Path, str]:
    """Every stub of ``chapter`` as the references make it: {stub path: text}."""
    folder = root / "solutions" / chapter
    if not folder.is_dir():
        raise StubError(f"no {_rel(folder, root)}/ folder: chapters with references are "
                        f"{', '.join(chapters(root)) or 'none'}")
    out = {}
    for ref in sorted(folder.glob("*.py")):
        where = _rel(ref, root)
        try:
            source = ref.read_bytes().decode("utf-8")
        except UnicodeDecodeError as e:
            raise StubError(f"{where}: not UTF-8 ({e.reason} at byte {e.start}); "
                            f"save it as UTF-8") from None
        out[root / "assignments" / chapter / ref.name] = make_stub(source, where)
    return out


def problems(chapter: str, root: Path = ROOT) -> list[str]:
    """What differs between the committed stubs of ``chapter`` and what the references make."""
    wanted = expected_stubs(chapter, root)
    out = []
    for path, text in wanted.items():
        rel = _rel(path, root)
        if not path.is_file():
            out.append(f"{rel} is missing: {FIX}")
            continue
        have = path.read_bytes().decode("utf-8", "replace")
        if have != text:
            diff = list(difflib.unified_diff(have.split("\n"), text.split("\n"), f"{rel} (committed)",
                                             f"{rel} (made from the reference)", lineterm="", n=1))
            more = [f"... {len(diff) - DIFF_LINES} more diff lines"] if len(diff) > DIFF_LINES else []
            out.append("\n".join([f"{rel} differs from what its reference makes: {FIX}"]
                                 + diff[:DIFF_LINES] + more))
    return out + orphans(chapter, wanted, root)


def orphans(chapter: str, wanted: dict[Path, str], root: Path = ROOT) -> list[str]:
    """The stubs of ``chapter`` that no reference makes (``wanted``: what the references make)."""
    folder = root / "assignments" / chapter
    return [f"{_rel(path, root)} has no reference solutions/{chapter}/{path.name}: write the "
            f"reference with SOLUTION blocks and {FIX}, or delete the stub"
            for path in (sorted(folder.glob("*.py")) if folder.is_dir() else []) if path not in wanted]


def write(chapter: str, root: Path = ROOT) -> list[str]:
    """Write the stubs of ``chapter`` that differ from what the references make; say what it did."""
    wanted = expected_stubs(chapter, root)
    out = []
    for path, text in wanted.items():
        rel = _rel(path, root)
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            out.append(f"{rel} is up to date")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        out.append(f"wrote {rel}")
    return out + [f"note: {message}" for message in orphans(chapter, wanted, root)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", action="append",
                        help="a chapter to make (repeatable; default: every folder in solutions/)")
    parser.add_argument("--check", action="store_true",
                        help="do not write: exit 1 unless every stub is what its reference makes")
    parser.add_argument("--root", type=Path, default=ROOT, help=f"the repository (default {ROOT})")
    args = parser.parse_args(argv)
    todo = args.chapter or chapters(args.root)
    if not todo:
        print(f"no chapter folders in {args.root / 'solutions'}: nothing to do", file=sys.stderr)
        return 2
    try:
        if args.check:
            found = [p for chapter in todo for p in problems(chapter, args.root)]
            for message in found:
                print(message, file=sys.stderr)
            if found:
                return 1
            print(f"the stubs of {', '.join(todo)} are what their references make")
            return 0
        for chapter in todo:  # every reference made first, so that an error writes nothing
            expected_stubs(chapter, args.root)
        for chapter in todo:
            for message in write(chapter, args.root):
                print(message)
    except StubError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
