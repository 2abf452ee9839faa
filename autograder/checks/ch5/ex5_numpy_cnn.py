"""Checks for the optional exercise ex5_numpy_cnn (a small CNN in NumPy), Otter exception format.

Every check builds the student's layers itself and sets ``weights`` and ``bias`` by
assignment, so nothing depends on the student's initialisation. Forward values, dx,
grad_w and grad_b are separate checks, so partial credit follows what is right:

- public checks: literal expected values on small cases, and numerical gradients of the
  student's own forward pass on small fixed shapes (stride 1, no padding);
- hidden checks: random shapes from fixed seeds, with padding, strides 2 and 3, kernel
  sizes 1, 2, 3 and 5, overlapping pools and inputs that windows do not tile; expected
  values and numerical gradients come from the naive oracles of ``autograder.checks.oracle``.

The convolution's forward checks set a zero bias, so that the geometry (kernel, stride,
padding) and the bias are graded apart: ``test_conv_forward_bias_public`` and
``test_conv_bias_random`` check that the bias is added.

A training check makes a small CNN of the student's layers learn the shipped ``shapes``
data set (``autograder/checks/ch5/data/shapes.npz``, see ``scripts/make_dataset.py``),
driving the layers directly, not through the student's ``Module``.
"""

import numbers

import numpy as np

from autograder.checks.cases import check
from autograder.checks.compare import as_array, assert_close, assert_grad, describe
from autograder.checks.gradcheck import distinct_values, numerical_gradient_array

OK_FORMAT = False

name = "ex5_numpy_cnn"

TRAIN_STEPS = 100
"""SGD steps of the training check."""

TRAIN_BATCH = 32
"""Images per SGD step of the training check."""

TRAIN_LR = 0.8
"""Learning rate of the training check."""

TRAIN_MIN_ACCURACY = 0.90
"""Held-out accuracy the training check asks for (the reference reaches 0.99)."""


# ---------------------------------------------------------------- helpers

def _arr(value, what, shape):
    """A validated float64 copy of a value read back from student code."""
    return as_array(value, what=what, shape=shape).copy()


def _scalar(value, what):
    """A validated float from a value read back from student code."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise AssertionError(f"{what}: expected a float, got {describe(value)}")
    out = float(value)
    if not np.isfinite(out):
        raise AssertionError(f"{what}: expected a finite float, got {out}")
    return out


def _shape_of(n, c, h, w, k, s, p):
    return (n, c, (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1)


def _conv(Conv2D, c_in, c_out, k, s, p, weights, bias):
    """A student Conv2D with the check's parameters (set by assignment, as copies)."""
    conv = Conv2D(c_in, c_out, k, s, p)
    conv.weights = weights.copy()
    conv.bias = bias.copy()
    return conv


def _call(c_in, c_out, k, s, p):
    return f"Conv2D({c_in}, {c_out}, {k}, {s}, {p})"


def _conv_case(rng, n, c, h, w, f, k):
    x = rng.standard_normal((n, c, h, w))
    weights = rng.standard_normal((f, c, k, k))
    bias = rng.standard_normal(f)
    return x, weights, bias


def _conv_backward(conv, x, dout, call, x_shape, out_shape, w_shape, b_shape, dx=True):
    """Run forward then backward; return validated (dx, grad_w, grad_b) copies.

    With ``dx=False`` the input gradient is neither read nor validated (it is None), so a
    check of grad_w or grad_b does not depend on it.
    """
    _arr(conv.forward(x.copy()), f"{call}.forward(x) for x of shape {x_shape}", out_shape)
    got = conv.backward(dout.copy())
    if dx:
        got = _arr(got, f"{call}.backward(grad_out) for x of shape {x_shape} (dx)", x_shape)
    grad_w = _arr(conv.grad_w, f"{call}.grad_w after backward", w_shape)
    grad_b = _arr(conv.grad_b, f"{call}.grad_b after backward", b_shape)
    return (got if dx else None), grad_w, grad_b


# Hidden configurations: (N, C_in, H, W, C_out, K, stride, padding).
# Stride 1, every kernel size, padding up to K - 1 ("same" and less).
_STRIDE1 = [(2, 1, 4, 5, 2, 1, 1, 0), (1, 2, 5, 4, 3, 2, 1, 1),
            (2, 1, 5, 5, 2, 3, 1, 1), (1, 1, 6, 6, 2, 5, 1, 2)]
# Stride 1 with padding that is larger than K - 1 (outputs that see only padding).
_WIDE_PAD = [(1, 2, 4, 4, 2, 1, 1, 1), (1, 1, 4, 5, 2, 2, 1, 2)]
# Strides 2 and 3, with and without padding, inputs that the windows do and do not tile.
_STRIDED = [(1, 2, 7, 7, 2, 3, 2, 1), (2, 2, 6, 7, 2, 2, 2, 0),
            (1, 1, 9, 8, 2, 5, 2, 2), (1, 1, 8, 8, 2, 3, 3, 0)]


def _oracle_conv_grads(x, weights, bias, dout, s, p, which):
    """Numerical gradients of the oracle convolution, for the keys in ``which``
    ("dx", "grad_w", "grad_b")."""
    from autograder.checks import oracle

    args = {"dx": x, "grad_w": weights, "grad_b": bias}
    out = {}
    for key in which:
        def f(v, key=key):
            a = dict(args, **{key: v})
            return oracle.conv2d_by_pixel(a["dx"], a["grad_w"], a["grad_b"], s, p)
        out[key] = numerical_gradient_array(f, args[key], dout)
    return out


def _hidden_conv_grads(Conv2D, configs, seed, which):
    """Compare the student's ``which`` gradients with the oracle's, config by config."""
    from autograder.checks import oracle

    rng = np.random.default_rng(seed)
    for i, (n, c, h, w, f, k, s, p) in enumerate(configs):
        x, weights, bias = _conv_case(rng, n, c, h, w, f, k)
        out_shape = _shape_of(n, f, h, w, k, s, p)
        dout = rng.standard_normal(out_shape)
        call = _call(c, f, k, s, p)
        conv = _conv(Conv2D, c, f, k, s, p, weights, bias)
        got = dict(zip(("dx", "grad_w", "grad_b"), _conv_backward(
            conv, x, dout, call, x.shape, out_shape, weights.shape, bias.shape,
            dx="dx" in which)))
        want = oracle.memo((name, "conv_grads", seed, i, configs[i], which),
                           lambda: _oracle_conv_grads(x, weights, bias, dout, s, p, which))
        for key in which:
            assert_grad(got[key], want[key],
                        what=f"{call}: {key} for x of shape {x.shape}, stride {s}, padding {p}")


def _pool_backward_vs_oracle(MaxPooling, configs, seed):
    from autograder.checks import oracle

    rng = np.random.default_rng(seed)
    for i, (n, c, h, w, k, s) in enumerate(configs):
        x = distinct_values((n, c, h, w), rng)
        out_shape = (n, c, (h - k) // s + 1, (w - k) // s + 1)
        dout = rng.standard_normal(out_shape)
        call = f"MaxPooling({k}, {s})"
        pool = MaxPooling(k, s)
        _arr(pool.forward(x.copy()), f"{call}.forward(x) for x of shape {x.shape}", out_shape)
        dx = _arr(pool.backward(dout.copy()), f"{call}.backward(grad_out) for x of shape {x.shape}",
                  x.shape)
        numeric = oracle.memo(
            (name, "pool_grads", seed, i, configs[i]),
            lambda: numerical_gradient_array(lambda v: oracle.pool2d(v, "max", k, s), x, dout))
        assert_grad(dx, numeric, what=f"{call}.backward: dx for x of shape {x.shape}")


def _softmax_ce(logits, labels):
    """Oracle: mean cross-entropy of softmax, one row at a time, shifted by the row's max."""
    total = 0.0
    for row, label in zip(logits, labels):
        m = max(row)
        total += m + np.log(sum(np.exp(v - m) for v in row)) - row[label]
    return total / len(labels)


# ---------------------------------------------------------------- Conv2D

# The seed answer's example input: (1, 2, 3, 3).
_X = np.array([[[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]])
_W = np.array([[[[1.0, 0.0], [0.0, -1.0]], [[0.0, 1.0], [1.0, 0.0]]],
               [[[2.0, 1.0], [0.0, 0.0]], [[0.0, 0.0], [-1.0, 1.0]]],
               [[[0.0, 0.0], [0.0, 1.0]], [[1.0, -1.0], [0.0, 2.0]]]])


@check(points=1)
def test_conv_forward_public(Conv2D):
    conv = _conv(Conv2D, 2, 3, 2, 1, 0, _W, np.zeros(3))
    expected = np.array([[[[2.0, 4.0], [8.0, 10.0]], [[2.0, 5.0], [11.0, 14.0]],
                          [[13.0, 16.0], [22.0, 25.0]]]])
    assert_close(conv.forward(_X.copy()), expected,
                 what="Conv2D(2, 3, 2, 1, 0).forward(x) for x of shape (1, 2, 3, 3), zero bias "
                      "(cross-correlation: the kernel is not flipped)")


@check(points=1)
def test_conv_forward_bias_public(Conv2D):
    conv = _conv(Conv2D, 2, 3, 2, 1, 0, _W, np.array([1.0, -2.0, 0.5]))
    expected = np.array([[[[3.0, 5.0], [9.0, 11.0]], [[0.0, 3.0], [9.0, 12.0]],
                          [[13.5, 16.5], [22.5, 25.5]]]])
    assert_close(conv.forward(_X.copy()), expected,
                 what="Conv2D(2, 3, 2, 1, 0).forward(x) with bias [1, -2, 0.5]: each output "
                      "channel f gets bias[f] added at every pixel")


def _public_conv(Conv2D, dx):
    rng = np.random.default_rng(5501)
    x, weights, bias = _conv_case(rng, 2, 2, 5, 6, 3, 3)
    out_shape = (2, 3, 3, 4)
    dout = rng.standard_normal(out_shape)
    conv = _conv(Conv2D, 2, 3, 3, 1, 0, weights, bias)
    got = _conv_backward(conv, x, dout, "Conv2D(2, 3, 3, 1, 0)", x.shape, out_shape,
                         weights.shape, bias.shape, dx=dx)
    return conv, x, weights, bias, dout, out_shape, got


@check(points=1)
def test_conv_dx_public(Conv2D):
    conv, x, weights, bias, dout, out_shape, (dx, _, _) = _public_conv(Conv2D, dx=True)
    what = "Conv2D(2, 3, 3, 1, 0).forward(x)"
    numeric = numerical_gradient_array(
        lambda v: _arr(conv.forward(v.copy()), what, out_shape), x, dout)
    assert_grad(dx, numeric, what="Conv2D(2, 3, 3, 1, 0).backward: dx for x of shape (2, 2, 5, 6) "
                                  "against the numerical gradient of your forward")


@check(points=1)
def test_conv_grad_w_public(Conv2D):
    conv, x, weights, bias, dout, out_shape, (_, grad_w, _) = _public_conv(Conv2D, dx=False)
    what = "Conv2D(2, 3, 3, 1, 0).forward(x)"

    def forward(w):
        conv.weights = w.copy()
        return _arr(conv.forward(x.copy()), what, out_shape)

    numeric = numerical_gradient_array(forward, weights, dout)
    assert_grad(grad_w, numeric, what="Conv2D(2, 3, 3, 1, 0).grad_w for x of shape (2, 2, 5, 6) "
                                      "against the numerical gradient of your forward")


@check(points=1)
def test_conv_grad_b_public(Conv2D):
    x = np.random.default_rng(5502).standard_normal((2, 2, 3, 3))
    dout = np.array([[[[-2.0, -1.0], [0.0, 1.0]], [[2.0, 3.0], [4.0, -2.0]],
                      [[-1.0, 0.0], [1.0, 2.0]]],
                     [[[3.0, 4.0], [-2.0, -1.0]], [[0.0, 1.0], [2.0, 3.0]],
                      [[4.0, -2.0], [-1.0, 0.0]]]])
    conv = _conv(Conv2D, 2, 3, 2, 1, 0, _W, np.array([1.0, -2.0, 0.5]))
    _, _, grad_b = _conv_backward(conv, x, dout, "Conv2D(2, 3, 2, 1, 0)", x.shape,
                                  dout.shape, _W.shape, (3,), dx=False)
    assert_close(grad_b, np.array([2.0, 13.0, 3.0]),
                 what="Conv2D(2, 3, 2, 1, 0).grad_b after backward(grad_out) for a batch of 2: "
                      "grad_b[f] sums grad_out[:, f] over the batch and every pixel")


@check(points=1)
def test_conv_zero_grad_update(Conv2D):
    rng = np.random.default_rng(5503)
    x, weights, bias = _conv_case(rng, 2, 2, 4, 4, 3, 2)
    dout = rng.standard_normal((2, 3, 3, 3))
    conv = _conv(Conv2D, 2, 3, 2, 1, 0, weights, bias)
    _, grad_w, grad_b = _conv_backward(conv, x, dout, "Conv2D(2, 3, 2, 1, 0)", x.shape,
                                       dout.shape, weights.shape, bias.shape, dx=False)
    lr = 0.1
    conv.update(lr)
    assert_close(conv.weights, weights - lr * grad_w,
                 what="Conv2D.weights after update(0.1): weights - 0.1 * grad_w")
    assert_close(conv.bias, bias - lr * grad_b,
                 what="Conv2D.bias after update(0.1): bias - 0.1 * grad_b")
    conv.zero_grad()
    assert_close(conv.grad_w, np.zeros(weights.shape),
                 what="Conv2D.grad_w after zero_grad(): zeros of the weights' shape")
    assert_close(conv.grad_b, np.zeros(bias.shape),
                 what="Conv2D.grad_b after zero_grad(): zeros of the bias's shape")


@check(points=2, hidden=True)
def test_conv_forward_random(Conv2D):
    from autograder.checks import oracle

    rng = np.random.default_rng(5511)
    configs = [(2, 3, 6, 7, 4, 1, 1, 0), (2, 2, 7, 6, 3, 2, 1, 1), (1, 3, 8, 8, 2, 3, 2, 1),
               (2, 2, 9, 7, 3, 5, 2, 2), (2, 1, 7, 8, 2, 3, 3, 0), (1, 2, 4, 5, 2, 1, 1, 2)]
    for (n, c, h, w, f, k, s, p) in configs:
        x, weights, _ = _conv_case(rng, n, c, h, w, f, k)
        bias = np.zeros(f)
        conv = _conv(Conv2D, c, f, k, s, p, weights, bias)
        assert_close(conv.forward(x.copy()), oracle.conv2d(x, weights, bias, s, p),
                     what=f"{_call(c, f, k, s, p)}.forward(x) for x of shape {x.shape}, zero bias")


@check(points=1, hidden=True)
def test_conv_bias_random(Conv2D):
    from autograder.checks import oracle

    rng = np.random.default_rng(5512)
    for (n, c, h, w, f, k, s, p) in [(2, 2, 5, 6, 3, 3, 1, 0), (2, 3, 4, 4, 4, 1, 1, 0),
                                     (1, 2, 5, 5, 3, 3, 1, 1)]:
        x, weights, bias = _conv_case(rng, n, c, h, w, f, k)
        conv = _conv(Conv2D, c, f, k, s, p, weights, bias)
        assert_close(conv.forward(x.copy()), oracle.conv2d(x, weights, bias, s, p),
                     what=f"{_call(c, f, k, s, p)}.forward(x) for x of shape {x.shape}, "
                          f"bias {np.round(bias, 4).tolist()}")


@check(points=2, hidden=True)
def test_conv_dx_random(Conv2D):
    _hidden_conv_grads(Conv2D, _STRIDE1 + _WIDE_PAD, 5513, ("dx",))


@check(points=1, hidden=True)
def test_conv_grad_w_random(Conv2D):
    _hidden_conv_grads(Conv2D, _STRIDE1, 5514, ("grad_w",))


@check(points=1, hidden=True)
def test_conv_grad_b_random(Conv2D):
    _hidden_conv_grads(Conv2D, _STRIDE1, 5515, ("grad_b",))


@check(points=1, hidden=True)
def test_conv_stride_dx(Conv2D):
    _hidden_conv_grads(Conv2D, _STRIDED, 5516, ("dx",))


@check(points=1, hidden=True)
def test_conv_stride_grads(Conv2D):
    _hidden_conv_grads(Conv2D, _STRIDED, 5517, ("grad_w", "grad_b"))


# ---------------------------------------------------------------- MaxPooling

@check(points=1)
def test_maxpool_forward_public(MaxPooling):
    x = np.array([[[[1.0, 3.0, 2.0, 0.0], [4.0, -1.0, 5.0, 2.0],
                    [0.0, 6.0, -3.0, 1.0], [2.0, 1.0, 7.0, 4.0]],
                   [[-2.0, 0.0, 1.0, 3.0], [5.0, -4.0, 2.0, 0.0],
                    [1.0, 1.5, 0.5, -1.0], [3.0, 2.0, 8.0, 6.0]]]])
    expected = np.array([[[[4.0, 5.0], [6.0, 7.0]], [[5.0, 3.0], [3.0, 8.0]]]])
    assert_close(MaxPooling(2, 2).forward(x.copy()), expected,
                 what="MaxPooling(2, 2).forward(x) for x of shape (1, 2, 4, 4)")


@check(points=1)
def test_maxpool_backward_public(MaxPooling):
    rng = np.random.default_rng(5521)
    x = distinct_values((2, 2, 4, 6), rng)
    dout = rng.standard_normal((2, 2, 2, 3))
    pool = MaxPooling(2, 2)
    what = "MaxPooling(2, 2).forward(x) for x of shape (2, 2, 4, 6)"
    _arr(pool.forward(x.copy()), what, dout.shape)
    dx = _arr(pool.backward(dout.copy()), "MaxPooling(2, 2).backward(grad_out)", x.shape)
    numeric = numerical_gradient_array(lambda v: _arr(pool.forward(v.copy()), what, dout.shape),
                                       x, dout)
    assert_grad(dx, numeric, what="MaxPooling(2, 2).backward: dx for x of shape (2, 2, 4, 6) "
                                   "against the numerical gradient of your forward")


@check(points=1, hidden=True)
def test_maxpool_forward_random(MaxPooling):
    from autograder.checks import oracle

    rng = np.random.default_rng(5522)
    for (n, c, h, w, k, s) in [(2, 2, 6, 6, 3, 2), (2, 3, 5, 7, 2, 2), (1, 2, 7, 7, 3, 2),
                               (2, 2, 5, 6, 2, 1), (2, 1, 8, 8, 4, 4), (1, 2, 8, 8, 2, 3)]:
        x = rng.standard_normal((n, c, h, w))
        assert_close(MaxPooling(k, s).forward(x.copy()), oracle.pool2d(x, "max", k, s),
                     what=f"MaxPooling({k}, {s}).forward(x) for x of shape {x.shape}")


@check(points=1, hidden=True)
def test_maxpool_backward_overlap(MaxPooling):
    _pool_backward_vs_oracle(MaxPooling, [(2, 2, 7, 7, 3, 2), (2, 2, 5, 6, 2, 1),
                                          (1, 2, 6, 6, 3, 1)], 5523)


@check(points=1, hidden=True)
def test_maxpool_backward_remainder(MaxPooling):
    _pool_backward_vs_oracle(MaxPooling, [(2, 3, 5, 7, 2, 2), (1, 2, 8, 7, 3, 3),
                                          (2, 2, 8, 8, 2, 3)], 5524)


# ---------------------------------------------------------------- ReLU, Flatten, Linear

@check(points=1)
def test_relu(ReLU):
    x = np.array([[[[1.5, -2.0, 0.25], [-0.5, 3.0, -1e-3]], [[-4.0, 2.0, 0.5], [1e-3, -7.0, 6.0]]]])
    dout = np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0]]]])
    relu = ReLU()
    assert_close(relu.forward(x.copy()),
                 np.array([[[[1.5, 0.0, 0.25], [0.0, 3.0, 0.0]], [[0.0, 2.0, 0.5], [1e-3, 0.0, 6.0]]]]),
                 what="ReLU().forward(x) for x of shape (1, 2, 2, 3)")
    assert_close(relu.backward(dout.copy()),
                 np.array([[[[1.0, 0.0, 3.0], [0.0, 5.0, 0.0]], [[0.0, -2.0, -3.0], [-4.0, 0.0, -6.0]]]]),
                 what="ReLU().backward(grad_out): grad_out where the input was > 0, else 0")


@check(points=1)
def test_flatten(Flatten):
    flatten = Flatten()
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    assert_close(flatten.forward(x.copy()), np.arange(24.0).reshape(2, 12),
                 what="Flatten().forward(x) for x of shape (2, 3, 2, 2): (N, C*H*W), row-major")
    dout = -np.arange(24.0).reshape(2, 12)
    assert_close(flatten.backward(dout.copy()), -np.arange(24.0).reshape(2, 3, 2, 2),
                 what="Flatten().backward(grad_out) for grad_out of shape (2, 12): back to (2, 3, 2, 2)")


_LIN_X = np.array([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]])
_LIN_W = np.array([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]])
_LIN_B = np.array([0.5, -1.0])


def _linear(Linear, n_in, n_out, weights, bias):
    lin = Linear(n_in, n_out)
    lin.weights = weights.copy()
    lin.bias = bias.copy()
    return lin


@check(points=1)
def test_linear_forward_public(Linear):
    lin = _linear(Linear, 3, 2, _LIN_W, _LIN_B)
    assert_close(lin.forward(_LIN_X.copy()), np.array([[5.5, -3.0], [1.0, 1.5]]),
                 what="Linear(3, 2).forward(x) = x @ weights + bias, for x of shape (2, 3) and "
                      "weights of shape (in_features, out_features) = (3, 2)")


@check(points=1)
def test_linear_backward_public(Linear):
    rng = np.random.default_rng(5531)
    x = rng.standard_normal((3, 4))
    weights = rng.standard_normal((4, 2))
    bias = rng.standard_normal(2)
    dout = rng.standard_normal((3, 2))
    lin = _linear(Linear, 4, 2, weights, bias)
    what = "Linear(4, 2).forward(x) for x of shape (3, 4), weights of shape (4, 2)"
    _arr(lin.forward(x.copy()), what, (3, 2))
    dx = _arr(lin.backward(dout.copy()), "Linear(4, 2).backward(grad_out) (dx)", x.shape)
    grad_w = _arr(lin.grad_w, "Linear(4, 2).grad_w after backward", weights.shape)
    grad_b = _arr(lin.grad_b, "Linear(4, 2).grad_b after backward", bias.shape)
    assert_grad(dx, numerical_gradient_array(lambda v: _arr(lin.forward(v.copy()), what, (3, 2)),
                                             x, dout),
                what="Linear(4, 2).backward: dx against the numerical gradient of your forward")

    def with_weights(w):
        lin.weights = w.copy()
        return _arr(lin.forward(x.copy()), what, (3, 2))

    def with_bias(b):
        lin.bias = b.copy()
        return _arr(lin.forward(x.copy()), what, (3, 2))

    assert_grad(grad_w, numerical_gradient_array(with_weights, weights, dout),
                what="Linear(4, 2).grad_w against the numerical gradient of your forward")
    lin.weights = weights.copy()
    assert_grad(grad_b, numerical_gradient_array(with_bias, bias, dout),
                what="Linear(4, 2).grad_b against the numerical gradient of your forward")


# ---------------------------------------------------------------- SoftmaxCrossEntropy

@check(points=1)
def test_softmax_ce_public(SoftmaxCrossEntropy):
    logits = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0], [-1.0, 2.0, 0.5, 1.0]])
    labels = np.array([0, 3, 1])
    ce = SoftmaxCrossEntropy()
    loss = _scalar(ce.forward(logits.copy(), labels.copy()),
                   "SoftmaxCrossEntropy().forward(logits, labels) for logits of shape (3, 4)")
    assert_close(np.array(loss), np.array(1.7738886525889808),
                 what="SoftmaxCrossEntropy().forward(logits, labels): the MEAN loss over the "
                      "batch of 3")
    grad = _arr(ce.backward(), "SoftmaxCrossEntropy().backward()", logits.shape)
    numeric = numerical_gradient_array(
        lambda v: np.array(_scalar(ce.forward(v.copy(), labels.copy()),
                                   "SoftmaxCrossEntropy().forward(logits, labels)")),
        logits, np.array(1.0))
    assert_grad(grad, numeric, what="SoftmaxCrossEntropy().backward(): dlogits against the "
                                    "numerical gradient of your (mean) loss")


@check(points=1, hidden=True)
def test_softmax_ce_random(SoftmaxCrossEntropy):
    rng = np.random.default_rng(5541)
    logits = 3.0 * rng.standard_normal((6, 5))
    logits[1] += 1000.0   # large logits: exp overflows unless the row's max is subtracted
    logits[4] -= 1000.0
    labels = rng.integers(0, 5, size=6)
    ce = SoftmaxCrossEntropy()
    what = "SoftmaxCrossEntropy().forward(logits, labels) for logits of shape (6, 5) with " \
           "entries near +1000 and -1000"
    loss = _scalar(ce.forward(logits.copy(), labels.copy()), what)
    assert_close(np.array(loss), np.array(_softmax_ce(logits, labels)), what=what)
    grad = _arr(ce.backward(), "SoftmaxCrossEntropy().backward()", logits.shape)
    numeric = numerical_gradient_array(lambda v: np.array(_softmax_ce(v, labels)), logits,
                                       np.array(1.0))
    assert_grad(grad, numeric, what="SoftmaxCrossEntropy().backward(): dlogits of the mean loss")


# ---------------------------------------------------------------- Module

@check(points=1)
def test_module(Module, Conv2D, ReLU, MaxPooling, Flatten, Linear):
    rng = np.random.default_rng(5551)
    x = rng.standard_normal((2, 1, 6, 6))
    conv_w, conv_b = rng.standard_normal((2, 1, 3, 3)), rng.standard_normal(2)
    lin_w, lin_b = rng.standard_normal((18, 3)), rng.standard_normal(3)
    dout = rng.standard_normal((2, 3))

    def layers():
        return [_conv(Conv2D, 1, 2, 3, 1, 1, conv_w, conv_b), ReLU(), MaxPooling(2, 2),
                Flatten(), _linear(Linear, 18, 3, lin_w, lin_b)]

    # What the module must do, done by hand with a second set of your own layers.
    shapes = [(2, 1, 6, 6), (2, 2, 6, 6), (2, 2, 6, 6), (2, 2, 3, 3), (2, 18), (2, 3)]
    names = ["Conv2D", "ReLU", "MaxPooling", "Flatten", "Linear"]
    hand = layers()
    value = x.copy()
    for i, layer in enumerate(hand):
        value = _arr(layer.forward(value), f"{names[i]}.forward(x) (layer {i})", shapes[i + 1])
    want_out = value
    grad = dout.copy()
    for i in reversed(range(1, len(hand))):
        grad = _arr(hand[i].backward(grad), f"{names[i]}.backward(grad_out) (layer {i})", shapes[i])
    hand[0].backward(grad)  # the module's input gradient is not graded here: only the grads
    want = {"conv.grad_w": _arr(hand[0].grad_w, "Conv2D.grad_w", conv_w.shape),
            "conv.grad_b": _arr(hand[0].grad_b, "Conv2D.grad_b", conv_b.shape),
            "linear.grad_w": _arr(hand[4].grad_w, "Linear.grad_w", lin_w.shape),
            "linear.grad_b": _arr(hand[4].grad_b, "Linear.grad_b", lin_b.shape)}

    model = Module()
    mine = layers()
    model.layers = mine
    conv, lin = mine[0], mine[4]
    spec = "Module with layers [Conv2D(1, 2, 3, 1, 1), ReLU(), MaxPooling(2, 2), Flatten(), " \
           "Linear(18, 3)]"
    assert_close(model.forward(x.copy()), want_out,
                 what=f"{spec}: forward(x) against calling each layer's forward in order")
    model.backward(dout.copy())
    got = {"conv.grad_w": conv.grad_w, "conv.grad_b": conv.grad_b,
           "linear.grad_w": lin.grad_w, "linear.grad_b": lin.grad_b}
    for key in want:
        assert_close(got[key], want[key],
                     what=f"{spec}: {key} after backward(grad) against calling each layer's "
                          f"backward in reverse order")
    lr = 0.05
    model.step(lr)
    for label, layer, w, g in (("conv", conv, conv_w, want["conv.grad_w"]),
                               ("linear", lin, lin_w, want["linear.grad_w"])):
        assert_close(layer.weights, w - lr * g,
                     what=f"{spec}: {label}.weights after step(0.05): weights - 0.05 * grad_w")
    model.zero_grad()
    for label, layer, shape in (("conv", conv, conv_w.shape), ("linear", lin, lin_w.shape)):
        assert_close(layer.grad_w, np.zeros(shape),
                     what=f"{spec}: {label}.grad_w after zero_grad(): zeros")


# ---------------------------------------------------------------- training

@check(points=3)
def test_training(Conv2D, ReLU, MaxPooling, Flatten, Linear, SoftmaxCrossEntropy):
    from autograder.checks.data import load

    data = load("ch5", "shapes")
    x_train = data["x_train"].astype(np.float64) / 255.0
    y_train = data["y_train"].astype(np.int64)
    x_test = data["x_test"].astype(np.float64) / 255.0
    y_test = data["y_test"].astype(np.int64)
    n_classes, side = len(data["classes"]), x_train.shape[-1]
    channels, pooled = 8, side // 2
    features = channels * pooled * pooled

    rng = np.random.default_rng(5561)
    conv = _conv(Conv2D, 1, channels, 3, 1, 1,
                 rng.standard_normal((channels, 1, 3, 3)) * np.sqrt(2.0 / 9), np.zeros(channels))
    lin = _linear(Linear, features, n_classes,
                  rng.standard_normal((features, n_classes)) * np.sqrt(1.0 / features),
                  np.zeros(n_classes))
    relu, pool, flatten, ce = ReLU(), MaxPooling(2, 2), Flatten(), SoftmaxCrossEntropy()
    net = ("Conv2D(1, 8, 3, 1, 1) -> ReLU -> MaxPooling(2, 2) -> Flatten -> "
           f"Linear({features}, {n_classes}) -> SoftmaxCrossEntropy")

    def forward(x, step):
        where = f" ({net}; training step {step})"
        n = x.shape[0]
        h = _arr(conv.forward(x), "Conv2D.forward" + where, (n, channels, side, side))
        h = _arr(relu.forward(h), "ReLU.forward" + where, (n, channels, side, side))
        h = _arr(pool.forward(h), "MaxPooling.forward" + where, (n, channels, pooled, pooled))
        h = _arr(flatten.forward(h), "Flatten.forward" + where, (n, features))
        return _arr(lin.forward(h), "Linear.forward" + where, (n, n_classes))

    losses = []
    for step in range(1, TRAIN_STEPS + 1):
        where = f" ({net}; training step {step})"
        batch = rng.choice(len(y_train), TRAIN_BATCH, replace=False)
        logits = forward(x_train[batch], step)
        losses.append(_scalar(ce.forward(logits, y_train[batch]),
                              "SoftmaxCrossEntropy.forward" + where))
        g = _arr(ce.backward(), "SoftmaxCrossEntropy.backward" + where, logits.shape)
        g = _arr(lin.backward(g), "Linear.backward" + where, (TRAIN_BATCH, features))
        g = _arr(flatten.backward(g), "Flatten.backward" + where,
                 (TRAIN_BATCH, channels, pooled, pooled))
        g = _arr(pool.backward(g), "MaxPooling.backward" + where,
                 (TRAIN_BATCH, channels, side, side))
        g = _arr(relu.backward(g), "ReLU.backward" + where, (TRAIN_BATCH, channels, side, side))
        conv.backward(g)  # the input's gradient is not needed: only grad_w and grad_b
        conv.update(TRAIN_LR)
        lin.update(TRAIN_LR)

    predicted = forward(x_test.copy(), "evaluation").argmax(axis=1)
    accuracy = float(np.mean(predicted == y_test))
    assert accuracy >= TRAIN_MIN_ACCURACY, (
        f"training: {net} trained for {TRAIN_STEPS} SGD steps (batch {TRAIN_BATCH}, "
        f"lr {TRAIN_LR}, weights set by the check) reaches a held-out accuracy of "
        f"{accuracy:.1%}, expected at least {TRAIN_MIN_ACCURACY:.0%} (the reference reaches "
        f"99%). The training loss went from {losses[0]:.4f} (first step) to "
        f"{np.mean(losses[-10:]):.4f} (mean of the last 10 steps). Check the backward passes "
        f"and update(lr) of your layers with the other checks first.")
