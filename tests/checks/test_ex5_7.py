"""Exercise 5-7: the reference against the oracle, the public checks' literal values, the
reference's argument errors, and the checks run as the grading engine would run them."""

from __future__ import annotations

import ast
from collections import Counter

import numpy as np
import pytest

from autograder.checks import oracle
from autograder.checks.runner import load_check_file, load_student_file, run_case
from tests.support import CALL_BUDGET, CHAPTER, check_file_globals, reference_path, remote_env

EXERCISE = CHAPTER.exercise("ex5_7")


@pytest.fixture(scope="module")
def ref():
    return load_student_file(reference_path(EXERCISE))


@pytest.fixture(scope="module")
def check_env():
    return check_file_globals(EXERCISE)


def _shapes(seed, n):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        h, w = int(rng.integers(1, 12)), int(rng.integers(1, 12))
        u, v = int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1))
        yield rng.standard_normal((h, w)), rng.standard_normal((u, v)), int(rng.integers(1, 5))


def test_reference_agrees_with_the_oracle_on_random_shapes(ref):
    for x, w, s in _shapes(0, 60):
        y = oracle.xcorr2d(x, w, s)
        c = oracle.xcorr2d_matrix(w, x.shape, s)
        np.testing.assert_allclose(ref["conv_forward"](x, w, s), y, atol=1e-12)
        np.testing.assert_allclose(ref["conv_matrix"](w, x.shape, s), c, atol=0)
        delta = np.random.default_rng(1).standard_normal(y.shape)
        np.testing.assert_allclose(ref["conv_backward_input"](delta, w, x.shape, s),
                                   (c.T @ delta.ravel()).reshape(x.shape), atol=1e-12)


def test_public_literals_are_what_the_oracle_computes(check_env):
    e = check_env
    np.testing.assert_array_equal(oracle.xcorr2d(e["X_BOOK"], e["W_BOOK"]), e["Y_BOOK"])
    np.testing.assert_array_equal(oracle.xcorr2d_matrix(e["W_BOOK"], (4, 4)), e["C_BOOK"])
    np.testing.assert_array_equal(oracle.xcorr2d_matrix(e["W_SMALL"], (4, 5), 2), e["C_SMALL"])
    np.testing.assert_array_equal(oracle.xcorr2d(e["X_STRIDE"], e["W_STRIDE"], 2), e["Y_STRIDE"])
    c = oracle.xcorr2d_matrix(e["W_STRIDE"], e["X_STRIDE"].shape, 2)
    np.testing.assert_array_equal((c.T @ e["DELTA_STRIDE"].ravel()).reshape(5, 6), e["DX_STRIDE"])
    # the stride case leaves a remainder: the last row and column get no gradient
    assert not e["DX_STRIDE"][-1].any() and not e["DX_STRIDE"][:, -1].any()


def test_hidden_shapes_cover_strides_remainders_and_non_square_kernels(check_env):
    shapes = check_env["HIDDEN_SHAPES"]
    assert {2, 3} <= {s for *_, s in shapes}
    assert any(u != v for _, _, u, v, _ in shapes)
    assert any((h - u) % s or (w - v) % s for h, w, u, v, s in shapes)


@pytest.mark.parametrize("call,words", [
    (lambda f: f["conv_forward"](np.zeros((4, 4)), np.ones((3, 3)), 0), ["stride", "0"]),
    (lambda f: f["conv_forward"](np.zeros((4, 4)), np.ones((3, 3)), 1.5), ["stride", "1.5"]),
    (lambda f: f["conv_forward"](np.zeros((2, 4)), np.ones((3, 3))), ["(3, 3)", "(2, 4)"]),
    (lambda f: f["conv_forward"](np.zeros((1, 4, 4)), np.ones((3, 3))), ["2-D", "(1, 4, 4)"]),
    (lambda f: f["conv_matrix"](np.ones((5, 1)), (4, 4), 1), ["(5, 1)", "(4, 4)"]),
    (lambda f: f["conv_backward_input"](np.ones((3, 3)), np.ones((3, 3)), (6, 6), 2),
     ["(2, 2)", "(3, 3)"]),
])
def test_reference_rejects_bad_arguments_with_the_numbers(ref, call, words):
    with pytest.raises(ValueError) as info:
        call(ref)
    for word in words:
        assert word in str(info.value)


def test_reference_backward_never_builds_the_matrix(ref):
    tree = ast.parse(reference_path(EXERCISE).read_text(encoding="utf-8"))
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "conv_backward_input")
    assert "conv_matrix" not in {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
    # a dense C for this input would hold 296**2 * 300**2 ~ 7.9e9 entries (63 GB)
    rng = np.random.default_rng(2)
    dx = ref["conv_backward_input"](rng.standard_normal((296, 296)), rng.standard_normal((5, 5)),
                                    (300, 300), 1)
    assert dx.shape == (300, 300)


def test_checks_pass_when_every_call_crosses_a_process_boundary(ref):
    calls: Counter = Counter()
    env = remote_env(ref, calls)
    for case in load_check_file(EXERCISE.check_file).cases:
        calls.clear()
        result = run_case(case, env)
        assert result.passed, f"{case.name}: {result.message}"
        assert 0 < sum(calls.values()) <= CALL_BUDGET, (case.name, calls)
