"""The read-only wrapper every value check's student names go through (``checks.readonly``)."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks.cases import check
from autograder.checks.readonly import ReadOnlyCalls, read_only, target_of
from autograder.checks.runner import Case, run_case


def _doubles_in_place(x):
    x *= 2
    return x


class _Layer:
    def forward(self, x, scale=1.0):
        self.x = x
        return x * scale

    def backward(self, grad):
        grad[self.x < 0] = 0.0
        return grad


def test_a_function_gets_read_only_views_and_the_callers_array_stays_writable():
    seen = {}

    def keep(x, *, y):
        seen["x"], seen["y"] = x, y
        return x + y

    a, b = np.ones(3), np.arange(3.0)
    out = read_only(keep)(a, y=b)
    assert not seen["x"].flags.writeable and not seen["y"].flags.writeable
    assert a.flags.writeable and b.flags.writeable  # the check's own arrays are untouched
    assert np.array_equal(out, [1.0, 2.0, 3.0])


def test_a_write_into_an_argument_fails_with_a_message_in_both_languages():
    a = np.ones(3)
    with pytest.raises(AssertionError) as info:
        read_only(_doubles_in_place)(a)
    text = str(info.value)
    assert "_doubles_in_place writes into an argument" in text and "expected" in text
    assert "写入了传入的参数" in text and "line" in text
    assert np.array_equal(a, np.ones(3))


def test_objects_a_class_returns_pass_read_only_arrays_to_their_methods():
    layer = read_only(_Layer)()
    assert isinstance(layer, ReadOnlyCalls) and isinstance(target_of(layer), _Layer)
    assert type(layer).__name__ == "_Layer"  # messages name the student's type
    assert np.array_equal(layer.forward(np.array([-1.0, 2.0]), scale=3.0), [-3.0, 6.0])
    assert not layer.x.flags.writeable
    layer.weights = np.zeros(2)  # attributes are set on the object itself, writable
    assert target_of(layer).weights.flags.writeable
    with pytest.raises(AssertionError, match="_Layer.backward writes into an argument"):
        layer.backward(np.ones(2))


def test_plain_values_and_containers_pass_as_they_are():
    cache = (np.ones(2),)
    assert read_only(cache) is cache and read_only(3) == 3 and read_only(None) is None
    got = read_only(lambda c: c)(cache)
    assert got is cache and cache[0].flags.writeable  # a cache is the student's own value


def test_the_check_decorator_wraps_every_student_name():
    @check(points=1)
    def test_writes(f):
        f(np.ones(2))

    case = Case("test_writes", 1.0, False, test_writes.test_func, test_writes.call_func)
    assert not run_case(case, {"f": _doubles_in_place}).passed
    assert run_case(case, {"f": lambda x: x * 2}).passed


def test_wrapped_objects_given_back_to_student_code_arrive_unwrapped():
    seen = {}

    class Model:
        def __init__(self, layers):
            seen["layers"] = layers

    layer = read_only(_Layer)()
    read_only(Model)([layer, (layer,)])
    assert type(seen["layers"][0]) is _Layer and type(seen["layers"][1][0]) is _Layer
    model = read_only(Model)([])
    model.first = layer
    assert type(target_of(model).first) is _Layer
