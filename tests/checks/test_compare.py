"""The comparisons every check uses: what passes, and what the failure says."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks.compare import (as_array, assert_close, assert_grad, assert_int,
                                       float_value, int_value, shape_hint)


class LyingInt(int):
    def __int__(self):
        return 589_824

    def __index__(self):
        return 589_824

    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


class LyingFloat(float):
    def __float__(self):
        return 1.0


def test_float64_integer_and_bool_arrays_pass():
    for a in (np.arange(3.0), np.arange(3), np.array([True, False])):
        assert as_array(a, what="x", shape=a.shape).dtype == np.float64


@pytest.mark.parametrize("dtype,says", [
    (np.complex128, "complex numbers: return real float64 values"),
    (np.complex64, "complex numbers"),
    (np.float32, "less precise than float64"),
    (np.float16, "less precise than float64"),
])
def test_complex_and_lower_precision_arrays_fail_with_the_dtype(dtype, says):
    """An FFT answer without .real once passed: the imaginary part was dropped silently."""
    a = np.arange(4.0).astype(dtype)
    with pytest.raises(AssertionError, match=f"got dtype {np.dtype(dtype)}, {says}"):
        assert_close(a, np.arange(4.0), what="xcorr2d(x, w)")


def test_a_permuted_shape_names_the_order_the_docstring_asks_for():
    with pytest.raises(AssertionError) as info:
        as_array(np.zeros((2, 4)), what="Linear(4, 2).grad_w", shape=(4, 2),
                 layout="(in_features, out_features)")
    assert str(info.value).splitlines() == [
        "Linear(4, 2).grad_w: expected an array of shape (4, 2), got an array of shape (2, 4) "
        "(the right sizes in another order: the docstring asks for (in_features, out_features) "
        "= (4, 2))",
        "期望形状为 (4, 2) 的数组,得到形状为 (2, 4) 的数组",
        "(大小对,但顺序不对:文档字符串要求 (in_features, out_features) = (4, 2))"]
    with pytest.raises(AssertionError, match=r"another order: the docstring asks for \(3, 5, 1\)"):
        assert_grad(np.zeros((5, 3, 1)), np.zeros((3, 5, 1)), what="dw")
    assert shape_hint((2, 3), (2, 4)) == "" and shape_hint((2, 3), (2, 3)) == ""


def test_numbers_are_read_by_the_base_types_own_methods():
    assert int_value(LyingInt(3)) == 3 and type(int_value(LyingInt(3))) is int
    assert int_value(np.int64(7)) == 7 and float_value(LyingFloat(2.5)) == 2.5
    assert float_value(np.float32(0.5)) == 0.5 and float_value(3) == 3.0
    with pytest.raises(AssertionError, match="expected 589,824, got 3"):
        assert_int(LyingInt(3), 589_824, what="params")
    with pytest.raises(AssertionError, match="expected the integer 1, got the bool True"):
        assert_int(True, 1, what="n")
    assert_int(np.int64(589_824), 589_824, what="params")


@pytest.mark.parametrize("text,item", [
    ("kernel 3x3 larger than input 2x4", (3, 3)), ("kernel 3x3 larger than input 2x4", "(2, 4)"),
    ("x has 3 channels, the layer 2", 3), ("x has 3 channels, the layer 2", "2"),
    ("got (1, 3, 5, 5)", "(1, 3, 5, 5)"), ("a 3 by 3 kernel", (3, 3)), ("a 3×3 kernel", (3, 3)),
    ("shape [3, 3]", "(3, 3)"), ("3 x 3", (3, 3)), ("pad -1", "-1"), ("got 2.0", "2.0"),
    ("b has shape (4,)", "(4,)"), ("b has 4 entries", (4,))])
def test_a_message_shows_numbers_in_any_common_notation(text, item):
    from autograder.checks.compare import shows_numbers
    assert shows_numbers(text, item)


@pytest.mark.parametrize("text,item", [
    ("kernel 13x3", (3, 3)), ("got 3.5", 3), ("pad 1", "-1"), ("(3, 4)", (3, 3)),
    ("3 then 3", (3, 3)), ("shape (2, 3)", "(3, 2)")])
def test_other_numbers_are_not_taken_for_them(text, item):
    from autograder.checks.compare import shows_numbers
    assert not shows_numbers(text, item)


def test_a_value_error_in_3x3_notation_passes_and_a_wrong_one_fails():
    from autograder.checks.compare import expect_value_error
    def raises(msg):
        def call():
            raise ValueError(msg)
        return call
    expect_value_error(raises("kernel 3x3 larger than input 2x4"), what="f(x)", why="too big",
                       shows=("(3, 3)", (2, 4)))
    with pytest.raises(AssertionError, match=r"should show \(3, 3\).*\n.*形状可写成"):
        expect_value_error(raises("kernel too big"), what="f(x)", why="too big", shows=("(3, 3)",))
