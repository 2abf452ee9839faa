"""Proxies: what a check holds and how calls, attributes, objects and errors cross."""

from __future__ import annotations

import numpy as np
import time

import pytest

from autograder.checks.compare import as_array, assert_close, assert_int, describe
from autograder.engine import (ExerciseOver, ImportFailed, Limits, Session, StudentError,
                               StudentObject, WorkerLost)
from autograder.engine.process import WorkerProcess

from .helpers import write_file

STUDENT = '''
import numpy as np
from collections import OrderedDict, namedtuple

SCALE = 3
TABLE = {"a": [1, 2.5], "b": (None, True)}
Pair = namedtuple("Pair", "x y")

def double(x):
    return 2 * x

def stats(a):
    return {"sum": a.sum(), "shape": a.shape, "dtype": str(a.dtype)}

def mutate(a):
    a[...] = 0
    return a

def ordered():
    return OrderedDict(b=1, a=2)

def pair():
    return Pair(1, 2)

def first(p):
    return p.x

def fail(kind):
    if kind == "value":
        raise ValueError(f"bad size 7 > 3")
    if kind == "custom":
        class Oops(Exception):
            pass
        raise Oops("custom failure")
    if kind == "exit":
        import sys
        sys.exit(5)
    return np.linalg.inv(np.zeros((2, 2)))

def big():
    return np.zeros(20 * 2**20)

def sleepy(t):
    import time
    time.sleep(t)
    return t

def nap(t):
    return sleepy(t)

class Layer:
    """A student class: state lives in the worker."""
    def __init__(self, n):
        self.weights = np.ones(n)
        self.calls = 0
    def forward(self, x):
        self.calls += 1
        return x * self.weights
    def __eq__(self, other):
        return True

class AlwaysEqual:
    def __eq__(self, other):
        return True

def equal_to_everything():
    return AlwaysEqual()

def apply(f, x):
    return f(x)

class ShapeError(ValueError):
    pass

class Both(KeyError, TypeError):
    pass

def fail_subclass(kind):
    if kind == "shape":
        raise ShapeError("kernel (7, 2) is larger than image (4, 5)")
    if kind == "both":
        raise Both("two bases")
    if kind == "axis":
        np.sum(np.ones(2), axis=3)
    raise np.linalg.LinAlgError("singular")

class Liar(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__
    def __int__(self):
        return 589824
    def __index__(self):
        return 589824

def lying_count():
    return Liar(3)

Cache = namedtuple("Cache", "x stride")

def forward(x):
    return x * 2, Cache(x, 2)

def backward(dout, cache):
    return dout * cache.x * cache.stride  # attribute access: the cache must be the namedtuple

def letters():
    return {np.str_("a"), np.str_("D")}

def writeable(a):
    return bool(a.flags.writeable)

def reverse_in_place(a):
    a[...] = a[::-1].copy()
    return a

def burn(n):
    total = 0
    for i in range(n):
        total += i
    return total

def call_method(obj, x):
    return obj.forward(x)
'''


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    folder = write_file(tmp_path_factory.mktemp("student"), "mod.py", STUDENT)
    s = Session(folder, "mod.py", Limits(timeout=5.0, memory_mb=400))
    s.start()
    yield s
    s.close()


@pytest.fixture
def env(session):
    return session.env()


@pytest.fixture
def requests_sent(monkeypatch):
    """How many requests the workers were sent (each is one round trip): ``requests_sent()``."""
    sent = [0]
    send = WorkerProcess.send

    def counting(self, payload, *args, **kwargs):
        sent[0] += 1
        return send(self, payload, *args, **kwargs)

    monkeypatch.setattr(WorkerProcess, "send", counting)
    return lambda: sent[0]


def test_environment_holds_every_name(env):
    assert env["SCALE"] == 3 and env["TABLE"] == {"a": [1, 2.5], "b": (None, True)}
    assert isinstance(env["double"], StudentObject)
    assert repr(env["double"]) == "<student function double>"
    assert repr(env["Layer"]) == "<student class Layer>"
    assert "np" in env and "__name__" not in env


def test_calls_send_and_return_plain_data(env):
    assert env["double"](21) == 42
    assert env["double"]("ab") == "abab"
    got = env["double"](np.arange(3.0))
    assert type(got) is np.ndarray and np.array_equal(got, [0.0, 2.0, 4.0])
    s = env["stats"](np.ones((2, 3)))
    assert s == {"sum": 6.0, "shape": (2, 3), "dtype": "float64"}
    assert type(s["sum"]) is np.float64


def test_arguments_are_copies(env):
    a = np.ones(3)
    back = env["mutate"](a)
    assert np.array_equal(a, np.ones(3)) and np.array_equal(back, np.zeros(3))


def test_subclasses_of_plain_types_cross_as_their_base_values(env):
    assert env["ordered"]() == {"b": 1, "a": 2} and isinstance(env["ordered"](), dict)
    p = env["pair"]()
    assert p == (1, 2) and isinstance(p, tuple) and not isinstance(p, StudentObject)
    assert env["first"](p) == 1  # passed back as the student's own namedtuple
    got = env["letters"]()
    assert got == {"a", "D"} and all(type(c) is str for c in got)
    count = env["lying_count"]()
    assert type(count) is int and count == 3
    with pytest.raises(AssertionError, match="expected 589,824, got 3"):
        assert_int(count, 589_824, what="params")


def test_a_namedtuple_cache_goes_back_to_the_backward_pass_as_itself(env):
    out, cache = env["forward"](np.ones(2))
    assert isinstance(cache, tuple) and np.array_equal(cache[0], np.ones(2)) and cache[1] == 2
    assert np.array_equal(env["backward"](np.full(2, 3.0), cache), np.full(2, 6.0))


def test_objects_live_in_the_worker(env):
    layer = env["Layer"](3)
    assert repr(layer) == "<student object of type Layer>"
    assert type(layer).__name__ == "Layer" and describe(layer) == "an object of type Layer"
    assert_close(layer.forward(np.arange(3.0)), np.arange(3.0), what="forward")
    assert layer.calls == 1
    layer.weights = np.full(3, 2.0)  # assignment crosses
    assert np.array_equal(layer.forward(np.ones(3)), np.full(3, 2.0))
    w = layer.weights
    w[...] = 100  # a copy: the student's object does not change
    assert np.array_equal(layer.weights, np.full(3, 2.0))
    assert env["call_method"](layer, np.ones(3)).sum() == 6.0
    assert layer.calls == 3
    assert env["apply"](env["double"], 4) == 8  # a global passed back as an object


def test_equality_tricks_stay_in_the_worker(env):
    obj = env["equal_to_everything"]()
    assert isinstance(obj, StudentObject)
    assert obj != 1 and not (obj == obj.__class__)
    with pytest.raises(AssertionError, match="expected an array.*AlwaysEqual"):
        as_array(obj, what="x")
    with pytest.raises(AssertionError, match="expected the integer"):
        assert_int(obj, 3, what="x")
    layer = env["Layer"](1)
    assert (layer == 5) is False  # its __eq__ is not called here


def test_student_exceptions(env):
    with pytest.raises(ValueError, match=r"ValueError: bad size 7 > 3 \(in mod.py, line \d+, in fail"):
        env["fail"]("value")
    with pytest.raises(StudentError, match="Oops: custom failure"):
        env["fail"]("custom")
    with pytest.raises(StudentError, match=r"called sys.exit\(5\)"):
        env["fail"]("exit")
    with pytest.raises(StudentError, match="LinAlgError"):
        env["fail"]("numpy")
    with pytest.raises(StudentError, match="AttributeError"):
        env["Layer"](1).missing


def test_student_exception_types_arrive_as_the_built_in_types_they_extend(env):
    with pytest.raises(ValueError, match=r"ShapeError: kernel \(7, 2\) is larger") as info:
        env["fail_subclass"]("shape")
    assert type(info.value).__name__ == "ShapeError" and isinstance(info.value, StudentError)
    assert info.value.student_type == "ShapeError"
    with pytest.raises(KeyError) as info:
        env["fail_subclass"]("both")
    assert isinstance(info.value, TypeError) and type(info.value).__name__ == "Both"
    with pytest.raises(IndexError, match="AxisError"):
        env["fail_subclass"]("axis")
    with pytest.raises(ValueError, match="LinAlgError: singular"):
        env["fail_subclass"]("linalg")
    with pytest.raises(StudentError, match="Oops") as info:
        env["fail"]("custom")
    assert type(info.value).__name__ == "Oops" and not isinstance(info.value, ValueError)


def test_read_only_arrays_arrive_read_only(env):
    a = np.arange(3.0)
    assert env["writeable"](a) is True
    a.flags.writeable = False
    assert env["writeable"](a) is False
    with pytest.raises(ValueError, match="read-only"):
        env["reverse_in_place"](a)


def test_the_worker_measures_the_cpu_time_of_the_last_call(env):
    from autograder.checks import timing
    from autograder.engine.worker import CPU_ATTRIBUTE

    assert CPU_ATTRIBUTE == timing.CPU_ATTRIBUTE  # two copies: the worker imports no checks
    value, seconds = timing.cpu_seconds(lambda: env["burn"](3_000_000), env["burn"])
    assert value == sum(range(3_000_000)) and seconds > 0.05  # this process only waited
    env["burn"](10)
    small = getattr(env["burn"], CPU_ATTRIBUTE)
    env["burn"](2_000_000)
    large = getattr(env["burn"], CPU_ATTRIBUTE)
    assert type(small) is float and 0 <= small < 0.05 and large > 0.02, (small, large)
    layer = env["Layer"](2)
    layer.forward(np.ones(2))
    assert getattr(layer, CPU_ATTRIBUTE) < 0.05  # any student object answers for the last call


def test_results_too_large_are_refused(env):
    with pytest.raises(StudentError, match="cannot be sent to the grader.*too large"):
        env["big"]()


def test_checks_may_only_send_plain_data(env):
    with pytest.raises(TypeError, match="only plain data and student objects"):
        env["double"](object())


def test_probes_do_not_cross(env, requests_sent):
    calls = requests_sent()
    layer = env["Layer"](2)
    assert not hasattr(layer, "__array_interface__")
    assert not hasattr(layer, "_repr_html_")
    assert requests_sent() == calls + 1  # only the constructor


def test_method_calls_take_one_round_trip(env, requests_sent):
    layer = env["Layer"](2)
    layer.forward(np.ones(2))
    before = requests_sent()
    for _ in range(5):
        layer.forward(np.ones(2))
    assert requests_sent() == before + 5


def test_timeout_restarts_and_stale_handles(tmp_path):
    folder = write_file(tmp_path, "mod.py", STUDENT)
    with Session(folder, "mod.py", Limits(timeout=1.0, max_restarts=1)) as s:
        s.start()
        env = s.env()
        layer = env["Layer"](2)
        # 1 s of wall time, or 3 x 1 s where CPU time is counted (sleeping uses none)
        with pytest.raises(WorkerLost, match=r"timed out after [13] s .* while running sleepy\(5\)"):
            env["sleepy"](5)
        assert env["double"](2) == 4  # a fresh worker
        with pytest.raises(RuntimeError, match="stopped"):
            layer.forward(np.ones(2))
        start = time.monotonic()
        with pytest.raises(WorkerLost, match="an earlier call to sleepy did not finish .* fail at once"):
            env["sleepy"](5)  # the function that timed out: at once, no worker lost
        assert time.monotonic() - start < 0.5
        assert env["double"](2) == 4  # the same worker
        with pytest.raises(WorkerLost):
            env["nap"](5)
        with pytest.raises(ExerciseOver, match="stopped 2 times"):
            env["double"](2)


def test_import_failures(tmp_path):
    for source, pattern in (
            ("def f(:\n    pass\n", r"SyntaxError in mod.py, line 1"),
            ("import torch\n", r"No module named 'torch'. Only NumPy"),
            ("raise RuntimeError('at import')\n", r"RuntimeError: at import \(in mod.py, line 1"),
            ("import sys\nsys.exit(2)\n", r"called sys.exit\(2\) while being imported")):
        folder = write_file(tmp_path / str(abs(hash(source))), "mod.py", source)
        with Session(folder, "mod.py", Limits(timeout=5.0)) as s:
            with pytest.raises(ImportFailed, match=pattern):
                s.start()


def test_a_call_in_words_shows_the_shapes_of_its_arrays():
    from autograder.engine.proxy import _short

    assert _short(np.ones((2, 3))) == "<array of shape (2, 3)>"
    assert _short(np.ones(4, dtype=np.int64)) == "<int64 array of shape (4,)>"
    cache = (np.ones((2, 1, 5, 5)), np.ones((3, 1, 3, 3)), {"stride": 2, "pad": 1})
    assert _short(cache) == ("(<array of shape (2, 1, 5, 5)>, <array of shape (3, 1, 3, 3)>, "
                             "{'stride': 2, 'pad': 1})")
    assert _short(list(range(30))) == "<list of length 30>"


def test_a_student_exception_reads_in_one_line_and_tells_the_student_more(env):
    """A check reads ``str(exc)``: the worker's account on one line, as before. What the
    student reads (``nndl_message``) adds the call the check made, with its arguments."""
    with pytest.raises(ValueError) as info:
        env["fail"]("value")
    assert "\n" not in str(info.value)
    assert str(info.value).startswith("ValueError: bad size 7 > 3 (in mod.py, line ")
    assert info.value.nndl_message == str(info.value) + "\n    while running fail('value')"
