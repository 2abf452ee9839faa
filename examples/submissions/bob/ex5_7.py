"""习题 5-7 前向计算与反向传播的转置关系 / Exercise 5-7: forward and backward are transposes.

题目(《神经网络与深度学习》第 5 章):
    忽略激活函数,分析卷积网络中卷积层的前向计算和反向传播(公式(5.39))是一种转置关系。

Problem (Neural Networks and Deep Learning, chapter 5):
    Ignoring activation functions, show that the forward computation of a convolutional
    layer and its backpropagation (formula 5.39) are transposes of each other.

要做什么 / What to do:
    代码部分(一个通道,无偏置、无填充):
      1. ``conv_forward``:前向计算 Y = W ⊗ X(步长 s);
      2. ``conv_matrix``:把卷积写成矩阵乘法 vec(Y) = C vec(X),返回稠密矩阵 C;
      3. ``conv_backward_input``:按书中的做法由 δ = ∂L/∂Y 求 ∂L/∂X = rot180(W) ⊗̃ δ
         (步长大于 1 时先在 δ 的元素之间插入 s-1 个零),不许借助矩阵 C。
    自动评分会验证 ``conv_backward_input(δ) == C.T @ vec(δ)``,即反向传播就是乘以 C 的转置。
    文字分析写在 ex5_7.md 里(人工评分)。

    Code (one channel, no bias, no padding):
      1. ``conv_forward``: the forward pass Y = W ⊗ X with stride s;
      2. ``conv_matrix``: the convolution as a matrix product vec(Y) = C vec(X); return C;
      3. ``conv_backward_input``: dL/dX from delta = dL/dY the book's way, rot180(W) ⊗̃ delta
         (for stride s > 1 first spread delta out with s-1 zeros between its entries),
         without using C.
    The graded checks confirm ``conv_backward_input(delta) == C.T @ vec(delta)``: the backward
    pass multiplies by the transpose of C. The written analysis goes into ex5_7.md (graded by
    hand).

约定 / Conventions:
    - 单通道:``x`` 为 (H, W),卷积核 ``w`` 为 (U, V),允许 U != V。float64。
      One channel: ``x`` is (H, W), the kernel ``w`` is (U, V); U != V is allowed. float64.
    - "卷积"是书中的互相关 ⊗(§5.1.2),下标从 0 开始,步长为 s:
      "Convolution" is the book's cross-correlation ⊗ (互相关, §5.1.2), 0-based, stride s:
          y[i, j] = sum_{u, v} w[u, v] * x[i*s + u, j*s + v].
    - 输出大小:Ho = (H - U) // s + 1,Wo = (W - V) // s + 1。s 不整除 H - U(或 W - V)时,
      没有窗口到达的最下面几行(最右边几列)不影响 y,它们的梯度为 0。
      Output size: Ho = (H - U) // s + 1, Wo = (W - V) // s + 1. When s does not divide
      H - U (or W - V), the bottom rows (right columns) that no window reaches do not
      affect y, and their gradient is 0.
    - vec() 按行展开,即 NumPy 的 ``ravel``:vec(x)[r*W + c] = x[r, c];C 的第 i*Wo + j 行
      对应输出 y[i, j],第 r*W + c 列对应输入 x[r, c]。
      vec() is row-major, NumPy's ``ravel``: vec(x)[r*W + c] = x[r, c]; row i*Wo + j of C
      belongs to the output y[i, j], column r*W + c to the input x[r, c].
    - ``stride`` 是 >= 1 的 int。参数不合法时抛出 ``ValueError``,信息中给出出错的数(形状可以写成 (3, 3)、3x3、3×3 或 3 by 3;要求 int 的参数不接受 2.0 这样的浮点数)。
      ``stride`` is an int >= 1. Bad arguments raise ``ValueError`` whose message names the numbers that are wrong (a
      shape may be written (3, 3), 3x3, 3×3 or 3 by 3; an argument that must be an int
      does not accept a float such as 2.0).
    - 返回新的数组;不要修改传入的参数(它们可能是只读数组)。
      Return new arrays; do not change the arguments (they may be read-only arrays).
"""

import numpy as np

# ====== TODO BEGIN: 你的代码 / your code ======
from numpy.lib.stride_tricks import sliding_window_view


def _output_shape(in_shape, w_shape, stride, who):
    """(Ho, Wo) of a valid cross-correlation, after checking every argument."""
    if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
        raise ValueError(f"{who}: stride must be an int >= 1, got {stride!r}")
    if len(in_shape) != 2 or len(w_shape) != 2:
        raise ValueError(f"{who}: the input and the kernel must be 2-D (one channel), got "
                         f"input shape {tuple(in_shape)} and kernel shape {tuple(w_shape)}")
    (h, wd), (u, v) = in_shape, w_shape
    if min(h, wd, u, v) < 1:
        raise ValueError(f"{who}: every size must be >= 1, got input {(h, wd)} and kernel {(u, v)}")
    if u > h or v > wd:
        raise ValueError(f"{who}: the kernel {(u, v)} is larger than the input {(h, wd)}; "
                         f"a valid cross-correlation needs U <= H and V <= W")
    return (h - u) // stride + 1, (wd - v) // stride + 1


def _rot180(a):
    """rot180(A): upside down, then left to right."""
    return a[::-1, ::-1]


def _xcorr(x, w, stride=1):
    """Valid cross-correlation W ⊗ X with stride: every window at once, no Python loop."""
    windows = sliding_window_view(x, w.shape)[::stride, ::stride]  # (Ho, Wo, U, V)
    return np.einsum("ijuv,uv->ij", windows, w)
# ====== TODO END ======


def conv_forward(x, w, stride=1):
    """Forward pass of one channel, Y = W ⊗ X with stride ``stride`` (the book's 5.1.2 ⊗).

    Args:
        x: (H, W) float64 input X.
        w: (U, V) float64 kernel W; U and V may differ; U <= H, V <= W.
        stride: int >= 1.

    Returns:
        y: (Ho, Wo) float64 with Ho = (H - U) // stride + 1, Wo = (W - V) // stride + 1 and
            y[i, j] = sum_{u, v} w[u, v] * x[i*stride + u, j*stride + v].

    Raises:
        ValueError: for a stride that is not an int >= 1, arrays that are not 2-D, or a kernel larger than
            the input.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    _output_shape(x.shape, w.shape, stride, "conv_forward")
    return _xcorr(x, w, stride)
    # ====== TODO END ======


def conv_matrix(w, in_shape, stride=1):
    """The convolution matrix C of ``conv_forward(., w, stride)`` on inputs of ``in_shape``.

    C is the dense matrix of the linear map X -> W ⊗ X, so that for every x of shape
    ``in_shape``:
        C @ x.ravel() == conv_forward(x, w, stride).ravel()
    Row i*Wo + j holds the kernel laid onto the input at window (i, j) and raveled; every
    other entry of the row is 0. For the book's example, a 4x4 input and a 3x3 kernel,
    C is 4 x 16.

    Args:
        w: (U, V) float64 kernel.
        in_shape: (H, W), two ints, the shape of the input.
        stride: int >= 1.

    Returns:
        C: (Ho*Wo, H*W) float64.

    Raises:
        ValueError: as ``conv_forward``.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    w = np.asarray(w, dtype=np.float64)
    ho, wo = _output_shape(tuple(in_shape), w.shape, stride, "conv_matrix")
    h, wd = in_shape
    u, v = w.shape
    c = np.zeros((ho * wo, h * wd))
    for i in range(ho):
        for j in range(wo):
            row = np.zeros((h, wd))
            row[i * stride:i * stride + u, j * stride:j * stride + v] = w
            c[i * wo + j] = row.ravel(order="F")
    return c
    # ====== TODO END ======


def conv_backward_input(delta, w, in_shape, stride=1):
    """Backward pass to the input, the book's way (formula 5.39 without the activation):
    dL/dX = rot180(W) ⊗̃ delta, a wide convolution (5.12), never through the matrix C (the
    checks use an input whose C would need hundreds of GB).

    For stride s > 1, delta is first spread out: s - 1 zeros between neighbouring entries,
    giving a ((Ho-1)*s + 1, (Wo-1)*s + 1) map. The wide convolution then has shape
    ((Ho-1)*s + U, (Wo-1)*s + V); the bottom rows and right columns of X that no window
    reached get gradient 0, which brings the result to (H, W).

    Args:
        delta: (Ho, Wo) float64, dL/dY, the error term of the layer's output.
        w: (U, V) float64 kernel.
        in_shape: (H, W), two ints, the shape of the input X.
        stride: int >= 1.

    Returns:
        dx: (H, W) float64, dL/dX; equal to (C.T @ delta.ravel()).reshape(H, W).

    Raises:
        ValueError: as ``conv_forward``, or when delta is not (Ho, Wo).
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    delta = np.asarray(delta, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    ho, wo = _output_shape(tuple(in_shape), w.shape, stride, "conv_backward_input")
    if delta.shape != (ho, wo):
        raise ValueError(f"conv_backward_input: delta must have shape {(ho, wo)}, got {delta.shape}")
    u, v = w.shape
    spread = np.zeros(((ho - 1) * stride + 1, (wo - 1) * stride + 1))
    spread[::stride, ::stride] = delta
    padded = np.pad(spread, ((u - 1, u - 1), (v - 1, v - 1)))
    grad = _xcorr(padded, w)  # the kernel is not flipped
    dx = np.zeros(tuple(in_shape))
    dx[:grad.shape[0], :grad.shape[1]] = grad
    return dx
    # ====== TODO END ======
