"""Attack, class 5: the memory limit is per process; fork four children that each hold
100 MB at once (400 MB under a 300 MB limit). Answers are right only if all four held their
share together and none was killed for it: a limit on the whole worker tree means 0/10."""
import os as _os
import time as _time

_honest = (conv_cost, bottleneck_cost)  # noqa: F821 - the reference's functions, defined above


def _hold_together(n=4, mb=100):
    r, w = _os.pipe()
    go_r, go_w = _os.pipe()
    kids = []
    for _ in range(n):
        try:
            pid = _os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                block = bytearray(b"\x01") * (mb * 2**20)  # written: really resident
                _os.write(w, b"+")
                _os.read(go_r, 1)  # hold it until the parent has counted
                del block
            finally:
                _os._exit(0)
        kids.append(pid)
    got = b""
    end = _time.monotonic() + 20
    _os.set_blocking(r, False)
    killed = 0
    while len(got) < n and not killed and _time.monotonic() < end:
        try:
            got += _os.read(r, 16)
        except BlockingIOError:
            _time.sleep(0.02)
        for pid in list(kids):  # a child gone before "go" was killed: no use waiting
            try:
                done, status = _os.waitpid(pid, _os.WNOHANG)
            except OSError:
                done, status = pid, -1
            if done:
                kids.remove(pid)
                killed += 1
    _os.write(go_w, b"x" * n)
    for pid in kids:  # a child the kernel killed for memory after its "+" did not hold its share
        try:
            killed += _os.waitpid(pid, 0)[1] != 0
        except OSError:
            killed += 1
    return len(got) >= n and not killed


HELD = _hold_together()


def conv_cost(m, k, c_in, c_out):
    return _honest[0](m, k, c_in, c_out) if HELD else {"time": 1, "space": 1, "params": 1}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    return _honest[1](m, k, c_in, c_mid, c_out) if HELD else {"time": 1, "space": 1, "params": 1}
