"""Attack: leave processes running: children that start their own session and sleep, and a
double fork. The answers are honest (10/10); no process may survive the grading."""
import os
import time


def _daemon():
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
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
    while True:
        time.sleep(0.05)
