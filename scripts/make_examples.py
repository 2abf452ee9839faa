"""Write ``examples/submissions/``: realistic student submissions for the whole chapter.

    .venv/bin/python scripts/make_examples.py

Each student's files start from the reference solutions (``solutions/ch5/``), with the
``SOLUTION`` markers turned back into the stub's ``TODO`` markers (what a student's filled-in
stub looks like), and then get named edits: a function replaced by the same function from a
wrong-answer fixture (``tests/fixtures/ch5/wrong/<exercise>/<mistake>.py``), a syntax error,
a torch import, a missing file. The script fails loudly when an edit no longer applies, so
that the examples follow the references and fixtures they are built from. The generated
files are committed; ``tests/test_grading.py`` holds the score each student must get.

Students:
  alice/     complete and correct, with the written answers.
  bob/       everything submitted, one or two realistic mistakes per exercise.
  carol.zip  broken: a syntax error in ex5_2, torch imported in ex5_numpy_cnn, ex5_7 and
             ex5_backprop missing; wrapped in a folder inside the zip.
  dave/      one exercise only (ex5_4), with a mistake the book's figures cannot show.
  erin.zip   the handed-out stubs with only rot180 filled in.
"""

from __future__ import annotations

import ast
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions" / "ch5"
ASSIGNMENTS = ROOT / "assignments" / "ch5"
WRONG = ROOT / "tests" / "fixtures" / "ch5" / "wrong"
OUT = ROOT / "examples" / "submissions"

EXERCISES = ("ex5_2", "ex5_3", "ex5_4", "ex5_7", "ex5_backprop", "ex5_numpy_cnn")

# Bob's mistakes, one or two per exercise: ("fixture", <mistake>) takes the functions of a
# wrong-answer fixture (tests/fixtures/ch5/wrong/<exercise>/<mistake>.py) in place of the
# reference's; ("text", old, new, why) edits the reference's code.
BOB = {
    "ex5_2": [("fixture", "rot180_transpose")],
    "ex5_3": [("fixture", "conv1x1_ignores_bias")],
    "ex5_4": [("fixture", "space_last_layer_only")],
    "ex5_7": [("fixture", "backward_without_rot180"), ("fixture", "matrix_column_major")],
    "ex5_backprop": [("fixture", "maxpool_grad_spread_evenly"),
                     ("fixture", "conv_backward_stride_ignored")],
    "ex5_numpy_cnn": [
        ("text", ".transpose(0, 3, 1, 2) + self.bias.reshape(1, -1, 1, 1)",
         ".transpose(0, 3, 1, 2)", "the seed answer's mistake: Conv2D.forward forgets the bias"),
        ("text", "dcols = (delta @ self.weights.reshape(f, -1))",
         "dcols = (delta @ self.weights[:, :, ::-1, ::-1].reshape(f, -1))",
         "the seed answer's mistake: dL/dx uses W itself where formula 5.39 has rot180(W)"),
    ],
}


class EditError(RuntimeError):
    """An edit no longer applies to the file it edits."""


def as_student(source: str) -> str:
    """A reference turned into a filled-in stub: the stub's markers around the student's code."""
    if "# ====== SOLUTION BEGIN ======" not in source:
        raise EditError("the reference has no SOLUTION markers")
    return (source.replace("# ====== SOLUTION BEGIN ======", "# ====== TODO BEGIN: 你的代码 / your code ======")
            .replace("# ====== SOLUTION END ======", "# ====== TODO END ======"))


def _top_level(tree: ast.Module) -> dict[str, ast.AST]:
    return {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _code_body(fn: ast.FunctionDef) -> list[ast.stmt]:
    """The statements of a function after its docstring."""
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def replace_definitions(source: str, fixture: Path) -> str:
    """Give every function the fixture defines the fixture's body, in place (the reference's
    signature, docstring and markers stay)."""
    fix_src = fixture.read_text(encoding="utf-8")
    fix_tree = ast.parse(fix_src)
    fix_defs = _top_level(fix_tree)
    if not fix_defs:
        raise EditError(f"{fixture} defines nothing")
    others = [n for n in fix_tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
              and not (isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "MUST_FAIL")]
    if others or any(isinstance(n, ast.ClassDef) and n.bases for n in fix_defs.values()):
        raise EditError(f"{fixture.name} builds on the reference's own definitions; pick a "
                        f"self-contained fixture or a text edit")
    lines = source.splitlines(keepends=True)
    fix_lines = fix_src.splitlines(keepends=True)
    targets = _top_level(ast.parse(source))
    # replace from the bottom up so that earlier line numbers stay valid
    for name, node in sorted(fix_defs.items(), key=lambda kv: -targets[kv[0]].lineno
                             if kv[0] in targets else 0):
        if name not in targets:
            raise EditError(f"{fixture.name} redefines {name}, which the reference does not define")
        old = targets[name]
        if not isinstance(old, ast.FunctionDef) or not isinstance(node, ast.FunctionDef):
            raise EditError(f"{fixture.name}: {name} must be a function in both files")
        # keep the reference's signature, docstring and TODO marker; take the fixture's body
        old_body = _code_body(old)
        new_body = _code_body(node)
        if not old_body or not new_body:
            raise EditError(f"{fixture.name}: {name} has no body to replace")
        lines[old_body[0].lineno - 1:old.end_lineno] = fix_lines[new_body[0].lineno - 1:node.end_lineno]
    text = "".join(lines)
    ast.parse(text)
    return text


def ensure_imports(source: str, fixture: Path) -> str:
    """Add the fixture's imports the file lacks (after the module docstring's imports)."""
    needed = [ast.get_source_segment(fixture.read_text(encoding="utf-8"), n) + "\n"
              for n in ast.parse(fixture.read_text(encoding="utf-8")).body
              if isinstance(n, (ast.Import, ast.ImportFrom))]
    missing = [imp for imp in needed if imp not in source]
    if not missing:
        return source
    tree = ast.parse(source)
    first = next((n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))), tree.body[1])
    lines = source.splitlines(keepends=True)
    lines[first.lineno - 1:first.lineno - 1] = missing
    return "".join(lines)


def with_mistakes(exercise: str, edits: list[tuple]) -> str:
    source = as_student((SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8"))
    for edit in edits:
        if edit[0] == "fixture":
            fixture = WRONG / exercise / f"{edit[1]}.py"
            if not fixture.is_file():
                raise EditError(f"no wrong-answer fixture {fixture}")
            source = ensure_imports(replace_definitions(source, fixture), fixture)
        else:
            _, old, new, why = edit
            source = substitute(source, old, new, f"{exercise}: {why}")
    return source


def substitute(source: str, old: str, new: str, what: str) -> str:
    if source.count(old) != 1:
        raise EditError(f"{what}: expected exactly one {old!r} in the file, found {source.count(old)}")
    return source.replace(old, new)


def reference(exercise: str) -> str:
    return as_student((SOLUTIONS / f"{exercise}.py").read_text(encoding="utf-8"))


def alice() -> dict[str, str]:
    files = {f"{e}.py": reference(e) for e in EXERCISES}
    for md in sorted(SOLUTIONS.glob("*.md")):
        files[md.name] = md.read_text(encoding="utf-8")
    return files


def bob() -> dict[str, str]:
    files = {f"{e}.py": with_mistakes(e, BOB[e]) for e in EXERCISES}
    for md in sorted(ASSIGNMENTS.glob("*.md")):
        files[md.name] = md.read_text(encoding="utf-8")
    return files


def carol() -> dict[str, str]:
    ex5_2 = substitute(reference("ex5_2"), "def rot180(a):", "def rot180(a)", "carol's syntax error")
    cnn = substitute(reference("ex5_numpy_cnn"), "import numpy as np\n",
                     "import numpy as np\nimport torch\n", "carol's torch import")
    return {"ex5_2.py": ex5_2, "ex5_3.py": reference("ex5_3"), "ex5_4.py": reference("ex5_4"),
            "ex5_numpy_cnn.py": cnn}


def dave() -> dict[str, str]:
    return {"ex5_4.py": with_mistakes("ex5_4", [
        ("text", '"space": m * m * c_out,', '"space": m * m * c_in,',
         "dave counts the input feature maps as the layer's space (the book's case, 256 in "
         "and 256 out, cannot tell)")])}


def erin() -> dict[str, str]:
    files = {f"{e}.py": (ASSIGNMENTS / f"{e}.py").read_text(encoding="utf-8") for e in EXERCISES}
    stub = files["ex5_2.py"]
    tree = ast.parse(stub)
    rot = _top_level(tree)["rot180"]
    body = [n for n in rot.body if isinstance(n, ast.Raise)]
    if len(body) != 1:
        raise EditError("erin: the stub's rot180 should end in one raise NotImplementedError")
    lines = stub.splitlines(keepends=True)
    indent = lines[body[0].lineno - 1][: len(lines[body[0].lineno - 1]) - len(lines[body[0].lineno - 1].lstrip())]
    lines[body[0].lineno - 1:body[0].end_lineno] = [f"{indent}return np.asarray(a)[::-1, ::-1].copy()\n"]
    files["ex5_2.py"] = "".join(lines)
    ast.parse(files["ex5_2.py"])
    return files


def write_folder(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def write_zip(path: Path, files: dict[str, str], wrap: str = "") -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in sorted(files.items()):
            info = zipfile.ZipInfo(f"{wrap}{name}", date_time=(2024, 11, 1, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))


def main() -> int:
    try:
        students = {"alice": alice(), "bob": bob(), "carol": carol(), "dave": dave(),
                    "erin": erin()}
    except (EditError, OSError, KeyError, SyntaxError) as exc:
        print(f"make_examples: {exc}", file=sys.stderr)
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    write_folder(OUT / "alice", students["alice"])
    write_folder(OUT / "bob", students["bob"])
    write_zip(OUT / "carol.zip", students["carol"], wrap="carol-hw5/")
    write_folder(OUT / "dave", students["dave"])
    write_zip(OUT / "erin.zip", students["erin"])
    print(f"wrote {len(students)} submissions to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
