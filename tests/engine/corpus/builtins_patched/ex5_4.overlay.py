"""Attack: patch builtins (isinstance, int, len, AssertionError) so that any check would pass;
bottleneck_cost answers wrongly, conv_cost honestly."""
import builtins

builtins.isinstance = lambda obj, cls: True
builtins.int = lambda *a, **k: 0
builtins.AssertionError = type("AssertionError", (Exception,), {})


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    return {"time": 1, "space": 1, "params": 1}
