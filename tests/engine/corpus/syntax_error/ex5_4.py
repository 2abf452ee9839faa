"""A syntax error: the exercise scores 0 and the message shows the line."""


def conv_cost(m, k, c_in, c_out):
    return {"time": m * m * k * k * c_in * c_out, "space": m * m * c_out,
            "params": k * k * c_in * c_out}


def bottleneck_cost(m, k, c_in, c_mid, c_out)
    return None
