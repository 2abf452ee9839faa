"""Checks for exercise 5-3 (what 1x1 kernels do), Otter exception format.

Public checks use literal values: a small 1x1 convolution worked by hand, parameter counts
and the GoogLeNet 3a figures of the course. Hidden checks use random shapes and counts from
fixed seeds, compare ``conv1x1`` with the general convolution of ``oracle.conv2d``, and
grade the multiple-choice item (hidden: a public check would give the answer away). Each
public check grades one thing (the values, the bias, a (C_out, C_in, 1, 1) kernel, the bias
count, each reduction, the documented ValueErrors), so that partial credit follows what is
wrong.
"""

import numpy as np

from autograder.checks.cases import check
from autograder.checks.compare import assert_close, assert_int, describe, expect_value_error

OK_FORMAT = False

name = "ex5_3"


def _letters(got, known, what):
    """The student's answer to a multiple-choice item as a set of capital letters.

    Accepts a set, frozenset, list or tuple of single letters, in either case."""
    example = "{'A', 'B'}"
    if not isinstance(got, (set, frozenset, list, tuple)):
        raise AssertionError(f"{what}: expected a set of letters such as {example}, got {describe(got)}"
                             + (f" {got!r}" if isinstance(got, str) else ""))
    letters = set()
    for item in got:
        if not (isinstance(item, str) and len(item) == 1 and item.upper() in known):
            raise AssertionError(
                f"{what}: every element must be one of the letters {', '.join(sorted(known))} "
                f"(a str of length 1), got the element {item!r}")
        letters.add(item.upper())
    return letters


# A small 1x1 convolution worked by hand: x (1, 2, 2, 2), w (3, 2), b (3,).
X_1X1 = np.array([[[[1.0, 2.0], [0.0, -1.0]],
                   [[3.0, 0.0], [1.0, 2.0]]]])
W_1X1 = np.array([[1.0, 2.0],
                  [-1.0, 0.5],
                  [0.0, 3.0]])
B_1X1 = np.array([0.5, -1.0, 2.0])
OUT_1X1 = np.array([[[[7.0, 2.0], [2.0, 3.0]],
                     [[0.5, -2.0], [0.5, 2.0]],
                     [[9.0, 0.0], [3.0, 6.0]]]])


@check(points=1)
def test_conv1x1_public(conv1x1):
    assert_close(conv1x1(X_1X1.copy(), W_1X1.copy()), OUT_1X1,
                 what="conv1x1(x, w) for x of shape (1, 2, 2, 2), w of shape (3, 2), no bias: "
                      "out[n, o, i, j] = sum_c w[o, c] * x[n, c, i, j]")


@check(points=0.5)
def test_conv1x1_bias_public(conv1x1):
    assert_close(conv1x1(X_1X1.copy(), W_1X1.copy(), B_1X1.copy()),
                 OUT_1X1 + B_1X1[None, :, None, None],
                 what="conv1x1(x, w, b) for x of shape (1, 2, 2, 2), w of shape (3, 2), "
                      "b = [0.5, -1, 2] (one bias per output channel, added at every position)")


@check(points=0.5)
def test_conv1x1_kernel_4d_public(conv1x1):
    assert_close(conv1x1(X_1X1.copy(), W_1X1.reshape(3, 2, 1, 1)), OUT_1X1,
                 what="conv1x1(x, w) for x of shape (1, 2, 2, 2), w of shape (3, 2, 1, 1) (the "
                      "kernel as a general convolution weight, K = 1), no bias")


@check(points=0.5)
def test_conv1x1_errors(conv1x1):
    # (x shape, w shape, b shape or None, what is wrong, what the message must show)
    for x_shape, w_shape, b_shape, why, shows in [
            ((3, 2, 2), (4, 3), None, "x is not 4-D", ("(3, 2, 2)",)),
            ((1, 3, 2, 2), (4, 3, 3, 3), None, "w is (C_out, C_in, 3, 3), not a 1x1 kernel",
             ("(4, 3, 3, 3)",)),
            ((1, 3, 2, 2), (4, 3, 3, 1), None, "w is (C_out, C_in, 3, 1), not a 1x1 kernel",
             ("(4, 3, 3, 1)",)),
            ((1, 3, 2, 2), (4, 3, 1, 3), None, "w is (C_out, C_in, 1, 3), not a 1x1 kernel",
             ("(4, 3, 1, 3)",)),
            ((1, 3, 2, 2), (4,), None, "w is neither (C_out, C_in) nor (C_out, C_in, 1, 1)",
             ("(4,)",)),
            ((1, 3, 2, 2), (4, 2), None, "w has C_in = 2 but x has 3 channels", ("2", "3")),
            ((1, 3, 2, 2), (4, 3), (3,), "b is not (C_out,) = (4,)", ("(3,)",))]:
        args = [np.ones(x_shape), np.ones(w_shape)] + ([np.ones(b_shape)] if b_shape else [])
        call = (f"conv1x1(x, w{', b' if b_shape else ''}) for x of shape {x_shape}, w of shape "
                f"{w_shape}" + (f", b of shape {b_shape}" if b_shape else ""))
        expect_value_error(lambda: conv1x1(*args), what=call, why=why, shows=shows)


@check(points=0.5)
def test_conv_params_public(conv_params):
    for args, expected in [((192, 64, 1), 12_288), ((192, 128, 3), 221_184), ((16, 32, 5), 12_800),
                           ((3, 64, 7), 9_408)]:
        assert_int(conv_params(*args), expected,
                   what=f"conv_params({', '.join(map(str, args))}) (K * K * C_in * C_out, no bias)")
    assert_int(conv_params(3, 64, 7, bias=False), 9_408, what="conv_params(3, 64, 7, bias=False)")


@check(points=0.5)
def test_conv_params_bias_public(conv_params):
    assert_int(conv_params(3, 64, 7, bias=True), 9_472,
               what="conv_params(3, 64, 7, bias=True) (one bias per output channel: 9,408 + 64)")
    assert_int(conv_params(192, 64, 1, bias=True), 12_352,
               what="conv_params(192, 64, 1, bias=True) (12,288 + 64)")


@check(points=0.25)
def test_conv_params_errors(conv_params):
    # the docstring asks for ints >= 1 (it says nothing of bools): an integral float is no int
    for args in [(0, 64, 3), (3, -1, 3), (3, 64, 2.5), (3, 64, 3.0), (2.0, 64, 3)]:
        bad = next(a for a in args if isinstance(a, float) or a < 1)
        expect_value_error(lambda: conv_params(*args),
                           what=f"conv_params({', '.join(map(repr, args))})",
                           why="every count must be an int >= 1", shows=(repr(bad),))


@check(points=1)
def test_inception_googlenet_3a(inception_params):
    assert_int(inception_params(192, 64, 128, 32), 387_072,
               what="inception_params(192, 64, 128, 32), GoogLeNet 3a without reductions "
                    "(1x1x192x64 + 3x3x192x128 + 5x5x192x32)")


@check(points=0.5)
def test_inception_reductions(inception_params):
    assert_int(inception_params(192, 64, 128, 32, reduce3x3=96, reduce5x5=16), 157_184,
               what="inception_params(192, 64, 128, 32, reduce3x3=96, reduce5x5=16), GoogLeNet 3a with "
                    "reductions (the 1x1 reduction layers' own weights count too)")


@check(points=0.5)
def test_inception_pool_proj(inception_params):
    assert_int(inception_params(192, 64, 128, 32, pool_proj=32), 393_216,
               what="inception_params(192, 64, 128, 32, pool_proj=32), GoogLeNet 3a without "
                    "reductions and with a pool projection (387,072 plus the projection's "
                    "1x1x192x32 = 6,144 weights)")
    assert_int(inception_params(192, 64, 128, 32, reduce3x3=96, reduce5x5=16, pool_proj=32), 163_328,
               what="inception_params(192, 64, 128, 32, reduce3x3=96, reduce5x5=16, pool_proj=32), "
                    "GoogLeNet 3a with reductions and a pool projection (157,184 plus the projection's "
                    "1x1x192x32 = 6,144 weights)")


@check(points=0.25)
def test_inception_errors(inception_params):
    for args, kwargs, bad in [((192, 64, 128, 32), {"reduce3x3": 0}, "0"),
                              ((192, 64, 128, 2.5), {}, "2.5"),
                              ((192, 64.0, 128, 32), {}, "64.0"),
                              ((192, 64, 128, 32), {"reduce5x5": 16.0}, "16.0"),
                              ((0, 64, 128, 32), {}, "0"),
                              ((192, 64, 128, 32), {"pool_proj": -3}, "-3")]:
        call = "inception_params(" + ", ".join([repr(a) for a in args]
                                               + [f"{k}={v!r}" for k, v in kwargs.items()]) + ")"
        expect_value_error(lambda: inception_params(*args, **kwargs), what=call,
                           why="every count must be an int >= 1", shows=(bad,))


@check(points=1, hidden=True)
def test_conv1x1_random(conv1x1):
    rng = np.random.default_rng(5301)
    shapes = [(2, 3, 5, 4, 6), (1, 1, 3, 2, 5), (3, 6, 2, 7, 1), (2, 4, 4, 1, 1), (1, 5, 7, 3, 2)]
    for n, c_in, c_out, h, wd in shapes:                  # C_out != C_in except once, H != W mostly
        x = rng.standard_normal((n, c_in, h, wd))
        w = rng.standard_normal((c_out, c_in))
        b = rng.standard_normal(c_out)
        expected = np.zeros((n, c_out, h, wd))
        for i in range(n):                                # the same matrix at every position
            for p in range(h):
                for q in range(wd):
                    expected[i, :, p, q] = w @ x[i, :, p, q]
        where = f"x of shape {x.shape}, w of shape {w.shape}"
        assert_close(conv1x1(x.copy(), w.copy()), expected, what=f"conv1x1(x, w) for {where}, no bias")
        assert_close(conv1x1(x.copy(), w.copy(), b.copy()), expected + b[None, :, None, None],
                     what=f"conv1x1(x, w, b) for {where}, b of shape {b.shape}")


@check(points=0.5, hidden=True)
def test_conv1x1_is_general_conv(conv1x1):
    from autograder.checks.oracle import conv2d

    rng = np.random.default_rng(5302)
    for n, c_in, c_out, h, wd in [(2, 3, 4, 5, 3), (1, 4, 2, 2, 6), (2, 2, 2, 3, 3)]:
        x = rng.standard_normal((n, c_in, h, wd))
        w = rng.standard_normal((c_out, c_in, 1, 1))
        b = rng.standard_normal(c_out)
        where = f"x of shape {x.shape}, w of shape {w.shape}"
        assert_close(conv1x1(x.copy(), w.copy(), b.copy()), conv2d(x, w, b),
                     what=f"conv1x1(x, w, b) for {where}: it must equal a general convolution "
                          f"with K = 1, stride 1, no padding")
        assert_close(conv1x1(x.copy(), w.copy()), conv2d(x, w, np.zeros(c_out)),
                     what=f"conv1x1(x, w) for {where}, no bias: it must equal a general convolution "
                          f"with K = 1 and zero biases")


@check(points=0.5, hidden=True)
def test_conv_params_random(conv_params):
    rng = np.random.default_rng(5303)
    for _ in range(8):
        c_in, c_out, k = int(rng.integers(1, 513)), int(rng.integers(1, 513)), int(rng.choice([1, 2, 3, 5, 7, 11]))
        assert_int(conv_params(c_in, c_out, k), k * k * c_in * c_out,
                   what=f"conv_params({c_in}, {c_out}, {k})")
        assert_int(conv_params(c_in, c_out, k, bias=True), k * k * c_in * c_out + c_out,
                   what=f"conv_params({c_in}, {c_out}, {k}, bias=True)")
    # counts above 2**24 = 16,777,216 with odd factors: float32 arithmetic is no longer exact
    for args, expected in [((1023, 4097, 5), 104_780_775), ((4095, 4097, 3), 150_994_935),
                           ((4097, 4095, 3, True), 150_994_935 + 4095)]:
        assert_int(conv_params(*args[:3], bias=len(args) == 4), expected,
                   what=f"conv_params({', '.join(map(str, args[:3]))}"
                        f"{', bias=True' if len(args) == 4 else ''}) (above 2**24: integer "
                        f"arithmetic only)")


@check(points=1, hidden=True)
def test_inception_random(inception_params):
    rng = np.random.default_rng(5304)
    # every combination of reductions and pool projection present or absent, then random ones
    present = [(r3, r5, pp) for r3 in (False, True) for r5 in (False, True) for pp in (False, True)]
    present += [tuple(bool(v) for v in rng.integers(0, 2, 3)) for _ in range(4)]
    for has_r3, has_r5, has_pp in present:
        c_in, n1, n3, n5 = (int(v) for v in rng.integers(1, 513, 4))
        r3 = int(rng.integers(1, 257)) if has_r3 else None
        r5 = int(rng.integers(1, 65)) if has_r5 else None
        pp = int(rng.integers(1, 129)) if has_pp else None
        b3 = c_in * r3 + 9 * r3 * n3 if r3 else 9 * c_in * n3
        b5 = c_in * r5 + 25 * r5 * n5 if r5 else 25 * c_in * n5
        expected = c_in * n1 + b3 + b5 + (c_in * pp if pp else 0)
        assert_int(inception_params(c_in, n1, n3, n5, reduce3x3=r3, reduce5x5=r5, pool_proj=pp), expected,
                   what=f"inception_params({c_in}, {n1}, {n3}, {n5}, reduce3x3={r3}, reduce5x5={r5}, "
                        f"pool_proj={pp})")


@check(points=1, hidden=True)
def test_true_statements(true_statements):
    letters = "ABCDEFGH"
    got = _letters(true_statements(), set(letters), "true_statements()")
    expected = {"A", "D", "E", "G"}
    if got != expected:
        # Neither a count nor letters of the key, so that resubmitting does not narrow the
        # answer down statement by statement.
        raise AssertionError(
            f"true_statements(): expected the letters of exactly the true statements, got "
            f"{{{', '.join(sorted(got))}}}: at least one statement is classified wrongly (each "
            f"statement is either true or false; read them again against your analysis)")
