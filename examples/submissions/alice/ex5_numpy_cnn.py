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
        fan_in = self.in_channels * self.ksize * self.ksize
        shape = (self.out_channels, self.in_channels, self.ksize, self.ksize)
        self.weights = np.random.standard_normal(shape) * np.sqrt(2.0 / fan_in)
        self.bias = np.zeros(self.out_channels)
        self.grad_w = np.zeros(shape)
        self.grad_b = np.zeros(self.out_channels)
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
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"Conv2D.forward expects x of shape (N, {self.in_channels}, H, W), "
                             f"got {x.shape}")
        k, s, p = self.ksize, self.stride, self.padding
        n, _, h, w = x.shape
        if h + 2 * p < k or w + 2 * p < k:
            raise ValueError(f"Conv2D.forward: input {h}x{w} with padding {p} is smaller than "
                             f"the {k}x{k} kernel")
        xp = np.zeros((n, self.in_channels, h + 2 * p, w + 2 * p))  # zero padding
        xp[:, :, p:p + h, p:p + w] = x
        # im2col: the window under every output pixel, one row per (n, i, j).
        windows = sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::s, ::s]  # (N, C, Ho, Wo, K, K)
        ho, wo = windows.shape[2], windows.shape[3]
        cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, -1)    # (N*Ho*Wo, C*K*K)
        out = cols @ self.weights.reshape(self.out_channels, -1).T               # (N*Ho*Wo, F)
        out = out.reshape(n, ho, wo, -1).transpose(0, 3, 1, 2) + self.bias.reshape(1, -1, 1, 1)
        self._x_shape = x.shape
        self._cols = cols
        self._out_shape = out.shape
        return out
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
        if not hasattr(self, "_cols"):
            raise ValueError("Conv2D.backward called before forward")
        grad_out = np.asarray(grad_out, dtype=np.float64)
        if grad_out.shape != self._out_shape:
            raise ValueError(f"Conv2D.backward expects grad_out of shape {self._out_shape} "
                             f"(the last output's), got {grad_out.shape}")
        k, s, p = self.ksize, self.stride, self.padding
        n, c, h, w = self._x_shape
        _, f, ho, wo = grad_out.shape
        delta = grad_out.transpose(0, 2, 3, 1).reshape(n * ho * wo, f)  # one row per (n, i, j)
        self.grad_b = delta.sum(axis=0)
        self.grad_w = (delta.T @ self._cols).reshape(f, c, k, k)
        # Each output pixel sends weights[f] * δ back over its own window (col2im). Summed,
        # this is the wide convolution rot180(W) ⊗̃ δ of formula 5.39 (δ spread out by the
        # stride), computed with one loop over the K*K kernel offsets.
        dcols = (delta @ self.weights.reshape(f, -1)).reshape(n, ho, wo, c, k, k)
        dcols = dcols.transpose(0, 3, 4, 5, 1, 2)                         # (N, C, K, K, Ho, Wo)
        dxp = np.zeros((n, c, h + 2 * p, w + 2 * p))
        for u in range(k):
            for v in range(k):
                dxp[:, :, u:u + s * (ho - 1) + 1:s, v:v + s * (wo - 1) + 1:s] += dcols[:, :, u, v]
        return dxp[:, :, p:p + h, p:p + w]
        # ====== TODO END ======

    def zero_grad(self):
        """Set ``grad_w`` and ``grad_b`` to zeros of the parameters' shapes."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        self.grad_w = np.zeros(np.shape(self.weights))
        self.grad_b = np.zeros(np.shape(self.bias))
        # ====== TODO END ======

    def update(self, lr=1e-3):
        """One SGD step: ``weights -= lr * grad_w``, ``bias -= lr * grad_b``."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        self.weights = self.weights - lr * self.grad_w
        self.bias = self.bias - lr * self.grad_b
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
        x = np.asarray(x, dtype=np.float64)
        k, s = self.ksize, self.stride
        if x.ndim != 4 or x.shape[2] < k or x.shape[3] < k:
            raise ValueError(f"MaxPooling.forward expects x of shape (N, C, H, W) with "
                             f"H, W >= ksize = {k}, got {x.shape}")
        n, c, _, _ = x.shape
        windows = sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::s, ::s]
        ho, wo = windows.shape[2], windows.shape[3]
        flat = windows.reshape(n, c, ho, wo, k * k)
        arg = flat.argmax(axis=-1)                               # (N, C, Ho, Wo)
        out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
        # Where each maximum sits in x.
        self._rows = (np.arange(ho) * s).reshape(1, 1, ho, 1) + arg // k
        self._cols = (np.arange(wo) * s).reshape(1, 1, 1, wo) + arg % k
        self._x_shape = x.shape
        self._out_shape = out.shape
        return out
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
        if not hasattr(self, "_rows"):
            raise ValueError("MaxPooling.backward called before forward")
        grad_out = np.asarray(grad_out, dtype=np.float64)
        if grad_out.shape != self._out_shape:
            raise ValueError(f"MaxPooling.backward expects grad_out of shape {self._out_shape} "
                             f"(the last output's), got {grad_out.shape}")
        n, c, _, _ = self._x_shape
        dx = np.zeros(self._x_shape)
        nn_ = np.arange(n).reshape(n, 1, 1, 1)
        cc = np.arange(c).reshape(1, c, 1, 1)
        np.add.at(dx, (nn_, cc, self._rows, self._cols), grad_out)
        return dx
        # ====== TODO END ======


class ReLU(Layer):
    """The rectifier, ``max(0, x)``, element-wise on an array of any shape."""

    def forward(self, x):
        """``out = max(0, x)``, same shape as ``x``."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        x = np.asarray(x, dtype=np.float64)
        self._mask = x > 0
        return np.where(self._mask, x, 0.0)
        # ====== TODO END ======

    def backward(self, grad_out):
        """``dx = grad_out`` where the last input was > 0, else 0 (0 at x == 0)."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        grad_out = np.asarray(grad_out, dtype=np.float64)
        if grad_out.shape != self._mask.shape:
            raise ValueError(f"ReLU.backward expects grad_out of shape {self._mask.shape}, "
                             f"got {grad_out.shape}")
        return np.where(self._mask, grad_out, 0.0)
        # ====== TODO END ======


class Flatten(Layer):
    """(N, C, H, W) -> (N, C*H*W) in C (row-major) order; ``backward`` reshapes back."""

    def forward(self, x):
        """``x.reshape(N, -1)``: (N, ...) -> (N, product of the other sides)."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        x = np.asarray(x, dtype=np.float64)
        self._x_shape = x.shape
        return x.reshape(x.shape[0], -1)
        # ====== TODO END ======

    def backward(self, grad_out):
        """``grad_out`` (N, C*H*W) reshaped to the last input's shape (N, C, H, W)."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        grad_out = np.asarray(grad_out, dtype=np.float64)
        if grad_out.size != int(np.prod(self._x_shape)):
            raise ValueError(f"Flatten.backward expects {int(np.prod(self._x_shape))} values "
                             f"(input shape {self._x_shape}), got shape {grad_out.shape}")
        return grad_out.reshape(self._x_shape)
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
        shape = (self.in_features, self.out_features)
        self.weights = np.random.standard_normal(shape) * np.sqrt(2.0 / self.in_features)
        self.bias = np.zeros(self.out_features)
        self.grad_w = np.zeros(shape)
        self.grad_b = np.zeros(self.out_features)
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
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"Linear.forward expects x of shape (N, {self.in_features}), "
                             f"got {x.shape}")
        self._x = x
        return x @ self.weights + self.bias
        # ====== TODO END ======

    def backward(self, grad_out):
        """Set ``grad_w = x.T @ grad_out`` and ``grad_b = grad_out.sum(0)``; return
        ``dx = grad_out @ weights.T`` (N, in_features).

        Args:
            grad_out: (N, out_features), dL/d(out) of the last ``forward``.
        """
        # ====== TODO BEGIN: 你的代码 / your code ======
        grad_out = np.asarray(grad_out, dtype=np.float64)
        expected = (self._x.shape[0], self.out_features)
        if grad_out.shape != expected:
            raise ValueError(f"Linear.backward expects grad_out of shape {expected}, "
                             f"got {grad_out.shape}")
        self.grad_w = self._x.T @ grad_out
        self.grad_b = grad_out.sum(axis=0)
        return grad_out @ self.weights.T
        # ====== TODO END ======

    def zero_grad(self):
        """Set ``grad_w`` and ``grad_b`` to zeros of the parameters' shapes."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        self.grad_w = np.zeros(np.shape(self.weights))
        self.grad_b = np.zeros(np.shape(self.bias))
        # ====== TODO END ======

    def update(self, lr=1e-3):
        """One SGD step: ``weights -= lr * grad_w``, ``bias -= lr * grad_b``."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        self.weights = self.weights - lr * self.grad_w
        self.bias = self.bias - lr * self.grad_b
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
        logits = np.asarray(logits, dtype=np.float64)
        labels = np.asarray(labels)
        if logits.ndim != 2:
            raise ValueError(f"SoftmaxCrossEntropy.forward expects logits (N, num_classes), "
                             f"got shape {logits.shape}")
        n, k = logits.shape
        if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"SoftmaxCrossEntropy.forward expects integer labels of shape "
                             f"({n},), got shape {labels.shape} and dtype {labels.dtype}")
        if n and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(f"labels must lie in [0, {k}), got values in "
                             f"[{labels.min()}, {labels.max()}]")
        z = logits - logits.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        self._probs = np.exp(logp)
        self._labels = labels
        return float(-logp[np.arange(n), labels].mean())
        # ====== TODO END ======

    def backward(self):
        """dL/dlogits of the mean loss of the last ``forward``: (N, num_classes)."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        if not hasattr(self, "_probs"):
            raise ValueError("SoftmaxCrossEntropy.backward called before forward")
        n = self._probs.shape[0]
        grad = self._probs.copy()
        grad[np.arange(n), self._labels] -= 1.0
        return grad / n
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
        for layer in self.layers:
            x = layer.forward(x)
        return x
        # ====== TODO END ======

    def backward(self, grad):
        """``grad`` = dL/d(output) through every layer in reverse order (each layer sets
        its own ``grad_w``/``grad_b``); returns dL/d(input)."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad
        # ====== TODO END ======

    def zero_grad(self):
        """``zero_grad()`` of every layer."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        for layer in self.layers:
            layer.zero_grad()
        # ====== TODO END ======

    def step(self, lr=1e-3):
        """``update(lr)`` of every layer: one SGD step of all parameters."""
        # ====== TODO BEGIN: 你的代码 / your code ======
        for layer in self.layers:
            layer.update(lr)
        # ====== TODO END ======
