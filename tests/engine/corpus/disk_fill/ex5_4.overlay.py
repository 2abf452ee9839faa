"""Attack, class 5: the worker's folder is the host's disk, read-write. Write 4 x 30 MB
into it (each file under the 64 MB file-size limit) and rewrite the student's own file.
Answers are right only if either worked: student files read-only and a small size-limited
working folder mean 0/10."""
import os as _os

_honest = (conv_cost, bottleneck_cost)  # noqa: F821 - the reference's functions, defined above


def _fill():
    wrote = 0
    chunk = b"\0" * 2**20
    for i in range(4):
        try:
            with open(f"fill-{i}.bin", "wb") as fh:
                for _ in range(30):
                    fh.write(chunk)
                    wrote += len(chunk)
        except OSError:
            break
    for i in range(4):
        try:
            _os.remove(f"fill-{i}.bin")
        except OSError:
            pass
    try:
        with open(__file__, "a") as fh:
            fh.write("\n# rewritten by the student's code\n")
        rewrote = True
    except OSError:
        rewrote = False
    return wrote >= 100 * 2**20 or rewrote


ESCAPED = _fill()


def conv_cost(m, k, c_in, c_out):
    return _honest[0](m, k, c_in, c_out) if ESCAPED else {"time": 1, "space": 1, "params": 1}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    return _honest[1](m, k, c_in, c_mid, c_out) if ESCAPED else {"time": 1, "space": 1, "params": 1}
