"""The side-by-side view marks the code two students share, not the stub's docstrings and
comments everyone starts from."""

from __future__ import annotations

import re

import numpy as np

from autograder.report import similarity
from tests.support import CHAPTER

SHARED = """
    out = np.zeros((h - kh + 1, w - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            acc = 0.0
            for u in range(kh):
                for v in range(kw):
                    acc += kernel[u, v] * image[i + u, j + v]
            out[i, j] = acc + 0.5 * i - 0.25 * j
    return out
"""


def filled(stub: str) -> str:
    """The stub with every TODO block filled with the same code (two students alike)."""
    counter = iter(range(1000))

    def body(m: re.Match) -> str:
        indent = m.group(1)
        lines = [f"x_{next(counter)} = np.zeros((3, 3))", "for i in range(3):",
                 "    for j in range(3):", "        x_0[i, j] += i * j - 0.5", "return x_0"]
        return "".join(f"{indent}{line}\n" for line in lines)

    return re.sub(r"( *)raise NotImplementedError\(.*?\)\n", body, stub, flags=re.S)


def marked_text(html: str) -> str:
    return "".join(re.findall(r"<mark>(.*?)</mark>", html, re.S))


def test_the_stubs_docstrings_are_not_marked_but_the_shared_code_is():
    ex = CHAPTER.exercise("ex5_2")
    stub = similarity.stub_code(CHAPTER, ex.code)
    docstrings = [m for m in re.findall(r'"""(.*?)"""', stub, re.S) if len(m) > 40]
    assert docstrings
    code = filled(stub) + "\n\ndef mine(image, kernel, h, w, kh, kw):\n" + SHARED
    boiler = np.array(sorted(similarity.fingerprint("stub", stub).hashes))
    a = similarity.fingerprint("a", code, boiler)
    b = similarity.fingerprint("b", code + "\n# b's own\n", boiler)
    _, _, (sa, _) = similarity._compare(a, b)
    before = marked_text(similarity._marked(a, sa))
    after = marked_text(similarity._marked(a, sa, stub))
    assert "acc += kernel[u, v]" in after  # the shared code is still marked
    for d in docstrings:
        first = d.strip().splitlines()[0]
        assert first not in after, first
    assert any(d.strip().splitlines()[0] in before for d in docstrings)  # marked before
    assert len(after) < len(before)


def test_unmark_cuts_ranges_out_of_slices():
    slices = np.array([[0, 50], [40, 90]])
    got = similarity.unmark(slices, [(10, 20), (45, 60), (85, 200)])
    assert got.tolist() == [[0, 20, 60], [10, 40, 85]]
    assert similarity.unmark(np.array([[0], [5]]), [(0, 5)]).shape == (2, 0)
