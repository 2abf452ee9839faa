"""The fixed frames of the checks' messages in Chinese too: the English line as it was, then
the same frame in Chinese (``compare.ZH``), and bilingual labels on printed arrays."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import compare


def _message(call) -> list[str]:
    with pytest.raises(AssertionError) as info:
        call()
    return str(info.value).splitlines()


@pytest.mark.parametrize("call, english, chinese", [
    (lambda: compare.as_array(None, what="f(x)", shape=(2, 3)),
     "f(x): expected an array of shape (2, 3), got None (did the function forget to return its "
     "result?)", "期望形状为 (2, 3) 的数组,得到None(函数是不是忘了 return 结果?)"),
    (lambda: compare.as_array(np.ones((3, 4)), what="f(x)", shape=(2, 3)),
     "f(x): expected an array of shape (2, 3), got an array of shape (3, 4)",
     "期望形状为 (2, 3) 的数组,得到形状为 (3, 4) 的数组"),
    (lambda: compare.as_array(np.ones((3, 2)), what="f(x)", shape=(2, 3)),
     "f(x): expected an array of shape (2, 3), got an array of shape (3, 2) (the right sizes in "
     "another order: the docstring asks for (2, 3))",
     "期望形状为 (2, 3) 的数组,得到形状为 (3, 2) 的数组"),
    (lambda: compare.as_array(np.ones(3, dtype=np.complex128), what="f(x)", shape=(3,)),
     "f(x): expected an array of shape (3,) of float64 values, got dtype complex128, complex "
     "numbers: return real float64 values (take .real only once you know the imaginary part is "
     "zero, e.g. after an FFT)",
     "期望 float64 值构成的形状为 (3,) 的数组,得到 dtype complex128:复数:请返回实数 float64 值"
     "(确认虚部为零之后再取 .real,例如 FFT 之后)"),
    (lambda: compare.as_array(np.array([1.0, np.nan]), what="f(x)"),
     "f(x): expected finite numbers, got 1 of 2 values NaN or infinite (first at index (1,): "
     "nan), shape (2,)", "期望有限的数,但 2 个值中有 1 个是 NaN 或无穷大(第一个在下标 (1,):nan),形状 (2,)"),
    (lambda: compare.assert_int(590_080, 589_824, what="params"),
     "params: expected 589,824, got 590,080", "期望 589,824,得到 590,080"),
    (lambda: compare.assert_int([1], 3, what="n"),
     "n: expected the integer 3, got a list of length 1 (return a NumPy array instead)",
     "期望整数 3,得到长度为 1 的 list(应返回 NumPy 数组)"),
    (lambda: compare.assert_keys({"time": 1}, ("time", "space"), what="cost"),
     "cost: the dict is missing the keys ['space'] (it has ['time'])",
     "dict 缺少键 ['space'](现有 ['time'])"),
    (lambda: compare.require(None, "rot180", "ex5_2.py"),
     "rot180 is not defined in ex5_2.py: define it with the signature the stub gives",
     "ex5_2.py 中没有定义 rot180:请按存根给出的签名定义它"),
])
def test_each_frame_is_said_in_english_then_in_chinese(call, english, chinese):
    assert _message(call)[:2] == [english, chinese]


def test_a_comparison_prints_its_arrays_under_bilingual_labels():
    lines = _message(lambda: compare.assert_close(np.array([1.0, 2.0]), np.array([1.0, 3.0]),
                                                  what="g(x)"))
    assert lines[0] == ("g(x): values differ in 1 of 2 places (shape (2,)); first at index (1,): "
                        "expected 3, got 2; max abs error 1")
    assert lines[1] == "2 处中有 1 处数值不同(形状 (2,));第一处在下标 (1,):期望 3,得到 2;最大绝对误差 1"
    assert lines[2:] == ["expected / 期望:", "[1. 3.]", "got / 得到:", "[1. 2.]"]
    lines = _message(lambda: compare.assert_grad(np.array([1.0, 0.0]), np.array([1.0, 1.0]),
                                                 what="dx"))
    assert lines[0].startswith("dx: relative error 0.414 against the numerical gradient exceeds 1e-07")
    assert lines[1].startswith("与数值梯度的相对误差 0.414 超过了允许的 1e-07(形状 (2,))")
    assert lines[2] == "numerical / 数值梯度:" and lines[4] == "got / 得到:"


def test_every_frame_of_the_table_is_used():
    source = open(compare.__file__, encoding="utf-8").read()
    for frame in compare.ZH:
        assert source.count(f'"{frame}"') >= 2, frame  # in the table and in a message
