"""Memory that grows without bound in bottleneck_cost; conv_cost still scores (5/10)."""


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    hoard = []
    while True:
        hoard.append(bytearray(8 * 2**20))
