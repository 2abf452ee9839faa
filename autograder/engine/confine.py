"""What the worker does to itself before any student code runs, where no bubblewrap does it:
a private mount namespace (uid mode) and the seccomp filter (uid and none modes).

Like ``worker.py`` and ``wire.py``, this file is copied into the engine's runtime folder and
runs there alone: it imports only the standard library.
"""

from __future__ import annotations

import os

_HERE = os.path.dirname(os.path.abspath(__file__))
_join = os.path.join


def private_mounts(folder: str, size_mb: int, masks=(), numpy_site=None) -> None:
    """As root: a mount namespace of the worker's own, with a small tmpfs on the shared
    temporary folders and on its folder (the student's files copied in, read-only), the
    engine's runtime folder bound back where it was, every Python package folder in
    ``masks`` hidden behind an empty read-only tmpfs (NumPy bound back into its own), and a
    /proc that shows other users' processes to no one. ``OSError`` if the host refuses."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def check(ret, what):
        if ret != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"{what}: {os.strerror(err)}")

    ms_bind, ms_rec, ms_private, ms_remount, ms_rdonly = 0x1000, 0x4000, 0x40000, 0x20, 0x1
    nosuid_nodev = 0x2 | 0x4
    opts = f"size={size_mb}m,mode=1777".encode()
    check(libc.unshare(0x00020000), "unshare(CLONE_NEWNS)")
    check(libc.mount(None, b"/", None, ms_rec | ms_private, None), "making / private")
    dirfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)  # opened in the new namespace
    rtfd = os.open(_HERE, os.O_RDONLY | os.O_DIRECTORY)
    try:
        names = os.listdir(dirfd)
        for path in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
            if os.path.isdir(path) and not os.path.islink(path):
                check(libc.mount(b"tmpfs", path.encode(), b"tmpfs", nosuid_nodev, opts),
                      f"tmpfs on {path}")
        for target, fd in ((_HERE, rtfd),):  # the runtime, if a tmpfs now hides it
            if not os.path.exists(os.path.join(target, "worker.py")):
                os.makedirs(target, exist_ok=True)
                src = f"/proc/self/fd/{fd}".encode()
                check(libc.mount(src, target.encode(), None, ms_bind | ms_rec, None), f"bind {target}")
                libc.mount(None, target.encode(), None, ms_remount | ms_bind | ms_rdonly, None)
        held = []
        if numpy_site and masks:  # NumPy, set aside before its site-packages is hidden
            for name in ("numpy", "numpy.libs"):
                real = _join(numpy_site, name)
                if os.path.isdir(real):
                    keep = _join("/tmp/.nndl-keep", name)
                    os.makedirs(keep, exist_ok=True)
                    check(libc.mount(real.encode(), keep.encode(), None, ms_bind | ms_rec, None),
                          f"bind {real}")
                    held.append((name, keep))
        for mask in masks:
            if not os.path.isdir(mask):
                continue
            check(libc.mount(b"tmpfs", mask.encode(), b"tmpfs", nosuid_nodev, b"size=1m,mode=0755"),
                  f"tmpfs on {mask}")
            if numpy_site and os.path.realpath(mask) == os.path.realpath(numpy_site):
                for name, keep in held:
                    target = _join(mask, name)
                    os.mkdir(target)
                    check(libc.mount(keep.encode(), target.encode(), None, ms_bind | ms_rec, None),
                          f"bind {target}")
            libc.mount(None, mask.encode(), None, ms_remount | ms_rdonly, None)
        for _name, keep in held:
            libc.umount2(keep.encode(), 2)  # MNT_DETACH
        os.makedirs(folder, mode=0o700, exist_ok=True)
        check(libc.mount(b"tmpfs", folder.encode(), b"tmpfs", nosuid_nodev, opts), f"tmpfs on {folder}")
        for name in names:
            src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dirfd)
            try:
                dst = os.open(_join(folder, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
                try:
                    while True:
                        chunk = os.read(src, 1 << 20)
                        if not chunk:
                            break
                        os.write(dst, chunk)
                finally:
                    os.close(dst)
            finally:
                os.close(src)
    finally:
        os.close(dirfd)
        os.close(rtfd)
    # hidepid=2: other users' processes (the grader, other workers) are not listed
    libc.mount(b"proc", b"/proc", b"proc", nosuid_nodev | 0x8, b"hidepid=2")


def read_filter(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def load_seccomp(program: bytes) -> None:
    """Install the seccomp filter (a BPF program) for this process and its children, for good."""
    import ctypes

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    libc = ctypes.CDLL(None, use_errno=True)
    buf = ctypes.create_string_buffer(program, len(program))
    prog = SockFprog(len(program) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if libc.prctl(38, ctypes.c_ulong(1), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS failed")
    if libc.prctl(22, ctypes.c_ulong(2), ctypes.byref(prog), ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"the seccomp filter could not be loaded: {os.strerror(err)}")


def seccomp_mode() -> int:
    """2 when a seccomp filter is in force (``Seccomp:`` of /proc/self/status)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Seccomp:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return -1
