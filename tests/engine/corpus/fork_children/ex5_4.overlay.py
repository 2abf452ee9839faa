"""Attack: leave processes running: children that start their own session and sleep, and a
double fork. The answers are honest (10/10); no process may survive the grading. Each child
renames itself @TOKEN@ so that the test can look for survivors."""
import os
import time


def _mark():
    import ctypes

    ctypes.CDLL(None).prctl(15, b"@TOKEN@", 0, 0, 0)  # PR_SET_NAME


def _daemon():
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            _mark()
            while True:
                time.sleep(0.05)
        os._exit(0)
    os.waitpid(pid, 0)


for _ in range(3):
    try:
        _daemon()
    except OSError:
        pass
_child = os.fork()
if _child == 0:
    os.setsid()
    _mark()
    while True:
        time.sleep(0.05)
