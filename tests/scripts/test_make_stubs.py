"""scripts/make_stubs.py: the committed stubs are what the references make, and the
transformation on small made-up references (names, several blocks, helpers, errors)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support import ROOT, load_script

stubs = load_script("make_stubs")

BEGIN = "# ====== SOLUTION BEGIN ======"
END = "# ====== SOLUTION END ======"
TODO = "# ====== TODO BEGIN: 你的代码 / your code ======"
TODO_END = "# ====== TODO END ======"


def src(text: str) -> str:
    """Dedented source with the short forms <B> and <E> spelled out as SOLUTION markers."""
    return textwrap.dedent(text).replace("<B>", BEGIN).replace("<E>", END)


def todo(indent: str, name: str | None) -> str:
    """The TODO block the script writes: raising for ``name``, or the helpers comment."""
    body = (f'raise NotImplementedError("{name}: fill in this TODO block")' if name
            else "# 需要的辅助函数写在这里 / helper functions you need go here")
    return "".join(f"{indent}{line}\n" for line in (TODO, body, TODO_END))


# ------------------------------------------------------------------ the repository

def test_committed_stubs_are_what_the_references_make():
    """What CI relies on: ``python scripts/make_stubs.py --check`` passes on this checkout."""
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_stubs.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "ch5" in proc.stdout


def test_every_chapter_with_references_is_checked():
    assert "ch5" in stubs.chapters()
    for chapter in stubs.chapters():
        assert stubs.problems(chapter) == []


# ------------------------------------------------------------------ the transformation

def test_function_keeps_signature_docstring_and_code_before_the_block():
    ref = src('''\
        """Module docstring."""
        import numpy as np


        def rot180(a, *, copy=True):
            """Turn ``a`` upside down.

            Args:
                a: a 2-D array.
            """
            a = np.asarray(a)
            <B>
            return a[::-1, ::-1]
            <E>
        ''')
    head = ref[:ref.index(BEGIN) - 4]
    assert stubs.make_stub(ref) == head + todo("    ", "rot180")


def test_methods_are_named_with_their_classes_nested_or_not():
    ref = src('''\
        class Outer:
            """Outer."""

            class Inner:
                """Inner."""

                def forward(self, x):
                    """Forward."""
                    <B>
                    return x
                    <E>

            def backward(self, g):
                """Backward."""
                <B>
                return g
                <E>
        ''')
    stub = stubs.make_stub(ref)
    assert todo(" " * 12, "Outer.Inner.forward") in stub
    assert todo(" " * 8, "Outer.backward") in stub
    assert "return" not in stub


def test_a_function_nested_in_a_function_is_named_without_locals():
    ref = src('''\
        def outer():
            """Outer."""
            def inner():
                <B>
                return 1
                <E>
            return inner
        ''')
    assert todo("        ", "outer.inner") in stubs.make_stub(ref)


def test_several_blocks_in_one_function_each_raise_and_the_code_between_stays():
    ref = src('''\
        def two_steps(x):
            """Two steps."""
            <B>
            y = x + 1
            <E>
            z = 2 * y  # given
            if z > 0:
                <B>
                z = -z
                <E>
            return z
        ''')
    want = ('def two_steps(x):\n    """Two steps."""\n' + todo("    ", "two_steps")
            + "    z = 2 * y  # given\n    if z > 0:\n" + todo("        ", "two_steps")
            + "    return z\n")
    assert stubs.make_stub(ref) == want


def test_a_block_that_is_the_whole_body():
    ref = src('''\
        def f(x):
            <B>
            return x
            <E>


        async def g(x):
            <B>
            return await x
            <E>
        ''')
    assert stubs.make_stub(ref) == ("def f(x):\n" + todo("    ", "f") + "\n\nasync def g(x):\n"
                                    + todo("    ", "g"))


def test_blocks_outside_functions_hold_the_helpers_comment():
    ref = src('''\
        import numpy as np

        <B>
        from math import pi


        def _helper(x):
            return x * pi
        <E>


        class Layer:
            """A layer."""

            <B>
            def _cache(self):
                return {}
            <E>
        ''')
    stub = stubs.make_stub(ref)
    assert stub == ("import numpy as np\n\n" + todo("", None) + "\n\nclass Layer:\n"
                    + '    """A layer."""\n\n' + todo("    ", None))


def test_line_endings_and_text_outside_blocks_are_kept_byte_for_byte():
    ref = src('''\
        def f():
            """Ünïcode, tabs\tand trailing spaces   """
            <B>
            return 1
            <E>''').replace("\n", "\r\n")
    stub = stubs.make_stub(ref)
    assert stub == ('def f():\r\n    """Ünïcode, tabs\tand trailing spaces   """\r\n'
                    + todo("    ", "f").replace("\n", "\r\n")[:-2])


# ------------------------------------------------------------------ malformed references

@pytest.mark.parametrize("body, line, words", [
    pytest.param("<B>\nreturn x\n", 3, "never closed", id="begin-without-end"),
    pytest.param("return x\n<E>\n", 4, "without a SOLUTION BEGIN", id="end-without-begin"),
    pytest.param("<B>\n<B>\nreturn x\n<E>\n<E>\n", 4, "inside the block opened at line 3",
                 id="nested-begin"),
])
def test_unbalanced_markers_name_the_file_and_line(body, line, words):
    ref = 'def f(x):\n    """Doc."""\n' + textwrap.indent(src(body), "    ")
    with pytest.raises(stubs.StubError, match=rf"^solutions/ch9/ex9_1\.py:{line}: .*{words}"):
        stubs.make_stub(ref, "solutions/ch9/ex9_1.py")


def test_markers_indented_unlike_their_code_are_refused():
    ref = src('''\
        def f(x):
            """Doc."""
        <B>
            return x
        <E>
        ''')
    with pytest.raises(stubs.StubError, match=r"^ref\.py:3: the markers are indented by 0 but the "
                                              r"block's code by 4 \(line 4\)"):
        stubs.make_stub(ref, "ref.py")
    mismatched = src("def f(x):\n    <B>\n    return x\n  <E>\n")
    with pytest.raises(stubs.StubError, match=r"^ref\.py:4: SOLUTION END is indented unlike"):
        stubs.make_stub(mismatched, "ref.py")


@pytest.mark.parametrize("line", ["# ====== SOLUTION BEGIN", "# ===== SOLUTION END =====",
                                  TODO, TODO_END])
def test_near_misses_and_stub_markers_in_a_reference_are_refused(line):
    ref = src(f"def f(x):\n    <B>\n    return x\n    <E>\n    {line}\n")
    with pytest.raises(stubs.StubError, match=r"^ref\.py:5: .*SOLUTION BEGIN"):
        stubs.make_stub(ref, "ref.py")


def test_a_reference_without_blocks_is_refused_rather_than_copied():
    with pytest.raises(stubs.StubError, match=r"^ref\.py: no SOLUTION block, so the stub would be "
                                              r"the reference itself"):
        stubs.make_stub("def f(x):\n    return x\n", "ref.py")


def test_blocks_that_would_break_the_stub_are_refused_with_their_line():
    whole_class = src("class C:\n    <B>\n    x = 1\n    <E>\n")
    with pytest.raises(stubs.StubError,
                       match=r"^ref\.py:2: the stub would not parse.*whole body of a class"):
        stubs.make_stub(whole_class, "ref.py")
    in_brackets = src("X = [\n    <B>\n    1,\n    <E>\n]\n")
    with pytest.raises(stubs.StubError, match=r"^ref\.py:2: the stub would not parse.*whole statements"):
        stubs.make_stub(in_brackets, "ref.py")
    in_string = src('def f():\n    """\n    <B>\n    <E>\n    """\n    <B>\n    return 1\n    <E>\n')
    with pytest.raises(stubs.StubError, match=r"^ref\.py:3: this block is inside a string"):
        stubs.make_stub(in_string, "ref.py")
    with pytest.raises(stubs.StubError, match=r"^ref\.py:1: the reference does not parse"):
        stubs.make_stub("def f(:\n    <B>\n", "ref.py")


# ------------------------------------------------------------------ the command line

@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A made-up repository with one chapter of two references and an answer sheet."""
    ref = tmp_path / "solutions" / "ch9"
    ref.mkdir(parents=True)
    (ref / "ex9_1.py").write_text(src("def f(x):\n    <B>\n    return x\n    <E>\n"), encoding="utf-8")
    (ref / "ex9_2.py").write_text(src("<B>\nK = 2\n<E>\n\n\ndef g():\n    <B>\n    return K\n    <E>\n"),
                                  encoding="utf-8")
    (ref / "ex9_1.md").write_text("the full answer\n", encoding="utf-8")
    return tmp_path


def test_writes_then_checks(repo, capsys):
    args = ["--root", str(repo)]
    assert stubs.main(args + ["--check"]) == 1
    err = capsys.readouterr().err
    assert "assignments/ch9/ex9_1.py is missing: run python scripts/make_stubs.py" in err
    assert stubs.main(args) == 0
    assert "wrote assignments/ch9/ex9_2.py" in capsys.readouterr().out
    made = repo / "assignments" / "ch9"
    assert sorted(p.name for p in made.iterdir()) == ["ex9_1.py", "ex9_2.py"]  # no answer sheet
    assert (made / "ex9_1.py").read_text(encoding="utf-8") == "def f(x):\n" + todo("    ", "f")
    assert stubs.main(args + ["--check", "--chapter", "ch9"]) == 0
    assert stubs.main(args) == 0
    assert "assignments/ch9/ex9_1.py is up to date" in capsys.readouterr().out


def test_check_names_a_stale_stub_shows_the_difference_and_says_how_to_fix(repo, capsys):
    args = ["--root", str(repo)]
    assert stubs.main(args) == 0
    stale = repo / "assignments" / "ch9" / "ex9_2.py"
    edited = stale.read_text(encoding="utf-8").replace("def g():", "def g(x):")
    stale.write_text(edited, encoding="utf-8")
    (repo / "assignments" / "ch9" / "ex9_3.py").write_text("x = 1\n", encoding="utf-8")
    capsys.readouterr()
    assert stubs.main(args + ["--check"]) == 1
    err = capsys.readouterr().err
    assert ("assignments/ch9/ex9_2.py differs from what its reference makes: "
            "run python scripts/make_stubs.py") in err
    assert "-def g(x):\n+def g():" in err
    assert "assignments/ch9/ex9_3.py has no reference solutions/ch9/ex9_3.py" in err
    assert stale.read_text(encoding="utf-8") == edited  # --check writes nothing


def test_errors_exit_2_with_the_file_and_line(repo, capsys):
    (repo / "solutions" / "ch9" / "ex9_1.py").write_text("def f(x):\n    " + BEGIN + "\n    return x\n",
                                                          encoding="utf-8")
    assert stubs.main(["--root", str(repo)]) == 2
    assert "error: solutions/ch9/ex9_1.py:2: SOLUTION BEGIN is never closed" in capsys.readouterr().err
    assert not (repo / "assignments").exists()
    assert stubs.main(["--root", str(repo), "--chapter", "ch8"]) == 2
    assert "no solutions/ch8/ folder: chapters with references are ch9" in capsys.readouterr().err
