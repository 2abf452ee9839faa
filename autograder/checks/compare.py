"""Comparisons that fail with a message a student can act on.

Every helper raises ``AssertionError`` saying what was expected, what came back and the
shapes. Values are checked strictly: a list, a tuple, ``None`` or an object is not an
array; complex, float32 and float16 arrays are not float64 (the course computes in float64,
and a complex result's imaginary part is never dropped); NaN or infinity never passes. A
shape that holds the expected sizes in another order is named as such, with the order the
docstring asks for when the caller gives it (``layout``). Numbers are read with the base
type's own methods, never with a method a subclass may override.

Students read the book in Chinese: each message's fixed frame ("expected ..., got ...",
"values differ", "relative error ... exceeds ...") is said again in Chinese on the line after
it, from the table ``ZH`` (``describe_zh`` for what came back); the labels of printed arrays
are bilingual. The case-specific part (``what``) stays as the check writes it.
"""

from __future__ import annotations

import numbers
import re
from typing import Any, Callable, Optional

import numpy as np

from .gradcheck import GRAD_REL_ERROR, rel_error

RTOL = 1e-7
"""Relative tolerance of a forward value against the expected one (float64)."""

ATOL = 1e-9
"""Absolute tolerance of a forward value against the expected one (float64)."""

_SMALL = 36  # arrays up to this many elements are printed whole

ZH = {
    "expected_got": "期望{want},得到{got}",
    "not_numbers": "期望由数构成的{want},得到 dtype 为 {dtype} 的数组",
    "not_finite": "期望有限的数,但 {size} 个值中有 {n} 个是 NaN 或无穷大(第一个在下标 {idx}:{value}),"
                  "形状 {shape}",
    "differ": "{size} 处中有 {n} 处数值不同(形状 {shape});第一处在下标 {idx}:期望 {e},得到 {g};"
              "最大绝对误差 {err}",
    "grad": "与数值梯度的相对误差 {err} 超过了允许的 {tol}(形状 {shape});差得最多的在下标 {idx}:"
            "数值梯度 {num},得到 {g}",
    "int_differ": "期望 {expected},得到 {got}",
    "not_float64": "期望 float64 值构成的{want},得到 dtype {dtype}:{why}",
    "missing_keys": "dict 缺少键 {missing}(现有 {has})",
    "not_defined": "{file} 中没有定义 {name}:请按存根给出的签名定义它",
}
"""The Chinese of each fixed frame of the messages (said after the English, on its own line)."""

LABELS = {"expected": "expected / 期望", "got": "got / 得到", "numerical": "numerical / 数值梯度"}
"""The labels of the arrays a message prints."""


def _zh(frame: str, **values: Any) -> str:
    """The Chinese line of a message's frame (``ZH``), to append to the English."""
    return "\n" + ZH[frame].format(**values)


def fmt_array(a: np.ndarray) -> str:
    """A short text of an array: whole when small, its shape and range otherwise."""
    if a.size <= _SMALL:
        return np.array2string(a, precision=6, suppress_small=True, max_line_width=100)
    finite = a[np.isfinite(a)] if np.issubdtype(a.dtype, np.number) else a
    rng = f", values in [{finite.min():.6g}, {finite.max():.6g}]" if finite.size else ""
    return f"<array of shape {a.shape}{rng}>"


def describe(value: Any) -> str:
    """What a returned value is, in words, for a failure message."""
    if value is None:
        return "None (did the function forget to return its result?)"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)} (return a NumPy array instead)"
    if isinstance(value, bool):
        return f"the bool {value}"
    if isinstance(value, numbers.Number) or isinstance(value, np.generic):
        return f"the number {value!r}"
    if isinstance(value, dict):
        return f"a dict with keys {sorted(map(str, value))}"
    return f"an object of type {type(value).__name__}"


def describe_zh(value: Any) -> str:
    """``describe`` in Chinese."""
    if value is None:
        return "None(函数是不是忘了 return 结果?)"
    if isinstance(value, np.ndarray):
        return f"形状为 {value.shape}、dtype 为 {value.dtype} 的数组"
    if isinstance(value, (list, tuple)):
        return f"长度为 {len(value)} 的 {type(value).__name__}(应返回 NumPy 数组)"
    if isinstance(value, bool):
        return f"布尔值 {value}"
    if isinstance(value, numbers.Number) or isinstance(value, np.generic):
        return f"数 {value!r}"
    if isinstance(value, dict):
        return f"键为 {sorted(map(str, value))} 的 dict"
    return f"{type(value).__name__} 类型的对象"


def require(obj: Any, name: str, filename: str) -> None:
    """Fail when the student's module does not define ``name``."""
    if obj is None:
        raise AssertionError(
            f"{name} is not defined in {filename}: define it with the signature the stub gives"
            + _zh("not_defined", name=name, file=filename))


_NOT_FLOAT64 = {
    "c": "complex numbers: return real float64 values (take .real only once you know the "
         "imaginary part is zero, e.g. after an FFT)",
    "f": "less precise than float64: compute in float64, as the conventions say",
}


_NOT_FLOAT64_ZH = {
    "c": "复数:请返回实数 float64 值(确认虚部为零之后再取 .real,例如 FFT 之后)",
    "f": "精度低于 float64:按约定用 float64 计算",
}


def shape_hint_zh(got: tuple, expected: tuple, layout: Optional[str] = None) -> str:
    """``shape_hint`` in Chinese, on its own line; empty when there is no hint."""
    got, expected = tuple(got), tuple(expected)
    if got == expected or sorted(got) != sorted(expected):
        return ""
    asked = f"{layout} = {expected}" if layout else f"{expected}"
    return f"\n(大小对,但顺序不对:文档字符串要求 {asked})"


def shape_hint(got: tuple, expected: tuple, layout: Optional[str] = None) -> str:
    """Words for a shape that holds the expected sizes in another order (a transposed
    weight matrix, NHWC for NCHW), naming ``layout``, the order the docstring asks for;
    empty otherwise."""
    got, expected = tuple(got), tuple(expected)
    if got == expected or sorted(got) != sorted(expected):
        return ""
    asked = f"{layout} = {expected}" if layout else f"{expected}"
    return f" (the right sizes in another order: the docstring asks for {asked})"


def as_array(got: Any, *, what: str, shape: Optional[tuple] = None,
             layout: Optional[str] = None) -> np.ndarray:
    """``got`` as a float64 array, after checking it is a finite real ndarray of ``shape``
    (float64, integer or bool). ``layout`` names the axes of ``shape`` for the message, e.g.
    ``"(in_features, out_features)"``."""
    want = f"an array of shape {tuple(shape)}" if shape is not None else "an array"
    want_zh = f"形状为 {tuple(shape)} 的数组" if shape is not None else "数组"
    if not isinstance(got, np.ndarray):
        raise AssertionError(f"{what}: expected {want}, got {describe(got)}"
                             + _zh("expected_got", want=want_zh, got=describe_zh(got)))
    if not (np.issubdtype(got.dtype, np.number) or got.dtype == np.bool_):
        raise AssertionError(f"{what}: expected {want} of numbers, got dtype {got.dtype}"
                             + _zh("not_numbers", want=want_zh, dtype=got.dtype))
    if got.dtype.kind in _NOT_FLOAT64 and got.dtype != np.float64:
        raise AssertionError(f"{what}: expected {want} of float64 values, got dtype {got.dtype}, "
                             f"{_NOT_FLOAT64[got.dtype.kind]}"
                             + _zh("not_float64", want=want_zh, dtype=got.dtype,
                                   why=_NOT_FLOAT64_ZH[got.dtype.kind]))
    if shape is not None and tuple(got.shape) != tuple(shape):
        raise AssertionError(f"{what}: expected {want}, got an array of shape {got.shape}"
                             f"{shape_hint(got.shape, shape, layout)}"
                             + _zh("expected_got", want=want_zh, got=f"形状为 {got.shape} 的数组")
                             + shape_hint_zh(got.shape, shape, layout))
    arr = np.asarray(got, dtype=np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise AssertionError(
            f"{what}: expected finite numbers, got {int(bad.sum())} of {arr.size} values NaN or infinite "
            f"(first at index {idx}: {arr[idx]}), shape {arr.shape}"
            + _zh("not_finite", size=arr.size, n=int(bad.sum()), idx=idx, value=arr[idx],
                  shape=arr.shape))
    return arr


def assert_close(got: Any, expected: np.ndarray, *, what: str,
                 rtol: float = RTOL, atol: float = ATOL, layout: Optional[str] = None) -> None:
    """Fail unless ``got`` is an array of ``expected``'s shape, equal within the tolerances."""
    expected = np.asarray(expected, dtype=np.float64)
    arr = as_array(got, what=what, shape=expected.shape, layout=layout)
    close = np.isclose(arr, expected, rtol=rtol, atol=atol)
    if close.all():
        return
    idx = tuple(int(i) for i in np.argwhere(~close)[0])
    n, err = int((~close).sum()), f"{np.max(np.abs(arr - expected)):.3g}"
    e, g = f"{expected[idx]:.10g}", f"{arr[idx]:.10g}"
    raise AssertionError(
        f"{what}: values differ in {n} of {arr.size} places "
        f"(shape {arr.shape}); first at index {idx}: expected {e}, "
        f"got {g}; max abs error {err}"
        + _zh("differ", size=arr.size, n=n, shape=arr.shape, idx=idx, e=e, g=g, err=err) + "\n"
        f"{LABELS['expected']}:\n{fmt_array(expected)}\n{LABELS['got']}:\n{fmt_array(arr)}")


def assert_grad(got: Any, numeric: np.ndarray, *, what: str,
                tol: float = GRAD_REL_ERROR, layout: Optional[str] = None) -> None:
    """Fail unless the analytic gradient ``got`` matches ``numeric`` within ``tol``
    relative error (see ``gradcheck.rel_error``)."""
    numeric = np.asarray(numeric, dtype=np.float64)
    arr = as_array(got, what=what, shape=numeric.shape, layout=layout)
    err = rel_error(arr, numeric)
    if err <= tol:
        return
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(arr - numeric)), arr.shape))
    num, g = f"{numeric[worst]:.10g}", f"{arr[worst]:.10g}"
    raise AssertionError(
        f"{what}: relative error {err:.3g} against the numerical gradient exceeds {tol:g} "
        f"(shape {arr.shape}); worst at index {worst}: numerical {num}, got {g}"
        + _zh("grad", err=f"{err:.3g}", tol=f"{tol:g}", shape=arr.shape, idx=worst, num=num, g=g)
        + f"\n{LABELS['numerical']}:\n{fmt_array(numeric)}\n{LABELS['got']}:\n{fmt_array(arr)}")


def int_value(got: Any) -> int:
    """The value of a Python or NumPy integer, read by the base type's own method (a
    subclass's ``__int__`` or ``__index__`` does not run)."""
    if isinstance(got, int):
        return int.__index__(got)
    return int(np.asarray(got).reshape(()).item())


def float_value(got: Any) -> float:
    """The value of a Python or NumPy real number as a float, read by the base type's own
    method (a subclass's ``__float__`` does not run)."""
    if isinstance(got, float):
        return float.__float__(got)
    if isinstance(got, int):
        return float(int.__index__(got))
    return float(np.asarray(got).reshape(()).item())


def assert_int(got: Any, expected: int, *, what: str) -> None:
    """Fail unless ``got`` is an integer (Python or NumPy, not bool) equal to ``expected``."""
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (numbers.Integral, np.integer)):
        raise AssertionError(f"{what}: expected the integer {expected:,}, got {describe(got)}"
                             + _zh("expected_got", want=f"整数 {expected:,}", got=describe_zh(got)))
    value = int_value(got)
    if value != int(expected):
        raise AssertionError(f"{what}: expected {expected:,}, got {value:,}"
                             + _zh("int_differ", expected=f"{expected:,}", got=f"{value:,}"))


def assert_keys(got: Any, keys: tuple[str, ...], *, what: str) -> dict:
    """Fail unless ``got`` is a dict holding every key in ``keys``; return it."""
    if not isinstance(got, dict):
        raise AssertionError(f"{what}: expected a dict with keys {list(keys)}, got {describe(got)}"
                             + _zh("expected_got", want=f"键为 {list(keys)} 的 dict",
                                   got=describe_zh(got)))
    missing = [k for k in keys if k not in got]
    if missing:
        has = sorted(map(str, got))
        raise AssertionError(f"{what}: the dict is missing the keys {missing} (it has {has})"
                             + _zh("missing_keys", missing=missing, has=has))
    return got


_WHERE = re.compile(r" \(in [^\s()]+\.py, line \d+, in [^\n]*\)\Z")


def exception_message(exc: BaseException) -> str:
    """The message of a student's exception, without the type name and the "(in file.py,
    line N, in f: ...)" that the grading engine adds."""
    text = str(exc)
    prefix = f"{type(exc).__name__}: "
    if text.startswith(prefix):
        text = text[len(prefix):]
    return _WHERE.sub("", text)


MESSAGE_RULE = ("a ValueError's message names the numbers that are wrong; a shape may be "
                "written (3, 3), 3x3, 3×3 or 3 by 3")
"""The one rule every stub states (in both languages) for what a ValueError says."""

_SHAPE_TEXT = re.compile(r"\(\s*-?\d+(?:\s*,\s*-?\d+)*\s*,?\s*\)|\[\s*-?\d+(?:\s*,\s*-?\d+)*\s*\]")
_INT_TEXT = re.compile(r"-?\d+")
_SEPARATOR = r"\s*(?:,|x|X|×|\*|by|BY)\s*"


def _number_pattern(n: int) -> str:
    """An int as a whole number in text: not part of a longer number, not a float's digits."""
    return rf"(?<![\d.]){'-' if n < 0 else '(?<!-)'}{abs(n)}(?!\d|\.\d)"


def shows_numbers(text: str, item: Any) -> bool:
    """Whether a message ``text`` shows ``item``: a shape (a tuple of ints, or its text such
    as "(3, 3)") as its numbers in order in any common notation ((3, 3), [3, 3], 3x3, 3×3,
    3 x 3, 3*3, 3 by 3); an int (or its text) as a whole number; anything else as text."""
    numbers_: Optional[list[int]] = None
    if isinstance(item, tuple) and all(isinstance(v, (int, np.integer)) for v in item):
        numbers_ = [int(v) for v in item]
    elif isinstance(item, (int, np.integer)) and not isinstance(item, bool):
        numbers_ = [int(item)]
    elif isinstance(item, str) and (_SHAPE_TEXT.fullmatch(item.strip())
                                    or _INT_TEXT.fullmatch(item.strip())):
        numbers_ = [int(v) for v in _INT_TEXT.findall(item)]
    if not numbers_:
        return str(item) in text
    pattern = _SEPARATOR.join(_number_pattern(n) for n in numbers_)
    return re.search(pattern, text) is not None


def expect_value_error(call: Callable[[], Any], *, what: str, why: str,
                       shows: tuple = ()) -> None:
    """Fail unless ``call()`` raises a ``ValueError`` (or a subclass) whose message shows each
    of ``shows`` (``shows_numbers``: a shape in any common notation, a whole number, or
    words); ``why`` says what is wrong with the arguments.
    A stub's ``NotImplementedError`` goes up as it is: the function is not written yet."""
    try:
        got = call()
    except NotImplementedError:
        raise
    except ValueError as exc:
        text = exception_message(exc)
        missing = [str(n) for n in shows if not shows_numbers(text, n)]
        if missing:
            raise AssertionError(
                f"{what}: the ValueError ({why}) should say which values are wrong: its message "
                f"should show {', '.join(map(str, shows))} ({MESSAGE_RULE}); got the message "
                f"{text!r}\n{what}:ValueError 的信息应给出出错的数 {', '.join(map(str, shows))}"
                f"(形状可写成 (3, 3)、3x3、3×3 或 3 by 3);得到的信息是 {text!r}") from None
        return
    except Exception as exc:  # noqa: BLE001 - the student's exception is what is checked
        raise AssertionError(f"{what}: expected a ValueError ({why}), got "
                             f"{type(exc).__name__}: {exception_message(exc)}") from None
    raise AssertionError(f"{what}: expected a ValueError ({why}), got {describe(got)}")
