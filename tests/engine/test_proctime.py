"""The grader's reading of a worker's CPU time (``cpu.cpu_seconds``, ``Session.cpu_seconds``):
every thread and child process counts, and nothing the student's code does to its own
clocks changes the figure."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from autograder.checks import timing
from autograder.engine import Limits, Session
from autograder.engine.proctime import cpu_seconds

from .helpers import write_file

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs Linux /proc")


def _burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_helper_threads_time_counts():
    before = cpu_seconds(os.getpid())
    t = threading.Thread(target=_burn, args=(0.2,))
    t.start()
    t.join()  # the thread has ended: its time is in the process's own figure
    assert cpu_seconds(os.getpid()) - before >= 0.15


def test_a_child_process_counts_while_it_runs_and_after_it_ended():
    child = subprocess.Popen([sys.executable, "-c",
                              "import time\nend = time.process_time() + 0.3\n"
                              "while time.process_time() < end: pass\ntime.sleep(30)"])
    try:
        before = cpu_seconds(os.getpid())
        deadline = time.monotonic() + 20
        while cpu_seconds(os.getpid()) - before < 0.2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert cpu_seconds(os.getpid()) - before >= 0.2  # the live child, read from below
    finally:
        child.kill()
        child.wait()


def test_a_process_that_does_not_exist_has_no_figure():
    assert cpu_seconds(2 ** 22 + 12345) is None


STUDENT = '''
import threading
import time


def burn(n):
    return sum(range(n))


def burn_in_thread(n):
    box = []
    t = threading.Thread(target=lambda: box.append(sum(range(n))))
    t.start()
    t.join()
    return box[0]


def burn_with_patched_clocks(n):
    time.thread_time = time.process_time = time.perf_counter = lambda: 0.0
    return sum(range(n))
'''


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    folder = write_file(tmp_path_factory.mktemp("student"), "mod.py", STUDENT)
    s = Session(folder, "mod.py", Limits(timeout=10.0, memory_mb=400))
    s.start()
    yield s.env()
    s.close()


@pytest.mark.parametrize("name", ["burn", "burn_in_thread", "burn_with_patched_clocks"])
def test_the_grader_reads_the_workers_cpu_time(env, name):
    value, seconds = timing.cpu_seconds(lambda: env[name](3_000_000), env[name])
    assert value == sum(range(3_000_000))
    assert seconds > 0.03, seconds  # this process only waited; the worker's figure counts
    _, small = timing.cpu_seconds(lambda: env[name](10), env[name])
    assert small < seconds / 3, (small, seconds)


def test_growth_refuses_sizes_that_do_not_grow():
    with pytest.raises(ValueError, match="32 and 32"):
        timing.growth(lambda: 0, lambda: 0, None, (32, 32), 1e-6)


def test_between_two_readings_a_thread_that_ended_counts_and_old_ones_do_not():
    from autograder.engine.proctime import reading, seconds_between

    t = threading.Thread(target=_burn, args=(0.3,))  # ends before the readings: not counted
    t.start()
    t.join()
    start = reading(os.getpid())
    quiet = seconds_between(start, reading(os.getpid()))
    # far below the ended thread's 0.3 s (other threads of the test process may run a little)
    assert quiet < 0.1, quiet
    t = threading.Thread(target=_burn, args=(0.2,))  # starts and ends between them: counted
    t.start()
    t.join()
    assert seconds_between(start, reading(os.getpid())) >= 0.15
