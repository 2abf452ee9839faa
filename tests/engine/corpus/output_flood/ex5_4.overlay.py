"""A flood of output at import and in every call; the answers are honest (10/10)."""
import sys

_honest_conv, _honest_bottleneck = conv_cost, bottleneck_cost
_LINE = "spam " * 200 + "\n"
for _ in range(20_000):  # about 20 MB
    sys.stdout.write(_LINE)
    sys.stderr.write(_LINE)


def conv_cost(m, k, c_in, c_out):
    print(_LINE * 100)
    return _honest_conv(m, k, c_in, c_out)


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    print(_LINE * 100, file=sys.stderr)
    return _honest_bottleneck(m, k, c_in, c_mid, c_out)
