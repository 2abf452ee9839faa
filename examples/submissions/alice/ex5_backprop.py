"""选做题 推导 CNN 反向传播算法 / Optional exercise: derive CNN backpropagation.

题目(《神经网络与深度学习》第 5 章习题):
    【选做】推导 CNN 反向传播算法。

Problem (Neural Networks and Deep Learning, chapter 5 exercises):
    (Optional) Derive the backpropagation algorithm of a convolutional neural network.

要做什么 / What to do:
    推导写在 ex5_backprop.md 里(人工评分)。代码部分把推导出的公式实现为 CS231n 风格的层函数:
    每个 forward 返回 (out, cache),每个 backward 接收 (dout, cache),dout 是损失对该层输出的
    梯度(书中的误差项 δ),返回损失对该层输入(和参数)的梯度:
      - 卷积层 ``conv_forward`` / ``conv_backward``:∂L/∂X = Σ rot180(W) ⊗̃ δ(公式(5.39)),
        ∂L/∂W = δ ⊗ X,∂L/∂b = δ 各元素之和;
      - 汇聚层 ``pool_forward`` / ``pool_backward``:误差的上采样 up(δ);
      - ``relu_forward`` / ``relu_backward``:f'(Z) ⊙ δ。
    请用数组运算实现:卷积不要对批量、通道或输出像素写 Python 循环(可以用
    ``np.lib.stride_tricks.sliding_window_view`` 或 im2col;对 K×K 个核内偏移循环可以)。

    The derivation goes into ex5_backprop.md (graded by hand). In code, implement the
    formulas you derive as CS231n-style layer functions: every forward returns
    (out, cache), every backward takes (dout, cache), where dout is the gradient of the loss
    with respect to the layer's output (the book's error term δ), and returns the gradients
    with respect to the layer's input (and parameters):
      - convolution ``conv_forward`` / ``conv_backward``: dL/dX = sum rot180(W) ⊗̃ δ
        (formula 5.39), dL/dW = δ ⊗ X, dL/db = the sum of δ's entries;
      - pooling ``pool_forward`` / ``pool_backward``: the up-sampling up(δ) of the error;
      - ``relu_forward`` / ``relu_backward``: f'(Z) ⊙ δ.
    Vectorise: no Python loop over the batch, the channels or the output pixels of a
    convolution (use ``np.lib.stride_tricks.sliding_window_view`` or im2col; a loop over the
    K*K kernel offsets is fine). The checks time conv_forward and conv_backward as the batch,
    the input channels, the kernels and the output pixels grow from 25 to 3,969 (1x1
    kernels, 1x1 images): each call may cost 0.8 microseconds of CPU time more per unit,
    which vectorised code (im2col, strides, FFT) meets easily and a Python loop over that
    dimension does not. 检查程序让批量、输入通道、卷积核个数和输出像素分别从 25 增加到 3969
    (1x1 卷积核,1x1 图像)并计时:每多一个单位,每次调用最多多用 0.8 微秒 CPU 时间。

约定 / Conventions:
    - float64 数组,NCHW:x 为 (N, C, H, W);卷积核 w 为 (F, C, K, K)(方形),偏置 b 为 (F,)。
      float64 arrays, NCHW: x is (N, C, H, W); kernels w are (F, C, K, K) (square), biases b
      are (F,).
    - "卷积"是书中的互相关 ⊗(§5.1.2),下标从 0 开始,步长为 s,x 的四周各补 p 个零(x_pad):
      "Convolution" is the book's cross-correlation ⊗ (互相关, §5.1.2), 0-based, with
      stride s and zero padding p on every side of x (x_pad):
          out[n, f, i, j] = b[f] + sum_{c, u, v} w[f, c, u, v] * x_pad[n, c, i*s + u, j*s + v]
      Ho = (H + 2p - K) // s + 1, Wo = (W + 2p - K) // s + 1.
    - 汇聚窗口为 k x k,步长为 s,不填充;窗口可以重叠(s < k)或留有间隙(s > k)。
      Ho = (H - k) // s + 1;没有窗口覆盖的行和列被丢弃,它们的梯度为 0。
      Pooling windows are k x k with stride s, no padding; they may overlap (s < k) or leave
      gaps (s > k). Ho = (H - k) // s + 1; rows and columns that no window covers are
      dropped, and their gradient is 0.
    - 检查程序把 forward 返回的 cache 原样交给 backward,中间可能在进程之间复制:cache 只能由
      数组、数、字符串、元组和字典构成。
      The checks give every backward the cache its forward returned, untouched, possibly
      after copying it between processes: build caches from arrays, numbers, strings,
      tuples and dicts only.
    - 参数不合法时抛出 ``ValueError``,信息中给出出错的数(形状可以写成 (3, 3)、3x3、3×3 或 3 by 3;要求 int 的参数不接受 2.0 这样的浮点数)。
      Bad arguments raise ``ValueError`` whose message names the numbers that are wrong (a
      shape may be written (3, 3), 3x3, 3×3 or 3 by 3; an argument that must be an int
      does not accept a float such as 2.0).
    - 返回新的数组;不要修改传入的参数(它们可能是只读数组)。
      Return new arrays; do not change the arguments (they may be read-only arrays).
"""

import numpy as np

# ====== TODO BEGIN: 你的代码 / your code ======
from numpy.lib.stride_tricks import sliding_window_view


def _param(params, key, least, who):
    """params[key] as an int >= least, or a ValueError that says what is wrong."""
    if not isinstance(params, dict) or key not in params:
        raise ValueError(f"{who}: the parameter dict needs the key {key!r}, got {params!r}")
    value = params[key]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{who}: {key} must be an int >= {least}, got {value!r}")
    return int(value)


def _windows(x, k, stride):
    """Every k x k window of x (N, C, H, W) at the given stride, as a view:
    (N, C, Ho, Wo, k, k) with Ho = (H - k) // stride + 1."""
    return sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]


def _spread(delta, stride):
    """δ (N, F, Ho, Wo) spread out with stride - 1 zeros between neighbours:
    (N, F, (Ho-1)*stride + 1, (Wo-1)*stride + 1). The identity for stride 1."""
    n, f, ho, wo = delta.shape
    out = np.zeros((n, f, (ho - 1) * stride + 1, (wo - 1) * stride + 1))
    out[:, :, ::stride, ::stride] = delta
    return out


def _check_dout(dout, shape, who):
    dout = np.asarray(dout, dtype=np.float64)
    if dout.shape != tuple(shape):
        raise ValueError(f"{who}: dout must have the forward output's shape {tuple(shape)}, "
                         f"got {dout.shape}")
    return dout
# ====== TODO END ======


def conv_forward(x, w, b, conv_param):
    """Forward pass of a convolutional layer (the book's 5.2.2 without the activation):
    Z^f = sum_c W^{f,c} ⊗ X^c + b^f, with stride and zero padding.

    Args:
        x: (N, C, H, W) float64 input.
        w: (F, C, K, K) float64 kernels.
        b: (F,) float64 biases.
        conv_param: dict with "stride" (int >= 1) and "pad" (int >= 0, zeros added on
            every side of x).

    Returns:
        out: (N, F, Ho, Wo) float64, Ho = (H + 2*pad - K) // stride + 1 (Wo likewise),
            out[n, f, i, j] = b[f] + sum_{c,u,v} w[f,c,u,v] * x_pad[n, c, i*stride+u, j*stride+v].
        cache: whatever conv_backward needs.

    Raises:
        ValueError: for shapes that do not fit together, a kernel larger than the padded
            input, a stride that is not an int >= 1 or a pad that is not an int >= 0.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    s = _param(conv_param, "stride", 1, "conv_forward")
    p = _param(conv_param, "pad", 0, "conv_forward")
    if x.ndim != 4 or w.ndim != 4 or w.shape[2] != w.shape[3] or w.shape[1] != x.shape[1] \
            or b.shape != (w.shape[0],):
        raise ValueError(f"conv_forward: expected x (N, C, H, W), w (F, C, K, K) and b (F,), got "
                         f"x {x.shape}, w {w.shape}, b {b.shape}")
    n, c, h, wd = x.shape
    k = w.shape[2]
    if k > h + 2 * p or k > wd + 2 * p:
        raise ValueError(f"conv_forward: the {k}x{k} kernel is larger than the padded input "
                         f"{(h + 2 * p, wd + 2 * p)} (x {x.shape}, pad {p})")
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    # every window at once: (N, C, Ho, Wo, K, K), summed against each kernel over (C, K, K)
    out = np.einsum("nchwuv,fcuv->nfhw", _windows(xp, k, s), w) + b[None, :, None, None]
    return out, (x, w, s, p)
    # ====== TODO END ======


def conv_backward(dout, cache):
    """Backward pass of a convolutional layer: the book's §5.3 with δ = dout.

    - dL/dX^c = sum_f rot180(W^{f,c}) ⊗̃ δ^f (formula 5.39 without f'), where for stride
      s > 1 δ is first spread out with s - 1 zeros between its entries; the rows and
      columns of the padded input no window reached get 0, and the padding is cropped off.
    - dL/dW^{f,c} = sum_n δ^{n,f} ⊗ X_pad^{n,c} (δ spread out as above).
    - dL/db^f = sum over the batch and every position of δ^{n,f}.

    Args:
        dout: (N, F, Ho, Wo) float64, dL/dout.
        cache: the cache conv_forward returned.

    Returns:
        dx: (N, C, H, W) float64, dL/dx.
        dw: (F, C, K, K) float64, dL/dw.
        db: (F,) float64, dL/db.

    Raises:
        ValueError: when dout does not have the forward output's shape.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    x, w, s, p = cache
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    ho, wo = (h + 2 * p - k) // s + 1, (wd + 2 * p - k) // s + 1
    delta = _check_dout(dout, (n, f, ho, wo), "conv_backward")

    # dL/db: every position of δ^f, over the whole batch
    db = delta.sum(axis=(0, 2, 3))

    # the stride: spread δ out, so that the rest is the stride-1 derivation
    spread = _spread(delta, s)                                   # (N, F, Hs, Ws)
    hs, ws = spread.shape[2:]

    # dL/dW^{f,c} = Σ_n δ^{n,f} ⊗ X_pad^{n,c}: δ is the kernel, sliding over X_pad; only
    # its first K x K positions exist (Hs + K - 1 <= H + 2p)
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    x_windows = sliding_window_view(xp, (hs, ws), axis=(2, 3))[:, :, :k, :k]  # (N,C,K,K,Hs,Ws)
    dw = np.einsum("ncuvij,nfij->fcuv", x_windows, spread)

    # dL/dX^c = Σ_f rot180(W^{f,c}) ⊗̃ δ^f: pad δ with K-1 zeros, slide rot180(W)
    wide = np.pad(spread, ((0, 0), (0, 0), (k - 1, k - 1), (k - 1, k - 1)))
    grad = np.einsum("nfhwuv,fcuv->nchw", _windows(wide, k, 1), w[:, :, ::-1, ::-1])
    dxp = np.zeros(xp.shape)                                     # remainder rows/cols: 0
    dxp[:, :, :grad.shape[2], :grad.shape[3]] = grad
    dx = dxp[:, :, p:p + h, p:p + wd]                            # crop the padding
    return dx, dw, db
    # ====== TODO END ======


def pool_forward(x, pool_param):
    """Forward pass of a pooling layer (the book's 5.2.3): the maximum or the mean of every
    k x k window, per channel.

    Args:
        x: (N, C, H, W) float64.
        pool_param: dict with "mode" ("max" or "avg"), "size" (k, int >= 1, k <= H and
            k <= W) and "stride" (s, int >= 1). Windows overlap when s < k.

    Returns:
        out: (N, C, Ho, Wo) float64, Ho = (H - k) // s + 1, Wo = (W - k) // s + 1;
            a remainder that no window covers is dropped.
        cache: whatever pool_backward needs.

    Raises:
        ValueError: for an unknown mode, a window larger than the input, a size or stride
            that is not an int >= 1, or x that is not 4-D.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    x = np.asarray(x, dtype=np.float64)
    k = _param(pool_param, "size", 1, "pool_forward")
    s = _param(pool_param, "stride", 1, "pool_forward")
    mode = pool_param.get("mode")
    if mode not in ("max", "avg"):
        raise ValueError(f'pool_forward: mode must be "max" or "avg", got {mode!r}')
    if x.ndim != 4 or k > x.shape[2] or k > x.shape[3]:
        raise ValueError(f"pool_forward: expected x (N, C, H, W) with H, W >= size {k}, "
                         f"got x {x.shape}")
    n, c, h, wd = x.shape
    windows = _windows(x, k, s)                                  # (N, C, Ho, Wo, k, k)
    ho, wo = windows.shape[2:4]
    if mode == "avg":
        return windows.mean(axis=(4, 5)), (x.shape, mode, k, s, None)
    flat = windows.reshape(n, c, ho, wo, k * k)
    argmax = flat.argmax(axis=4)                                 # first maximum on ties
    out = np.take_along_axis(flat, argmax[..., None], axis=4)[..., 0]
    return out, (x.shape, mode, k, s, argmax)
    # ====== TODO END ======


def pool_backward(dout, cache):
    """Backward pass of a pooling layer: the book's up-sampling up(δ) (§5.3, the error
    term of a pooling layer, before formula 5.39).

    Max: each window's gradient goes to the position of its maximum (the first one in
    row-major order on ties); avg: each window's gradient is divided by k*k and given to
    each of its positions. Where windows overlap, their contributions ADD; positions that no
    window covers get 0.

    Args:
        dout: (N, C, Ho, Wo) float64, dL/dout.
        cache: the cache pool_forward returned.

    Returns:
        dx: (N, C, H, W) float64, dL/dx.

    Raises:
        ValueError: when dout does not have the forward output's shape.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    shape, mode, k, s, argmax = cache
    n, c, h, wd = shape
    ho, wo = (h - k) // s + 1, (wd - k) // s + 1
    delta = _check_dout(dout, (n, c, ho, wo), "pool_backward")
    # share[..., u*k + v]: the part of each window's δ that goes to window offset (u, v)
    if mode == "max":
        share = (argmax[..., None] == np.arange(k * k)) * delta[..., None]
    else:
        share = np.broadcast_to(delta[..., None] / (k * k), delta.shape + (k * k,))
    dx = np.zeros(shape)
    for u in range(k):              # up-sampling, one kernel offset at a time: window (i, j)
        for v in range(k):          # puts its share for (u, v) at (i*s + u, j*s + v)
            dx[:, :, u:u + (ho - 1) * s + 1:s, v:v + (wo - 1) * s + 1:s] += share[..., u * k + v]
    return dx
    # ====== TODO END ======


def relu_forward(x):
    """ReLU, elementwise max(x, 0).

    Args:
        x: float64 array of any shape.

    Returns:
        out: max(x, 0), the shape of x.
        cache: whatever relu_backward needs.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(x, 0.0), x
    # ====== TODO END ======


def relu_backward(dout, cache):
    """Backward pass of ReLU, f'(Z) ⊙ δ: dout where x > 0, and 0 where x <= 0 (the
    derivative at 0 is taken to be 0).

    Args:
        dout: float64, dL/dout, the shape of x.
        cache: the cache relu_forward returned.

    Returns:
        dx: float64, dL/dx, the shape of x.

    Raises:
        ValueError: when dout does not have the shape of x.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    x = cache
    delta = _check_dout(dout, x.shape, "relu_backward")
    return delta * (x > 0)
    # ====== TODO END ======
