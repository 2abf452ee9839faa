"""The handout's notebooks: made by the build from the stubs, the answer sheets, the manifest
and the worked examples; run from top to bottom in a real Jupyter kernel on the stubs (no cell
raises, every public check says the code is still a stub) and on the references (every
public check passes); autoreload and the local check in one kernel."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.packaging.notebooks import handout_notebooks
from autograder.notebook import BEGIN, END
from tests.packaging.helpers import jupyter_kernel_missing
from tests.support import ASSIGNMENTS, CHAPTER, SOLUTIONS

FOLDER = "nndl-ch5"
SOLUTION_BLOCK = re.compile(r"^[ \t]*# =+ SOLUTION BEGIN =+[ \t]*\n(.*?)^[ \t]*# =+ SOLUTION END",
                            re.S | re.M)
EXERCISES = list(CHAPTER.exercises)


def _public(exercise) -> int:
    return sum(1 for c in exercise.checks if not c.hidden)


def _sections(sheet: str) -> list[str]:
    """The headings of the answer sheet's sections that hold a placeholder comment."""
    heading, out = "", []
    for line in sheet.splitlines():
        if line.startswith("#"):
            heading = line.strip()
        elif line.strip().startswith("<!--") and line.strip().endswith("-->"):
            out.append(heading)
    return out


@pytest.fixture(scope="module")
def kernel():
    why = jupyter_kernel_missing()
    if why:
        pytest.skip(why)


def _execute(path: Path, book=None):
    import nbclient

    book = book or nbformat.read(path, as_version=4)
    nbclient.NotebookClient(book, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    return book


def _out(cell) -> str:
    assert not [o for o in cell.get("outputs", []) if o.output_type == "error"]
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.output_type == "stream")


def _cell(book, text: str):
    return next(c for c in book.cells if c.cell_type == "code" and text in c.source)


# --------------------------------------------------------------------------- what they hold

def test_a_notebook_per_exercise_made_from_its_sources(built):
    with zipfile.ZipFile(built.student_zip) as zf:
        shipped = {n: zf.read(n) for n in zf.namelist() if n.endswith(".ipynb")}
    assert shipped == handout_notebooks(CHAPTER, ASSIGNMENTS, FOLDER)  # generated, every time
    assert sorted(shipped) == sorted(f"{FOLDER}/{e.id}.ipynb" for e in EXERCISES)
    for e in EXERCISES:
        book = nbformat.reads(shipped[f"{FOLDER}/{e.id}.ipynb"].decode("utf-8"), as_version=4)
        nbformat.validate(book)
        sources = [c.source for c in book.cells]
        text = "\n".join(sources)
        stub = (ASSIGNMENTS / "ch5" / e.code).read_text(encoding="utf-8")
        title = ast.get_docstring(ast.parse(stub)).splitlines()[0]
        assert any(s.startswith("## " + title.split(" / ")[0]) for s in sources), e.id
        assert "Colab" in sources[0] and "Jupyter" in sources[0]
        assert f"{Path(e.code).stem} = nb.start(EXERCISE)" in sources[1]
        assert f"nb.check({e.id!r})" in text and text.rstrip().endswith("nb.collect()")
        if e.answer:
            sheet = (ASSIGNMENTS / "ch5" / e.answer).read_text(encoding="utf-8")
            for heading in _sections(sheet):
                assert f"nb.answer({e.answer!r}, {heading!r}, answer)" in text, heading
            for w in e.written:
                assert w.zh.rstrip("。.") in text.replace("\\", "")
        # no line of the reference's solution that the stub does not have
        reference = (SOLUTIONS / "ch5" / e.code).read_text(encoding="utf-8")
        stub_lines = {line.strip() for line in stub.splitlines()}
        cell_lines = {line.strip() for s in sources for line in s.splitlines()}
        for block in SOLUTION_BLOCK.findall(reference):
            leaked = [line.strip() for line in block.splitlines() if len(line.strip()) >= 20
                      and line.strip() not in stub_lines and line.strip() in cell_lines]
            assert not leaked, (e.id, leaked)


# --------------------------------------------------------------------------- run in a kernel

def test_every_notebook_runs_on_the_stubs_and_reports_them(kernel, handout_dir):
    sheets = {e.answer: (handout_dir / e.answer).read_bytes() for e in EXERCISES if e.answer}
    for e in EXERCISES:
        book = _execute(handout_dir / f"{e.id}.ipynb")  # raises if a cell raises
        outputs = [_out(c) for c in book.cells if c.cell_type == "code"]
        checks = _out(_cell(book, "nb.check("))
        assert checks.count("[ TODO ] test_") == _public(e), checks
        assert "[passed]" not in checks and "[FAILED]" not in checks
        examples = "".join(outputs[1:-1])
        assert "[ TODO ]" in examples and "[error" not in examples, (e.id, examples)
        if e.answer:
            assert "nothing written yet" in _out(_cell(book, "nb.answer("))
        assert "wrote submission.zip" in outputs[-1]
    assert sheets == {n: (handout_dir / n).read_bytes() for n in sheets}  # untouched


def test_every_notebook_runs_on_the_references_and_every_public_check_passes(kernel, handout_dir):
    for e in EXERCISES:
        shutil.copy(SOLUTIONS / "ch5" / e.code, handout_dir / e.code)
    for e in EXERCISES:
        path = handout_dir / f"{e.id}.ipynb"
        book = nbformat.read(path, as_version=4)
        mine = f"My answer to {e.id}: $W \\otimes X$."
        if e.answer:  # the student writes in the first answer cell
            cell = _cell(book, "nb.answer(")
            cell.source = cell.source.replace('answer = r"""\n\n"""', f'answer = r"""\n{mine}\n"""')
        book = _execute(path, book)
        outputs = "".join(_out(c) for c in book.cells if c.cell_type == "code")
        assert "[ TODO ]" not in outputs and "[error" not in outputs, (e.id, outputs)
        checks = _out(_cell(book, "nb.check("))
        assert checks.count("[passed] test_") == _public(e), checks
        assert "all public checks passed" in checks
        if e.answer:
            assert f"saved in {e.answer}" in outputs
            sheet = (handout_dir / e.answer).read_text(encoding="utf-8")
            assert f"{BEGIN}\n{mine}\n{END}" in sheet
            first = _sections((ASSIGNMENTS / "ch5" / e.answer).read_text(encoding="utf-8"))[0]
            section = sheet.split(first, 1)[1]
            assert section.index(BEGIN) > section.index("<!--") >= 0  # after the placeholder
    curve = _cell(_execute(handout_dir / "ex5_numpy_cnn.ipynb"), "nb.plot(")
    stdout = _out(curve)
    accuracy = float(re.search(r"held-out accuracy / 留出集准确率: ([\d.]+)%", stdout).group(1))
    assert accuracy >= 90
    if importlib.util.find_spec("matplotlib") is not None:  # the kernel is this environment's
        assert [o for o in curve.outputs if "image/png" in o.get("data", {})], curve.outputs
    else:
        assert "training loss / 训练损失  (matplotlib is not installed: a table instead" in stdout
    with zipfile.ZipFile(handout_dir / "submission.zip") as zf:
        assert f"{BEGIN}\nMy answer to ex5_2" in zf.read("ex5_2.md").decode("utf-8")


def test_autoreload_and_the_local_check_in_one_kernel(kernel, handout_dir):
    """The student runs the notebook on the stub, then fills in ex5_4.py: the next run of a
    cell uses the new code, and the public checks (which import the file afresh) pass."""
    import nbclient

    book = nbformat.read(handout_dir / "ex5_4.ipynb", as_version=4)
    client = nbclient.NotebookClient(book, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(handout_dir)}})
    codes = [i for i, c in enumerate(book.cells) if c.cell_type == "code"]
    example = next(i for i in codes if "conv_cost(100, 3, 256, 256)" in book.cells[i].source)
    check = next(i for i in codes if "nb.check(" in book.cells[i].source)
    with client.setup_kernel():
        for i in (codes[0], example, check):
            client.execute_cell(book.cells[i], i)
        assert "[ TODO ]" in _out(book.cells[example])
        assert "[ TODO ] test_conv_cost_time_book" in _out(book.cells[check])
        shutil.copy(SOLUTIONS / "ch5" / "ex5_4.py", handout_dir / "ex5_4.py")
        for i in (example, check):
            client.execute_cell(book.cells[i], i)
        assert "5,898,240,000" in _out(book.cells[example])
        assert _out(book.cells[check]).count("[passed] test_") == _public(CHAPTER.exercise("ex5_4"))
        client.execute_cell(book.cells[example], example)  # the check left the module in place
        assert "5,898,240,000" in _out(book.cells[example])
