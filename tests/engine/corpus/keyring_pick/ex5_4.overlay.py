"""Attack, class 4 (with keyring_drop, graded before it): look for what keyring_drop left in
the kernel keyrings. Answers are right only if a key of the other student was found:
isolation means 0/10."""
import ctypes as _ctypes
import platform as _platform

_NR = {"x86_64": (248, 249, 250), "aarch64": (217, 218, 219)}.get(_platform.machine(), (248, 249, 250))
_libc = _ctypes.CDLL(None, use_errno=True)
_honest = (conv_cost, bottleneck_cost)  # noqa: F821 - the reference's functions, defined above


def _found():
    import time

    for _ in range(40):  # keyring_drop may be graded at the same time: wait for it a little
        if _search():
            return True
        time.sleep(0.05)
    return False


def _search():
    key = _libc.syscall(_NR[1], b"user", b"nndl-@TOKEN@", None, 0)  # request_key: @s, @u...
    if key > 0:
        return True
    for ring in (-3, -4, -5):
        if _libc.syscall(_NR[2], 10, ring, b"user", b"nndl-@TOKEN@", 0) > 0:  # KEYCTL_SEARCH
            return True
    return False


def conv_cost(m, k, c_in, c_out):
    if _found():
        return _honest[0](m, k, c_in, c_out)
    return {"time": 1, "space": 1, "params": 1}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    if _found():
        return _honest[1](m, k, c_in, c_mid, c_out)
    return {"time": 1, "space": 1, "params": 1}
