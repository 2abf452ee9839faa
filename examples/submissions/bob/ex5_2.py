"""习题 5-2 宽卷积的交换性 / Exercise 5-2: wide convolution is commutative.

题目(《神经网络与深度学习》第 5 章):
    证明宽卷积具有交换性,即公式(5.13):

        rot180(W) ⊗̃ X = rot180(X) ⊗̃ W.                                   (5.13)

    其中 ⊗ 为互相关,宽卷积定义为 W ⊗̃ X ≜ W ⊗ X̃ (5.12),X̃ 是在 X 的上下各补 U-1 行零、
    左右各补 V-1 列零得到的全填充图像。证明写在答题纸 ex5_2.md 中;本文件用代码实现
    这几个运算,并在随机输入上验证 (5.13)。

Problem (Neural Networks and Deep Learning, chapter 5):
    Prove that wide convolution is commutative, formula (5.13):

        rot180(W) ⊗̃ X = rot180(X) ⊗̃ W,

    where ⊗ is cross-correlation and the wide convolution is W ⊗̃ X ≜ W ⊗ X̃ (5.12), X̃
    being X zero-padded by U-1 rows at the top and at the bottom and by V-1 columns on the
    left and on the right. Write the proof in the answer sheet ex5_2.md; in this file,
    implement the operations, so that (5.13) can be checked on random inputs.

约定 / Conventions:
    - 单通道的二维 float64 数组;代码中下标从 0 开始(书中从 1 开始)。
      Single channel, 2-D float64 arrays; indices start at 0 in code (the book's start at 1).
    - 图像 X 的形状为 (M, N),卷积核 W 的形状为 (U, V);两者都不必是方阵。
      The image X has shape (M, N), the kernel W has shape (U, V); neither needs to be
      square.
    - 互相关(书中的 ⊗,代码中所说的"卷积"),输出形状 (M-U+1, N-V+1):
      Cross-correlation (互相关, the book's ⊗, "convolution" in code):
          (W ⊗ X)[i, j] = sum_{u, v} W[u, v] * X[i + u, j + v],   output (M-U+1, N-V+1).
    - 真正的卷积要翻转卷积核:它就是与 rot180(W) 的互相关。
      True convolution flips the kernel: it is the cross-correlation with rot180(W).
    - 参数不合法时抛出 ``ValueError``,信息中给出出错的数(形状可以写成 (3, 3)、3x3、3×3 或 3 by 3;要求 int 的参数不接受 2.0 这样的浮点数)。
      Bad arguments raise ``ValueError`` whose message names the numbers that are wrong (a
      shape may be written (3, 3), 3x3, 3×3 or 3 by 3; an argument that must be an int
      does not accept a float such as 2.0).
    - 返回新的数组;不要修改传入的参数(它们可能是只读数组)。
      Return new arrays; do not change the arguments (they may be read-only arrays).
"""

import numpy as np


def rot180(a):
    """Rotate a 2-D array by 180 degrees (flip it upside down and left to right).

    Args:
        a: array of shape (M, N).

    Returns:
        array of shape (M, N) with ``out[i, j] == a[M-1-i, N-1-j]``.

    Raises:
        ValueError: ``a`` is not 2-D.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"rot180 needs a 2-D array, got shape {a.shape}")
    return a.T.copy()
    # ====== TODO END ======


def xcorr2d(x, w):
    """Valid cross-correlation ``W ⊗ X`` of the image ``x`` with the kernel ``w`` (5.1.2).

    ``out[i, j] = sum_{u=0}^{U-1} sum_{v=0}^{V-1} w[u, v] * x[i + u, j + v]``; the kernel
    is not flipped.

    Args:
        x: image, array of shape (M, N).
        w: kernel, array of shape (U, V) with U <= M and V <= N.

    Returns:
        array of shape (M-U+1, N-V+1).

    Raises:
        ValueError: ``x`` or ``w`` is not 2-D, or the kernel is larger than the image
            (U > M or V > N); the message shows both shapes.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(f"xcorr2d needs a 2-D image and a 2-D kernel, got shapes {x.shape} and {w.shape}")
    (m, n), (u, v) = x.shape, w.shape
    if u > m or v > n:
        raise ValueError(
            f"xcorr2d: the kernel of shape ({u}, {v}) is larger than the image of shape ({m}, {n}); "
            f"a valid cross-correlation needs U <= M and V <= N (use wide_conv2d for a larger kernel)")
    out = np.zeros((m - u + 1, n - v + 1))
    for p in range(u):  # one shifted copy of the image per kernel weight
        for q in range(v):
            out += w[p, q] * x[p:p + m - u + 1, q:q + n - v + 1]
    return out
    # ====== TODO END ======


def wide_conv2d(w, x):
    """Wide convolution ``W ⊗̃ X = W ⊗ X̃`` (5.12): zero-pad, then cross-correlate.

    X̃ is ``x`` with U-1 rows of zeros added at the top and at the bottom and V-1 columns
    of zeros on the left and on the right, shape (M+2U-2, N+2V-2); the result is
    ``xcorr2d(X̃, w)``. The kernel may be larger than the image.

    Note the argument order: the kernel comes first, as in the book's ``W ⊗̃ X``.

    Args:
        w: kernel, array of shape (U, V).
        x: image, array of shape (M, N).

    Returns:
        array of shape (M+U-1, N+V-1).

    Raises:
        ValueError: ``w`` or ``x`` is not 2-D.
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(f"wide_conv2d needs a 2-D kernel and a 2-D image, got shapes {w.shape} and {x.shape}")
    u, v = w.shape
    x_full = np.pad(x, ((u - 1, u - 1), (v - 1, v - 1)))
    return xcorr2d(x_full, w)
    # ====== TODO END ======
