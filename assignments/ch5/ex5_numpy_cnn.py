"""习题(选做) 用 NumPy 实现卷积层和池化层 / Optional exercise: a small CNN in NumPy.

题目(《神经网络与深度学习》第 5 章):
    设计简易 CNN 模型,分别用 NumPy、Python 实现卷积层和池化层的反向传播算子,并代入数值
    测试。

Problem (Neural Networks and Deep Learning, chapter 5):
    Design a simple CNN: implement the backward operators of the convolutional layer and
    of the pooling layer in NumPy and Python, and test them numerically.

要写什么 / What to write:
    下面这些层,写成在 ``forward`` 和 ``backward`` 之间保存自身状态的类(与这道题经典的 NumPy
    CNN 答案接口相同):``Conv2D``、``MaxPooling``、``ReLU``、``Flatten``、``Linear``,损失
    ``SoftmaxCrossEntropy`` 和容器 ``Module``。检查程序自己创建这些层,用属性赋值设置
    ``weights`` 和 ``bias``,调用 ``forward``/``backward``,并与中心差分的数值梯度比较。由你的层
    组成的小 CNN,Conv2D(1, 8, 3, 1, 1) -> ReLU -> MaxPooling(2, 2) -> Flatten ->
    Linear(128, 4) -> SoftmaxCrossEntropy,还要学会随题提供的数据集(四个方向的条纹组成的 8x8
    图像):直接调用你的层的 forward、backward 和 update,100 步 SGD(批量 32,lr 0.8)之后,
    在留出的测试集上准确率至少 90%。

    The layers below, as classes that keep their own state between ``forward`` and
    ``backward`` (the interface of the classic NumPy CNN answers to this exercise):
    ``Conv2D``, ``MaxPooling``, ``ReLU``, ``Flatten``, ``Linear``, the loss
    ``SoftmaxCrossEntropy`` and the container ``Module``. The graded checks build the
    layers, set ``weights`` and ``bias`` themselves by attribute assignment, call
    ``forward``/``backward`` and compare with centred numerical gradients. A small CNN made
    of your layers, Conv2D(1, 8, 3, 1, 1) -> ReLU -> MaxPooling(2, 2) -> Flatten ->
    Linear(128, 4) -> SoftmaxCrossEntropy, must also learn a shipped data set of 8x8 images
    of bars in four orientations: at least 90% held-out accuracy after 100 SGD steps
    (batches of 32, lr 0.8), driving your layers' forward, backward and update directly.

约定 / Conventions:
    - 只用 NumPy,float64 数组;图像按 NCHW (N, C, H, W) 组成批量。
      NumPy only, float64 arrays; images are batched as NCHW (N, C, H, W).
    - "卷积"是书中的互相关 ⊗(§5.1.2),在补零后的输入上计算
      ``y[i, j] = sum_{u,v} w[u, v] * x[i*s + u, j*s + v]``;输出边长为
      ``(H + 2*padding - K) // stride + 1``。补零后的输入中没有窗口到达的剩余部分被丢弃(梯度为 0)。
      "Convolution" is the book's cross-correlation ⊗ (互相关, §5.1.2):
      ``y[i, j] = sum_{u,v} w[u, v] * x[i*s + u, j*s + v]`` on the zero-padded input;
      the output side is ``(H + 2*padding - K) // stride + 1``. A remainder of the padded
      input that no window reaches is dropped (and gets gradient 0).
    - ``forward(x)`` 返回输出并记住 ``backward`` 需要的量;``backward(grad_out)`` 接收最近一次
      ``forward`` 的 dL/d(输出),返回 dL/d(输入)。有参数的层在 ``backward`` 中还要设置(不是累加)
      ``grad_w`` 和 ``grad_b``;``zero_grad()`` 把它们置零;``update(lr)`` 做一步 SGD:
      ``weights -= lr * grad_w``,``bias -= lr * grad_b``。
      ``forward(x)`` returns the output and remembers what ``backward`` needs;
      ``backward(grad_out)`` takes dL/d(output) of the last ``forward`` and returns
      dL/d(input). Layers with parameters also SET (not add to) ``grad_w`` and ``grad_b``
      in ``backward``; ``zero_grad()`` sets them to zeros; ``update(lr)`` takes one SGD
      step, ``weights -= lr * grad_w`` and ``bias -= lr * grad_b``.
    - 参数是属性:``weights``、``bias``、``grad_w``、``grad_b``。使用层的代码可以直接赋值替换它们
      (``conv.weights = w``);用到时总是从 ``self`` 读取。
      Parameters are attributes: ``weights``, ``bias``, ``grad_w``, ``grad_b``. Whoever
      uses a layer may replace them by assignment (``conv.weights = w``); always read them
      from ``self`` at the time of use.
    - 向量化:不要对批量、通道或输出像素写 Python 循环(用
      ``numpy.lib.stride_tricks.sliding_window_view`` 和矩阵乘法,即 im2col;用 ``np.add.at``
      累加到重复的位置)。对 K*K 个核内偏移循环可以。检查程序让批量、通道和输出像素
      (或窗口)分别从 25 增加到 3969,为 Conv2D(1x1 卷积核)和 MaxPooling(2, 2) 计时:每多一个
      单位,每次前向和反向最多多用 0.8 微秒 CPU 时间,向量化的代码轻松满足,对它们的 Python
      循环则不行。
      Vectorise: no Python loop over the batch, the channels or the output pixels
      (``numpy.lib.stride_tricks.sliding_window_view`` and matrix products, i.e. im2col;
      ``np.add.at`` to add into repeated positions). A loop over the K*K kernel offsets
      is fine. The checks time Conv2D (a 1x1 kernel) and MaxPooling(2, 2) as the batch, the
      channels and the output pixels (or windows) grow from 25 to 3,969: each forward and
      backward may cost 0.8 microseconds of CPU time more per unit, which vectorised code
      (im2col, strides, FFT) meets easily and a Python loop over them does not.
    - 参数不合法时抛出 ``ValueError``,信息中给出出错的数(形状可以写成 (3, 3)、3x3、3×3 或 3 by 3;要求 int 的参数不接受 2.0 这样的浮点数)。
      Bad arguments raise ``ValueError`` whose message names the numbers that are wrong (a
      shape may be written (3, 3), 3x3, 3×3 or 3 by 3; an argument that must be an int
      does not accept a float such as 2.0).
    - 返回新的数组;不要修改传入的参数(它们可能是只读数组)。
      Return new arrays; do not change the arguments (they may be read-only arrays).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _positive_int(name, value):
    """Reject anything but a positive int (bools too), naming the argument."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


class Layer:
    """Base class of the layers: no parameters, so ``zero_grad`` and ``update`` do nothing.

    Subclasses implement ``forward(x)`` and ``backward(grad_out)``.
    """

    def forward(self, x):
        """Output of the layer for input ``x``; remembers what ``backward`` needs."""
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, grad_out):
        """dL/d(input) of the last ``forward``, given ``grad_out`` = dL/d(output)."""
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    def zero_grad(self):
        """Set the parameter gradients to zero (nothing to do without parameters)."""

    def update(self, lr=1e-3):
        """One SGD step of the parameters (nothing to do without parameters)."""


class Conv2D(Layer):
    """A 2-D convolutional layer (cross-correlation ⊗ with stride and zero padding).

    Attributes:
        weights: (C_out, C_in, K, K) kernels, He-initialised: standard normal times
            sqrt(2 / (C_in * K * K)).
        bias: (C_out,) biases, zeros at first.
        grad_w: (C_out, C_in, K, K), dL/dweights of the last ``backward`` (zeros at first).
        grad_b: (C_out,), dL/dbias of the last ``backward`` (zeros at first).
        in_channels, out_channels, ksize, stride, padding: the constructor's arguments.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        """A layer mapping (N, in_channels, H, W) to (N, out_channels, Ho, Wo).

        Args:
            in_channels: C_in, a positive int.
            out_channels: C_out, a positive int.
            kernel_size: K, a positive int (square K x K kernels).
            stride: s, a positive int.
            padding: p, an int >= 0: zeros added on every side of the input.

        Raises:
            ValueError: an argument is not a positive int (padding: not an int >= 0).
        """
        self.in_channels = _positive_int("in_channels", in_channels)
        self.out_channels = _positive_int("out_channels", out_channels)
        self.ksize = _positive_int("kernel_size", kernel_size)
        self.stride = _positive_int("stride", stride)
        if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
            raise ValueError(f"padding must be an int >= 0, got {padding!r}")
        self.padding = int(padding)
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Conv2D.__init__: fill in this TODO block")
        # ====== TODO END ======

    def forward(self, x):
        """Cross-correlate the zero-padded input with every kernel and add the biases.

        ``out[n, f, i, j] = sum_{c,u,v} weights[f, c, u, v] * xp[n, c, i*s + u, j*s + v]
        + bias[f]``, where ``xp`` is ``x`` padded with ``padding`` zeros on every side
        (formula 5.21 of the book, with stride and padding).

        Args:
            x: (N, C_in, H, W) float64 input, with H + 2p >= K and W + 2p >= K.

        Returns:
            out: (N, C_out, Ho, Wo) with Ho = (H + 2p - K) // s + 1, Wo likewise.

        Raises:
            ValueError: ``x`` is not 4-D, has the wrong number of channels, or is smaller
                than the kernel even after padding.
        """
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Conv2D.forward: fill in this TODO block")
        # ====== TODO END ======

    def backward(self, grad_out):
        """Gradients of the last ``forward``: set ``grad_w`` and ``grad_b``, return dL/dx.

        As in the book (formulas 5.39-5.41), with δ = ``grad_out``:
            grad_b[f] = sum over n, i, j of δ[n, f, i, j];
            grad_w[f, c] = sum over n of δ[n, f] ⊗ xp[n, c] (with stride s);
            dL/dxp[n, c] = sum over f of rot180(weights[f, c]) ⊗̃ δ[n, f], after δ is
            spread out with s - 1 zeros between its entries (stride s); the padding is
            then cropped off.

        Args:
            grad_out: (N, C_out, Ho, Wo), dL/d(out) of the last ``forward``.

        Returns:
            dx: (N, C_in, H, W), dL/dx.

        Raises:
            ValueError: ``forward`` was not called, or ``grad_out`` has a different shape
                from the last output.
        """
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Conv2D.backward: fill in this TODO block")
        # ====== TODO END ======

    def zero_grad(self):
        """Set ``grad_w`` and ``grad_b`` to zeros of the parameters' shapes."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Conv2D.zero_grad: fill in this TODO block")
        # ====== TODO END ======

    def update(self, lr=1e-3):
        """One SGD step: ``weights -= lr * grad_w``, ``bias -= lr * grad_b``."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Conv2D.update: fill in this TODO block")
        # ====== TODO END ======


class MaxPooling(Layer):
    """Max pooling over ksize x ksize windows moved by ``stride`` (windows may overlap).

    The output side is ``(H - ksize) // stride + 1``; a remainder of the input that no
    window covers is dropped and gets gradient 0. Ties go to the first maximum in
    row-major order within the window.
    """

    def __init__(self, ksize=2, stride=2):
        """Pooling with square ``ksize`` x ``ksize`` windows and step ``stride``.

        Raises:
            ValueError: ``ksize`` or ``stride`` is not a positive int.
        """
        self.ksize = _positive_int("ksize", ksize)
        self.stride = _positive_int("stride", stride)

    def forward(self, x):
        """``out[n, c, i, j] = max over u, v < ksize of x[n, c, i*s + u, j*s + v]``.

        Args:
            x: (N, C, H, W) float64, H >= ksize and W >= ksize.

        Returns:
            out: (N, C, Ho, Wo), Ho = (H - ksize) // stride + 1, Wo likewise.

        Raises:
            ValueError: ``x`` is not 4-D or is smaller than the window.
        """
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("MaxPooling.forward: fill in this TODO block")
        # ====== TODO END ======

    def backward(self, grad_out):
        """Route each output's gradient to the position of its window's maximum.

        The book's up-sampling for max pooling; where windows overlap, the gradients that
        reach one input position add up.

        Args:
            grad_out: (N, C, Ho, Wo), dL/d(out) of the last ``forward``.

        Returns:
            dx: (N, C, H, W).

        Raises:
            ValueError: ``forward`` was not called, or ``grad_out`` has the wrong shape.
        """
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("MaxPooling.backward: fill in this TODO block")
        # ====== TODO END ======


class ReLU(Layer):
    """The rectifier, ``max(0, x)``, element-wise on an array of any shape."""

    def forward(self, x):
        """``out = max(0, x)``, same shape as ``x``."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("ReLU.forward: fill in this TODO block")
        # ====== TODO END ======

    def backward(self, grad_out):
        """``dx = grad_out`` where the last input was > 0, else 0 (0 at x == 0)."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("ReLU.backward: fill in this TODO block")
        # ====== TODO END ======


class Flatten(Layer):
    """(N, C, H, W) -> (N, C*H*W) in C (row-major) order; ``backward`` reshapes back."""

    def forward(self, x):
        """``x.reshape(N, -1)``: (N, ...) -> (N, product of the other sides)."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Flatten.forward: fill in this TODO block")
        # ====== TODO END ======

    def backward(self, grad_out):
        """``grad_out`` (N, C*H*W) reshaped to the last input's shape (N, C, H, W)."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Flatten.backward: fill in this TODO block")
        # ====== TODO END ======


class Linear(Layer):
    """A fully connected layer, ``out = x @ weights + bias``.

    Attributes:
        weights: (in_features, out_features), He-initialised: standard normal times
            sqrt(2 / in_features). Note the orientation: input side first.
        bias: (out_features,), zeros at first.
        grad_w: (in_features, out_features); grad_b: (out_features,).
    """

    def __init__(self, in_features, out_features):
        """A layer mapping (N, in_features) to (N, out_features).

        Raises:
            ValueError: an argument is not a positive int.
        """
        self.in_features = _positive_int("in_features", in_features)
        self.out_features = _positive_int("out_features", out_features)
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Linear.__init__: fill in this TODO block")
        # ====== TODO END ======

    def forward(self, x):
        """``out = x @ weights + bias``.

        Args:
            x: (N, in_features).

        Returns:
            out: (N, out_features).

        Raises:
            ValueError: ``x`` is not (N, in_features).
        """
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Linear.forward: fill in this TODO block")
        # ====== TODO END ======

    def backward(self, grad_out):
        """Set ``grad_w = x.T @ grad_out`` and ``grad_b = grad_out.sum(0)``; return
        ``dx = grad_out @ weights.T`` (N, in_features).

        Args:
            grad_out: (N, out_features), dL/d(out) of the last ``forward``.
        """
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Linear.backward: fill in this TODO block")
        # ====== TODO END ======

    def zero_grad(self):
        """Set ``grad_w`` and ``grad_b`` to zeros of the parameters' shapes."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Linear.zero_grad: fill in this TODO block")
        # ====== TODO END ======

    def update(self, lr=1e-3):
        """One SGD step: ``weights -= lr * grad_w``, ``bias -= lr * grad_b``."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Linear.update: fill in this TODO block")
        # ====== TODO END ======


class SoftmaxCrossEntropy:
    """Softmax followed by the cross-entropy loss, averaged over the batch.

    ``L = -(1/N) * sum_n log softmax(logits[n])[labels[n]]``; its gradient is
    ``(softmax(logits) - onehot(labels)) / N``. Computed stably (subtract each row's max).
    """

    def forward(self, logits, labels):
        """The mean cross-entropy loss of the batch.

        Args:
            logits: (N, num_classes) float64 scores.
            labels: (N,) integer class indices in [0, num_classes).

        Returns:
            loss: a float, the mean over the batch.

        Raises:
            ValueError: wrong shapes, non-integer labels or labels out of range.
        """
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("SoftmaxCrossEntropy.forward: fill in this TODO block")
        # ====== TODO END ======

    def backward(self):
        """dL/dlogits of the mean loss of the last ``forward``: (N, num_classes)."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("SoftmaxCrossEntropy.backward: fill in this TODO block")
        # ====== TODO END ======


class Module:
    """A sequence of layers: ``forward`` runs them in order, ``backward`` in reverse.

    Build it as ``m = Module(); m.layers = [Conv2D(1, 8, 3, 1, 1), ReLU(), ...]`` (or
    ``Module([...])``).
    """

    def __init__(self, layers=None):
        """``layers``: a list of layers, or None for an empty list."""
        self.layers = list(layers) if layers is not None else []

    def forward(self, x):
        """``x`` through every layer in order; returns the last layer's output."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Module.forward: fill in this TODO block")
        # ====== TODO END ======

    def backward(self, grad):
        """``grad`` = dL/d(output) through every layer in reverse order (each layer sets
        its own ``grad_w``/``grad_b``); returns dL/d(input)."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Module.backward: fill in this TODO block")
        # ====== TODO END ======

    def zero_grad(self):
        """``zero_grad()`` of every layer."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Module.zero_grad: fill in this TODO block")
        # ====== TODO END ======

    def step(self, lr=1e-3):
        """``update(lr)`` of every layer: one SGD step of all parameters."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        raise NotImplementedError("Module.step: fill in this TODO block")
        # ====== TODO END ======
