"""Attack, class 8 (a channel between workers): notifications about shared files and signals
on I/O. inotify and fanotify watches on a host file or folder every worker reads, a directory
notification (``F_NOTIFY``), a lease (``F_SETLEASE``: another process's open of the file
breaks it, and the holder is told) and ``F_SETOWN``/``F_SETSIG`` (I/O signals sent to a chosen
process) each let one worker learn of another's activity. The worker tries each and answers
right only if one worked: isolation means 0/10."""
import ctypes as _ctypes
import fcntl as _fcntl
import os as _os
import signal as _signal

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


def _worked():
    libc = _ctypes.CDLL(None, use_errno=True)
    got = []
    shared, path = _shared()
    _os.close(shared)
    fd = libc.inotify_init1(0)
    if fd >= 0:
        got.append("inotify")
        if libc.inotify_add_watch(fd, path.encode(), 0x1) >= 0:  # IN_ACCESS
            got.append("inotify_add_watch")
        _os.close(fd)
    fd = libc.fanotify_init(0, 0)
    if fd >= 0:
        got.append("fanotify")
        _os.close(fd)
    try:
        folder = _os.open(_os.path.dirname(path), _os.O_RDONLY)
    except OSError:
        folder = _os.open(".", _os.O_RDONLY)
    try:
        _fcntl.fcntl(folder, 1026, 0x1 | 0x80000000)  # F_NOTIFY: DN_ACCESS | DN_MULTISHOT
        got.append("dnotify")
    except OSError:
        pass
    finally:
        _os.close(folder)
    own = "lease-probe"
    try:
        for where in ("/tmp", _os.getcwd()):
            try:
                path = _os.path.join(where, own)
                with open(path, "w") as fh:
                    fh.write("x")
                break
            except OSError:
                path = None
        if path:
            fd = _os.open(path, _os.O_RDONLY)
            try:
                try:
                    _fcntl.fcntl(fd, 1024, _fcntl.F_RDLCK)  # F_SETLEASE
                    got.append("lease")
                except OSError:
                    pass
                for cmd, arg in ((8, _os.getpid()), (10, int(_signal.SIGUSR1))):  # F_SETOWN, F_SETSIG
                    try:
                        _fcntl.fcntl(fd, cmd, arg)
                        got.append(cmd)
                    except OSError:
                        pass
            finally:
                _os.close(fd)
    except OSError:
        pass
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
