"""An infinite loop in bottleneck_cost only: conv_cost still scores (5/10)."""


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    while True:
        pass
