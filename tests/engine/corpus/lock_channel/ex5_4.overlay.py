"""Attack, class 8 (a channel between workers): kernel state keyed by a file every worker
sees read-only. A byte-range lock taken with ``fcntl`` on a read-only descriptor of a host file
(NumPy's own) is visible to every other process through ``F_GETLK``: a bit-exact channel to a
classmate's worker, or from this submission's hidden cases to its public ones. Here the
worker only tries each kind of lock (POSIX, open-file-description, ``flock``, ``lockf``) and
answers right only if one was granted: isolation means 0/10."""
import fcntl as _fcntl
import os as _os
import struct as _struct

_honest = (conv_cost, bottleneck_cost)  # noqa: F821 - the reference's functions, defined above


def _shared(flags=None):
    """A descriptor of a file every worker reads (the interpreter, the standard library,
    NumPy): the first of them this worker may open."""
    import sys
    import numpy

    flags = _os.O_RDONLY if flags is None else flags
    for path in (numpy.__file__, _os.__file__, sys.executable, "/etc/ld.so.cache", "/usr/lib/os-release"):
        try:
            return _os.open(path, flags), path
        except OSError:
            continue
    raise OSError("no shared file")


def _granted():
    got = []
    fd, _ = _shared()
    try:
        lock = _struct.pack("hhqqi4x", _fcntl.F_RDLCK, 0, 4242, 1, 0)  # struct flock
        for cmd in (_fcntl.F_SETLK, _fcntl.F_GETLK, 37, 36):  # F_OFD_SETLK, F_OFD_GETLK
            try:
                _fcntl.fcntl(fd, cmd, lock)
                got.append(cmd)
            except OSError:
                pass
        for take in (lambda: _fcntl.flock(fd, _fcntl.LOCK_SH | _fcntl.LOCK_NB),
                     lambda: _fcntl.lockf(fd, _fcntl.LOCK_SH | _fcntl.LOCK_NB, 1, 4243)):
            try:
                take()
                got.append(take)
            except OSError:
                pass
    finally:
        _os.close(fd)
    return got


_ESCAPED = bool(_granted())


def conv_cost(m, k, c_in, c_out):
    if _ESCAPED:
        return _honest[0](m, k, c_in, c_out)
    return {"time": 1, "space": 1, "params": 1}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    if _ESCAPED:
        return _honest[1](m, k, c_in, c_mid, c_out)
    return {"time": 1, "space": 1, "params": 1}
