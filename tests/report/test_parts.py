"""The report's parts on their own: masking numbers, telling incidents, reading published
answer sets, charts, and the Markdown renderer's guard."""

from __future__ import annotations

import json

from autograder.checks.runner import CaseResult
from autograder.report import charts, incidents, sources, stats
from autograder.report.markdown import math_html, to_html
from autograder.results import ExerciseResult, SubmissionResult
from tests.support import CHAPTER


def test_numbers_are_masked_but_names_holding_digits_are_not():
    assert stats.mask("rot180(a) of shape (2, 3): expected 1.5e-3, got -4\n  in ex5_2.py, line 12") \
        == "rot180(a) of shape (#, #): expected #, got # in ex5_2.py, line #"


def result(student, messages, message=""):
    ex = CHAPTER.exercise("ex5_7")
    cases = [CaseResult(c.name, c.points, c.hidden, m is None, m or "passed")
             for c, m in zip(ex.checks, messages + [None] * len(ex.checks))]
    return SubmissionResult(student, [ExerciseResult(ex.id, cases)], message=message)


def test_failures_group_by_masked_message_and_pass_rates_count():
    rs = [result("a", ["conv_forward(x): expected 1.0, got 2.0"]),
          result("b", ["conv_forward(x): expected 3.5, got 0"]),
          result("c", [])]
    first = next(c for c in stats.check_stats(rs, CHAPTER) if c.exercise_id == "ex5_7")
    assert (first.passed, first.total) == (1, 3)
    assert first.failures == [("conv_forward(x): expected #, got #", 2)]


def test_incidents_are_told_by_the_engines_words():
    rs = [result("t", ["timed out: the exercise used up its time (60 s) in conv_forward"]),
          result("m", ["MemoryError: ran out of memory (limit 1024 MB)"]),
          result("k", ["the process was killed (SIGKILL), possibly for running out of memory"]),
          result("s", ["the process crashed with a segmentation fault (SIGSEGV)"]),
          result("w", ["conv_forward(x): expected 1, got 2"]),
          result("z", [], message="the zip could not be read: it is not a zip file")]
    found = {(i.student, i.kind) for i in incidents.incidents(rs)}
    assert found == {("t", "timeout"), ("m", "memory"), ("k", "memory"), ("s", "crash"),
                     ("z", "upload")}


def test_published_answer_sets_are_read_as_code(tmp_path):
    (tmp_path / "a.md").write_text("# 解答\n\n说明文字。\n\n```python\ndef f(x):\n    return x\n```\n"
                                   "\n```text\nnot code\n```\n")
    (tmp_path / "b.ipynb").write_text(json.dumps({"cells": [
        {"cell_type": "markdown", "source": ["# title"]},
        {"cell_type": "code", "source": ["import numpy as np\n", "y = np.zeros(3)"]}]}))
    (tmp_path / "c.html").write_text("<p>讲解</p><pre><code>x = conv(a, b)\n</code></pre>"
                                     "<script>var tracker = 1;</script>")
    (tmp_path / "d.txt").write_text("以一个3×3的卷积核为例\nclass Conv2D(nn.Module):\ndef forward(self, x):\n"
                                    "return x\n这是一段说明。\n")
    (tmp_path / "e.png").write_bytes(b"\x89PNG")
    docs, notes = sources.read_references([tmp_path, tmp_path / "missing"])
    code = {d.label.split("/", 1)[1]: d.code for d in docs}
    assert code["a.md"] == "def f(x):\n    return x\n"
    assert code["b.ipynb"] == "import numpy as np\ny = np.zeros(3)"
    assert code["c.html"].strip() == "x = conv(a, b)"
    assert code["d.txt"] == "class Conv2D(nn.Module):\ndef forward(self, x):\nreturn x"
    assert sorted(code) == ["a.md", "b.ipynb", "c.html", "d.txt"]
    assert notes == [f"reference {tmp_path / 'missing'} does not exist; skipped"]


def test_a_histogram_is_inline_svg_with_its_own_ids():
    svg = charts.histogram([0, 2, 2, 10], 10, "ex5_2", "c7-")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert 'id="c7-' in svg and "<?xml" not in svg and 'href="http' not in svg
    assert 'id="' not in svg.replace('id="c7-', "")  # every id prefixed


def test_math_keeps_only_mathml_and_unreadable_latex_shows_as_source():
    out = math_html(r"\text{<b>bold</b>} \style{color:red}{x} \href{https://e.com}{y}", False)
    assert out.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"')
    assert "<b>" not in out and "style=" not in out and "href" not in out
    assert "bold" in out
    assert 'class="tex-error"' in math_html(r"\frac{1}{", True)
    page = to_html("Text $$a^2$$ and <em>raw</em>\n\n![x](data:image/png;base64,AAAA)")
    assert "<em>" not in page and "&lt;em&gt;" in page and "<img" not in page
    assert 'display="block"' in page


def test_the_fast_shares_are_copydetects_own_figures():
    import itertools

    from autograder.report import similarity as sim
    from tests.support import FIXTURES, ROOT

    files = sorted((ROOT / "examples" / "submissions").glob("*/ex5_*.py")) + \
        [FIXTURES / "ch5" / "seed" / "ex5_numpy_cnn.py"]
    prints = [sim._Indexed(sim.fingerprint(f.name, f.read_text(encoding="utf-8"))) for f in files]
    compared = 0
    for a, b in itertools.combinations(prints, 2):
        overlap, (sa, sb), _ = sim._compare(a.fp, b.fp)
        assert sim.shares(a, b) == (int(overlap), float(sa), float(sb))
        compared += overlap > 0
    assert compared > 20
