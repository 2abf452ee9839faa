"""What the checks hold: proxies of the student's functions, classes and objects.

A ``StudentObject`` stands for an object that lives in the worker: a function or class the
student's module defines (a "global"), or an object a call returned (a "handle"). Its calls,
method calls, attribute reads and attribute assignments go through its ``session.Session``,
which sends them to the worker as plain data (``wire.py``); what comes back is plain data or
new proxies. A ``StudentMethod`` is a method of a student object, called in one round trip.
``What`` and ``describe_call`` put a request into words for failure messages.
"""

from __future__ import annotations

from typing import Any, Optional, Protocol

import numpy as np

_SKIP_ATTRS = ("_repr_", "_ipython_")


class ProxyOwner(Protocol):
    """What a proxy needs of the session it belongs to (``session.Session`` is one)."""

    methods: set[tuple[str, str]]
    """``(type name, attribute)`` pairs known to be methods: called in one round trip."""

    def request(self, target: StudentObject, op: str, attr: Optional[str], *rest: Any) -> Any:
        """Send one request about ``target`` to the worker; the decoded answer."""


class StudentObject:
    """An object that lives in the worker. Calls and attributes cross to it as plain data."""

    __slots__ = ("_nndl_session", "_nndl_ref", "_nndl_gen", "_nndl_label", "_nndl_type")

    def __init__(self, session: ProxyOwner, ref: tuple, gen: Optional[int], label: str,
                 type_name: str = "") -> None:
        object.__setattr__(self, "_nndl_session", session)
        object.__setattr__(self, "_nndl_ref", ref)
        object.__setattr__(self, "_nndl_gen", gen)
        object.__setattr__(self, "_nndl_label", label)
        object.__setattr__(self, "_nndl_type", type_name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._nndl_session.request(self, "call", None, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        if (name.startswith("__") and name.endswith("__")) or name.startswith(_SKIP_ATTRS):
            raise AttributeError(name)  # Python's and NumPy's probes stay on this side
        session = self._nndl_session
        if (self._nndl_type, name) in session.methods:  # a known method: call it in one trip
            return StudentMethod(self, name)
        return session.request(self, "getattr", name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in StudentObject.__slots__:
            raise AttributeError(f"{name} is the proxy's own attribute")
        self._nndl_session.request(self, "setattr", name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError("deleting a student object's attributes is not supported")

    def __repr__(self) -> str:
        return f"<student {self._nndl_label}>"

    def __reduce__(self):
        raise TypeError("a student object cannot be pickled: it lives in the worker")


class StudentMethod:
    """A method of a student object: calling it is one round trip (look-up and call)."""

    __slots__ = ("_nndl_obj", "_nndl_name")

    def __init__(self, obj: StudentObject, name: str) -> None:
        self._nndl_obj, self._nndl_name = obj, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        obj = self._nndl_obj
        return obj._nndl_session.request(obj, "call", self._nndl_name, args, kwargs)

    def __repr__(self) -> str:
        return f"<student method {self._nndl_name} of {self._nndl_obj._nndl_label}>"


_proxy_types: dict[str, type] = {}


TYPE_NAME_CHARS = 100
"""The longest type name a proxy keeps (the worker's reply may claim any)."""


def _proxy_type(type_name: str) -> type:
    """A ``StudentObject`` subclass named after the student's type, so that a failure message
    (``compare.describe``) says "an object of type Foo". The name is cut to
    ``TYPE_NAME_CHARS`` before anything is kept; past 2000 names the classes are made afresh
    (no longer cached), so that one student's many names cost the grader little memory and
    never change another student's messages."""
    name = type_name.replace("\0", "")[:TYPE_NAME_CHARS] or "object"
    cls = _proxy_types.get(name)
    if cls is None:
        cls = type(name, (StudentObject,), {"__slots__": ()})
        if len(_proxy_types) < 2000:
            _proxy_types[name] = cls
    return cls


def make_proxy(session: ProxyOwner, ref: tuple, gen: Optional[int], type_name: str,
               name: Optional[str] = None) -> StudentObject:
    """A proxy of the object ``ref`` (``("global", name)`` or ``("handle", id)``) of the
    worker of generation ``gen`` (None for a global: it is found again in a fresh worker)."""
    type_name = type_name[:TYPE_NAME_CHARS]
    return _proxy_type(type_name)(session, ref, gen, _label(type_name, name), type_name)


def _label(type_name: str, name: Optional[str] = None) -> str:
    if name is not None:
        if type_name == "function":
            return f"function {name}"
        if type_name == "type":
            return f"class {name}"
        return f"{name} (object of type {type_name})"
    return f"object of type {type_name}"


def describe_call(target: StudentObject, attr: Optional[str], args: tuple, kwargs: dict) -> str:
    """A short text of a call for messages, e.g. ``conv_cost(100, 3, 256, 256)``."""
    ref = target._nndl_ref
    base = ref[1] if ref[0] == "global" else target._nndl_label
    if attr:
        base = f"{base}.{attr}"
    parts = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    text = ", ".join(parts)
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{base}({text})"


def _short(v: Any, depth: int = 0) -> str:
    if isinstance(v, np.ndarray):
        kind = "array" if v.dtype == np.float64 else f"{v.dtype} array"
        return f"<{kind} of shape {v.shape}>"
    if isinstance(v, StudentObject):
        return repr(v)
    if isinstance(v, (list, tuple)) and depth == 0 and 0 < len(v) <= 6 \
            and any(isinstance(x, np.ndarray) for x in v):  # e.g. a cache: the shapes inside
        inner = ", ".join(_short(x, 1) for x in v)
        return f"[{inner}]" if isinstance(v, list) else f"({inner}{',' if len(v) == 1 else ''})"
    if isinstance(v, (list, tuple, dict, set)) and len(repr(v)) > 40:
        return f"<{type(v).__name__} of length {len(v)}>"
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


class What:
    """The words for a request in a message ("while running f(1, 2)"), made only when needed."""

    __slots__ = ("target", "op", "attr", "rest")

    def __init__(self, target: StudentObject, op: str, attr: Optional[str], rest: tuple) -> None:
        self.target, self.op, self.attr, self.rest = target, op, attr, rest

    def __str__(self) -> str:
        if self.op == "call":
            args, kwargs = self.rest
            return f"while running {describe_call(self.target, self.attr, tuple(args), dict(kwargs))}"
        verb = "reading" if self.op == "getattr" else "setting"
        return f"while {verb} {describe_call(self.target, None, (), {})[:-2]}.{self.attr}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)
