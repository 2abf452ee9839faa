"""Checks for the optional exercise "derive CNN backpropagation", Otter exception format.

Public checks: literal forward values, pooling (ties within a window included: the first
maximum in row-major order gets the gradient) and ReLU (an input of exactly 0 included: its
derivative is taken to be 0) with literal gradients, the convolution's gradients against
centred numerical gradients of the student's own forward pass, whose values at that point
are pinned to literals first (a forward that returns zeros makes zero gradients look right),
the documented ValueErrors, and a vectorisation budget: the convolution on a large input
within a stated CPU time (see ``autograder.checks.timing``). Hidden checks: seeded random
inputs on shapes with padding, strides 2 and 3, kernel sizes 1, 2, 3 and 5, overlapping
pools, windows with gaps and inputs that do not tile; forward values against
``autograder.checks.oracle`` and every gradient (dx, dw, db separately) against the numerical
gradient of the oracle's forward pass, so that a wrong forward pass does not cost the
backward checks. The oracle is imported inside the hidden checks only (it does not ship with
the public checks). Hidden max-pool inputs come from ``gradcheck.distinct_values``: no two
values of a window are within the step ``H``.
"""

import numpy as np

from autograder.checks.cases import check
from autograder.checks.compare import (as_array, assert_close, assert_grad, describe,
                                       expect_value_error)
from autograder.checks.gradcheck import distinct_values, numerical_gradient_array
from autograder.checks.timing import UNITS, assert_vectorised, side

OK_FORMAT = False

name = "ex5_backprop"

# --- public literals -------------------------------------------------------------------

# conv A: one channel, 4x4 input, a 3x3 kernel that is not symmetric, stride 1, no pad
X_CONV_A = np.array([[[[-3.0, 2.0, 0.0, -2.0],
                       [3.0, 1.0, -1.0, -3.0],
                       [2.0, 0.0, -2.0, 3.0],
                       [1.0, -1.0, -3.0, 2.0]]]])
W_CONV_A = np.array([[[[1.0, 2.0, 0.0],
                       [0.0, -1.0, 3.0],
                       [1.0, 0.0, 0.0]]]])
B_CONV_A = np.array([0.5])
OUT_CONV_A = np.array([[[[-0.5, -5.5],
                         [0.5, 9.5]]]])

# conv B: two channels in, two out, 5x5 input, stride 2, pad 1
X_CONV_B = np.arange(50.0).reshape(1, 2, 5, 5) * 3 % 7 - 3
W_CONV_B = np.arange(36.0).reshape(2, 2, 3, 3) * 5 % 11 - 5
B_CONV_B = np.array([1.0, -2.0])
OUT_CONV_B = np.array([[[[0.0, 21.0, -9.0],
                         [4.0, 42.0, 13.0],
                         [12.0, -25.0, -28.0]],
                        [[4.0, -25.0, -12.0],
                         [36.0, 21.0, 29.0],
                         [-22.0, -22.0, 19.0]]]])

# pool 1: 2x2 windows, stride 2, on a 5x5 input (the last row and column are dropped)
X_POOL_1 = np.array([[[[3.0, 12.0, -4.0, 7.0, 0.0],
                       [9.0, -1.0, 5.0, 2.0, 8.0],
                       [-6.0, 10.0, 1.0, -8.0, 4.0],
                       [6.0, -2.0, 11.0, -5.0, -7.0],
                       [13.0, -3.0, -9.0, 14.0, -10.0]]]])
DOUT_POOL_1 = np.array([[[[1.0, -2.0],
                          [3.0, 0.5]]]])
MAX_POOL_1 = np.array([[[[12.0, 7.0],
                         [10.0, 11.0]]]])
MAX_DX_POOL_1 = np.array([[[[0.0, 1.0, 0.0, -2.0, 0.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0],
                            [0.0, 3.0, 0.0, 0.0, 0.0],
                            [0.0, 0.0, 0.5, 0.0, 0.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0]]]])
AVG_POOL_1 = np.array([[[[5.75, 2.5],
                         [2.0, -0.25]]]])
AVG_DX_POOL_1 = np.array([[[[0.25, 0.25, -0.5, -0.5, 0.0],
                            [0.25, 0.25, -0.5, -0.5, 0.0],
                            [0.75, 0.75, 0.125, 0.125, 0.0],
                            [0.75, 0.75, 0.125, 0.125, 0.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0]]]])

# pool 2: 3x3 windows, stride 2, on a 5x5 input: the four windows overlap, and the centre
# (the largest value, 20) lies in all of them
X_POOL_2 = np.array([[[[3.0, -5.0, 7.0, 1.0, -2.0],
                       [4.0, 8.0, -6.0, 9.0, 0.0],
                       [-1.0, 6.0, 20.0, 2.0, 5.0],
                       [10.0, -3.0, 11.0, -4.0, -7.0],
                       [12.0, -8.0, -9.0, 13.0, -10.0]]]])
DOUT_POOL_2 = np.array([[[[1.0, 2.0],
                          [3.0, 4.0]]]])
MAX_POOL_2 = np.array([[[[20.0, 20.0],
                         [20.0, 20.0]]]])
MAX_DX_POOL_2 = np.array([[[[0.0, 0.0, 0.0, 0.0, 0.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0],
                            [0.0, 0.0, 10.0, 0.0, 0.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0]]]])
AVG_POOL_2 = np.array([[[[36.0, 36.0],
                         [38.0, 21.0]]]]) / 9
AVG_DX_POOL_2 = np.array([[[[1.0, 1.0, 3.0, 2.0, 2.0],
                            [1.0, 1.0, 3.0, 2.0, 2.0],
                            [4.0, 4.0, 10.0, 6.0, 6.0],
                            [3.0, 3.0, 7.0, 4.0, 4.0],
                            [3.0, 3.0, 7.0, 4.0, 4.0]]]]) / 9

# pool 3: ties within windows; the first maximum in row-major order gets the gradient.
# 2x2 windows, stride 2: [[5, 5], [1, 0]], [[2, 7], [7, 1]], all 3s, [[-1, 4], [0, 4]].
X_POOL_3 = np.array([[[[5.0, 5.0, 2.0, 7.0],
                       [1.0, 0.0, 7.0, 1.0],
                       [3.0, 3.0, -1.0, 4.0],
                       [3.0, 3.0, 0.0, 4.0]]]])
DOUT_POOL_3 = np.array([[[[1.0, -2.0],
                          [3.0, 0.5]]]])
MAX_POOL_3 = np.array([[[[5.0, 7.0],
                         [3.0, 4.0]]]])
MAX_DX_POOL_3 = np.array([[[[1.0, 0.0, 0.0, -2.0],
                            [0.0, 0.0, 0.0, 0.0],
                            [3.0, 0.0, 0.0, 0.5],
                            [0.0, 0.0, 0.0, 0.0]]]])
# pool 4: 3x3 windows, stride 2, overlapping, each with a tied maximum 6 (the centre 6 is the
# first maximum of two windows, which add their gradients there: 3 + 4)
X_POOL_4 = np.array([[[[1.0, 6.0, 6.0, 0.0, 2.0],
                       [6.0, 2.0, 3.0, 2.0, 2.0],
                       [0.0, 1.0, 6.0, -1.0, 2.0],
                       [4.0, 4.0, 1.0, 2.0, 0.0],
                       [6.0, 0.0, -2.0, 2.0, 6.0]]]])
DOUT_POOL_4 = np.array([[[[1.0, 2.0],
                          [3.0, 4.0]]]])
MAX_POOL_4 = np.full((1, 1, 2, 2), 6.0)
MAX_DX_POOL_4 = np.array([[[[0.0, 1.0, 2.0, 0.0, 0.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0],
                            [0.0, 0.0, 7.0, 0.0, 0.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0],
                            [0.0, 0.0, 0.0, 0.0, 0.0]]]])

# ReLU: one input is exactly 0, where the derivative is taken to be 0
X_RELU = np.array([[[[-2.0, -0.5, 0.5],
                     [3.0, 0.0, 0.25]]]])
DOUT_RELU = np.array([[[[1.0, 2.0, -3.0],
                        [4.0, 5.0, 6.0]]]])
OUT_RELU = np.array([[[[0.0, 0.0, 0.5],
                       [3.0, 0.0, 0.25]]]])
DX_RELU = np.array([[[[0.0, 0.0, -3.0],
                      [4.0, 0.0, 6.0]]]])

# conv C: the public gradient check's input, two images, stride 2 and pad 1 on a 6x5 input
# (the padded 8x7 leaves a remainder row); integers, so that the forward value is a literal.
X_CONV_C = np.arange(120.0).reshape(2, 2, 6, 5) * 7 % 11 - 5
W_CONV_C = np.arange(54.0).reshape(3, 2, 3, 3) * 5 % 7 - 3
B_CONV_C = np.array([1.0, -2.0, 0.5])
OUT_CONV_C = np.array([[[[-10.0, 19.0, -24.0], [13.0, -27.0, 48.0], [-20.0, 5.0, -1.0]],
                        [[-13.0, -24.0, -9.0], [-3.0, 18.0, -2.0], [5.0, -26.0, -10.0]],
                        [[24.5, -33.5, 25.5], [-20.5, -1.5, 23.5], [28.5, 32.5, -20.5]]],
                       [[[-16.0, -9.0, -4.0], [-20.0, 33.0, 29.0], [24.0, -1.0, -20.0]],
                        [[15.0, -15.0, 31.0], [-10.0, -26.0, 5.0], [-2.0, 18.0, -3.0]],
                        [[-4.5, 12.5, 8.5], [-1.5, 4.5, -20.5], [47.5, -27.5, 12.5]]]])

# --- vectorisation ----------------------------------------------------------------------

VECTOR_REGIMES = (
    ("image", "the batch", lambda n: ((n, 1, 1, 1), (1, 1, 1, 1))),
    ("input channel", "the input channels", lambda n: ((1, n, 1, 1), (1, n, 1, 1))),
    ("kernel", "the kernels (output channels)", lambda n: ((1, 1, 1, 1), (n, 1, 1, 1))),
    ("output pixel", "the output pixels", lambda n: ((1, 1, side(n), side(n)), (1, 1, 1, 1))),
)
"""The vectorisation check's inputs, ``(unit, dimension, n -> (x's shape, w's shape))``: each
grows one dimension a loop must not run over from ``timing.UNITS[0]`` to ``UNITS[1]``, with a
1x1 kernel on 1x1 images (a square image of n pixels for the pixels), so that a loop over that dimension
costs far more than the arithmetic (``timing.PER_UNIT_BUDGET`` says what was measured)."""

# --- hidden shapes ----------------------------------------------------------------------

# (N, C, H, W, F, K, stride, pad): "same" padding; stride 2 with a remainder column; K = 5
# with pad 2 and stride 2 (a remainder row and column of the padded input); 1x1 kernels;
# K = 2 with stride 3 and pad 1 (remainders); a pad of 2 around a 3x3 input, so that some
# windows lie mostly in the padding; a pad of 3 with K = 2 (pad >= K, which the docstring
# allows: some windows lie wholly in the padding).
CONV_SHAPES = [(2, 2, 5, 5, 3, 3, 1, 1), (2, 3, 7, 6, 2, 3, 2, 0), (1, 2, 6, 6, 2, 5, 2, 2),
               (2, 1, 4, 5, 3, 1, 1, 0), (1, 2, 5, 4, 2, 2, 3, 1), (1, 1, 3, 3, 2, 3, 2, 2),
               (1, 2, 3, 2, 2, 2, 1, 3)]

# (N, C, H, W, size, stride): tiling 2/2; overlapping 3/2; overlapping 3/2 with a remainder
# row; 2/3 with gaps between the windows and a remainder column; 3/1, heavy overlap;
# 4/2, windows as tall as the input.
POOL_SHAPES = [(2, 2, 4, 4, 2, 2), (1, 2, 5, 5, 3, 2), (2, 1, 6, 7, 3, 2), (1, 3, 5, 6, 2, 3),
               (1, 1, 7, 7, 3, 1), (1, 2, 4, 6, 4, 2)]


def _conv_cases(seed):
    """(x, w, b, conv_param) for every hidden convolution shape, from ``seed``."""
    rng = np.random.default_rng(seed)
    for n, c, h, wd, f, k, s, p in CONV_SHAPES:
        yield (rng.standard_normal((n, c, h, wd)), rng.standard_normal((f, c, k, k)),
               rng.standard_normal(f), {"stride": s, "pad": p})


def _pool_cases(seed, mode):
    """(x, pool_param) for every hidden pooling shape, from ``seed``; values pairwise apart."""
    rng = np.random.default_rng(seed)
    for n, c, h, wd, k, s in POOL_SHAPES:
        yield distinct_values((n, c, h, wd), rng), {"mode": mode, "size": k, "stride": s}


def _conv_out_shape(x, w, param):
    s, p, k = param["stride"], param["pad"], w.shape[2]
    return (x.shape[0], w.shape[0], (x.shape[2] + 2 * p - k) // s + 1,
            (x.shape[3] + 2 * p - k) // s + 1)


def _pool_out_shape(x, param):
    k, s = param["size"], param["stride"]
    return x.shape[:2] + ((x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1)


def _tuple(got, n, what, names):
    """``got`` as a tuple of ``n`` values, or an AssertionError saying what came back."""
    if not isinstance(got, (tuple, list)) or len(got) != n:
        if isinstance(got, (tuple, list)):
            found = f"a {type(got).__name__} of length {len(got)}"
        else:
            found = describe(got)
        raise AssertionError(f"{what}: expected a tuple {names}, got {found}")
    return tuple(got)


def _conv_call(x, w, param):
    return (f"conv_forward(x, w, b, {param}) for x of shape {x.shape} and w of shape {w.shape}")


def _pool_call(x, param):
    return f"pool_forward(x, {param}) for x of shape {x.shape}"


def _conv(conv_forward, x, w, b, param):
    """The student's (out, cache), after checking the pair and out's shape."""
    what = _conv_call(x, w, param)
    out, cache = _tuple(conv_forward(x.copy(), w.copy(), b.copy(), dict(param)), 2, what,
                        "(out, cache)")
    return as_array(out, what=what, shape=_conv_out_shape(x, w, param)), cache


def _conv_grads(conv_forward, conv_backward, x, w, b, param, dout):
    """The student's (dx, dw, db) for ``dout``, and the text naming the call."""
    _, cache = _conv(conv_forward, x, w, b, param)
    what = f"conv_backward(dout, cache) after {_conv_call(x, w, param)}"
    return _tuple(conv_backward(dout.copy(), cache), 3, what, "(dx, dw, db)"), what


def _pool(pool_forward, x, param):
    what = _pool_call(x, param)
    out, cache = _tuple(pool_forward(x.copy(), dict(param)), 2, what, "(out, cache)")
    return as_array(out, what=what, shape=_pool_out_shape(x, param)), cache


def _relu(relu_forward, x):
    what = f"relu_forward(x) for x of shape {x.shape}"
    out, cache = _tuple(relu_forward(x.copy()), 2, what, "(out, cache)")
    return as_array(out, what=what, shape=x.shape), cache


# --- public -----------------------------------------------------------------------------

@check(points=2)
def test_conv_forward_public(conv_forward):
    for x, w, b, param, expected in [
            (X_CONV_A, W_CONV_A, B_CONV_A, {"stride": 1, "pad": 0}, OUT_CONV_A),
            (X_CONV_B, W_CONV_B, B_CONV_B, {"stride": 2, "pad": 1}, OUT_CONV_B)]:
        out, _ = _conv(conv_forward, x, w, b, param)
        assert_close(out, expected, what=_conv_call(x, w, param))


@check(points=2)
def test_conv_backward_public(conv_forward, conv_backward):
    rng = np.random.default_rng(5800)
    param = {"stride": 2, "pad": 1}   # a 6x5 input: the padded 8x7 leaves a remainder row
    x, w, b = X_CONV_C, W_CONV_C, B_CONV_C
    dout = rng.standard_normal(_conv_out_shape(x, w, param))
    # The gradients are checked against your forward: first, your forward must be right here.
    out, _ = _conv(conv_forward, x, w, b, param)
    assert_close(out, OUT_CONV_C, what=_conv_call(x, w, param) + " (the gradients below are "
                 "checked against your conv_forward, which must first be right at this input)")
    (dx, dw, db), what = _conv_grads(conv_forward, conv_backward, x, w, b, param, dout)
    own = "against the numerical gradient of your conv_forward"
    assert_grad(dx, numerical_gradient_array(lambda v: _conv(conv_forward, v, w, b, param)[0], x, dout),
                what=f"dx of {what}, {own}")
    assert_grad(dw, numerical_gradient_array(lambda v: _conv(conv_forward, x, v, b, param)[0], w, dout),
                what=f"dw of {what}, {own}")
    assert_grad(db, numerical_gradient_array(lambda v: _conv(conv_forward, x, w, v, param)[0], b, dout),
                what=f"db of {what}, {own}")


def _check_pools(pool_forward, pool_backward, mode, cases):
    for x, size, dout, out_expected, dx_expected, note in cases:
        param = {"mode": mode, "size": size, "stride": 2}
        out, cache = _pool(pool_forward, x, param)
        assert_close(out, out_expected, what=_pool_call(x, param))
        assert_close(pool_backward(dout.copy(), cache), dx_expected,
                     what=f"pool_backward(dout, cache) after {_pool_call(x, param)} ({note})")


@check(points=1)
def test_maxpool_public(pool_forward, pool_backward):
    _check_pools(pool_forward, pool_backward, "max", [
        (X_POOL_1, 2, DOUT_POOL_1, MAX_POOL_1, MAX_DX_POOL_1,
         "the last row and column lie in no window"),
        (X_POOL_2, 3, DOUT_POOL_2, MAX_POOL_2, MAX_DX_POOL_2,
         "the centre is the maximum of all four overlapping windows: 1+2+3+4")])


@check(points=1)
def test_avgpool_public(pool_forward, pool_backward):
    _check_pools(pool_forward, pool_backward, "avg", [
        (X_POOL_1, 2, DOUT_POOL_1, AVG_POOL_1, AVG_DX_POOL_1,
         "each window's gradient is divided by 2*2"),
        (X_POOL_2, 3, DOUT_POOL_2, AVG_POOL_2, AVG_DX_POOL_2,
         "overlapping windows add their shares, each divided by 3*3")])


# A 2x2 window whose values differ by 2**-40: the maximum is x[0, 1]; a float32 copy or
# np.isclose against the maximum takes x[0, 0] for it.
X_POOL_NEAR = np.array([[[[1.0, 1.0 + 2.0 ** -40], [1.0 - 2.0 ** -40, 0.5]]]])
DOUT_POOL_NEAR = np.array([[[[3.0]]]])
DX_POOL_NEAR = np.array([[[[0.0, 3.0], [0.0, 0.0]]]])


@check(points=0.5)
def test_maxpool_ties_public(pool_forward, pool_backward):
    _check_pools(pool_forward, pool_backward, "max", [
        (X_POOL_3, 2, DOUT_POOL_3, MAX_POOL_3, MAX_DX_POOL_3,
         "windows with tied maxima: only the first maximum in row-major order gets the gradient"),
        (X_POOL_4, 3, DOUT_POOL_4, MAX_POOL_4, MAX_DX_POOL_4,
         "overlapping windows, each with a tied maximum 6: only its first 6 in row-major order "
         "gets the window's gradient"),
        (X_POOL_NEAR, 2, DOUT_POOL_NEAR, X_POOL_NEAR[:, :, :1, 1:], DX_POOL_NEAR,
         "a window whose values differ by 2**-40 (equal in float32, close for np.isclose): "
         "only the true maximum gets the gradient")])


@check(points=1)
def test_relu_public(relu_forward, relu_backward):
    out, cache = _relu(relu_forward, X_RELU)
    assert_close(out, OUT_RELU, what="relu_forward(x)")
    assert_close(relu_backward(DOUT_RELU.copy(), cache), DX_RELU,
                 what="relu_backward(dout, cache): dout where x > 0, 0 where x <= 0 (the "
                      "derivative at x = 0 is taken to be 0)")


@check(points=0.5)
def test_conv_errors(conv_forward, conv_backward):
    ok = {"stride": 1, "pad": 0}
    x, w, b = np.zeros((1, 1, 4, 4)), np.zeros((1, 1, 3, 3)), np.zeros(1)
    for args, why, shows in [
            ((np.zeros((1, 2, 4, 4)), np.zeros((3, 1, 3, 3)), np.zeros(3), ok),
             "w has 1 input channel, x has 2", ("(1, 2, 4, 4)", "(3, 1, 3, 3)")),
            ((np.zeros((2, 4, 4)), w, b, ok), "x is not 4-D", ("(2, 4, 4)",)),
            ((x, w, np.zeros(2), ok), "b is not (F,) = (1,)", ("(2,)",)),
            ((np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 5, 5)), b, {"stride": 1, "pad": 1}),
             "the 5x5 kernel is larger than the padded 4x4 input", ("5",)),
            ((x, w, b, {"stride": 0, "pad": 0}), "stride 0 is below 1", ("0",)),
            ((x, w, b, {"stride": 2.0, "pad": 0}), "stride 2.0 is a float, not an int", ("2.0",)),
            ((x, w, b, {"stride": 1, "pad": 1.0}), "pad 1.0 is a float, not an int", ("1.0",)),
            ((x, w, b, {"stride": 1, "pad": -1}), "the pad is negative", ("-1",))]:
        expect_value_error(lambda: conv_forward(*[a.copy() if isinstance(a, np.ndarray) else a
                                                  for a in args]),
                           what=_conv_call(args[0], args[1], args[3]), why=why, shows=shows)
    _, cache = _conv(conv_forward, x, w, b, ok)
    expect_value_error(lambda: conv_backward(np.zeros((1, 1, 3, 3)), cache),
                       what=f"conv_backward(dout, cache) for dout of shape (1, 1, 3, 3) after "
                            f"{_conv_call(x, w, ok)}",
                       why="dout is not the output's shape (1, 1, 2, 2)", shows=("(1, 1, 3, 3)",))


@check(points=0.5)
def test_pool_errors(pool_forward, pool_backward):
    x = np.zeros((1, 1, 4, 4))
    for x_, param, why, shows in [
            (x, {"mode": "min", "size": 2, "stride": 2}, "mode is neither max nor avg", ("min",)),
            (np.zeros((1, 1, 2, 4)), {"mode": "max", "size": 3, "stride": 1},
             "the 3x3 window is larger than the 2x4 input", ("3",)),
            (x, {"mode": "max", "size": 0, "stride": 1}, "size 0 is below 1", ("0",)),
            (x, {"mode": "avg", "size": 2, "stride": 0}, "stride 0 is below 1", ("0",)),
            (x, {"mode": "max", "size": 2, "stride": 2.0}, "stride 2.0 is a float, not an int",
             ("2.0",)),
            (np.zeros((4, 4)), {"mode": "max", "size": 2, "stride": 2}, "x is not 4-D",
             ("(4, 4)",))]:
        expect_value_error(lambda: pool_forward(x_.copy(), dict(param)),
                           what=_pool_call(x_, param), why=why, shows=shows)
    param = {"mode": "max", "size": 2, "stride": 2}
    _, cache = _pool(pool_forward, x, param)
    expect_value_error(lambda: pool_backward(np.zeros((1, 1, 3, 3)), cache),
                       what=f"pool_backward(dout, cache) for dout of shape (1, 1, 3, 3) after "
                            f"{_pool_call(x, param)}",
                       why="dout is not the output's shape (1, 1, 2, 2)", shows=("(1, 1, 3, 3)",))


@check(points=0.5)
def test_relu_errors(relu_forward, relu_backward):
    _, cache = _relu(relu_forward, np.ones((2, 3)))
    expect_value_error(lambda: relu_backward(np.ones((3, 2)), cache),
                       what="relu_backward(dout, cache) for dout of shape (3, 2) after "
                            "relu_forward(x) for x of shape (2, 3)",
                       why="dout is not the shape of x, (2, 3)", shows=("(3, 2)",))


@check(points=1)
def test_conv_vectorised(conv_forward, conv_backward):
    rng = np.random.default_rng(5810)
    param = {"stride": 1, "pad": 0}
    for unit, dimension, shapes in VECTOR_REGIMES:
        calls = []
        for n in UNITS:
            x_shape, w_shape = shapes(n)
            x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
            calls.append((x, w, rng.standard_normal(w_shape[0])))
        where = (f"for x of shape {shapes(UNITS[1])[0]} and w of shape {shapes(UNITS[1])[1]}")
        result = assert_vectorised(
            *[lambda x=x, w=w, b=b: conv_forward(x.copy(), w.copy(), b.copy(), dict(param))
              for x, w, b in calls], conv_forward, UNITS,
            f"conv_forward(x, w, b, {param}) {where}", unit, dimension)
        out, cache = _tuple(result, 2, f"conv_forward(x, w, b, {param}) {where}", "(out, cache)")
        out = as_array(out, what=f"conv_forward(x, w, b, {param}) {where}", shape=_out_shape(*calls[1]))
        # the time earns points only with the right values: a 1x1 kernel is a matrix product
        x, w, b = calls[1]
        m = w[:, :, 0, 0]
        assert_close(out, np.einsum("oc,nchw->nohw", m, x) + b[None, :, None, None],
                     what=f"conv_forward(x, w, b, {param}) {where} (the vectorisation check's input)")
        douts = [rng.standard_normal(_out_shape(*c)) for c in calls]
        # each backward right after its own forward (timed together): this check judges the
        # time, whatever a backward reads (test_backward_uses_its_cache)
        grads = assert_vectorised(
            *[lambda c=c, d=d: conv_backward(d.copy(), _tuple(
                conv_forward(*[a.copy() for a in c], dict(param)), 2,
                f"conv_forward(x, w, b, {param})", "(out, cache)")[1])
              for c, d in zip(calls, douts)], conv_backward, UNITS,
            f"conv_forward then conv_backward(dout, cache) {where}", unit, dimension)
        what = f"conv_backward(dout, cache) {where} (the vectorisation check's input)"
        dx, dw, db = _tuple(grads, 3, what, "(dx, dw, db)")
        g = douts[1]
        for got, expected, name in [(dx, np.einsum("oc,nohw->nchw", m, g), "dx"),
                                    (dw, np.einsum("nohw,nchw->oc", g, x)[:, :, None, None], "dw"),
                                    (db, g.sum(axis=(0, 2, 3)), "db")]:
            assert_close(as_array(got, what=f"{name} of {what}", shape=expected.shape), expected,
                         what=f"{name} of {what}")


def _out_shape(x, w, b):
    """A stride-1 unpadded convolution's output shape, for the vectorisation check."""
    return (x.shape[0], w.shape[0], x.shape[2] - w.shape[2] + 1, x.shape[3] - w.shape[3] + 1)


@check(points=0.5)
def test_backward_uses_its_cache(conv_forward, conv_backward, pool_forward, pool_backward):
    """Each backward works from the cache it is given: two forwards first, then the backward
    of the first (twice, with different douts), against what it gives right after its own
    forward."""
    rng = np.random.default_rng(5820)
    xa, xb = rng.standard_normal((2, 2, 4, 4)), rng.standard_normal((3, 2, 5, 3))
    w, b = rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    param = {"stride": 1, "pad": 1}
    outs = {s: _conv_out_shape(x, w, param) for s, x in (("a", xa), ("b", xb))}
    douts = [rng.standard_normal(outs["a"]), rng.standard_normal(outs["a"])]
    story = (f"for the cache of {_conv_call(xa, w, param)}, given after a second conv_forward "
             f"for x of shape {xb.shape}")
    for dout in douts:
        alone, _ = _conv_grads(conv_forward, conv_backward, xa, w, b, param, dout)
        _, cache_a = _conv(conv_forward, xa, w, b, param)
        _conv(conv_forward, xb, w, b, param)
        got = _tuple(conv_backward(dout.copy(), cache_a), 3, "conv_backward(dout, cache)",
                     "(dx, dw, db)")
        for g, want, label in zip(got, alone, ("dx", "dw", "db")):
            assert_close(as_array(g, what=f"conv_backward: {label} {story}"),
                         as_array(want, what=f"conv_backward: {label}"),
                         what=f"conv_backward: {label} {story}, against the same call right "
                              f"after its own forward (backward reads only its cache)")
    pool_param = {"mode": "max", "size": 2, "stride": 2}
    pa, pb = rng.standard_normal((2, 2, 4, 4)), rng.standard_normal((1, 2, 6, 2))
    dout = rng.standard_normal(_pool_out_shape(pa, pool_param))
    _, cache = _pool(pool_forward, pa, pool_param)
    alone = as_array(pool_backward(dout.copy(), cache), what="pool_backward(dout, cache)")
    _, cache_a = _pool(pool_forward, pa, pool_param)
    _pool(pool_forward, pb, pool_param)
    assert_close(as_array(pool_backward(dout.copy(), cache_a), what="pool_backward(dout, cache)"),
                 alone, what=f"pool_backward(dout, cache) for the cache of "
                             f"{_pool_call(pa, pool_param)}, given after a second pool_forward "
                             f"for x of shape {pb.shape}, against the same call right after its "
                             f"own forward (backward reads only its cache)")


# --- hidden -----------------------------------------------------------------------------

@check(points=2, hidden=True)
def test_conv_forward_random(conv_forward):
    from autograder.checks import oracle

    for x, w, b, param in _conv_cases(5801):
        out, _ = _conv(conv_forward, x, w, b, param)
        assert_close(out, oracle.conv2d(x, w, b, param["stride"], param["pad"]),
                     what=_conv_call(x, w, param))


def _conv_numeric(x, w, b, param, dout, wrt):
    """The numerical gradient of sum(oracle.conv2d(x, w, b) * dout) wrt x, w or b."""
    from autograder.checks import oracle

    s, p = param["stride"], param["pad"]
    conv = oracle.conv2d_by_pixel
    f = {"dx": lambda v: conv(v, w, b, s, p), "dw": lambda v: conv(x, v, b, s, p),
         "db": lambda v: conv(x, w, v, s, p)}[wrt]
    return numerical_gradient_array(f, {"dx": x, "dw": w, "db": b}[wrt], dout)


def _check_conv_grad(conv_forward, conv_backward, seed, wrt):
    from autograder.checks import oracle

    rng = np.random.default_rng(seed)
    for i, (x, w, b, param) in enumerate(_conv_cases(seed)):
        dout = rng.standard_normal(_conv_out_shape(x, w, param))
        grads, what = _conv_grads(conv_forward, conv_backward, x, w, b, param, dout)
        got = grads[("dx", "dw", "db").index(wrt)]
        # The expected gradient depends on the fixed seed only: computed once per process.
        numeric = oracle.memo((name, "conv_numeric", seed, i, wrt),
                              lambda: _conv_numeric(x, w, b, param, dout, wrt))
        assert_grad(got, numeric, what=f"{wrt} of {what}, against the numerical gradient")


@check(points=2.5, hidden=True)
def test_conv_dx_random(conv_forward, conv_backward):
    _check_conv_grad(conv_forward, conv_backward, 5802, "dx")


@check(points=2.5, hidden=True)
def test_conv_dw_random(conv_forward, conv_backward):
    _check_conv_grad(conv_forward, conv_backward, 5803, "dw")


@check(points=1.5, hidden=True)
def test_conv_db_random(conv_forward, conv_backward):
    _check_conv_grad(conv_forward, conv_backward, 5804, "db")


def _check_pool_forward(pool_forward, seed, mode):
    from autograder.checks import oracle

    for x, param in _pool_cases(seed, mode):
        out, _ = _pool(pool_forward, x, param)
        assert_close(out, oracle.pool2d(x, mode, param["size"], param["stride"]),
                     what=_pool_call(x, param))


def _check_pool_dx(pool_forward, pool_backward, seed, mode):
    from autograder.checks import oracle

    rng = np.random.default_rng(seed)
    for i, (x, param) in enumerate(_pool_cases(seed, mode)):
        dout = rng.standard_normal(_pool_out_shape(x, param))
        _, cache = _pool(pool_forward, x, param)
        numeric = oracle.memo((name, "pool_numeric", seed, mode, i), lambda: numerical_gradient_array(
            lambda v: oracle.pool2d(v, mode, param["size"], param["stride"]), x, dout))
        assert_grad(pool_backward(dout.copy(), cache), numeric,
                    what=f"pool_backward(dout, cache) after {_pool_call(x, param)}, "
                         f"against the numerical gradient")


@check(points=1, hidden=True)
def test_maxpool_forward_random(pool_forward):
    _check_pool_forward(pool_forward, 5805, "max")


@check(points=2.5, hidden=True)
def test_maxpool_dx_random(pool_forward, pool_backward):
    _check_pool_dx(pool_forward, pool_backward, 5806, "max")


@check(points=0.5, hidden=True)
def test_avgpool_forward_random(pool_forward):
    _check_pool_forward(pool_forward, 5807, "avg")


@check(points=1.5, hidden=True)
def test_avgpool_dx_random(pool_forward, pool_backward):
    _check_pool_dx(pool_forward, pool_backward, 5808, "avg")


@check(points=0.5, hidden=True)
def test_relu_random(relu_forward, relu_backward):
    rng = np.random.default_rng(5809)
    for shape in [(2, 3, 4, 5), (7,), (3, 4)]:
        x = rng.standard_normal(shape)
        x += np.where(x < 0, -0.1, 0.1)  # every value at least 0.1 away from the kink at 0
        dout = rng.standard_normal(shape)
        out, cache = _relu(relu_forward, x)
        assert_close(out, np.maximum(x, 0.0), what=f"relu_forward(x) for x of shape {shape}")
        assert_grad(relu_backward(dout.copy(), cache),
                    numerical_gradient_array(lambda v: np.maximum(v, 0.0), x, dout),
                    what=f"relu_backward(dout, cache) for x of shape {shape}, "
                         f"against the numerical gradient")
