"""Checks for exercise 5-2 (wide convolution is commutative, formula 5.13), Otter exception format.

Public checks use literal expected values, the definition of rot180 and NumPy's 1-D true
convolution ``np.convolve``; hidden checks draw shapes from fixed seeds (kernels of 3 and
more, non-square images and kernels, kernels larger than the image) and compare with
naive loops written inside them. Every check of (5.13) also pins the values of both sides,
so a wrong pair of functions that happens to commute (or returns zeros) does not pass.
"""

import numpy as np

from autograder.checks.cases import check
from autograder.checks.compare import as_array, assert_close, describe

OK_FORMAT = False

name = "ex5_2"

FILE = "ex5_2.py"


def _wide_shape(w_shape, x_shape):
    """Shape of the wide convolution of a (U, V) kernel with an (M, N) image."""
    return (x_shape[0] + w_shape[0] - 1, x_shape[1] + w_shape[1] - 1)


def _rotated(rot180, a, label):
    """The student's ``rot180(a)``, validated (shape and values) before it is used further."""
    got = as_array(rot180(a.copy()), what=f"rot180({label}) for {label} of shape {a.shape}", shape=a.shape)
    assert_close(got, a[::-1, ::-1], what=f"rot180({label}) for {label} of shape {a.shape}")
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


def _expect_value_error(call, func, args, numbers):
    """``func(*args)`` must raise a ValueError whose message shows each of ``numbers``."""
    try:
        got = func(*args)
    except Exception as exc:  # noqa: BLE001 - the student's exception is what is checked
        text = str(exc).split(f" (in {FILE}, line")[0]  # the message, without where it was raised
        # In process the exception is the student's own; through the engine's proxies it may
        # arrive as another type whose message starts with the original type's name.
        if not (isinstance(exc, ValueError) or text.startswith("ValueError:")):
            raise AssertionError(f"{call}: expected a ValueError (the kernel is larger than the image), "
                                 f"got {type(exc).__name__}: {text}") from None
        missing = [n for n in numbers if str(n) not in text]
        if missing:
            raise AssertionError(
                f"{call}: the ValueError should say which sizes are wrong (the message should show "
                f"{', '.join(map(str, numbers))}); got the message {text!r}") from None
        return
    raise AssertionError(f"{call}: expected a ValueError (the kernel is larger than the image), "
                         f"got {describe(got)}")


@check(points=1)
def test_rot180(rot180):
    rng = np.random.default_rng(5200)
    cases = [np.arange(6.0).reshape(2, 3), np.arange(4.0).reshape(1, 4), np.arange(3.0).reshape(3, 1),
             np.array([[7.0]])]
    cases += [rng.standard_normal((int(rng.integers(1, 6)), int(rng.integers(1, 6)))) for _ in range(3)]
    for a in cases:
        assert_close(rot180(a.copy()), a[::-1, ::-1], what=f"rot180(a) for a of shape {a.shape}")


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
    _expect_value_error("xcorr2d(x, w) for x of shape (4, 5), w of shape (7, 2)", xcorr2d,
                        (np.ones((4, 5)), np.ones((7, 2))), (7, 4))


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


@check(points=1)
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
    _expect_value_error("xcorr2d(x, w) for x of shape (6, 3), w of shape (2, 5)", xcorr2d,
                        (np.ones((6, 3)), np.ones((2, 5))), (5, 3))
    _expect_value_error("xcorr2d(x, w) for x of shape (3, 8), w of shape (4, 4)", xcorr2d,
                        (np.ones((3, 8)), np.ones((4, 4))), (4, 3))


@check(points=2, hidden=True)
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


@check(points=1, hidden=True)
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


@check(points=1, hidden=True)
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
