"""The worker in this process (``engine.local``): the local check runs student code through
the grader's own request handling, so it judges as the grader judges."""

from __future__ import annotations

import threading
import time

import pytest

from autograder.check import run_file
from autograder.engine import ImportFailed, Limits, Session, get_sandbox
from autograder.engine.local import local_sandbox
from autograder.grading import check_file_of, grade_exercise
from tests.support import CHAPTER, SOLUTIONS

EX5_4 = CHAPTER.exercise("ex5_4")


def _write(tmp_path, text: str, name: str = "ex5_4.py"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path / name


def test_a_call_that_never_returns_is_stopped_and_named(tmp_path):
    path = _write(tmp_path, (SOLUTIONS / "ch5" / "ex5_4.py").read_text() +
                  "\n\ndef conv_cost(m, k, c_in, c_out):\n    while True:\n        pass\n")
    before = threading.active_count()
    start = time.monotonic()
    results = {r.name: r for r in run_file(check_file_of(EX5_4), path, hidden=False,
                                           limits=Limits(timeout=1.0))}
    assert time.monotonic() - start < 20
    loop = results["test_conv_cost_time_book"]
    assert not loop.passed
    assert "timed out after 1 s" in loop.message and "conv_cost(100, 3, 256, 256)" in loop.message
    # bottleneck_cost calls conv_cost: it loops too and is stopped the same way, in a fresh worker
    assert "timed out" in results["test_bottleneck_cost_time_book"].message
    deadline = time.monotonic() + 5
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= before, "an abandoned worker thread is still running"


def test_the_local_check_and_the_grader_say_the_same(tmp_path):
    """Failures read the same in this process and in a worker process."""
    path = _write(tmp_path, (SOLUTIONS / "ch5" / "ex5_4.py").read_text() + '''

from collections import namedtuple

def bottleneck_cost(m, k, c_in, c_mid, c_out):
    raise ValueError(f"bad sizes {m} and {k}")

def conv_cost(m, k, c_in, c_out):
    return [m, k]
''')
    local = {r.name: r.message for r in run_file(check_file_of(EX5_4), path)}
    graded = grade_exercise(EX5_4, tmp_path, limits=Limits(timeout=20, sandbox="none"))
    assert local == {c.name: c.message for c in graded.cases}
    assert "ValueError: bad sizes 100 and 3 (in ex5_4.py, line" in local["test_bottleneck_cost_time_book"]


def test_a_module_that_needs_itself_in_sys_modules_imports(tmp_path):
    path = _write(tmp_path, (SOLUTIONS / "ch5" / "ex5_4.py").read_text() + '''

from dataclasses import dataclass

@dataclass
class Cost:
    time: int
''')
    assert all(r.passed for r in run_file(check_file_of(EX5_4), path))


def test_an_import_error_is_the_workers_account(tmp_path):
    _write(tmp_path, "import torch\n")
    with Session(tmp_path, "ex5_4.py", Limits(timeout=5), local_sandbox()) as session:
        with pytest.raises(ImportFailed, match="No module named 'torch'. Only NumPy"):
            session.start()


def test_local_is_never_chosen_for_grading(monkeypatch):
    monkeypatch.setenv("NNDL_SANDBOX", "local")
    with pytest.raises(Exception, match="NNDL_SANDBOX must be one of"):
        get_sandbox()


def test_an_exception_shows_the_call_with_its_shapes_and_every_frame_of_the_students_code(tmp_path):
    """The one describer (``worker.describe_exception``) and the call in words
    (``proxy.describe_call``): the innermost frame first, then the student's frames the error
    passed through, outermost first, then the call the check made, with the shapes of its
    arrays. The grader says the same words."""
    ex5_7 = CHAPTER.exercise("ex5_7")
    source = (SOLUTIONS / "ch5" / "ex5_7.py").read_text() + '''

def _column(w, e, stride):
    return conv_forward(e, w[:, :, None], stride).ravel()


def conv_matrix(w, in_shape, stride=1):
    h, wd = in_shape
    cols = []
    for k in range(h * wd):
        e = np.zeros(h * wd)
        e[k] = 1
        cols.append(_column(w, e.reshape(h, wd), stride))
    return np.stack(cols, 1)
'''
    path = _write(tmp_path, source, "ex5_7.py")
    local = {r.name: r.message for r in run_file(check_file_of(ex5_7), path, hidden=False)}
    message = local["test_conv_matrix_public"]
    lines = message.splitlines()
    assert lines[0].startswith("ValueError: conv_forward: the input and the kernel must be 2-D")
    assert "(in ex5_7.py, line" in lines[0]
    frames = [line.strip() for line in lines if line.strip().startswith("ex5_7.py, line")]
    called = [f.split(", in ")[1].split(":")[0] for f in frames]
    assert called[:3] == ["conv_matrix", "_column", "conv_forward"], message
    assert "cols.append(_column(w, e.reshape(h, wd), stride))" in frames[0]
    assert lines[-1].strip().startswith("while running conv_matrix(<array of shape (")
    assert "(4, 4)" in lines[-1]
    graded = grade_exercise(ex5_7, tmp_path, limits=Limits(timeout=20, sandbox="none"))
    assert {c.name: c.message for c in graded.cases if not c.hidden} == local


def test_a_stub_says_so_in_one_line_with_its_place(tmp_path):
    path = _write(tmp_path, "def conv_cost(m, k, c_in, c_out):\n"
                            "    raise NotImplementedError('conv_cost: fill in this TODO block')\n"
                            "def bottleneck_cost(m, k, c_in, c_mid, c_out):\n"
                            "    raise NotImplementedError\n")
    results = {r.name: r.message for r in run_file(check_file_of(EX5_4), path)}
    first = results["test_conv_cost_time_book"].splitlines()[0]
    assert first == ("NotImplementedError: conv_cost: fill in this TODO block "
                     "(in ex5_4.py, line 2, in conv_cost)")
    other = results["test_bottleneck_cost_time_book"].splitlines()[0]
    assert other.startswith("NotImplementedError:  (this part is still the stub: fill in its TODO "
                            "block) (in ex5_4.py, line 4, in bottleneck_cost: raise")
