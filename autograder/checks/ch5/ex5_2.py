"""Checks for exercise 5-2 (wide convolution is commutative, formula 5.13), Otter exception format.

Public checks use literal expected values, the definition of rot180 and NumPy's 1-D true
convolution ``np.convolve``; hidden checks draw shapes from fixed seeds (kernels of 3 and
more, non-square images and kernels, kernels larger than the image) and compare with
naive loops written inside them. Every check of (5.13) also pins the values of both sides,
so a wrong pair of functions that happens to commute (or returns zeros) does not pass.
rot180 moves values and must move them exactly. The values and the documented ValueErrors
are graded apart; a precision case (large values, a kernel that sums to zero) fails an answer
that computes in float32; read-only arguments show an answer that changes its arguments.
"""

import numpy as np

from autograder.checks.cases import check
from autograder.checks.compare import as_array, assert_close, describe, expect_value_error

OK_FORMAT = False

name = "ex5_2"

FILE = "ex5_2.py"


def _wide_shape(w_shape, x_shape):
    """Shape of the wide convolution of a (U, V) kernel with an (M, N) image."""
    return (x_shape[0] + w_shape[0] - 1, x_shape[1] + w_shape[1] - 1)


def _rotated(rot180, a, label):
    """The student's ``rot180(a)``, validated (shape and values) before it is used further."""
    got = as_array(rot180(a.copy()), what=f"rot180({label}) for {label} of shape {a.shape}", shape=a.shape)
    assert_close(got, a[::-1, ::-1], what=f"rot180({label}) for {label} of shape {a.shape}",
                 rtol=0, atol=0)
    return got


def _check_5_13(rot180, wide_conv2d, w, x, expected, where):
    """(5.13) for the student's functions: both sides have the wide shape, are equal, and
    equal ``expected`` (the full convolution of W and X)."""
    shape = _wide_shape(w.shape, x.shape)
    rw, rx = _rotated(rot180, w, "W"), _rotated(rot180, x, "X")
    call_l = f"wide_conv2d(rot180(W), X) for W of shape {w.shape}, X of shape {x.shape}{where}"
    call_r = f"wide_conv2d(rot180(X), W) for W of shape {w.shape}, X of shape {x.shape}{where}"
    left = as_array(wide_conv2d(rw, x.copy()), what=call_l, shape=shape)
    right = as_array(wide_conv2d(rx, w.copy()), what=call_r, shape=shape)
    assert_close(right, left, what=f"(5.13) does not hold for your functions: the right side "
                                   f"{call_r} differs from the left side {call_l} (shown as expected)")
    assert_close(left, expected, what=f"{call_l}: both sides of (5.13) must equal the full "
                                      f"(true) convolution of W and X, and they do not")


@check(points=1)
def test_rot180(rot180):
    rng = np.random.default_rng(5200)
    cases = [np.arange(6.0).reshape(2, 3), np.arange(4.0).reshape(1, 4), np.arange(3.0).reshape(3, 1),
             np.array([[7.0]])]
    cases += [rng.standard_normal((int(rng.integers(1, 6)), int(rng.integers(1, 6)))) for _ in range(3)]
    for a in cases:
        # a rotation moves values without computing with them: they must come back exactly
        assert_close(rot180(a.copy()), a[::-1, ::-1], what=f"rot180(a) for a of shape {a.shape} "
                     f"(exactly the same values, moved)", rtol=0, atol=0)


@check(points=1)
def test_xcorr2d_public(xcorr2d):
    x = np.array([[1.0, 2.0, 0.0, 3.0],
                  [4.0, -1.0, 2.0, 1.0],
                  [0.0, 3.0, 1.0, -2.0]])
    w = np.array([[1.0, 2.0],
                  [-1.0, 0.5]])
    expected = np.array([[0.5, 4.0, 4.5],
                         [3.5, 0.5, 2.0]])
    assert_close(xcorr2d(x.copy(), w.copy()), expected,
                 what="xcorr2d(x, w) for x of shape (3, 4), w of shape (2, 2) (cross-correlation: "
                      "out[i, j] = sum_{u,v} w[u, v] * x[i+u, j+v], the kernel is not flipped)")


def _two_d_errors(func, name, args, which):
    """``func`` must reject a 1-D and a 3-D array in argument ``which`` (0-based)."""
    for bad in (np.ones(4), np.ones((2, 3, 4))):
        given = list(args)
        given[which] = bad
        shapes = ", ".join(f"{np.shape(a)}" for a in given)
        expect_value_error(lambda: func(*[a.copy() for a in given]),
                           what=f"{name} with arguments of shapes {shapes}",
                           why="an argument is not 2-D", shows=(np.shape(bad),))


@check(points=0.25)
def test_rot180_errors(rot180):
    _two_d_errors(rot180, "rot180", (np.ones((2, 2)),), 0)


@check(points=0.5)
def test_xcorr2d_errors(xcorr2d):
    for x_shape, w_shape in [((4, 5), (7, 2)), ((6, 3), (2, 5)), ((3, 8), (4, 4))]:
        # the docstring promises both shapes (in any notation: (4, 5), 4x5, 4 by 5)
        shows = (x_shape, w_shape)
        expect_value_error(lambda: xcorr2d(np.ones(x_shape), np.ones(w_shape)),
                           what=f"xcorr2d(x, w) for x of shape {x_shape}, w of shape {w_shape}",
                           why="the kernel is larger than the image", shows=shows)
    _two_d_errors(xcorr2d, "xcorr2d", (np.ones((4, 4)), np.ones((2, 2))), 0)
    _two_d_errors(xcorr2d, "xcorr2d", (np.ones((4, 4)), np.ones((2, 2))), 1)


@check(points=0.25)
def test_wide_conv2d_errors(wide_conv2d):
    _two_d_errors(wide_conv2d, "wide_conv2d", (np.ones((2, 2)), np.ones((3, 3))), 0)
    _two_d_errors(wide_conv2d, "wide_conv2d", (np.ones((2, 2)), np.ones((3, 3))), 1)


# Large values and kernels whose weights sum to zero: the result is a small difference of
# large products, which float64 computes to about 1e-13 and float32 only to about 1e-5.
X_PRECISE = 1000.0 + np.array([[0.125, -0.5, 0.25, 0.75],
                               [0.5, 0.375, -0.25, 0.0],
                               [-0.75, 0.25, 0.5, -0.125]]) / 3
W_PRECISE = np.array([[1.0, -1.0],
                      [-0.5, 0.5]]) / 7
XCORR_PRECISE = np.array([[0.0267857142856798, -0.0505952380952408, -0.0178571428571246],
                          [0.0297619047619122, 0.035714285714306, -0.0267857142857366]])
WIDE_PRECISE = np.array([[71.4315476190476, -0.0148809523809348, 0.0178571428571388, 0.0119047619047592, -71.4464285714286],
                         [-71.422619047619, 0.0267857142856798, -0.0505952380952408, -0.0178571428571246, 71.4642857142857],
                         [-71.4702380952381, 0.0297619047619122, 0.035714285714306, -0.0267857142857366, 71.4315476190476],
                         [-142.821428571429, -0.0476190476190652, -0.0119047619047592, 0.029761904761898, 142.85119047619]])


@check(points=0.5)
def test_precision_public(xcorr2d, wide_conv2d):
    for fn, args, expected in [("xcorr2d", (X_PRECISE, W_PRECISE), XCORR_PRECISE),
                               ("wide_conv2d", (W_PRECISE, X_PRECISE), WIDE_PRECISE)]:
        func = xcorr2d if fn == "xcorr2d" else wide_conv2d
        order = "x, w" if fn == "xcorr2d" else "w, x"
        assert_close(func(*[a.copy() for a in args]), expected,
                     what=f"{fn}({order}) for x = 1000 + small values and a kernel whose weights "
                          f"sum to 0: the result is a small difference of large products, which "
                          f"needs float64 throughout (float32 keeps about 7 digits)")


def _read_only(a):
    a = np.array(a, dtype=np.float64)
    a.flags.writeable = False
    return a


# (x, w) pairs for the "arguments unchanged" rule: a small case, a kernel the size of the
# image (one output pixel), a 1x1 kernel, and a kernel larger than the image for wide_conv2d.
UNCHANGED_CASES = [([[2.0, 0.0, -1.0], [1.0, 3.0, 2.0]], [[1.0, -2.0], [3.0, 0.5]]),
                   ([[2.0, 0.0, -1.0], [1.0, 3.0, 2.0]], [[1.0, -2.0, 0.5], [3.0, 0.5, -1.0]]),
                   ([[2.0, 0.0, -1.0], [1.0, 3.0, 2.0]], [[4.0]]),
                   ([[2.0, -1.0]], [[1.0, -2.0, 0.5], [3.0, 0.5, -1.0]])]


@check(points=0.5)
def test_arguments_unchanged(rot180, xcorr2d, wide_conv2d):
    for x_, w_ in UNCHANGED_CASES:
        x, w = _read_only(x_), _read_only(w_)
        calls = [("rot180", rot180, (w,)), ("wide_conv2d", wide_conv2d, (w, x))]
        if w.shape[0] <= x.shape[0] and w.shape[1] <= x.shape[1]:
            calls.append(("xcorr2d", xcorr2d, (x, w)))
        for fn, call, args in calls:
            _unchanged(fn, call, args)


def _unchanged(fn, call, args):
    """``call(*args)`` on read-only arrays must not write into them, nor change them."""
    shapes = ", ".join(str(a.shape) for a in args)
    before = [a.copy() for a in args]
    try:
        fn_call = call(*args)
    except ValueError as exc:
        if "read-only" in str(exc):
            raise AssertionError(
                f"{fn} called with read-only arrays of shapes {shapes}: expected it to leave its "
                f"arguments as they are, but it writes into one (NumPy refused: "
                f"{str(exc).splitlines()[0]}); the conventions say: return new arrays, do not "
                f"change the arguments (copy first, e.g. np.array(a, dtype=np.float64))") from None
        raise
    for a, b in zip(args, before):
        if not np.array_equal(a, b):
            raise AssertionError(f"{fn} with arguments of shapes {shapes}: expected it to leave its "
                                 f"arguments as they are, but it changed one; the conventions "
                                 f"say: return new arrays, do not change the arguments")
    as_array(fn_call, what=f"{fn} called with read-only arrays of shapes {shapes}")


@check(points=1)
def test_wide_conv2d_public(wide_conv2d):
    w = np.array([[1.0, -2.0],
                  [3.0, 0.5]])
    x = np.array([[2.0, 0.0, -1.0],
                  [1.0, 3.0, 2.0]])
    expected = np.array([[1.0, 6.0, -0.5, -3.0],
                         [-3.5, 6.5, 12.0, 5.0],
                         [-2.0, -5.0, -1.0, 2.0]])
    assert_close(wide_conv2d(w.copy(), x.copy()), expected,
                 what="wide_conv2d(w, x) for w of shape (2, 2), x of shape (2, 3) (x zero-padded by "
                      "U-1 = 1 row and V-1 = 1 column on each side, then cross-correlated with w)")


@check(points=1)
def test_commutative_public(rot180, wide_conv2d):
    w = np.array([[1.0, -2.0],
                  [3.0, 0.5]])
    x = np.array([[2.0, 0.0, -1.0],
                  [1.0, 3.0, 2.0]])
    full = np.array([[2.0, -4.0, -1.0, 2.0],
                     [7.0, 2.0, -7.0, -4.5],
                     [3.0, 9.5, 7.5, 1.0]])
    _check_5_13(rot180, wide_conv2d, w, x, full, "")


@check(points=0.5)
def test_true_convolution_rows(rot180, wide_conv2d):
    rng = np.random.default_rng(5204)
    for v, n in [(3, 6), (4, 2), (1, 4), (5, 5), (2, 1)]:
        w = rng.integers(-3, 4, size=(1, v)).astype(np.float64)
        x = rng.integers(-3, 4, size=(1, n)).astype(np.float64)
        rw = _rotated(rot180, w, "w")
        assert_close(wide_conv2d(rw, x.copy()), np.convolve(w[0], x[0])[None, :],
                     what=f"wide_conv2d(rot180(w), x) for w = {w.tolist()}, x = {x.tolist()}: it must "
                          f"equal the true full convolution np.convolve(w[0], x[0]), shape (1, {n + v - 1})")


def _shapes(rng, count):
    """``count`` pairs (kernel shape, image shape), the kernel fitting in the image: first the
    kinds of input weak answers get wrong, then random ones."""
    r = lambda lo, hi: int(rng.integers(lo, hi + 1))  # noqa: E731
    u = r(3, 5)
    same = (r(2, 4), r(3, 5))
    pairs = [((u, u + r(1, 2)), (u + r(1, 3), u + r(3, 6))),   # K >= 3, non-square kernel and image
             ((u + 1, u), (u + r(2, 4), u + r(0, 2))),          # K >= 3, taller than wide
             ((1, r(2, 4)), (r(2, 5), r(5, 7))),                # a single-row kernel
             ((r(2, 4), 1), (r(4, 6), r(2, 4))),                # a single-column kernel
             (same, same)]                                      # kernel as large as the image
    while len(pairs) < count:
        k = (r(1, 5), r(1, 5))
        pairs.append((k, (k[0] + r(0, 4), k[1] + r(0, 4))))
    return pairs


def _larger_kernels(rng):
    """Pairs (kernel shape, image shape) where the kernel is larger than the image."""
    r = lambda lo, hi: int(rng.integers(lo, hi + 1))  # noqa: E731
    m, n = r(1, 3), r(2, 4)
    return [((m + r(1, 3), n + r(2, 3)), (m, n)),           # larger in both directions
            ((r(4, 6), r(1, 2)), (r(2, 3), r(3, 5))),       # taller, narrower
            ((r(1, 2), r(5, 7)), (r(3, 4), r(2, 4))),       # wider, shorter
            ((r(2, 4), r(2, 4)), (1, 1))]                   # a one-pixel image


@check(points=1, hidden=True)
def test_xcorr2d_random(xcorr2d):
    from autograder.checks.oracle import xcorr2d as oracle_xcorr2d

    rng = np.random.default_rng(5201)
    for w_shape, x_shape in _shapes(rng, 8):
        x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        assert_close(xcorr2d(x.copy(), w.copy()), oracle_xcorr2d(x, w),
                     what=f"xcorr2d(x, w) for x of shape {x_shape}, w of shape {w_shape} "
                          f"(expected shape ({x_shape[0] - w_shape[0] + 1}, {x_shape[1] - w_shape[1] + 1}))")


@check(points=1.5, hidden=True)
def test_wide_conv2d_random(wide_conv2d):
    rng = np.random.default_rng(5202)
    for w_shape, x_shape in _shapes(rng, 7) + _larger_kernels(rng):
        w, x = rng.standard_normal(w_shape), rng.standard_normal(x_shape)
        (u, v), (m, n) = w_shape, x_shape
        # (5.12) straight from the definition: out[i, j] = sum_{u,v} w[u, v] * x[i+u-(U-1), j+v-(V-1)],
        # terms outside x being zero.
        expected = np.zeros(_wide_shape(w_shape, x_shape))
        for i in range(m + u - 1):
            for j in range(n + v - 1):
                for p in range(u):
                    for q in range(v):
                        s, t = i + p - (u - 1), j + q - (v - 1)
                        if 0 <= s < m and 0 <= t < n:
                            expected[i, j] += w[p, q] * x[s, t]
        assert_close(wide_conv2d(w.copy(), x.copy()), expected,
                     what=f"wide_conv2d(w, x) for w of shape {w_shape}, x of shape {x_shape} "
                          f"(x padded by U-1 = {u - 1} rows and V-1 = {v - 1} columns on each side; "
                          f"expected shape {_wide_shape(w_shape, x_shape)})")


@check(points=0.5, hidden=True)
def test_commutative_random(rot180, wide_conv2d):
    rng = np.random.default_rng(5203)
    pairs = _shapes(rng, 6) + _larger_kernels(rng)
    for k, (w_shape, x_shape) in enumerate(pairs):
        w, x = rng.standard_normal(w_shape), rng.standard_normal(x_shape)
        full = np.zeros(_wide_shape(w_shape, x_shape))  # true 2-D convolution, row by row
        for p in range(w_shape[0]):
            for s in range(x_shape[0]):
                full[p + s] += np.convolve(w[p], x[s])
        _check_5_13(rot180, wide_conv2d, w, x, full, f" (case {k + 1} of {len(pairs)})")


@check(points=0.5, hidden=True)
def test_true_convolution_2d(wide_conv2d):
    rng = np.random.default_rng(5205)
    for w_shape, x_shape in _shapes(rng, 6) + _larger_kernels(rng):
        w, x = rng.standard_normal(w_shape), rng.standard_normal(x_shape)
        (u, v), (m, n) = w_shape, x_shape
        # The true convolution straight from its definition: out[i, j] = sum_{p,q} w[p, q] * x[i-p, j-q].
        full = np.zeros(_wide_shape(w_shape, x_shape))
        for i in range(m + u - 1):
            for j in range(n + v - 1):
                for p in range(u):
                    for q in range(v):
                        if 0 <= i - p < m and 0 <= j - q < n:
                            full[i, j] += w[p, q] * x[i - p, j - q]
        assert_close(wide_conv2d(w[::-1, ::-1].copy(), x.copy()), full,
                     what=f"wide_conv2d(w[::-1, ::-1], x) for w of shape {w_shape}, x of shape {x_shape}: "
                          f"the wide convolution with the rotated kernel must equal the true full "
                          f"convolution sum_(p,q) w[p, q] * x[i-p, j-q]")
