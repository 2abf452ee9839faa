"""Every value check passes read-only arrays: the one place that does it.

The conventions say "return new arrays, do not change the arguments". ``read_only`` wraps a
student's function or class so that every NumPy array given to it as an argument (and every
array given to a method of an object it returns, such as a layer's ``forward`` and
``backward``) arrives as a read-only view: an answer that writes into its input gets NumPy's
"assignment destination is read-only" in every check that calls it, not only in the one
that names the rule. A view costs no copy; under the grading engine the wire keeps the flag
(``autograder.engine.wire``), so the worker receives read-only arrays too.

Arrays inside a tuple or a list (a cache a forward returned) are passed as they are: they
are the student's own values, not the grader's inputs.
"""

from __future__ import annotations

import numbers
import os
import traceback
from typing import Any

import numpy as np

_PLAIN = (np.ndarray, np.generic, numbers.Number, str, bytes, bool, type(None), tuple, list,
          dict, set, frozenset, slice, range)


def _bare(value: Any) -> Any:
    """``value`` with every ``ReadOnlyCalls`` in it (also inside lists, tuples and dicts, such
    as the layers given to a model) replaced by the object it stands for: the student's code,
    and the engine's wire, get the student's own objects."""
    if isinstance(value, ReadOnlyCalls):
        return object.__getattribute__(value, "_nndl_target")
    if type(value) in (list, tuple):
        items = [_bare(v) for v in value]
        same = all(a is b for a, b in zip(items, value))
        return value if same else type(value)(items)
    if type(value) is dict:
        bare = {k: _bare(v) for k, v in value.items()}
        return value if all(bare[k] is v for k, v in value.items()) else bare
    return value


def _frozen(value: Any) -> Any:
    """A read-only view of an array; anything else as it is, without wrappers (``_bare``)."""
    if isinstance(value, np.ndarray) and value.flags.writeable:
        view = value.view()
        view.flags.writeable = False
        return view
    return _bare(value)


def _wrote_into(target: Any, exc: BaseException) -> str:
    """What a student reads when their code wrote into an array the grader passed."""
    try:
        name = str(getattr(target, "__qualname__", None) or getattr(target, "__name__"))
    except Exception:  # noqa: BLE001 - a name is a courtesy
        name = "your code"
    told = getattr(exc, "nndl_message", None)  # the engine's account: type, message, line
    first = (str(told if isinstance(told, str) else exc).splitlines() or [""])[0]
    frames = traceback.extract_tb(exc.__traceback__)
    if frames and not isinstance(told, str):
        first += f" (in {os.path.basename(frames[-1].filename)}, line {frames[-1].lineno})"
    return (f"{name} writes into an argument: expected it to leave its arguments as they are "
            f"(the grader passes them read-only, and NumPy refused: {first}); the conventions "
            f"say: return new arrays, do not change the arguments (copy first, e.g. "
            f"np.array(a, dtype=np.float64), or compute into a new array)\n"
            f"{name} 写入了传入的参数:参数应保持不变(评分程序以只读数组传入,NumPy 拒绝了写入:"
            f"{first});约定:返回新的数组,不要修改传入的参数(先复制,例如 "
            f"np.array(a, dtype=np.float64),或把结果写入新数组)")


class ReadOnlyCalls:
    """A student's function, class or object whose calls receive read-only arrays; attributes
    are read and set on the object itself."""

    __slots__ = ("_nndl_target",)

    def __init__(self, target: Any) -> None:
        object.__setattr__(self, "_nndl_target", target)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        target = object.__getattribute__(self, "_nndl_target")
        try:
            result = target(*[_frozen(a) for a in args],
                            **{k: _frozen(v) for k, v in kwargs.items()})
        except ValueError as exc:
            if "read-only" in str(exc):
                raise AssertionError(_wrote_into(target, exc)) from None
            raise
        return read_only(result)

    def __getattr__(self, name: str) -> Any:
        value = getattr(object.__getattribute__(self, "_nndl_target"), name)
        return read_only(value) if callable(value) and not isinstance(value, type) else value

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_nndl_target"), name, _bare(value))

    def __delattr__(self, name: str) -> None:
        delattr(object.__getattribute__(self, "_nndl_target"), name)

    def __repr__(self) -> str:
        return repr(object.__getattribute__(self, "_nndl_target"))


def read_only(value: Any) -> Any:
    """``value`` wrapped in ``ReadOnlyCalls`` when it is a function, a class or an object with
    methods; plain values (arrays, numbers, strings, containers, None) as they are."""
    if isinstance(value, (_PLAIN, ReadOnlyCalls)):
        return value
    return _wrapper_type(type(value).__name__)(value)


_TYPES: dict[str, type] = {}


def _wrapper_type(name: str) -> type:
    """A ``ReadOnlyCalls`` subclass named after the wrapped object's type, so that a failure
    message that names a value's type ("got an object of type Conv2D") names the student's."""
    if name not in _TYPES:
        _TYPES[name] = type(name, (ReadOnlyCalls,), {"__slots__": ()})
    return _TYPES[name]


def target_of(value: Any) -> Any:
    """The object a ``ReadOnlyCalls`` stands for; anything else as it is."""
    if isinstance(value, ReadOnlyCalls):
        return object.__getattribute__(value, "_nndl_target")
    return value
