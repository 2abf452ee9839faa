"""The optional exercise "derive CNN backpropagation": the reference against the oracle and
numerical gradients, the public checks' literal values, the hidden shapes' coverage, the
reference's argument errors and vectorisation, and the checks run as the grading engine
would run them."""

from __future__ import annotations

import ast
from collections import Counter

import numpy as np
import pytest

from autograder.checks import oracle
from autograder.checks.gradcheck import (GRAD_REL_ERROR, distinct_values,
                                         numerical_gradient_array, rel_error)
from autograder.checks.runner import load_check_file, load_student_file, run_case
from tests.support import CALL_BUDGET, CHAPTER, check_file_globals, reference_path, remote_env

EXERCISE = CHAPTER.exercise("ex5_backprop")
MAX_GRAD_ELEMENTS = 300
"""Most elements one numerical gradient of a hidden check may perturb."""


@pytest.fixture(scope="module")
def ref():
    return load_student_file(reference_path(EXERCISE))


@pytest.fixture(scope="module")
def check_env():
    return check_file_globals(EXERCISE)


def _conv_shapes(seed, n):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        k, s, p = int(rng.choice([1, 2, 3, 5])), int(rng.integers(1, 4)), int(rng.integers(0, 3))
        h, w = int(rng.integers(max(1, k - 2 * p), 9)), int(rng.integers(max(1, k - 2 * p), 9))
        nb, c, f = (int(v) for v in rng.integers(1, 4, size=3))
        yield (rng.standard_normal((nb, c, h, w)), rng.standard_normal((f, c, k, k)),
               rng.standard_normal(f), s, p, rng)


def test_reference_conv_agrees_with_oracle_and_numerical_gradients(ref):
    for x, w, b, s, p, rng in _conv_shapes(0, 15):
        out, cache = ref["conv_forward"](x, w, b, {"stride": s, "pad": p})
        np.testing.assert_allclose(out, oracle.conv2d(x, w, b, s, p), rtol=1e-10, atol=1e-10)
        dout = rng.standard_normal(out.shape)
        dx, dw, db = ref["conv_backward"](dout, cache)
        for got, arr, f in [(dx, x, lambda v: oracle.conv2d(v, w, b, s, p)),
                            (dw, w, lambda v: oracle.conv2d(x, v, b, s, p)),
                            (db, b, lambda v: oracle.conv2d(x, w, v, s, p))]:
            assert rel_error(got, numerical_gradient_array(f, arr, dout)) <= GRAD_REL_ERROR


def test_reference_pool_agrees_with_oracle_and_numerical_gradients(ref):
    rng = np.random.default_rng(1)
    for _ in range(25):
        k, s = int(rng.integers(1, 5)), int(rng.integers(1, 4))
        shape = (int(rng.integers(1, 3)), int(rng.integers(1, 3)),
                 int(rng.integers(k, 9)), int(rng.integers(k, 9)))
        for mode in ("max", "avg"):
            x = distinct_values(shape, rng)
            out, cache = ref["pool_forward"](x, {"mode": mode, "size": k, "stride": s})
            np.testing.assert_allclose(out, oracle.pool2d(x, mode, k, s), rtol=1e-12)
            dout = rng.standard_normal(out.shape)
            numeric = numerical_gradient_array(lambda v: oracle.pool2d(v, mode, k, s), x, dout)
            assert rel_error(ref["pool_backward"](dout, cache), numeric) <= GRAD_REL_ERROR


def test_reference_max_pool_gives_a_tied_window_gradient_once(ref):
    x = np.ones((1, 1, 2, 2))
    out, cache = ref["pool_forward"](x, {"mode": "max", "size": 2, "stride": 2})
    dx = ref["pool_backward"](np.full((1, 1, 1, 1), 3.0), cache)
    assert dx.sum() == 3.0 and np.count_nonzero(dx) == 1


def test_public_literals_are_what_the_oracle_computes(check_env):
    e = check_env
    np.testing.assert_array_equal(oracle.conv2d(e["X_CONV_A"], e["W_CONV_A"], e["B_CONV_A"], 1, 0),
                                  e["OUT_CONV_A"])
    np.testing.assert_array_equal(oracle.conv2d(e["X_CONV_B"], e["W_CONV_B"], e["B_CONV_B"], 2, 1),
                                  e["OUT_CONV_B"])
    for i, size in [(1, 2), (2, 3)]:
        x, dout = e[f"X_POOL_{i}"], e[f"DOUT_POOL_{i}"]
        assert np.unique(x).size == x.size  # max pooling is differentiable there
        for mode, tag in [("max", "MAX"), ("avg", "AVG")]:
            np.testing.assert_allclose(oracle.pool2d(x, mode, size, 2), e[f"{tag}_POOL_{i}"],
                                       rtol=1e-14)
            numeric = numerical_gradient_array(lambda v: oracle.pool2d(v, mode, size, 2), x, dout)
            np.testing.assert_allclose(e[f"{tag}_DX_POOL_{i}"], numeric, atol=1e-9)
    np.testing.assert_array_equal(np.maximum(e["X_RELU"], 0), e["OUT_RELU"])
    np.testing.assert_array_equal(e["DOUT_RELU"] * (e["X_RELU"] > 0), e["DX_RELU"])
    # the derivative at 0 is asked for, and is 0 (the docstring): one input is exactly 0
    zero = e["X_RELU"] == 0
    assert zero.sum() == 1 and e["DOUT_RELU"][zero] != 0 and e["DX_RELU"][zero] == 0
    np.testing.assert_array_equal(oracle.conv2d(e["X_CONV_C"], e["W_CONV_C"], e["B_CONV_C"], 2, 1),
                                  e["OUT_CONV_C"])


def _first_maximum_dx(x, k, s, dout):
    """Max pooling's input gradient, each window's to its first maximum in row-major order."""
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = x[0, 0, i * s:i * s + k, j * s:j * s + k]
            r, c = divmod(int(np.argmax(window)), k)  # np.argmax: the first maximum
            dx[0, 0, i * s + r, j * s + c] += dout[0, 0, i, j]
    return dx


@pytest.mark.parametrize("i,size", [(3, 2), (4, 3)])
def test_tied_pool_literals_give_the_first_maximum_the_gradient(check_env, i, size):
    e = check_env
    x, dout = e[f"X_POOL_{i}"], e[f"DOUT_POOL_{i}"]
    np.testing.assert_array_equal(oracle.pool2d(x, "max", size, 2), e[f"MAX_POOL_{i}"])
    np.testing.assert_array_equal(_first_maximum_dx(x, size, 2, dout), e[f"MAX_DX_POOL_{i}"])
    windows = np.lib.stride_tricks.sliding_window_view(x[0, 0], (size, size))[::2, ::2]
    maxima = windows.max(axis=(2, 3), keepdims=True)
    assert ((windows == maxima).sum(axis=(2, 3)) > 1).all()  # every window has a tie


def test_hidden_shapes_cover_what_the_exercise_promises(check_env):
    conv, pool = check_env["CONV_SHAPES"], check_env["POOL_SHAPES"]
    assert {1, 2, 3, 5} <= {k for *_, k, s, p in conv}
    assert any(p > 0 for *_, p in conv) and any(s == 2 for *_, s, p in conv)
    assert any((h + 2 * p - k) % s for _, _, h, _, _, k, s, p in conv)       # a remainder
    assert any(s < k for *_, k, s in pool)                                   # overlapping
    assert any(s > k for *_, k, s in pool)                                   # gaps
    assert any((h - k) % s or (w - k) % s for _, _, h, w, k, s in pool)      # does not tile
    for n, c, h, w, f, k, s, p in conv:
        assert n * c * h * w <= MAX_GRAD_ELEMENTS and f * c * k * k <= MAX_GRAD_ELEMENTS
    for n, c, h, w, k, s in pool:
        assert n * c * h * w <= MAX_GRAD_ELEMENTS


@pytest.mark.parametrize("call,words", [
    (lambda f: f["conv_forward"](np.zeros((1, 2, 4, 4)), np.zeros((3, 1, 3, 3)), np.zeros(3),
                                 {"stride": 1, "pad": 0}), ["(1, 2, 4, 4)", "(3, 1, 3, 3)"]),
    (lambda f: f["conv_forward"](np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 5, 5)), np.zeros(1),
                                 {"stride": 1, "pad": 1}), ["5x5", "(4, 4)"]),
    (lambda f: f["conv_forward"](np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), np.zeros(1),
                                 {"stride": 0, "pad": 0}), ["stride", "0"]),
    (lambda f: f["conv_forward"](np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), np.zeros(1),
                                 {"stride": 1}), ["pad"]),
    (lambda f: f["pool_forward"](np.zeros((1, 1, 4, 4)), {"mode": "min", "size": 2, "stride": 2}),
     ["min"]),
    (lambda f: f["pool_forward"](np.zeros((1, 1, 2, 4)), {"mode": "max", "size": 3, "stride": 1}),
     ["3", "(1, 1, 2, 4)"]),
    (lambda f: f["conv_backward"](np.zeros((1, 1, 3, 3)), f["conv_forward"](
        np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), np.zeros(1), {"stride": 1, "pad": 0})[1]),
     ["(1, 1, 2, 2)", "(1, 1, 3, 3)"]),
    (lambda f: f["relu_backward"](np.zeros(3), f["relu_forward"](np.zeros(4))[1]), ["(4,)", "(3,)"]),
])
def test_reference_rejects_bad_arguments_with_the_numbers(ref, call, words):
    with pytest.raises(ValueError) as info:
        call(ref)
    for word in words:
        assert word in str(info.value)


def _loops(source: str, name: str) -> list[ast.AST]:
    fn = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == name)
    return [n for n in ast.walk(fn)
            if isinstance(n, (ast.For, ast.While, ast.comprehension, ast.AsyncFor))]


def test_reference_is_vectorised():
    source = reference_path(EXERCISE).read_text(encoding="utf-8")
    for name in ("conv_forward", "conv_backward", "pool_forward", "relu_forward", "relu_backward"):
        assert not _loops(source, name), f"{name} has a Python loop"
    # pool_backward: one loop per window offset, over range(k), nothing else
    loops = _loops(source, "pool_backward")
    assert len(loops) == 2
    for loop in loops:
        assert ast.unparse(loop.iter) == "range(k)"


def test_reference_handles_a_real_batch(ref):
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((32, 8, 16, 16)), rng.standard_normal((16, 8, 3, 3)), np.zeros(16)
    out, cache = ref["conv_forward"](x, w, b, {"stride": 1, "pad": 1})
    dx, dw, db = ref["conv_backward"](np.ones_like(out), cache)
    assert out.shape == (32, 16, 16, 16) and dx.shape == x.shape and dw.shape == w.shape


def test_checks_pass_when_every_call_crosses_a_process_boundary(ref):
    calls: Counter = Counter()
    env = remote_env(ref, calls)
    for case in load_check_file(EXERCISE.check_file).cases:
        calls.clear()
        result = run_case(case, env)
        assert result.passed, f"{case.name}: {result.message}"
        assert 0 < sum(calls.values()) <= CALL_BUDGET, (case.name, calls)
