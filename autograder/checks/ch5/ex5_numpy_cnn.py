"""Checks for the optional exercise ex5_numpy_cnn (a small CNN in NumPy), Otter exception format.

Every check builds the student's layers itself and sets ``weights`` and ``bias`` by
assignment, so nothing depends on the student's initialisation. Forward values, dx,
grad_w and grad_b are separate checks, so partial credit follows what is right:

- public checks: literal expected values on small cases, and numerical gradients of the
  student's own forward pass on small fixed shapes (stride 1, no padding), whose forward
  value at that point is pinned to a literal first (a layer that returns zeros would
  otherwise have "right" zero gradients); a tie inside a max-pooling window (the first
  maximum in row-major order gets the gradient); ReLU at exactly 0 (derivative 0); that
  ``backward`` SETS the gradients (two calls, the same gradients), that ``update`` and
  ``zero_grad`` treat the weights and the bias, that ``Module.backward`` returns dL/dx; the
  documented ValueErrors; a vectorisation budget on a large input (``checks.timing``);
- hidden checks: random shapes from fixed seeds, with padding, strides 2 and 3, kernel
  sizes 1, 2, 3 and 5, overlapping pools and inputs that windows do not tile; expected
  values and numerical gradients come from the naive oracles of ``autograder.checks.oracle``.

The convolution's forward checks set a zero bias, so that the geometry (kernel, stride,
padding) and the bias are graded apart: ``test_conv_forward_bias_public`` and
``test_conv_bias_random`` check that the bias is added.

Two training checks make a small CNN of the student's layers learn the shipped ``shapes``
data set (``autograder/checks/ch5/data/shapes.npz``, see ``scripts/make_dataset.py``),
driving the layers directly, not through the student's ``Module``. The public one trains for
a few steps and asks that the training loss falls, as a preview; the hidden one trains for
the full number of steps and measures held-out accuracy with the oracle's forward pass on the
weights the student's layers learned, so that a forward pass that remembers what it was
shown cannot stand in for learning.
"""

import numbers

import numpy as np

from autograder.checks.cases import check
from autograder.checks.compare import (as_array, assert_close, assert_grad, describe,
                                       expect_value_error, float_value)
from autograder.checks.gradcheck import distinct_values, numerical_gradient_array
from autograder.checks.timing import UNITS, assert_vectorised, side

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

PREVIEW_STEPS = 30
"""SGD steps of the public training check, a preview of the graded training."""

PREVIEW_MAX_LOSS = 0.9
"""Mean training loss of the last 10 of ``PREVIEW_STEPS`` steps the preview asks for: the loss
starts at about ln 4 = 1.39 and the reference's is 0.78 by then (the accuracy after so few
steps moves with every detail of the gradients; the loss does not)."""

CONV_REGIMES = (
    ("image", "the batch", lambda n: ((n, 1, 1, 1), 1, 1)),
    ("input channel", "the input channels", lambda n: ((1, n, 1, 1), n, 1)),
    ("output channel", "the output channels", lambda n: ((1, 1, 1, 1), 1, n)),
    ("output pixel", "the output pixels", lambda n: ((1, 1, side(n), side(n)), 1, 1)),
)
"""The convolution's vectorisation inputs, ``(unit, dimension, n -> (x's shape, C_in,
C_out))`` with a 1x1 kernel: each grows one dimension no loop may run over from
``timing.UNITS[0]`` to ``UNITS[1]`` (``timing.PER_UNIT_BUDGET`` says what was measured)."""

POOL_REGIMES = (
    ("image", "the batch", lambda n: (n, 1, 2, 2)),
    ("channel", "the channels", lambda n: (1, n, 2, 2)),
    ("window", "the windows", lambda n: (1, 1, 2 * side(n), 2 * side(n))),
)
"""MaxPooling(2, 2)'s vectorisation inputs, ``(unit, dimension, n -> x's shape)``."""

WEIGHTS_LAYOUT = {"Conv2D": "(C_out, C_in, K, K)", "Linear": "(in_features, out_features)"}
"""The axes of each layer's weights, as the docstrings give them."""


# ---------------------------------------------------------------- helpers

def _arr(value, what, shape):
    """A validated float64 copy of a value read back from student code."""
    return as_array(value, what=what, shape=shape).copy()


def _scalar(value, what):
    """A validated float from a value read back from student code."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating,
                                                                     np.integer)):
        raise AssertionError(f"{what}: expected a float, got {describe(value)}")
    out = float_value(value)
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


def _conv_backward(conv, x, dout, call, x_shape, out_shape, w_shape, b_shape, dx=True,
                   out_expected=None):
    """Run forward then backward; return validated (dx, grad_w, grad_b) copies.

    With ``dx=False`` the input gradient is neither read nor validated (it is None), so a
    check of grad_w or grad_b does not depend on it. With ``out_expected`` the forward's
    value is pinned to it first.
    """
    out = _arr(conv.forward(x.copy()), f"{call}.forward(x) for x of shape {x_shape}", out_shape)
    if out_expected is not None:
        assert_close(out, out_expected, what=f"{call}.forward(x) for x of shape {x_shape} (the "
                     f"gradients are checked against your forward, which must first be right here)")
    got = conv.backward(dout.copy())
    if dx:
        got = _arr(got, f"{call}.backward(grad_out) for x of shape {x_shape} (dx)", x_shape)
    grad_w = as_array(conv.grad_w, what=f"{call}.grad_w after backward", shape=w_shape,
                      layout=WEIGHTS_LAYOUT["Conv2D"]).copy()
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


@check(points=0.5)
def test_conv_forward_bias_public(Conv2D):
    conv = _conv(Conv2D, 2, 3, 2, 1, 0, _W, np.array([1.0, -2.0, 0.5]))
    expected = np.array([[[[3.0, 5.0], [9.0, 11.0]], [[0.0, 3.0], [9.0, 12.0]],
                          [[13.5, 16.5], [22.5, 25.5]]]])
    assert_close(conv.forward(_X.copy()), expected,
                 what="Conv2D(2, 3, 2, 1, 0).forward(x) with bias [1, -2, 0.5]: each output "
                      "channel f gets bias[f] added at every pixel")


# The public gradient checks' input: integers, so that the forward value is a literal; a
# zero bias, as in the forward checks, so that a forward without the bias is pinned right
# here and costs only the bias checks.
_X_GRAD = np.arange(80.0).reshape(2, 2, 4, 5) * 5 % 9 - 4
_W_GRAD = np.arange(54.0).reshape(3, 2, 3, 3) * 7 % 5 - 2
_B_GRAD = np.zeros(3)
_OUT_GRAD = np.array([[[[-19.0, 26.0, -19.0], [17.0, 17.0, -28.0]],
                       [[-24.0, 11.0, 1.0], [-29.0, 33.0, -13.0]],
                       [[16.0, -24.0, 26.0], [-40.0, 19.0, -3.0]]],
                      [[[-28.0, 17.0, 17.0], [-19.0, 26.0, -19.0]],
                       [[17.0, -29.0, 33.0], [-24.0, 11.0, 1.0]],
                       [[27.0, -40.0, 19.0], [16.0, -24.0, 26.0]]]])


def _public_conv(Conv2D, dx):
    rng = np.random.default_rng(5501)
    x, weights, bias = _X_GRAD, _W_GRAD, _B_GRAD
    out_shape = (2, 3, 2, 3)
    dout = rng.standard_normal(out_shape)
    conv = _conv(Conv2D, 2, 3, 3, 1, 0, weights, bias)
    got = _conv_backward(conv, x, dout, "Conv2D(2, 3, 3, 1, 0)", x.shape, out_shape,
                         weights.shape, bias.shape, dx=dx, out_expected=_OUT_GRAD)
    return conv, x, weights, bias, dout, out_shape, got


@check(points=1)
def test_conv_dx_public(Conv2D):
    conv, x, weights, bias, dout, out_shape, (dx, _, _) = _public_conv(Conv2D, dx=True)
    what = "Conv2D(2, 3, 3, 1, 0).forward(x)"
    numeric = numerical_gradient_array(
        lambda v: _arr(conv.forward(v.copy()), what, out_shape), x, dout)
    assert_grad(dx, numeric, what="Conv2D(2, 3, 3, 1, 0).backward: dx for x of shape (2, 2, 4, 5) "
                                  "against the numerical gradient of your forward")


@check(points=1)
def test_conv_grad_w_public(Conv2D):
    conv, x, weights, bias, dout, out_shape, (_, grad_w, _) = _public_conv(Conv2D, dx=False)
    what = "Conv2D(2, 3, 3, 1, 0).forward(x)"

    def forward(w):
        conv.weights = w.copy()
        return _arr(conv.forward(x.copy()), what, out_shape)

    numeric = numerical_gradient_array(forward, weights, dout)
    assert_grad(grad_w, numeric, what="Conv2D(2, 3, 3, 1, 0).grad_w for x of shape (2, 2, 4, 5) "
                                      "against the numerical gradient of your forward")


@check(points=0.5)
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


def _check_update(layer, call, weights, bias):
    """``update(lr)`` with gradients set by assignment: both parameters take one SGD step."""
    rng = np.random.default_rng(5504)
    grad_w, grad_b = rng.standard_normal(weights.shape), rng.standard_normal(bias.shape)
    layer.grad_w = grad_w.copy()
    layer.grad_b = grad_b.copy()
    lr = 0.1
    layer.update(lr)
    assert_close(layer.weights, weights - lr * grad_w,
                 what=f"{call}.weights after update(0.1), grad_w set by the check: "
                      f"weights - 0.1 * grad_w", layout=WEIGHTS_LAYOUT[call.split("(")[0]])
    assert_close(layer.bias, bias - lr * grad_b,
                 what=f"{call}.bias after update(0.1), grad_b set by the check: bias - 0.1 * grad_b "
                      f"(update takes a step of the bias too)")


def _check_zero_grad(layer, call, weights, bias):
    """``zero_grad()`` sets both gradients to zeros of the parameters' shapes."""
    layer.grad_w = np.ones(weights.shape)
    layer.grad_b = np.ones(bias.shape)
    layer.zero_grad()
    assert_close(layer.grad_w, np.zeros(weights.shape),
                 what=f"{call}.grad_w after zero_grad(): zeros of the weights' shape",
                 layout=WEIGHTS_LAYOUT[call.split("(")[0]])
    assert_close(layer.grad_b, np.zeros(bias.shape),
                 what=f"{call}.grad_b after zero_grad(): zeros of the bias's shape (zero_grad "
                      f"clears both gradients)")


def _check_grads_set(layer, call, x, dout, w_shape, b_shape):
    """Two backward passes of the same forward leave the same gradients: ``backward`` SETS
    grad_w and grad_b (adding to them would double them)."""
    firsts = []
    for i in (1, 2):
        layer.forward(x.copy())
        layer.backward(dout.copy())
        firsts.append((as_array(layer.grad_w, what=f"{call}.grad_w after backward", shape=w_shape,
                                layout=WEIGHTS_LAYOUT[call.split("(")[0]]).copy(),
                       _arr(layer.grad_b, f"{call}.grad_b after backward", b_shape)))
    for k, name in enumerate(("grad_w", "grad_b")):
        assert_close(firsts[1][k], firsts[0][k],
                     what=f"{call}.{name} after a second forward and backward with the same input "
                          f"and grad_out, against the first (backward must SET {name}, not add to "
                          f"it: the conventions)")


_W_UPDATE = np.arange(24.0).reshape(3, 2, 2, 2) / 10 - 1
_B_UPDATE = np.array([0.5, -1.0, 2.0])


@check(points=0.5)
def test_conv_update(Conv2D):
    conv = _conv(Conv2D, 2, 3, 2, 1, 0, _W_UPDATE, _B_UPDATE)
    _check_update(conv, "Conv2D(2, 3, 2, 1, 0)", _W_UPDATE, _B_UPDATE)


@check(points=0.25)
def test_conv_zero_grad(Conv2D):
    conv = _conv(Conv2D, 2, 3, 2, 1, 0, _W_UPDATE, _B_UPDATE)
    _check_zero_grad(conv, "Conv2D(2, 3, 2, 1, 0)", _W_UPDATE, _B_UPDATE)


@check(points=0.5)
def test_conv_grads_set(Conv2D):
    rng = np.random.default_rng(5505)
    x, weights, bias = _conv_case(rng, 2, 2, 4, 4, 3, 2)
    conv = _conv(Conv2D, 2, 3, 2, 1, 0, weights, bias)
    _check_grads_set(conv, "Conv2D(2, 3, 2, 1, 0)", x, rng.standard_normal((2, 3, 3, 3)),
                     weights.shape, bias.shape)


def _check_parameter_shapes(layer, call, w_shape, b_shape):
    """The parameters and gradients a fresh layer holds have the documented shapes."""
    layout = WEIGHTS_LAYOUT[call.split("(")[0]]
    for attr in ("weights", "grad_w"):
        as_array(getattr(layer, attr), what=f"{call}.{attr} after construction", shape=w_shape,
                 layout=layout)
    for attr in ("bias", "grad_b"):
        as_array(getattr(layer, attr), what=f"{call}.{attr} after construction", shape=b_shape)


@check(points=0.25)
def test_conv_parameter_shapes(Conv2D):
    _check_parameter_shapes(Conv2D(2, 3, 3, 1, 1), "Conv2D(2, 3, 3, 1, 1)", (3, 2, 3, 3), (3,))


@check(points=0.5)
def test_conv_errors(Conv2D):
    for args, why, shows in [((0, 2, 3, 1, 0), "in_channels 0 is not a positive int", ("0",)),
                             ((1, 2, 2.5, 1, 0), "kernel_size 2.5 is not an int", ("2.5",)),
                             ((1, 2, 3.0, 1, 0), "kernel_size 3.0 is a float, not an int", ("3.0",)),
                             ((1, 2, 3, 2.0, 0), "stride 2.0 is a float, not an int", ("2.0",)),
                             ((1, 2, 3, 0, 0), "stride 0 is not a positive int", ("0",)),
                             ((1, 2, 3, 1, -1), "padding -1 is negative", ("-1",))]:
        expect_value_error(lambda: Conv2D(*args), what=f"Conv2D{args}", why=why, shows=shows)
    conv = _conv(Conv2D, 2, 2, 3, 1, 0, np.ones((2, 2, 3, 3)), np.zeros(2))
    for x_shape, why, shows in [((1, 3, 5, 5), "x has 3 channels, the layer 2", (3, 2)),
                                ((2, 5, 5), "x is not 4-D", ("(2, 5, 5)",)),
                                ((1, 2, 2, 6), "the input is smaller than the 3x3 kernel", ("3",))]:
        expect_value_error(lambda: conv.forward(np.zeros(x_shape)),
                           what=f"Conv2D(2, 2, 3, 1, 0).forward(x) for x of shape {x_shape}",
                           why=why, shows=shows)
    fresh = _conv(Conv2D, 1, 2, 3, 1, 0, np.ones((2, 1, 3, 3)), np.zeros(2))
    expect_value_error(lambda: fresh.backward(np.zeros((1, 2, 1, 1))),
                       what="Conv2D(1, 2, 3, 1, 0).backward(grad_out) before any forward",
                       why="forward was not called")
    conv.forward(np.zeros((2, 2, 5, 5)))
    expect_value_error(lambda: conv.backward(np.zeros((2, 2, 4, 4))),
                       what="Conv2D(2, 2, 3, 1, 0).backward(grad_out) for grad_out of shape "
                            "(2, 2, 4, 4) after forward(x) for x of shape (2, 2, 5, 5)",
                       why="grad_out is not the last output's shape (2, 2, 3, 3)",
                       shows=("(2, 2, 4, 4)",))


@check(points=0.5)
def test_conv_vectorised(Conv2D):
    rng = np.random.default_rng(5506)
    for unit, dimension, shapes in CONV_REGIMES:
        layers, inputs = [], []
        for n in UNITS:
            x_shape, c_in, c_out = shapes(n)
            w, b = rng.standard_normal((c_out, c_in, 1, 1)), rng.standard_normal(c_out)
            layers.append(_conv(Conv2D, c_in, c_out, 1, 1, 0, w, b))
            inputs.append(rng.standard_normal(x_shape))
        x_shape, c_in, c_out = shapes(UNITS[1])
        outs = [(x.shape[0], shapes(n)[2], x.shape[2], x.shape[3]) for n, x in zip(UNITS, inputs)]
        m = w[:, :, 0, 0]  # the large layer's kernel: a 1x1 convolution is a matrix product
        _vectorised(layers, _call(c_in, c_out, 1, 1, 0), inputs, outs, rng, unit, dimension,
                    lambda x: np.einsum("oc,nchw->nohw", m, x) + b[None, :, None, None],
                    lambda x, g: np.einsum("oc,nohw->nchw", m, g))


def _vectorised(layers, call, inputs, out_shapes, rng, unit, dimension, forward, backward):
    """Two layers of one class, on a small and a large input of one dimension: forward and
    backward must each grow by at most ``PER_UNIT_BUDGET`` a unit (``timing.assert_vectorised``);
    the layers are used in turn, so each keeps its own state. The timed calls' values on the
    large input must equal ``forward(x)`` and ``backward(x, grad_out)``: the time earns points
    only for a layer that computes the right values (zeros of the right shape earn nothing)."""
    small, large = layers
    where = f"for x of shape {inputs[1].shape}"
    out = assert_vectorised(lambda: small.forward(inputs[0].copy()),
                            lambda: large.forward(inputs[1].copy()), large, UNITS,
                            f"{call}.forward(x) {where}", unit, dimension)
    assert_close(_arr(out, f"{call}.forward(x) {where}", out_shapes[1]), forward(inputs[1]),
                 what=f"{call}.forward(x) {where} (the vectorisation check's input)")
    douts = [rng.standard_normal(shape) for shape in out_shapes]
    # each backward right after its own layer's forward (timed together): this check judges
    # the time, whatever a layer keeps between calls (test_conv_pool_keep_their_own_state)
    dx = assert_vectorised(lambda: (small.forward(inputs[0].copy()), small.backward(douts[0].copy()))[1],
                           lambda: (large.forward(inputs[1].copy()), large.backward(douts[1].copy()))[1],
                           large, UNITS, f"{call}.forward(x) then .backward(grad_out) {where}",
                           unit, dimension)
    assert_close(_arr(dx, f"{call}.backward(grad_out) {where}", inputs[1].shape),
                 backward(inputs[1], douts[1]),
                 what=f"{call}.backward(grad_out) {where} (the vectorisation check's input)")


@check(points=1, hidden=True)
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


@check(points=0.5, hidden=True)
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


@check(points=0.5, hidden=True)
def test_conv_grad_b_random(Conv2D):
    _hidden_conv_grads(Conv2D, _STRIDE1, 5515, ("grad_b",))


@check(points=1, hidden=True)
def test_conv_stride_dx(Conv2D):
    _hidden_conv_grads(Conv2D, _STRIDED, 5516, ("dx",))


@check(points=1, hidden=True)
def test_conv_stride_grads(Conv2D):
    _hidden_conv_grads(Conv2D, _STRIDED, 5517, ("grad_w", "grad_b"))


# ---------------------------------------------------------------- MaxPooling

@check(points=0.5)
def test_maxpool_forward_public(MaxPooling):
    x = np.array([[[[1.0, 3.0, 2.0, 0.0], [4.0, -1.0, 5.0, 2.0],
                    [0.0, 6.0, -3.0, 1.0], [2.0, 1.0, 7.0, 4.0]],
                   [[-2.0, 0.0, 1.0, 3.0], [5.0, -4.0, 2.0, 0.0],
                    [1.0, 1.5, 0.5, -1.0], [3.0, 2.0, 8.0, 6.0]]]])
    expected = np.array([[[[4.0, 5.0], [6.0, 7.0]], [[5.0, 3.0], [3.0, 8.0]]]])
    assert_close(MaxPooling(2, 2).forward(x.copy()), expected,
                 what="MaxPooling(2, 2).forward(x) for x of shape (1, 2, 4, 4)")


# The forward value of the public gradient check's input (distinct values, 0.01 apart).
_OUT_POOL_GRAD = np.array([[[[0.44, 0.31, 0.01], [0.09, 0.28, 0.42]],
                            [[0.45, 0.46, 0.1], [0.43, 0.33, 0.37]]],
                           [[[0.23, 0.2, 0.4], [0.39, 0.25, 0.06]],
                            [[0.47, 0.08, 0.36], [0.14, 0.41, 0.29]]]])


@check(points=1)
def test_maxpool_backward_public(MaxPooling):
    rng = np.random.default_rng(5521)
    x = distinct_values((2, 2, 4, 6), rng)
    dout = rng.standard_normal((2, 2, 2, 3))
    pool = MaxPooling(2, 2)
    what = "MaxPooling(2, 2).forward(x) for x of shape (2, 2, 4, 6)"
    assert_close(_arr(pool.forward(x.copy()), what, dout.shape), _OUT_POOL_GRAD,
                 what=f"{what} (the gradient is checked against your forward, which must first be "
                      f"right here)")
    dx = _arr(pool.backward(dout.copy()), "MaxPooling(2, 2).backward(grad_out)", x.shape)
    numeric = numerical_gradient_array(lambda v: _arr(pool.forward(v.copy()), what, dout.shape),
                                       x, dout)
    assert_grad(dx, numeric, what="MaxPooling(2, 2).backward: dx for x of shape (2, 2, 4, 6) "
                                   "against the numerical gradient of your forward")


# Ties: 2x2 windows with tied maxima, then overlapping 3x3 windows (stride 2) each with a
# tied maximum 6; only the first maximum of a window in row-major order gets its gradient.
_X_TIES = np.array([[[[5.0, 5.0, 2.0, 7.0],
                      [1.0, 0.0, 7.0, 1.0],
                      [3.0, 3.0, -1.0, 4.0],
                      [3.0, 3.0, 0.0, 4.0]]]])
_DX_TIES = np.array([[[[1.0, 0.0, 0.0, -2.0],
                       [0.0, 0.0, 0.0, 0.0],
                       [3.0, 0.0, 0.0, 0.5],
                       [0.0, 0.0, 0.0, 0.0]]]])
_X_TIES_OVERLAP = np.array([[[[1.0, 6.0, 6.0, 0.0, 2.0],
                              [6.0, 2.0, 3.0, 2.0, 2.0],
                              [0.0, 1.0, 6.0, -1.0, 2.0],
                              [4.0, 4.0, 1.0, 2.0, 0.0],
                              [6.0, 0.0, -2.0, 2.0, 6.0]]]])
_DX_TIES_OVERLAP = np.array([[[[0.0, 1.0, 2.0, 0.0, 0.0],
                               [0.0, 0.0, 0.0, 0.0, 0.0],
                               [0.0, 0.0, 7.0, 0.0, 0.0],
                               [0.0, 0.0, 0.0, 0.0, 0.0],
                               [0.0, 0.0, 0.0, 0.0, 0.0]]]])


# A 2x2 window whose values differ by 2**-40: the maximum is x[0, 1].
_X_NEAR = np.array([[[[1.0, 1.0 + 2.0 ** -40], [1.0 - 2.0 ** -40, 0.5]]]])
_DX_NEAR = np.array([[[[0.0, 3.0], [0.0, 0.0]]]])


@check(points=0.5)
def test_maxpool_ties(MaxPooling):
    for k, s, x, out, dout, dx, note in [
            (2, 2, _X_TIES, [[5.0, 7.0], [3.0, 4.0]], [[1.0, -2.0], [3.0, 0.5]], _DX_TIES,
             "windows with tied maxima"),
            (3, 2, _X_TIES_OVERLAP, [[6.0, 6.0], [6.0, 6.0]], [[1.0, 2.0], [3.0, 4.0]],
             _DX_TIES_OVERLAP, "overlapping windows, each with a tied maximum 6"),
            (2, 2, _X_NEAR, [[1.0 + 2.0 ** -40]], [[3.0]], _DX_NEAR,
             "a window whose values differ by 2**-40, equal in float32 and close for np.isclose")]:
        pool = MaxPooling(k, s)
        call = f"MaxPooling({k}, {s})"
        assert_close(pool.forward(x.copy()), np.array([[out]]),
                     what=f"{call}.forward(x) for x of shape {x.shape} ({note})")
        assert_close(pool.backward(np.array([[dout]])), dx,
                     what=f"{call}.backward(grad_out) for x of shape {x.shape} ({note}): only the "
                          f"first maximum of a window in row-major order gets its gradient")


@check(points=0.25)
def test_maxpool_errors(MaxPooling):
    for args, why, shows in [((0, 2), "ksize 0 is not a positive int", ("0",)),
                             ((2, 0), "stride 0 is not a positive int", ("0",)),
                             ((2.0, 2), "ksize 2.0 is a float, not an int", ("2.0",))]:
        expect_value_error(lambda: MaxPooling(*args), what=f"MaxPooling{args}", why=why,
                           shows=shows)
    pool = MaxPooling(3, 1)
    for x_shape, why, shows in [((1, 1, 2, 4), "the input is smaller than the 3x3 window", ("3",)),
                                ((4, 4), "x is not 4-D", ("(4, 4)",))]:
        expect_value_error(lambda: pool.forward(np.zeros(x_shape)),
                           what=f"MaxPooling(3, 1).forward(x) for x of shape {x_shape}",
                           why=why, shows=shows)
    fresh = MaxPooling(2, 2)
    expect_value_error(lambda: fresh.backward(np.zeros((1, 1, 2, 2))),
                       what="MaxPooling(2, 2).backward(grad_out) before any forward",
                       why="forward was not called")
    pool = MaxPooling(2, 2)
    pool.forward(np.zeros((1, 1, 4, 4)))
    expect_value_error(lambda: pool.backward(np.zeros((1, 1, 3, 3))),
                       what="MaxPooling(2, 2).backward(grad_out) for grad_out of shape (1, 1, 3, 3) "
                            "after forward(x) for x of shape (1, 1, 4, 4)",
                       why="grad_out is not the last output's shape (1, 1, 2, 2)",
                       shows=("(1, 1, 3, 3)",))


@check(points=0.5)
def test_maxpool_vectorised(MaxPooling):
    rng = np.random.default_rng(5525)
    for unit, dimension, shape in POOL_REGIMES:
        inputs = [rng.standard_normal(shape(n)) for n in UNITS]
        outs = [(n, c, h // 2, w // 2) for n, c, h, w in (x.shape for x in inputs)]
        _vectorised([MaxPooling(2, 2), MaxPooling(2, 2)], "MaxPooling(2, 2)", inputs, outs, rng,
                    unit, dimension, _max2x2, _max2x2_grad)


def _corners(x):
    """The four members of every 2x2 window (stride 2) of ``x``, as four arrays."""
    return [x[..., i::2, j::2] for i in (0, 1) for j in (0, 1)]


def _max2x2(x):
    """MaxPooling(2, 2) of x whose sides are even."""
    return np.maximum.reduce(_corners(x))


def _max2x2_grad(x, grad_out):
    """dL/dx of MaxPooling(2, 2) for x without ties: grad_out where x is its window's maximum."""
    spread = np.repeat(np.repeat(grad_out, 2, axis=2), 2, axis=3)
    peak = np.repeat(np.repeat(_max2x2(x), 2, axis=2), 2, axis=3)
    return np.where(x == peak, spread, 0.0)


@check(points=0.5, hidden=True)
def test_maxpool_forward_random(MaxPooling):
    from autograder.checks import oracle

    rng = np.random.default_rng(5522)
    for (n, c, h, w, k, s) in [(2, 2, 6, 6, 3, 2), (2, 3, 5, 7, 2, 2), (1, 2, 7, 7, 3, 2),
                               (2, 2, 5, 6, 2, 1), (2, 1, 8, 8, 4, 4), (1, 2, 8, 8, 2, 3)]:
        x = rng.standard_normal((n, c, h, w))
        assert_close(MaxPooling(k, s).forward(x.copy()), oracle.pool2d(x, "max", k, s),
                     what=f"MaxPooling({k}, {s}).forward(x) for x of shape {x.shape}")


@check(points=0.5, hidden=True)
def test_maxpool_backward_overlap(MaxPooling):
    _pool_backward_vs_oracle(MaxPooling, [(2, 2, 7, 7, 3, 2), (2, 2, 5, 6, 2, 1),
                                          (1, 2, 6, 6, 3, 1)], 5523)


@check(points=1, hidden=True)
def test_maxpool_backward_remainder(MaxPooling):
    _pool_backward_vs_oracle(MaxPooling, [(2, 3, 5, 7, 2, 2), (1, 2, 8, 7, 3, 3),
                                          (2, 2, 8, 8, 2, 3)], 5524)


# ---------------------------------------------------------------- ReLU, Flatten, Linear

@check(points=0.5)
def test_relu(ReLU):
    # one input is exactly 0: the derivative there is taken to be 0
    x = np.array([[[[1.5, -2.0, 0.25], [-0.5, 3.0, -1e-3]], [[-4.0, 2.0, 0.0], [1e-3, -7.0, 6.0]]]])
    dout = np.array([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0]]]])
    relu = ReLU()
    assert_close(relu.forward(x.copy()),
                 np.array([[[[1.5, 0.0, 0.25], [0.0, 3.0, 0.0]], [[0.0, 2.0, 0.0], [1e-3, 0.0, 6.0]]]]),
                 what="ReLU().forward(x) for x of shape (1, 2, 2, 3)")
    assert_close(relu.backward(dout.copy()),
                 np.array([[[[1.0, 0.0, 3.0], [0.0, 5.0, 0.0]], [[0.0, -2.0, 0.0], [-4.0, 0.0, -6.0]]]]),
                 what="ReLU().backward(grad_out): grad_out where the input was > 0, else 0 (0 where "
                      "the input was exactly 0: the derivative at 0 is taken to be 0)")


@check(points=0.5)
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


@check(points=0.5)
def test_linear_forward_public(Linear):
    lin = _linear(Linear, 3, 2, _LIN_W, _LIN_B)
    assert_close(lin.forward(_LIN_X.copy()), np.array([[5.5, -3.0], [1.0, 1.5]]),
                 what="Linear(3, 2).forward(x) = x @ weights + bias, for x of shape (2, 3) and "
                      "weights of shape (in_features, out_features) = (3, 2)")


# The public gradient check's input, and its forward value.
_LIN_GRAD_X = np.array([[1.0, -2.0, 0.5, 3.0], [0.0, 1.5, -1.0, 2.0], [-0.5, 0.25, 2.0, -1.0]])
_LIN_GRAD_W = np.array([[1.0, -0.5], [2.0, 0.25], [-1.0, 1.0], [0.5, -2.0]])
_LIN_GRAD_B = np.array([0.5, -1.0])
_LIN_GRAD_OUT = np.array([[-1.5, -7.5], [5.5, -5.625], [-2.0, 3.3125]])


@check(points=1)
def test_linear_backward_public(Linear):
    rng = np.random.default_rng(5531)
    x, weights, bias = _LIN_GRAD_X, _LIN_GRAD_W, _LIN_GRAD_B
    dout = rng.standard_normal((3, 2))
    lin = _linear(Linear, 4, 2, weights, bias)
    what = "Linear(4, 2).forward(x) for x of shape (3, 4), weights of shape (4, 2)"
    assert_close(_arr(lin.forward(x.copy()), what, (3, 2)), _LIN_GRAD_OUT,
                 what=f"{what} (the gradients are checked against your forward, which must first "
                      f"be right here)")
    dx = _arr(lin.backward(dout.copy()), "Linear(4, 2).backward(grad_out) (dx)", x.shape)
    grad_w = as_array(lin.grad_w, what="Linear(4, 2).grad_w after backward", shape=weights.shape,
                      layout=WEIGHTS_LAYOUT["Linear"]).copy()
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


@check(points=0.5)
def test_linear_update(Linear):
    _check_update(_linear(Linear, 3, 2, _LIN_W, _LIN_B), "Linear(3, 2)", _LIN_W, _LIN_B)


@check(points=0.25)
def test_linear_zero_grad(Linear):
    _check_zero_grad(_linear(Linear, 3, 2, _LIN_W, _LIN_B), "Linear(3, 2)", _LIN_W, _LIN_B)


@check(points=0.5)
def test_linear_grads_set(Linear):
    lin = _linear(Linear, 3, 2, _LIN_W, _LIN_B)
    _check_grads_set(lin, "Linear(3, 2)", _LIN_X, np.array([[1.0, -2.0], [0.5, 3.0]]),
                     _LIN_W.shape, _LIN_B.shape)


@check(points=0.25)
def test_linear_parameter_shapes(Linear):
    _check_parameter_shapes(Linear(4, 2), "Linear(4, 2)", (4, 2), (2,))


@check(points=0.25)
def test_linear_errors(Linear):
    for args, why, shows in [((3, 0), "out_features 0 is not a positive int", ("0",)),
                             ((-1, 2), "in_features -1 is not a positive int", ("-1",)),
                             ((3.0, 2), "in_features 3.0 is a float, not an int", ("3.0",))]:
        expect_value_error(lambda: Linear(*args), what=f"Linear{args}", why=why, shows=shows)
    lin = _linear(Linear, 3, 2, _LIN_W, _LIN_B)
    for x_shape in [(2, 4), (3,)]:
        expect_value_error(lambda: lin.forward(np.zeros(x_shape)),
                           what=f"Linear(3, 2).forward(x) for x of shape {x_shape}",
                           why="x is not (N, in_features) = (N, 3)", shows=(str(x_shape),))


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


@check(points=0.5, hidden=True)
def test_softmax_ce_random(SoftmaxCrossEntropy):
    rng = np.random.default_rng(5541)
    logits = 3.0 * rng.standard_normal((6, 5))
    logits[1] += 1000.0   # large logits: exp overflows unless the row's max is subtracted
    logits[4] -= 1000.0
    logits[2] = [0.0, 40.0, -40.0, 1.0, 2.0]  # a large gap within one row: a clipped log
    labels = rng.integers(0, 5, size=6).astype(np.int32)  # int32 labels are integer labels
    labels[2] = 2                                 # the class of probability e**-80
    ce = SoftmaxCrossEntropy()
    what = "SoftmaxCrossEntropy().forward(logits, labels) for logits of shape (6, 5) with " \
           "entries near +1000 and -1000, a row [0, 40, -40, 1, 2] labelled 2, int32 labels"
    loss = _scalar(ce.forward(logits.copy(), labels.copy()), what)
    assert_close(np.array(loss), np.array(_softmax_ce(logits, labels)), what=what)
    grad = _arr(ce.backward(), "SoftmaxCrossEntropy().backward()", logits.shape)
    numeric = numerical_gradient_array(lambda v: np.array(_softmax_ce(v, labels)), logits,
                                       np.array(1.0))
    assert_grad(grad, numeric, what="SoftmaxCrossEntropy().backward(): dlogits of the mean loss")


@check(points=0.5)
def test_softmax_ce_errors(SoftmaxCrossEntropy):
    logits = np.zeros((2, 3))
    for lg, labels, why, shows in [
            (logits, np.array([0, 3]), "the label 3 is not in [0, 3)", ("3",)),
            (logits, np.array([-1, 0]), "the label -1 is not in [0, 3)", ("-1",)),
            (logits, np.array([0.0, 1.0]), "the labels are not integers", ()),
            (logits, np.array([0, 1, 2]), "3 labels for 2 rows of logits", ("(3,)",)),
            (np.zeros(3), np.array([0]), "the logits are not 2-D (N, num_classes)", ("(3,)",))]:
        expect_value_error(lambda: SoftmaxCrossEntropy().forward(lg.copy(), labels.copy()),
                           what=f"SoftmaxCrossEntropy().forward(logits, labels) for logits of "
                                f"shape {lg.shape}, labels {labels.tolist()}", why=why, shows=shows)


# ---------------------------------------------------------------- state across calls

# Two inputs of different batch sizes and sides for each layer class: (x's shape, the layer).
_STATE_CASES = [
    ("Conv2D", lambda C: C(2, 3, 3, 1, 1), (2, 2, 4, 4), (3, 2, 5, 3)),
    ("MaxPooling", lambda C: C(2, 2), (2, 2, 4, 4), (1, 2, 6, 2)),  # no remainder: see its own check
    ("Flatten", lambda C: C(), (2, 3, 2, 2), (3, 2, 3, 1)),
    ("Linear", lambda C: C(4, 3), (2, 4), (5, 4)),
]
_STATE_CALLS = {"Conv2D": "Conv2D(2, 3, 3, 1, 1)", "MaxPooling": "MaxPooling(2, 2)",
                "Flatten": "Flatten()", "Linear": "Linear(4, 3)"}


def _pass(layer, x, dout_of, grads):
    """``layer.forward(x)``, then ``backward`` of a grad_out drawn for its output: the output,
    dx and the parameter gradients, as arrays (their values are judged by other checks)."""
    out = as_array(layer.forward(x.copy()), what=f"forward(x) for x of shape {x.shape}")
    dout = dout_of(out.shape)
    dx = as_array(layer.backward(dout.copy()), what=f"backward(grad_out) for x of shape {x.shape}")
    got = [out.copy(), dx]
    for g in grads:
        got.append(as_array(getattr(layer, g), what=f"{g} after backward").copy())
    return got


@check(points=0.5)
def test_conv_pool_keep_their_own_state(Conv2D, MaxPooling):
    _own_state({"Conv2D": Conv2D, "MaxPooling": MaxPooling}, np.random.default_rng(5560))


@check(points=0.5)
def test_flatten_linear_keep_their_own_state(Flatten, Linear):
    _own_state({"Flatten": Flatten, "Linear": Linear}, np.random.default_rng(5561))


def _own_state(classes, rng):
    """For each class: one layer on two batch sizes and sides, two layers used in turn, and
    backward after each, against fresh layers' results on each input alone."""
    for cls_name, make, shape_a, shape_b in [c for c in _STATE_CASES if c[0] in classes]:
        cls, call = classes[cls_name], _STATE_CALLS[cls_name]
        grads = ("grad_w", "grad_b") if cls_name in ("Conv2D", "Linear") else ()
        xa, xb = distinct_values(shape_a, rng), distinct_values(shape_b, rng)
        douts = {}

        def dout_of(shape, douts=douts):
            return douts.setdefault(shape, rng.standard_normal(shape))

        params = []

        def layer():
            """A new layer; every one gets the first one's parameters, in the layer's own
            layout (the layouts are judged by their own checks)."""
            new = make(cls)
            if grads:
                if not params:
                    params.extend(as_array(getattr(new, a), what=f"{call}.{a}").copy()
                                  for a in ("weights", "bias"))
                new.weights, new.bias = params[0].copy(), params[1].copy()
            return new

        # what a fresh layer gives for each input alone
        fresh = {s: _pass(layer(), x, dout_of, grads) for s, x in ((shape_a, xa), (shape_b, xb))}
        names = ["forward(x)", "backward(grad_out)"] + [f"{g} after backward" for g in grads]
        one, two = layer(), layer()
        one.forward(xa.copy())
        # two layers of the class interleaved, then one layer on another batch size and side
        steps = [(two, xb, "a second layer's forward(x) and backward for x of shape "
                           f"{shape_b}, after the first layer's forward for x of shape {shape_a}"),
                 (one, xb, f"the same layer's forward(x) and backward for x of shape {shape_b}, "
                           f"after forward and backward for x of shape {shape_a}"),
                 (one, xa, f"the same layer back on x of shape {shape_a}, after x of shape "
                           f"{shape_b}")]
        two.forward(xb.copy())
        one.backward(dout_of(fresh[shape_a][0].shape).copy())
        for target, x, story in steps:
            got = _pass(target, x, dout_of, grads)
            for g, w, label in zip(got, fresh[x.shape], names):
                assert_close(g, w, what=f"{call}: {label} for {story}, against a fresh layer's "
                                        f"(a layer keeps its own state, from its last forward "
                                        f"only: no shape, index or gradient kept from earlier "
                                        f"calls or shared between layers)")


# ---------------------------------------------------------------- Module

# The module checks' network: Conv2D(1, 2, 3, 1, 1) -> ReLU -> MaxPooling(2, 2) -> Flatten ->
# Linear(18, 3), with these parameters, and its output for the input drawn from seed 5551.
_MODULE_SPEC = ("Module with layers [Conv2D(1, 2, 3, 1, 1), ReLU(), MaxPooling(2, 2), Flatten(), "
                "Linear(18, 3)]")
_MODULE_OUT = np.array([[25.23511865730057, -10.877083407424639, -30.680988712073276],
                        [37.87086534210892, -17.47261171149071, -11.847369989424063]])
_MODULE_SHAPES = [(2, 1, 6, 6), (2, 2, 6, 6), (2, 2, 6, 6), (2, 2, 3, 3), (2, 18), (2, 3)]
_MODULE_NAMES = ["Conv2D", "ReLU", "MaxPooling", "Flatten", "Linear"]


def _module_case():
    rng = np.random.default_rng(5551)
    x = rng.standard_normal((2, 1, 6, 6))
    conv_w, conv_b = rng.standard_normal((2, 1, 3, 3)), rng.standard_normal(2)
    lin_w, lin_b = rng.standard_normal((18, 3)), rng.standard_normal(3)
    dout = rng.standard_normal((2, 3))
    return x, conv_w, conv_b, lin_w, lin_b, dout


def _module_layers(Conv2D, ReLU, MaxPooling, Flatten, Linear, conv_w, conv_b, lin_w, lin_b):
    return [_conv(Conv2D, 1, 2, 3, 1, 1, conv_w, conv_b), ReLU(), MaxPooling(2, 2),
            Flatten(), _linear(Linear, 18, 3, lin_w, lin_b)]


def _module(Module, layers):
    model = Module()
    model.layers = layers
    return model


def _module_forward(model, x):
    """The module's output for ``x``, pinned to the literal (every check below uses it)."""
    assert_close(model.forward(x.copy()), _MODULE_OUT,
                 what=f"{_MODULE_SPEC}: forward(x) for x of shape (2, 1, 6, 6), against the "
                      f"value of this network (each layer's forward in order; the layers' own "
                      f"checks say which layer is wrong, if one is)")


@check(points=0.5)
def test_module_forward(Module, Conv2D, ReLU, MaxPooling, Flatten, Linear):
    x, conv_w, conv_b, lin_w, lin_b, _ = _module_case()
    layers = _module_layers(Conv2D, ReLU, MaxPooling, Flatten, Linear, conv_w, conv_b, lin_w, lin_b)
    _module_forward(_module(Module, layers), x)


@check(points=0.5)
def test_module_backward(Module, Conv2D, ReLU, MaxPooling, Flatten, Linear):
    x, conv_w, conv_b, lin_w, lin_b, dout = _module_case()
    make = lambda: _module_layers(Conv2D, ReLU, MaxPooling, Flatten, Linear,  # noqa: E731
                                  conv_w, conv_b, lin_w, lin_b)
    # What the module must do, done by hand with a second set of your own layers.
    hand = make()
    value = x.copy()
    for i, layer in enumerate(hand):
        value = _arr(layer.forward(value), f"{_MODULE_NAMES[i]}.forward(x) (layer {i})",
                     _MODULE_SHAPES[i + 1])
    grad = dout.copy()
    for i in reversed(range(len(hand))):
        grad = _arr(hand[i].backward(grad), f"{_MODULE_NAMES[i]}.backward(grad_out) (layer {i})",
                    _MODULE_SHAPES[i])
    want = {"dL/dx": grad,
            "conv.grad_w": _arr(hand[0].grad_w, "Conv2D.grad_w", conv_w.shape),
            "conv.grad_b": _arr(hand[0].grad_b, "Conv2D.grad_b", conv_b.shape),
            "linear.grad_w": _arr(hand[4].grad_w, "Linear.grad_w", lin_w.shape),
            "linear.grad_b": _arr(hand[4].grad_b, "Linear.grad_b", lin_b.shape)}

    mine = make()
    model = _module(Module, mine)
    _module_forward(model, x)
    got = {"dL/dx": model.backward(dout.copy())}
    got.update({"conv.grad_w": mine[0].grad_w, "conv.grad_b": mine[0].grad_b,
                "linear.grad_w": mine[4].grad_w, "linear.grad_b": mine[4].grad_b})
    for key in want:
        note = (" (backward returns dL/d(input) of the first layer)" if key == "dL/dx"
                else " after backward(grad)")
        assert_close(got[key], want[key],
                     what=f"{_MODULE_SPEC}: {key}{note}, against calling each layer's backward "
                          f"in reverse order")


def _module_with_grads(Module, Conv2D, ReLU, MaxPooling, Flatten, Linear):
    """A module whose two parameter layers hold gradients set by the check."""
    _, conv_w, conv_b, lin_w, lin_b, _ = _module_case()
    layers = _module_layers(Conv2D, ReLU, MaxPooling, Flatten, Linear, conv_w, conv_b, lin_w, lin_b)
    rng = np.random.default_rng(5552)
    params = {}
    for label, layer, w, b in (("conv", layers[0], conv_w, conv_b),
                               ("linear", layers[4], lin_w, lin_b)):
        gw, gb = rng.standard_normal(w.shape), rng.standard_normal(b.shape)
        layer.grad_w = gw.copy()
        layer.grad_b = gb.copy()
        params[label] = (layer, w, b, gw, gb)
    return _module(Module, layers), params


@check(points=0.25)
def test_module_step(Module, Conv2D, ReLU, MaxPooling, Flatten, Linear):
    model, params = _module_with_grads(Module, Conv2D, ReLU, MaxPooling, Flatten, Linear)
    lr = 0.05
    model.step(lr)
    for label, (layer, w, b, gw, gb) in params.items():
        assert_close(layer.weights, w - lr * gw,
                     what=f"{_MODULE_SPEC}: {label}.weights after step(0.05), grad_w set by the "
                          f"check: weights - 0.05 * grad_w")
        assert_close(layer.bias, b - lr * gb,
                     what=f"{_MODULE_SPEC}: {label}.bias after step(0.05), grad_b set by the "
                          f"check: bias - 0.05 * grad_b")


@check(points=0.25)
def test_module_zero_grad(Module, Conv2D, ReLU, MaxPooling, Flatten, Linear):
    model, params = _module_with_grads(Module, Conv2D, ReLU, MaxPooling, Flatten, Linear)
    model.zero_grad()
    for label, (layer, w, b, _, _) in params.items():
        assert_close(layer.grad_w, np.zeros(w.shape),
                     what=f"{_MODULE_SPEC}: {label}.grad_w after zero_grad(): zeros")
        assert_close(layer.grad_b, np.zeros(b.shape),
                     what=f"{_MODULE_SPEC}: {label}.grad_b after zero_grad(): zeros")


# ---------------------------------------------------------------- training

_NET = ("Conv2D(1, 8, 3, 1, 1) -> ReLU -> MaxPooling(2, 2) -> Flatten -> Linear(128, 4) -> "
        "SoftmaxCrossEntropy")


def _shapes_data():
    from autograder.checks.data import load

    data = load("ch5", "shapes")
    return (data["x_train"].astype(np.float64) / 255.0, data["y_train"].astype(np.int64),
            data["x_test"].astype(np.float64) / 255.0, data["y_test"].astype(np.int64),
            len(data["classes"]))


def _train(Conv2D, ReLU, MaxPooling, Flatten, Linear, SoftmaxCrossEntropy, steps):
    """Train the network of ``_NET`` made of the student's layers for ``steps`` SGD steps
    (weights set by the check, from a seed); return the layers, the forward pass and the
    training losses, computed here from the network's logits (``_softmax_ce``)."""
    x_train, y_train, _, _, n_classes = _shapes_data()
    side = x_train.shape[-1]
    channels, pooled = 8, side // 2
    features = channels * pooled * pooled

    rng = np.random.default_rng(5561)
    conv = _conv(Conv2D, 1, channels, 3, 1, 1,
                 rng.standard_normal((channels, 1, 3, 3)) * np.sqrt(2.0 / 9), np.zeros(channels))
    lin = _linear(Linear, features, n_classes,
                  rng.standard_normal((features, n_classes)) * np.sqrt(1.0 / features),
                  np.zeros(n_classes))
    relu, pool, flatten, ce = ReLU(), MaxPooling(2, 2), Flatten(), SoftmaxCrossEntropy()

    def forward(x, step):
        where = f" ({_NET}; training step {step})"
        n = x.shape[0]
        h = _arr(conv.forward(x), "Conv2D.forward" + where, (n, channels, side, side))
        h = _arr(relu.forward(h), "ReLU.forward" + where, (n, channels, side, side))
        h = _arr(pool.forward(h), "MaxPooling.forward" + where, (n, channels, pooled, pooled))
        h = _arr(flatten.forward(h), "Flatten.forward" + where, (n, features))
        return _arr(lin.forward(h), "Linear.forward" + where, (n, n_classes))

    losses = []
    for step in range(1, steps + 1):
        where = f" ({_NET}; training step {step})"
        batch = rng.choice(len(y_train), TRAIN_BATCH, replace=False)
        logits = forward(x_train[batch], step)
        _scalar(ce.forward(logits, y_train[batch]), "SoftmaxCrossEntropy.forward" + where)
        # the loss that earns points is the grader's, from the logits the network gave: a
        # loss the student's code reports is never trusted
        losses.append(_softmax_ce(logits, y_train[batch]))
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
    return conv, lin, forward, losses


def _losses_text(losses):
    return (f"The training loss went from {losses[0]:.4f} (first step) to "
            f"{np.mean(losses[-10:]):.4f} (mean of the last 10 steps).")


@check(points=1)
def test_training_preview(Conv2D, ReLU, MaxPooling, Flatten, Linear, SoftmaxCrossEntropy):
    _, _, _, losses = _train(Conv2D, ReLU, MaxPooling, Flatten, Linear, SoftmaxCrossEntropy,
                             PREVIEW_STEPS)
    last = float(np.mean(losses[-10:]))
    assert last <= PREVIEW_MAX_LOSS, (
        f"training preview: {_NET} trained for {PREVIEW_STEPS} SGD steps (batch {TRAIN_BATCH}, "
        f"lr {TRAIN_LR}, weights set by the check): the mean training loss of the last 10 steps "
        f"is {last:.4f}, expected at most {PREVIEW_MAX_LOSS:g} by now (it starts near ln 4 = "
        f"1.386; the reference's is 0.78). {_losses_text(losses)} The graded training runs "
        f"{TRAIN_STEPS} steps and asks for {TRAIN_MIN_ACCURACY:.0%} held-out accuracy. Check the "
        f"backward passes and update(lr) of your layers with the other checks first.")


@check(points=2, hidden=True)
def test_held_out_accuracy(Conv2D, ReLU, MaxPooling, Flatten, Linear, SoftmaxCrossEntropy):
    from autograder.checks import oracle

    _, _, x_test, y_test, n_classes = _shapes_data()
    conv, lin, _, losses = _train(Conv2D, ReLU, MaxPooling, Flatten, Linear, SoftmaxCrossEntropy,
                                  TRAIN_STEPS)
    # The learned weights, evaluated by the oracle's forward pass (not the student's).
    features = lin_in = 8 * (x_test.shape[-1] // 2) ** 2
    conv_w = as_array(conv.weights, what="Conv2D.weights after training", shape=(8, 1, 3, 3),
                      layout=WEIGHTS_LAYOUT["Conv2D"])
    conv_b = as_array(conv.bias, what="Conv2D.bias after training", shape=(8,))
    lin_w = as_array(lin.weights, what="Linear.weights after training", shape=(lin_in, n_classes),
                     layout=WEIGHTS_LAYOUT["Linear"])
    lin_b = as_array(lin.bias, what="Linear.bias after training", shape=(n_classes,))
    h = np.maximum(oracle.conv2d_by_pixel(x_test, conv_w, conv_b, 1, 1), 0.0)
    h = oracle.pool2d(h, "max", 2, 2).reshape(len(x_test), features)
    accuracy = float(np.mean((h @ lin_w + lin_b).argmax(axis=1) == y_test))
    assert accuracy >= TRAIN_MIN_ACCURACY, (
        f"training: {_NET} trained for {TRAIN_STEPS} SGD steps (batch {TRAIN_BATCH}, "
        f"lr {TRAIN_LR}, weights set by the check) learns weights that reach a held-out accuracy "
        f"of {accuracy:.1%} (the weights your layers learned, evaluated by the grader's own "
        f"forward pass), expected at least {TRAIN_MIN_ACCURACY:.0%} (the reference reaches 99%). "
        f"{_losses_text(losses)}")
