"""Attack, class 8 (a channel between workers): kernel objects found by a name or a key every
worker can compute. System V message queues, semaphores and shared memory under a key made by
``ftok`` of a host file, a POSIX message queue, and a local socket bound to an abstract
address (one name space per network namespace: shared by every worker where the mode has no
network namespace, as in a Docker container). The worker tries each and answers right only if
one worked: isolation means 0/10."""
import ctypes as _ctypes
import os as _os
import socket as _socket

_honest = (conv_cost, bottleneck_cost)  # noqa: F821 - the reference's functions, defined above


def _worked():
    import sys

    libc = _ctypes.CDLL(None, use_errno=True)
    got = []
    key = libc.ftok(sys.executable.encode(), 42)
    if key == -1:
        key = libc.ftok(b"/", 42)
    for name, args in (("msgget", (key, 0o1600)), ("semget", (key, 1, 0o1600)),
                       ("shmget", (key, 4096, 0o1600))):  # IPC_CREAT | 0600
        if getattr(libc, name)(*args) >= 0:
            got.append(name)
    try:
        mq_open = libc.mq_open
    except AttributeError:  # an older C library keeps it in librt
        try:
            mq_open = _ctypes.CDLL("librt.so.1", use_errno=True).mq_open
        except OSError:
            mq_open = None
    if mq_open is not None and mq_open(b"/nndl-@TOKEN@", 0o100 | 0o2, 0o600, None) >= 0:  # O_CREAT|O_RDWR
        got.append("mq_open")
    for make in (lambda: _socket.socket(_socket.AF_UNIX, _socket.SOCK_DGRAM),
                 lambda: _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_DGRAM)[0]):
        try:
            sock = make()
        except OSError:
            continue
        try:
            sock.bind("\0nndl-@TOKEN@-" + str(_os.getpid()))
            got.append("abstract bind")
        except OSError:
            pass
        try:
            sock.sendto(b"x", "\0nndl-@TOKEN@-elsewhere")
            got.append("sendto")
        except OSError as exc:
            if exc.errno == 111 or exc.errno == 2:  # refused or absent: addressing itself works
                got.append("sendto")
        finally:
            sock.close()
    return got


_ESCAPED = bool(_worked())


def conv_cost(m, k, c_in, c_out):
    if _ESCAPED:
        return _honest[0](m, k, c_in, c_out)
    return {"time": 1, "space": 1, "params": 1}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    if _ESCAPED:
        return _honest[1](m, k, c_in, c_mid, c_out)
    return {"time": 1, "space": 1, "params": 1}
