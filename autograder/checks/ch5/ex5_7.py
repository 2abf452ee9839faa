"""Checks for exercise 5-7 (forward and backward are transposes, formula 5.39), Otter
exception format.

Public checks use literal values: the book's example (a 4x4 input, a 3x3 kernel, so C is
4 x 16) and a non-square kernel with stride 2 on an input that leaves a remainder, and the
documented ValueErrors. Hidden checks draw inputs from fixed seeds over strides 1 to 3,
non-square kernels and inputs that do not tile, and compare against
``autograder.checks.oracle`` (imported inside the hidden checks only: the oracle does not
ship with the public checks). ``conv_backward_input``'s result is judged by one rule,
``assert_close``, against C.T @ delta and against the numerical gradient alike. One hidden
input is so large that its matrix C cannot be built (hundreds of GB; the grading engine's
worker has 1 GB): the backward pass must be computed as the book does, not through C.
"""

import numpy as np

from autograder.checks.cases import check
from autograder.checks.compare import as_array, assert_close, expect_value_error
from autograder.checks.gradcheck import numerical_gradient_array

OK_FORMAT = False

name = "ex5_7"

# The book's example: a 4x4 input X, a 3x3 kernel W, a 2x2 output Y; vec(Y) = C vec(X).
X_BOOK = np.array([[-3.0, 2.0, 0.0, -2.0],
                   [3.0, 1.0, -1.0, -3.0],
                   [2.0, 0.0, -2.0, 3.0],
                   [1.0, -1.0, -3.0, 2.0]])
W_BOOK = np.array([[1.0, 2.0, 3.0],
                   [4.0, 5.0, 6.0],
                   [7.0, 8.0, 9.0]])
Y_BOOK = np.array([[8.0, -12.0],
                   [-30.0, -15.0]])
C_BOOK = np.array([
    [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0],
    [0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0],
    [0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9]], dtype=np.float64)
DELTA_BOOK = np.array([[1.0, -2.0],
                       [0.5, 3.0]])

# A 2x3 kernel with stride 2 on a 5x6 input: the windows reach rows 0-3 and columns 0-4,
# so the last row and the last column are a remainder that no window covers.
X_STRIDE = np.array([[-5.0, 2.0, -2.0, 5.0, 1.0, -3.0],
                     [4.0, 0.0, -4.0, 3.0, -1.0, -5.0],
                     [2.0, -2.0, 5.0, 1.0, -3.0, 4.0],
                     [0.0, -4.0, 3.0, -1.0, -5.0, 2.0],
                     [-2.0, 5.0, 1.0, -3.0, 4.0, 0.0]])
W_STRIDE = np.array([[1.0, 2.0, 0.0],
                     [0.0, -1.0, 3.0]])
Y_STRIDE = np.array([[-13.0, 2.0],
                     [11.0, -7.0]])
DELTA_STRIDE = np.array([[2.0, -1.0],
                         [1.0, 4.0]])
DX_STRIDE = np.array([[2.0, 4.0, -1.0, -2.0, 0.0, 0.0],
                      [0.0, -2.0, 6.0, 1.0, -3.0, 0.0],
                      [1.0, 2.0, 4.0, 8.0, 0.0, 0.0],
                      [0.0, -1.0, 3.0, -4.0, 12.0, 0.0],
                      [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])

# A 2x2 kernel with stride 2 on a 4x5 input: C is 4 x 20; column 4 (the last) is never read.
W_SMALL = np.array([[1.0, 2.0],
                    [3.0, 4.0]])
C_SMALL = np.array([
    [1, 2, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 1, 2, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3, 4, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3, 4, 0]], dtype=np.float64)

# Hidden shapes (H, W, U, V, stride): strides 2 and 3, non-square kernels, remainders
# (8x7 with 3x2 / 2; 9x10 with 2x4 / 3; 10x8 with 3x5 / 3), gaps between windows (1x1 / 3),
# a kernel as large as the input; a few more are drawn from the seed.
HIDDEN_SHAPES = [(5, 6, 2, 3, 1), (7, 7, 3, 3, 2), (8, 7, 3, 2, 2), (9, 10, 2, 4, 3),
                 (6, 5, 1, 1, 3), (4, 4, 4, 4, 1), (10, 8, 3, 5, 3)]


def _cases(seed):
    """(x, w, stride) for every hidden shape, plus three shapes drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    shapes = list(HIDDEN_SHAPES)
    for _ in range(3):
        h, wd = int(rng.integers(3, 10)), int(rng.integers(3, 10))
        shapes.append((h, wd, int(rng.integers(1, h + 1)), int(rng.integers(1, wd + 1)),
                       int(rng.integers(1, 4))))
    for h, wd, u, v, s in shapes:
        yield rng.standard_normal((h, wd)), rng.standard_normal((u, v)), s


def _out_shape(x, w, s):
    return (x.shape[0] - w.shape[0]) // s + 1, (x.shape[1] - w.shape[1]) // s + 1


def _call(fn, x, w, s):
    return f"{fn}(x, w, stride={s}) for x of shape {x.shape} and w of shape {w.shape}"


def _call_matrix(w, in_shape, s):
    return f"conv_matrix(w, in_shape={in_shape}, stride={s}) for w of shape {w.shape}"


def _call_backward(delta, w, in_shape, s):
    return (f"conv_backward_input(delta, w, in_shape={in_shape}, stride={s}) for delta of "
            f"shape {delta.shape} and w of shape {w.shape}")


@check(points=2)
def test_conv_forward_public(conv_forward):
    assert_close(conv_forward(X_BOOK.copy(), W_BOOK.copy(), 1), Y_BOOK,
                 what=_call("conv_forward", X_BOOK, W_BOOK, 1) + " (the book's 4x4 example)")
    assert_close(conv_forward(X_STRIDE.copy(), W_STRIDE.copy(), 2), Y_STRIDE,
                 what=_call("conv_forward", X_STRIDE, W_STRIDE, 2))


@check(points=2)
def test_conv_matrix_public(conv_matrix):
    assert_close(conv_matrix(W_BOOK.copy(), (4, 4), 1), C_BOOK,
                 what=_call_matrix(W_BOOK, (4, 4), 1) + " (the book's 4x4 example)")
    assert_close(conv_matrix(W_SMALL.copy(), (4, 5), 2), C_SMALL,
                 what=_call_matrix(W_SMALL, (4, 5), 2))
    c = conv_matrix(W_STRIDE.copy(), X_STRIDE.shape, 2)
    what = _call_matrix(W_STRIDE, X_STRIDE.shape, 2)
    c = as_array(c, what=what, shape=(Y_STRIDE.size, X_STRIDE.size))
    assert_close(c @ X_STRIDE.ravel(), Y_STRIDE.ravel(),
                 what=f"C @ x.ravel() with C = {what}, against the literal W ⊗ X")


@check(points=2)
def test_backward_input_public(conv_backward_input):
    assert_close(conv_backward_input(DELTA_BOOK.copy(), W_BOOK.copy(), (4, 4), 1),
                 (C_BOOK.T @ DELTA_BOOK.ravel()).reshape(4, 4),
                 what=_call_backward(DELTA_BOOK, W_BOOK, (4, 4), 1)
                 + ", against C.T @ delta.ravel() (the book's 4x4 example)")
    assert_close(conv_backward_input(DELTA_STRIDE.copy(), W_STRIDE.copy(), X_STRIDE.shape, 2),
                 DX_STRIDE,
                 what=_call_backward(DELTA_STRIDE, W_STRIDE, X_STRIDE.shape, 2)
                 + " (the last row and column are not reached by any window: gradient 0)")


@check(points=0.25)
def test_conv_forward_errors(conv_forward):
    x, w = np.zeros((4, 4)), np.ones((3, 3))
    for args, why, shows in [((x, w, 0), "stride 0 is below 1", ("0",)),
                             ((x, w, 1.5), "the stride is not an int", ("1.5",)),
                             ((x, w, 2.0), "the stride 2.0 is a float, not an int", ("2.0",)),
                             ((np.zeros((1, 4, 4)), w, 1), "x is not 2-D", ("(1, 4, 4)",)),
                             ((x, np.ones((3,)), 1), "w is not 2-D", ("(3,)",)),
                             ((np.zeros((2, 4)), w, 1), "the kernel is larger than the input",
                              ("(3, 3)", "(2, 4)"))]:
        expect_value_error(lambda: conv_forward(args[0].copy(), args[1].copy(), args[2]),
                           what=_call("conv_forward", args[0], args[1], args[2]), why=why,
                           shows=shows)


@check(points=0.25)
def test_conv_matrix_errors(conv_matrix):
    w = np.ones((3, 3))
    for w_, in_shape, s, why, shows in [(w, (4, 4), 0, "stride 0 is below 1", ("0",)),
                                        (w, (4, 4), 2.0, "the stride 2.0 is a float, not an int",
                                         ("2.0",)),
                                        (np.ones((5, 1)), (4, 4), 1,
                                         "the kernel is larger than the input", ("(5, 1)", "(4, 4)")),
                                        (np.ones((1, 3, 3)), (4, 4), 1, "w is not 2-D",
                                         ("(1, 3, 3)",))]:
        expect_value_error(lambda: conv_matrix(w_.copy(), in_shape, s),
                           what=_call_matrix(w_, in_shape, s), why=why, shows=shows)


@check(points=0.25)
def test_backward_input_errors(conv_backward_input):
    w = np.ones((3, 3))
    for delta, in_shape, s, why, shows in [
            (np.ones((3, 3)), (6, 6), 2, "delta is not the output's shape (2, 2)", ("(3, 3)",)),
            (np.ones((4, 4)), (6, 6), 0, "stride 0 is below 1", ("0",)),
            (np.ones((1, 1)), (2, 2), 1, "the kernel is larger than the input", ("(3, 3)", "(2, 2)"))]:
        expect_value_error(lambda: conv_backward_input(delta.copy(), w.copy(), in_shape, s),
                           what=_call_backward(delta, w, in_shape, s), why=why, shows=shows)


@check(points=1.75, hidden=True)
def test_conv_forward_random(conv_forward):
    from autograder.checks import oracle

    for x, w, s in _cases(5701):
        assert_close(conv_forward(x.copy(), w.copy(), s), oracle.xcorr2d(x, w, s),
                     what=_call("conv_forward", x, w, s))


@check(points=2, hidden=True)
def test_conv_matrix_random(conv_matrix):
    from autograder.checks import oracle

    for x, w, s in _cases(5702):
        assert_close(conv_matrix(w.copy(), x.shape, s), oracle.xcorr2d_matrix(w, x.shape, s),
                     what=_call_matrix(w, x.shape, s))


@check(points=2.5, hidden=True)
def test_backward_is_transpose(conv_backward_input):
    from autograder.checks import oracle

    rng = np.random.default_rng(5703)
    for x, w, s in _cases(5703):
        delta = rng.standard_normal(_out_shape(x, w, s))
        expected = (oracle.xcorr2d_matrix(w, x.shape, s).T @ delta.ravel()).reshape(x.shape)
        assert_close(conv_backward_input(delta.copy(), w.copy(), x.shape, s), expected,
                     what=_call_backward(delta, w, x.shape, s) + ", against C.T @ delta.ravel()")


@check(points=1, hidden=True)
def test_backward_numerical(conv_backward_input):
    from autograder.checks import oracle

    rng = np.random.default_rng(5704)
    for x, w, s in _cases(5704):
        delta = rng.standard_normal(_out_shape(x, w, s))
        numeric = numerical_gradient_array(lambda xx: oracle.xcorr2d(xx, w, s), x, delta)
        # The same rule as against C.T @ delta: the map is linear, so the centred difference
        # is exact up to rounding (about 1e-10), far inside assert_close's tolerances.
        assert_close(conv_backward_input(delta.copy(), w.copy(), x.shape, s), numeric,
                     what=_call_backward(delta, w, x.shape, s)
                     + ", against the numerical gradient of sum((W ⊗ X) * delta)")


# An input whose matrix C cannot be built: (298*298) x (600*600) entries, 256 GB of float64.
LARGE_SHAPE, LARGE_KERNEL, LARGE_STRIDE = (600, 600), (5, 5), 2


@check(points=1, hidden=True)
def test_backward_without_matrix(conv_backward_input):
    rng = np.random.default_rng(5705)
    w = rng.standard_normal(LARGE_KERNEL)
    (h, wd), (u, v), s = LARGE_SHAPE, LARGE_KERNEL, LARGE_STRIDE
    ho, wo = (h - u) // s + 1, (wd - v) // s + 1
    delta = rng.standard_normal((ho, wo))
    expected = np.zeros(LARGE_SHAPE)  # each output pixel sends w * delta back over its window
    for p in range(u):
        for q in range(v):
            expected[p:p + s * (ho - 1) + 1:s, q:q + s * (wo - 1) + 1:s] += w[p, q] * delta
    what = _call_backward(delta, w, LARGE_SHAPE, s)
    gigabytes = ho * wo * h * wd * 8 / 1e9
    try:
        got = conv_backward_input(delta.copy(), w.copy(), LARGE_SHAPE, s)
    except MemoryError as exc:
        raise AssertionError(
            f"{what}: expected dL/dX of shape {LARGE_SHAPE}, but the call ran out of memory "
            f"({str(exc).splitlines()[0][:200]}): the matrix C of this input would hold "
            f"{ho * wo:,} x {h * wd:,} entries ({gigabytes:,.0f} GB); compute dL/dX as the book "
            f"does, rot180(W) ⊗̃ delta, never through C (the docstring)") from None
    assert_close(got, expected, what=what)
