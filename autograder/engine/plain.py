"""Subclasses of plain types, as their base type's value: the one normalisation of the wire.

``plain_value`` reads an instance of a subclass of ``int``, ``float``, ``complex``, ``str``,
``bytes``, ``tuple``, ``list``, ``dict``, ``set`` or ``frozenset`` (a ``namedtuple``, an
``OrderedDict``, an ``IntEnum``, ``np.str_``...) with the base type's own C-level methods,
bound here before any student code runs: no method the subclass defines (``__eq__``,
``__int__``, ``__index__``, ``__iter__``, ``__getitem__``, ``keys``, ``items``, ``__len__``...)
runs, so a subclass that lies about its value gives its real one. ``normalise`` does it at
every depth. ``StandIn`` is what the other side of the wire receives for a subclassed
container: a subclass of its base type holding the plain value and the handle of the
original (``wire.py``, tag ``v``).

Used by ``wire.py`` and copied with it into the sandbox: the standard library and NumPy only.
"""

from __future__ import annotations

# Bound before any student code runs (the worker imports this module first).
from builtins import (  # noqa: A004 - deliberately shadowing with the same objects
    ValueError, bool, bytes, complex, dict, float, frozenset, int, issubclass, list, set, slice,
    str, tuple, type)
from typing import Any

import numpy as np

__all__ = ["NOT_PLAIN", "STAND_INS", "STAND_IN_TYPES", "StandIn", "normalise", "plain_value",
           "stand_in"]

_generic = np.generic
_dtype_of_scalar = np.generic.__dict__["dtype"].__get__

# The base types' own methods, bound before any student code runs; each reads the value of an
# instance of a subclass from the object's C-level storage (built-in types cannot be patched).
_ALL = slice(None)
_int_value = int.__index__                 # an exact int, whatever __index__/__int__ say
_float_value = float.__float__
_str_value = str.__str__
_bytes_slice = bytes.__getitem__
_tuple_slice = tuple.__getitem__
_list_slice = list.__getitem__
_dict_items = dict.items                   # a view that iterates the dict's own table
_set_iter = set.__iter__
_frozenset_iter = frozenset.__iter__
_complex_real = complex.__dict__["real"].__get__
_complex_imag = complex.__dict__["imag"].__get__


def plain_value(value: Any) -> Any:
    """The value of an instance of a subclass of a plain type, as its base type's own
    methods read it: ``int``, ``float``, ``complex``, ``str``, ``bytes``, ``tuple``,
    ``list``, ``dict``, ``set``, ``frozenset``, as an instance of that exact type. The items
    of a container are returned as they are (not converted). ``NOT_PLAIN`` for anything else,
    exact plain types included (they need no conversion). No method of the subclass runs.

    NumPy scalars of a numeric dtype are not converted (they cross as NumPy scalars); a
    ``bool`` cannot be subclassed.
    """
    t = type(value)
    if t in _EXACT:
        return NOT_PLAIN
    if issubclass(t, _generic) and _dtype_of_scalar(value).kind in "biufc":
        return NOT_PLAIN
    if issubclass(t, int):
        return _int_value(value)
    if issubclass(t, float):
        return _float_value(value)
    if issubclass(t, str):
        return _str_value(value)
    if issubclass(t, bytes):
        return _bytes_slice(value, _ALL)
    if issubclass(t, tuple):
        return _tuple_slice(value, _ALL)
    if issubclass(t, list):
        return _list_slice(value, _ALL)
    if issubclass(t, dict):
        return dict(list(_dict_items(value)))
    if issubclass(t, frozenset):
        return frozenset(list(_frozenset_iter(value)))
    if issubclass(t, set):
        return set(list(_set_iter(value)))
    if issubclass(t, complex):
        return complex(_complex_real(value), _complex_imag(value))
    return NOT_PLAIN


class _NotPlain:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_PLAIN"


NOT_PLAIN = _NotPlain()
"""What ``plain_value`` returns for a value that is not a subclass instance of a plain type."""

_EXACT = frozenset((type(None), bool, int, float, complex, str, bytes, tuple, list, dict, set,
                    frozenset))


def normalise(value: Any, max_depth: int = 64, _depth: int = 0) -> Any:
    """``value`` with every subclass instance of a plain type, at any depth of lists, tuples,
    dicts and sets, replaced by its base type's value (``plain_value``); arrays, NumPy scalars
    and other objects are left as they are: what the other side of the wire sees of it.
    ``ValueError`` past ``max_depth`` levels of nesting."""
    if _depth > max_depth:
        raise ValueError(f"the value is nested more than {max_depth} levels deep")
    t = type(value)
    if t not in _EXACT:
        converted = plain_value(value)
        if converted is NOT_PLAIN:
            return value
        value, t = converted, type(converted)
    if t is list or t is tuple:
        items = [normalise(v, max_depth, _depth + 1) for v in value]
        return items if t is list else tuple(items)
    if t is dict:
        return {normalise(k, max_depth, _depth + 1): normalise(v, max_depth, _depth + 1)
                for k, v in list(value.items())}
    if t is set or t is frozenset:
        return t(normalise(v, max_depth, _depth + 1) for v in list(value))
    return value


class StandIn:
    """Mixin of the stand-ins: a plain container received for an object of a subclass type
    that stays on the other side (``origin``, what ``on_handle`` made of its handle)."""

    __slots__ = ()
    _nndl_origin: Any


def _stand_in_type(base: type) -> type:
    cls = type(base.__name__, (StandIn, base), {"__module__": __name__})
    cls.__qualname__ = f"StandIn[{base.__name__}]"
    return cls


STAND_INS = {base: _stand_in_type(base) for base in (tuple, list, dict, set, frozenset)}
STAND_IN_TYPES = frozenset(STAND_INS.values())


def stand_in(value: Any, origin: Any) -> Any:
    """A stand-in for a container of type ``type(value)`` (exact) whose original is ``origin``."""
    out = STAND_INS[type(value)](value)
    out._nndl_origin = origin
    return out
