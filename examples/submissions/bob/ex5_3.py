"""习题 5-3 1x1 卷积核的作用 / Exercise 5-3: what 1x1 kernels do.

题目(《神经网络与深度学习》第 5 章):
    分析卷积神经网络中用 1x1 的卷积核的作用。
    分析写在答题纸 ex5_3.md 中;本文件用代码实现 1x1 卷积,数一数卷积层和 Inception
    模块的参数,并判断 STATEMENTS 中关于 1x1 卷积核的说法哪些正确。

Problem (Neural Networks and Deep Learning, chapter 5):
    Analyse what 1x1 kernels do in a convolutional network.
    Write the analysis in the answer sheet ex5_3.md; in this file, implement a 1x1
    convolution, count the parameters of convolutional layers and of an Inception block,
    and say which of the STATEMENTS about 1x1 kernels below are true.

约定 / Conventions:
    - 只用 NumPy,float64;批量特征映射按 NCHW 排列:x 的形状为 (N, C, H, W)。
      NumPy only, float64, batched feature maps in NCHW layout: x has shape (N, C, H, W).
    - 卷积核权重的形状为 (C_out, C_in, K, K);1x1 卷积核也可以是 (C_out, C_in) 的矩阵。
      代码中的卷积是书中的互相关 ⊗。
      Kernel weights have shape (C_out, C_in, K, K); a 1x1 kernel may also be given as a
      (C_out, C_in) matrix. Convolution in code is the book's cross-correlation ⊗.
    - 一律步长为 1、不填充。
      Stride 1 and no padding throughout.
    - 参数个数是 Python 的 int。只数卷积核权重;只有参数要求时才算偏置。
      Parameter counts are Python ints. They count kernel weights; biases only where an
      argument says so.
    - 参数不合法时抛出 ``ValueError``,信息中给出出错的数(形状可以写成 (3, 3)、3x3、3×3 或 3 by 3;要求 int 的参数不接受 2.0 这样的浮点数)。
      Bad arguments raise ``ValueError`` whose message names the numbers that are wrong (a
      shape may be written (3, 3), 3x3, 3×3 or 3 by 3; an argument that must be an int
      does not accept a float such as 2.0).
    - 返回新的数组;不要修改传入的参数(它们可能是只读数组)。
      Return new arrays; do not change the arguments (they may be read-only arrays).
"""

import numbers

import numpy as np

STATEMENTS = {
    "A": ("1x1 卷积在每个空间位置上对所有输入通道做线性组合,实现跨通道的信息交互(通道融合)。",
          "At every spatial position, a 1x1 convolution takes linear combinations of all the input "
          "channels: it mixes information across channels."),
    "B": ("1x1 卷积能扩大感受野。",
          "A 1x1 convolution enlarges the receptive field."),
    "C": ("1x1 卷积等价于在整张特征图(所有位置、所有通道一起)上做一个全连接层。",
          "A 1x1 convolution is equivalent to one fully connected layer over the whole feature map "
          "(all positions and all channels together)."),
    "D": ("在 3x3 或 5x5 卷积之前先用 1x1 卷积减少通道数(降维),可以大幅减少参数量和计算量。",
          "Reducing the number of channels with a 1x1 convolution before a 3x3 or 5x5 convolution "
          "cuts the number of parameters and the amount of computation."),
    "E": ("步长为 1 时,1x1 卷积不改变特征映射的高度和宽度。",
          "With stride 1, a 1x1 convolution keeps the height and the width of the feature maps."),
    "F": ("中间没有激活函数时,两个相继的 1x1 卷积层比一个 1x1 卷积层的表达能力更强。",
          "Without an activation between them, two consecutive 1x1 convolutional layers can express "
          "more mappings than a single 1x1 convolutional layer."),
    "G": ("1x1 卷积后接非线性激活函数(如 ReLU),可以在不改变特征映射大小的情况下增加网络的非线性。",
          "Followed by a non-linear activation (e.g. ReLU), a 1x1 convolution adds non-linearity "
          "without changing the size of the feature maps."),
    "H": ("步长为 1 时,1x1 卷积会减小特征映射的高度和宽度。",
          "With stride 1, a 1x1 convolution shrinks the height and the width of the feature maps."),
}
"""The statements of the multiple-choice item, letter -> (中文, English). Do not edit them:
``true_statements`` is graded against this list."""


def conv1x1(x, w, b=None):
    """A convolutional layer with 1x1 kernels, stride 1, no padding.

    ``out[n, o, i, j] = sum_c w[o, c] * x[n, c, i, j] + b[o]``: at every position (i, j)
    the C_in channel values are mapped to C_out values by the same matrix. It equals a
    general convolution with K = 1.

    Args:
        x: input feature maps, array of shape (N, C_in, H, W).
        w: kernel weights, array of shape (C_out, C_in) or (C_out, C_in, 1, 1).
        b: biases, array of shape (C_out,), or None for no bias.

    Returns:
        array of shape (N, C_out, H, W).

    Raises:
        ValueError: a shape does not fit (x not 4-D, w neither (C_out, C_in) nor
            (C_out, C_in, 1, 1), C_in of w not that of x, b not (C_out,)); the message
            shows the shapes.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"conv1x1: x must be (N, C_in, H, W), got shape {x.shape}")
    if w.ndim == 4 and w.shape[2:] == (1, 1):
        w = w[:, :, 0, 0]
    if w.ndim != 2 or w.shape[1] != x.shape[1]:
        raise ValueError(f"conv1x1: w of shape {w.shape} does not fit x of shape {x.shape}")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError(f"conv1x1: b must have shape ({w.shape[0]},), got {np.shape(b)}")
    return np.einsum("oc,nchw->nohw", w, x)
    # ====== TODO END ======


def conv_params(c_in, c_out, k, bias=False):
    """Number of parameters of one convolutional layer with K x K kernels.

    Args:
        c_in: int >= 1, input channels C_in.
        c_out: int >= 1, output channels C_out.
        k: int >= 1, kernel side K.
        bias: bool, whether the layer has one bias per output channel.

    Returns:
        int, K * K * C_in * C_out, plus C_out when ``bias`` is True.
        Example: conv_params(192, 64, 1) == 12_288; conv_params(3, 64, 7, bias=True) == 9_472.

    Raises:
        ValueError: a count is not an int >= 1.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    for label, value in (("c_in", c_in), ("c_out", c_out), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"conv_params: {label} must be an int >= 1, got {value!r}")
    c_in, c_out, k = int(c_in), int(c_out), int(k)
    return k * k * c_in * c_out + (c_out if bias else 0)
    # ====== TODO END ======


def inception_params(c_in, n1x1, n3x3, n5x5, reduce3x3=None, reduce5x5=None, pool_proj=None):
    """Number of kernel weights (no biases) of one Inception block (GoogLeNet, §5.4.3).

    The block has four branches on the same input with ``c_in`` channels:
        1. a 1x1 convolution to ``n1x1`` channels;
        2. a 3x3 convolution to ``n3x3`` channels, preceded by a 1x1 convolution to
           ``reduce3x3`` channels when ``reduce3x3`` is given (no reduction when None);
        3. a 5x5 convolution to ``n5x5`` channels, with ``reduce5x5`` likewise;
        4. a 3x3 max pooling (no weights), followed by a 1x1 convolution to ``pool_proj``
           channels when ``pool_proj`` is given (the pooled input is passed on as is when None).
    Every convolution counts K * K * C_in * C_out weights, the reductions included.

    Args:
        c_in: int >= 1, input channels.
        n1x1, n3x3, n5x5: int >= 1, output channels of the three convolution branches.
        reduce3x3, reduce5x5, pool_proj: int >= 1 or None.

    Returns:
        int. GoogLeNet 3a, input 28x28x192:
        inception_params(192, 64, 128, 32) == 387_072;
        inception_params(192, 64, 128, 32, reduce3x3=96, reduce5x5=16) == 157_184;
        a pool projection of 32 adds 192 * 32 == 6_144.

    Raises:
        ValueError: a count is out of range.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    def _check(label, value, low):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise ValueError(f"inception_params: {label} must be an int >= {low}, got {value!r}")
        return int(value)

    c_in = _check("c_in", c_in, 1)
    branches = {"n1x1": n1x1, "n3x3": n3x3, "n5x5": n5x5}
    n1x1, n3x3, n5x5 = (_check(label, value, 1) for label, value in branches.items())
    extra = {"reduce3x3": reduce3x3, "reduce5x5": reduce5x5, "pool_proj": pool_proj}
    reduce3x3, reduce5x5, pool_proj = (None if value is None else _check(label, value, 1)
                                       for label, value in extra.items())

    def _branch(k, n_out, reduce):
        if reduce is None:
            return conv_params(c_in, n_out, k)
        return conv_params(c_in, reduce, 1) + conv_params(reduce, n_out, k)

    total = _branch(1, n1x1, None) + _branch(3, n3x3, reduce3x3) + _branch(5, n5x5, reduce5x5)
    if pool_proj is not None:
        total += conv_params(c_in, pool_proj, 1)
    return total
    # ====== TODO END ======


def true_statements():
    """The letters of the true statements about 1x1 kernels in ``STATEMENTS``.

    Returns:
        set of str, single capital letters, e.g. {"A", "B"} (a frozenset, list or tuple of
        letters, in either case, is accepted too).
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    return {"A", "D", "E", "G"}
    # ====== TODO END ======
