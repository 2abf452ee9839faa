"""习题 5-4 时间和空间复杂度 / Exercise 5-4: time and space complexity.

题目(《神经网络与深度学习》第 5 章):
    对于一个输入为 100x100x256 的特征映射组,使用 3x3 的卷积核,输出为 100x100x256 的
    特征映射组的卷积层,求其时间和空间复杂度。如果引入一个 1x1 卷积核,先得到 100x100x64
    的特征映射,再进行 3x3 的卷积,得到 100x100x256 的特征映射组,求其时间和空间复杂度。

Problem (Neural Networks and Deep Learning, chapter 5):
    A convolutional layer takes a 100x100x256 group of feature maps, uses 3x3 kernels and
    outputs a 100x100x256 group of feature maps: give its time and space complexity. If a
    1x1 convolution first maps the input to 100x100x64 feature maps and the 3x3 convolution
    then produces the 100x100x256 output, what are the time and space complexity?

约定 / Conventions:
    - 每层都用"same"填充、步长 1,所以 M x M 的输入得到 M x M 的输出。
      Every layer uses "same" padding and stride 1, so an M x M input gives an M x M output.
    - time   = 乘法次数,一层为 M^2 * K^2 * C_in * C_out。
      time   = number of multiplications, M^2 * K^2 * C_in * C_out for one layer.
    - space  = 各层输出的特征映射的元素个数,一层为 M^2 * C_out(不计输入)。
      space  = number of elements of the output feature maps the layer(s) produce,
               M^2 * C_out for one layer (the input is not counted).
    - params = 卷积核权重的个数 K^2 * C_in * C_out,不计偏置。
      params = number of kernel weights, K^2 * C_in * C_out, without biases.
    - 每个值都是 Python 的 int。
      Every value is a Python int.
"""


def conv_cost(m, k, c_in, c_out):
    """Cost of one K x K convolutional layer with an M x M output and "same" padding.

    Args:
        m: int, side M of the (square) output feature maps.
        k: int, side K of the (square) kernels.
        c_in: int, number of input channels C_in.
        c_out: int, number of output channels C_out.

    Returns:
        dict with int values:
            "time":   multiplications, M^2 * K^2 * C_in * C_out;
            "space":  elements of the output feature maps, M^2 * C_out;
            "params": kernel weights, K^2 * C_in * C_out (no bias).

    Example (the book's case): conv_cost(100, 3, 256, 256) ==
        {"time": 5_898_240_000, "space": 2_560_000, "params": 589_824}
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    return {
        "time": m * m * k * k * c_in * c_out,
        "space": m * m * c_out,
        "params": k * k * c_in * c_out,
    }
    # ====== TODO END ======


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    """Cost of a 1x1 convolution to ``c_mid`` channels followed by a K x K convolution.

    Both layers keep the M x M size ("same" padding, stride 1). Each value is summed over
    the two layers; "space" counts the output feature maps of both layers (the M x M x
    c_mid intermediate maps and the M x M x c_out output).

    Args:
        m: int, side M of the feature maps.
        k: int, side K of the second layer's kernels.
        c_in: int, channels of the input.
        c_mid: int, channels after the 1x1 convolution.
        c_out: int, channels of the output.

    Returns:
        dict with int values "time", "space", "params", as in ``conv_cost``.

    Example (the book's case): bottleneck_cost(100, 3, 256, 64, 256) ==
        {"time": 1_638_400_000, "space": 3_200_000, "params": 163_840}
    """
    # ====== TODO BEGIN: 你的代码 / your code ======
    reduce = conv_cost(m, 1, c_in, c_mid)
    conv = conv_cost(m, k, c_mid, c_out)
    return {"time": reduce["time"] + conv["time"], "space": conv["space"],
            "params": reduce["params"] + conv["params"]}
    # ====== TODO END ======
