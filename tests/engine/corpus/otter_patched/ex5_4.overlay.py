"""Attack: patch Otter's test_case so that every check passes, and plant a fake module;
the answers are wrong (0/10)."""
import sys
import types

try:
    import otter.test_files

    otter.test_files.test_case.call_func = lambda self, env: None
except ImportError:
    fake = types.ModuleType("otter.test_files")
    fake.test_case = None
    sys.modules["otter"] = types.ModuleType("otter")
    sys.modules["otter.test_files"] = fake


def conv_cost(m, k, c_in, c_out):
    return {"time": 0, "space": 0, "params": 0}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    return {"time": 0, "space": 0, "params": 0}
