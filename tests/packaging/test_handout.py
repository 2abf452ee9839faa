"""The student handout: what it holds, what it must never hold (judged by content), and its
local check, run in a fresh virtual environment that has NumPy and nothing else."""

from __future__ import annotations

import ast
import re
import shutil
import sys
import multiprocessing
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from autograder.packaging import public_check_source
from autograder.checks.runner import load_check_file
from tests.packaging.helpers import jupyter_kernel_missing, otter_check, run
from tests.support import ASSIGNMENTS, CHAPTER, ROOT, SOLUTIONS

FOLDER = f"nndl-{CHAPTER.id}"
SOLUTION_BLOCK = re.compile(r"^[ \t]*# =+ SOLUTION BEGIN =+[ \t]*\n(.*?)^[ \t]*# =+ SOLUTION END",
                            re.S | re.M)


@pytest.fixture(scope="module")
def handout(built) -> dict[str, bytes]:
    with zipfile.ZipFile(built.student_zip) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}


@pytest.fixture(scope="module")
def texts(handout) -> dict[str, str]:
    return {name: data.decode("utf-8") for name, data in handout.items()
            if not name.endswith((".npz", ".npy"))}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _function_bodies(source: str) -> set[str]:
    """Each function's body (docstring left out), unparsed, so layout and comments vanish."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            if body:
                out.add(ast.unparse(ast.Module(body=body, type_ignores=[])))
    return out


# --------------------------------------------------------------------------- what it holds

def test_handout_holds_the_stubs_answer_sheets_public_checks_and_their_helpers(handout):
    for e in CHAPTER.exercises:
        for f in e.files:
            assert handout[f"{FOLDER}/{f}"] == (ASSIGNMENTS / "ch5" / f).read_bytes(), f
        assert f"{FOLDER}/tests/{e.code}" in handout
    for f in ("check.py", "README.md", "autograder/__init__.py", "autograder/checks/__init__.py",
              "autograder/checks/runner.py", "autograder/checks/compare.py",
              "autograder/checks/gradcheck.py", "autograder/check.py",
              "autograder/engine/local.py", "autograder/engine/worker.py"):
        assert f"{FOLDER}/{f}" in handout, f
    for name, data in handout.items():
        if name.startswith(f"{FOLDER}/autograder/"):  # helpers are shipped unchanged
            assert data == (ROOT / name[len(FOLDER) + 1:]).read_bytes(), name
    # The local check runs the public checks through the engine, in the student's process;
    # nothing of grading, the build, the course loader, the oracle or a chapter's folder ships.
    names = " ".join(handout)
    for word in ("oracle", "grading", "gradescope", "solution", "manifest", "build", "packaging",
                 "course", "intake", "results", "batch"):
        assert word not in names, word
    chapter_folder = f"{FOLDER}/autograder/checks/{CHAPTER.id}/"
    assert all(n.startswith(chapter_folder + "data/") for n in handout if n.startswith(chapter_folder))


def test_public_check_files_hold_exactly_the_public_cases(tmp_path, handout):
    for e in CHAPTER.exercises:
        path = tmp_path / e.code
        path.write_bytes(handout[f"{FOLDER}/tests/{e.code}"])
        cases = load_check_file(path).cases
        assert [(c.name, c.points, c.hidden) for c in cases] == \
            [(c.name, float(c.points), False) for c in e.checks if not c.hidden]


def test_readme_is_bilingual_and_says_what_to_do_how_to_check_and_how_to_submit(texts):
    readme = texts[f"{FOLDER}/README.md"]
    for heading in ("怎么做 / What to do", "怎么检查 / How to check", "怎么提交 / How to submit"):
        assert heading in readme
    assert "python check.py" in readme and "otter check" in readme and "Gradescope" in readme
    for e in CHAPTER.exercises:
        assert e.title_zh in readme and e.title_en in readme
        for f in e.files:
            assert f"`{f}`" in readme


# --------------------------------------------------------------------------- what it never holds

def test_no_hidden_check_by_name_flag_or_oracle_code(texts):
    hidden = {c.name for e in CHAPTER.exercises for c in e.checks if c.hidden}
    assert hidden, "the course has hidden checks to hide"
    oracle = (ROOT / "autograder" / "checks" / "oracle.py").read_text(encoding="utf-8")
    oracle_bodies = _function_bodies(oracle)
    assert oracle_bodies
    for name, text in texts.items():
        assert not re.search(r"hidden\s*=\s*True", text), name
        assert not [h for h in hidden if re.search(rf"\b{h}\b", text)], name
        if name.endswith(".py"):
            imported = [ast.unparse(n) for n in ast.walk(ast.parse(text))
                        if isinstance(n, (ast.Import, ast.ImportFrom))]
            assert not [i for i in imported if "oracle" in i], name
            assert not _function_bodies(text) & oracle_bodies, name


def test_no_solution_code(texts):
    """No reference function body, no SOLUTION block and no distinctive reference line that
    the stub does not have appears in any handout file."""
    handout_bodies = set()
    for name, text in texts.items():
        if name.endswith(".py"):
            handout_bodies |= _function_bodies(text)
    everything = "\n".join(texts.values())
    flat = _norm(everything)
    # Lines of the files the build writes (public checks, check.py, README); the stubs, answer
    # sheets and helpers are copies of the repository's files, byte for byte (see above), and
    # share generic lines (imports, conversions) with any NumPy code.
    copied = {f"{FOLDER}/{f}" for e in CHAPTER.exercises for f in e.files}
    own = "\n".join(t for n, t in texts.items()
                    if n not in copied and not n.startswith(f"{FOLDER}/autograder/"))
    lines = {line.strip() for line in own.splitlines()}
    checked = 0
    for e in CHAPTER.exercises:
        ref = (SOLUTIONS / "ch5" / e.code).read_text(encoding="utf-8")
        stub = (ASSIGNMENTS / "ch5" / e.code).read_text(encoding="utf-8")
        stub_lines = {line.strip() for line in stub.splitlines()}
        leaked = _function_bodies(ref) & handout_bodies - _function_bodies(stub)
        assert not leaked, f"{e.code}: reference function bodies in the handout:\n" + \
            "\n---\n".join(leaked)
        for block in SOLUTION_BLOCK.findall(ref):
            assert _norm(block) not in flat, f"{e.code}: a SOLUTION block is in the handout"
            for line in block.splitlines():
                s = line.strip()
                if len(s) >= 30 and not s.startswith("#") and s not in stub_lines:
                    checked += 1
                    assert s not in lines, f"{e.code}: the reference line {s!r} is in the handout"
        for f in e.files:
            if f.endswith(".md") and (SOLUTIONS / "ch5" / f).is_file():
                answer = (SOLUTIONS / "ch5" / f).read_text(encoding="utf-8")
                sheet = (ASSIGNMENTS / "ch5" / f).read_text(encoding="utf-8")
                own = [p for p in answer.split("\n\n") if len(p) > 80 and p not in sheet]
                assert not [p for p in own if p in everything], f"{f}: reference answer text leaked"
    assert checked > 0, "no distinctive reference line was compared: is the test still reading them?"


def test_stripping_keeps_comments_and_layout_of_what_stays():
    src = ('"""Doc."""\nimport numpy as np\nfrom autograder.checks.cases import check\n'
           'from autograder.checks.oracle import conv2d\nfrom autograder.checks.compare import '
           'assert_close, require\nOK_FORMAT = False\nname = "exX"\nSEED = 7\n\n\n'
           '# builds the public input\ndef _public():\n    return np.ones(2)  # two ones\n\n\n'
           '# the secret helper\ndef _secret():\n    return conv2d(np.ones(2), SEED)\n\n\n'
           '@check(points=1)\ndef test_a(f):\n    require(f, "f", "x.py")\n'
           '    assert_close(f(_public()), np.ones(2), what="f")\n\n\n'
           '@check(points=1, hidden=True)\ndef test_secret_case(f):\n'
           '    assert_close(f(_public()), _secret(), what="f")\n')
    out = public_check_source(src)
    assert "# builds the public input" in out and "# two ones" in out
    for gone in ("secret", "oracle", "conv2d", "SEED", "hidden=True"):
        assert gone not in out
    assert "from autograder.checks.compare import assert_close, require" in out
    ast.parse(out)


# --------------------------------------------------------------------------- the local check

def _public_count() -> int:
    return sum(1 for e in CHAPTER.exercises for c in e.checks if not c.hidden)


def test_local_check_fails_every_public_check_on_the_stubs(numpy_only_python, handout_dir):
    proc = run([str(numpy_only_python), "check.py"], cwd=str(handout_dir))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # every check calls a stub: each says so in one line, naming the function and its line
    assert proc.stdout.count("[ TODO ]") == _public_count() + 1, proc.stdout  # and the legend
    assert "[passed]" not in proc.stdout and "[FAILED]" not in proc.stdout
    assert "test_rot180 (0/1): rot180 (line " in proc.stdout
    total = sum(c.points for e in CHAPTER.exercises for c in e.checks if not c.hidden)
    assert f"total: 0/{total:g} public points in {len(CHAPTER.exercises)} exercises" in proc.stdout
    # one line per check, a heading and a total per exercise, a few lines at the end
    assert len(proc.stdout.splitlines()) <= _public_count() + 4 * len(CHAPTER.exercises) + 8, \
        proc.stdout


def test_local_check_passes_every_public_check_on_the_references(numpy_only_python, handout_dir,
                                                                  tmp_path):
    for e in CHAPTER.exercises:
        shutil.copy(SOLUTIONS / "ch5" / e.code, handout_dir / e.code)
    elsewhere = tmp_path / "elsewhere"  # the script finds its helpers wherever it is run from
    elsewhere.mkdir()
    proc = run([str(numpy_only_python), str(handout_dir / "check.py")], cwd=str(elsewhere))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("[passed]") == _public_count(), proc.stdout
    assert "FAILED" not in proc.stdout
    one = CHAPTER.exercises[0]
    proc = run([str(numpy_only_python), "check.py", one.code], cwd=str(handout_dir))
    assert proc.returncode == 0 and one.id in proc.stdout
    assert all(e.id not in proc.stdout for e in CHAPTER.exercises if e is not one)


def test_local_check_names_the_files_it_expects(numpy_only_python, handout_dir):
    (handout_dir / "ex5-2.py").write_text("x = 1\n")
    proc = run([str(numpy_only_python), "check.py", "ex5-2.py"], cwd=str(handout_dir))
    assert proc.returncode == 2
    assert "is not an exercise file" in proc.stderr and CHAPTER.exercises[0].code in proc.stderr


# --------------------------------------------------------------------------- otter check

def test_otter_check_works_on_each_exercise_of_the_handout(handout_dir):
    """``otter check <id>.py -q <id>`` in the handout folder: the stub fails, every reference
    passes, with the handout's own helpers (the kernel runs in that folder)."""
    why = jupyter_kernel_missing()
    if why:
        pytest.skip(why)
    jobs = [(CHAPTER.exercises[0], "stub"), (CHAPTER.exercise("ex5_3"), "syntax error")] + \
        [(e, "reference") for e in CHAPTER.exercises]
    args = []
    for e, what in jobs:  # each in its own copy: otter check writes a log where it runs
        where = shutil.copytree(handout_dir, handout_dir.parent / f"otter-{e.id}-{what[:3]}")
        if what == "reference":
            shutil.copy(SOLUTIONS / "ch5" / e.code, where / e.code)
        if what == "syntax error":
            source = (SOLUTIONS / "ch5" / e.code).read_text(encoding="utf-8")
            (where / e.code).write_text(source.replace("def conv1x1(x, w, b=None):",
                                                       "def conv1x1(x, w, b=None)"), encoding="utf-8")
        args.append((str(where), e.code, e.id))
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        outputs = list(pool.map(otter_check, *zip(*args)))
    for (e, what), out in zip(jobs, outputs):
        if what == "stub":
            assert "Test case failed" in out and "NotImplementedError" in out, out
            assert "All tests passed!" not in out
        elif what == "syntax error":  # said as a syntax error, not as names it lacks
            public = sum(1 for c in e.checks if not c.hidden)
            assert out.count("ex5_3.py failed to import: SyntaxError in ex5_3.py, line ") == public, out
            assert "def conv1x1(x, w, b=None)" in out
            assert "is not defined" not in out
        else:
            assert out.strip().endswith("All tests passed!"), (e.id, out)


def test_a_public_check_that_needs_the_oracle_or_the_engine_stops_the_build():
    from autograder.packaging import BuildError, handout_modules

    src = ('from autograder.checks.cases import check\nfrom autograder.checks.oracle import conv2d\n'
           'name = "exX"\n\n@check(points=1)\ndef test_a(f):\n'
           '    assert f(1) == conv2d(1)\n')
    with pytest.raises(BuildError, match="uses the oracle"):
        public_check_source(src, "exX.py")
    with pytest.raises(BuildError, match="must not ship"):
        handout_modules(["from autograder.engine.limits import Limits\n"])
    with pytest.raises(BuildError, match="must not ship"):
        handout_modules(["import autograder.course\n"])
    assert "autograder.checks.oracle" not in handout_modules(
        ["from autograder.checks import compare\n"])
