"""The plain-data codec between the grader and a worker: never pickle.

A message is a 4-byte little-endian length and a payload; a payload is one value in a small
tagged binary format. Only plain data has a tag: None, bools, ints, floats, complex numbers,
str, bytes, lists, tuples, dicts (keys: None, bools, ints, floats, str, bytes and tuples of
those), sets and frozensets, NumPy arrays and scalars of a numeric or bool dtype (raw bytes
with shape and dtype). Everything else is a *handle*: an id and a type name, which the side
that owns the object resolves. Decoding builds only those plain objects, bounded in depth,
count and size, so a hostile peer can make it fail but cannot make it run code.

This module runs on both sides: in the grader and, copied, inside the sandbox, where only
the standard library and NumPy exist. It must not import anything else.
"""

from __future__ import annotations

import struct
# The codec also runs inside the worker, after the student's code, which may have replaced
# built-ins or NumPy functions: it binds the originals here, before any student code runs.
from builtins import (  # noqa: A004 - deliberately shadowing with the same objects
    Exception, MemoryError, OverflowError, TypeError, UnicodeDecodeError, ValueError, all, bool,
    bytes, complex, dict, float, frozenset, int, isinstance, len, list, memoryview, range, set,
    str, tuple, type)
from typing import Any, Callable, Optional

import numpy as np

_ndarray, _generic, _dtype = np.ndarray, np.generic, np.dtype
_asarray, _ascontiguousarray, _frombuffer = np.asarray, np.ascontiguousarray, np.frombuffer
_bool_ = np.bool_

MAX_MESSAGE = 64 * 2**20
"""Largest message (bytes) either side sends or accepts."""

MAX_ITEMS = 2_000_000
"""Most values (container items, not array elements) one message may hold."""

MAX_DEPTH = 64
"""Deepest nesting of containers one message may hold."""

MAX_INT_BYTES = 4096
"""Longest integer (bytes of two's complement) that crosses."""

MAX_NDIM = 32

DTYPES = {"|b1": _dtype(_bool_)}
for _kind in ("i", "u"):
    for _size in (1, 2, 4, 8):
        _dt = _dtype(f"<{_kind}{_size}")
        DTYPES[_dt.str] = _dt
for _name in ("<f2", "<f4", "<f8", "<c8", "<c16"):
    DTYPES[_name] = _dtype(_name)
"""The dtypes an array or a NumPy scalar may have on the wire, by their ``dtype.str``."""

_HEADER = struct.Struct("<I")
_U8 = struct.Struct("<B")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")
_C128 = struct.Struct("<dd")

_PLAIN_KEY_TYPES = (type(None), bool, int, float, str, bytes)


class WireError(Exception):
    """A value cannot be encoded, or a message is not valid: the text says which and why."""


class Handle:
    """What the wire carries for an object that stays on the other side."""

    __slots__ = ("id", "type_name", "callable")

    def __init__(self, id: int, type_name: str, callable: bool) -> None:
        self.id, self.type_name, self.callable = id, type_name, callable

    def __repr__(self) -> str:
        return f"Handle({self.id}, {self.type_name!r}, callable={self.callable})"


def wire_dtype(dtype: _dtype) -> Optional[_dtype]:
    """The little-endian wire dtype for ``dtype``, or None when it may not cross."""
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        return None
    wire = dtype.newbyteorder("<") if dtype.byteorder == ">" else dtype
    return DTYPES.get(wire.str)


def plain_key(key: Any) -> bool:
    """Whether ``key`` may be a dict key on the wire."""
    if type(key) in _PLAIN_KEY_TYPES:
        return True
    return type(key) is tuple and all(plain_key(k) for k in key)


class Encoder:
    """Encode one value. ``on_other(obj)`` turns a non-plain object into a ``Handle`` (or
    raises ``WireError``); ``convert(obj)`` may first map an object to a plain stand-in
    (returning it) or return ``obj`` unchanged."""

    def __init__(self, on_other: Callable[[Any], Handle],
                 convert: Optional[Callable[[Any], Any]] = None,
                 max_bytes: int = MAX_MESSAGE) -> None:
        self.on_other = on_other
        self.convert = convert
        self.max_bytes = max_bytes
        self.parts: list = []
        self.size = 0
        self.items = 0

    def _put(self, data) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise WireError(f"the value is too large to send: more than {self.max_bytes:,} bytes "
                            f"(the limit of one message)")
        self.parts.append(data)

    def _str(self, s: str) -> None:
        data = s.encode("utf-8", "surrogatepass")
        self._put(_U32.pack(len(data)))
        self._put(data)

    def encode(self, value: Any) -> bytes:
        self._value(value, 0)
        return b"".join(self.parts)

    def _value(self, v: Any, depth: int) -> None:
        self.items += 1
        if self.items > MAX_ITEMS:
            raise WireError(f"the value holds more than {MAX_ITEMS:,} items (the limit of one message)")
        if depth > MAX_DEPTH:
            raise WireError(f"the value is nested more than {MAX_DEPTH} levels deep")
        if self.convert is not None:
            v = self.convert(v)
        t = type(v)
        if v is None:
            self._put(b"N")
        elif t is bool:
            self._put(b"T" if v else b"F")
        elif t is int:
            if -2**63 <= v < 2**63:
                self._put(b"i" + _I64.pack(v))
            else:
                n = (v.bit_length() + 8) // 8
                if n > MAX_INT_BYTES:
                    raise WireError(f"an integer of {v.bit_length():,} bits is too large to send")
                self._put(b"I" + _U32.pack(n))
                self._put(v.to_bytes(n, "little", signed=True))
        elif t is float:
            self._put(b"f" + _F64.pack(v))
        elif t is complex:
            self._put(b"c" + _C128.pack(v.real, v.imag))
        elif t is str:
            self._put(b"s")
            self._str(v)
        elif t is bytes:
            self._put(b"b" + _U32.pack(len(v)))
            self._put(v)
        elif t in (list, tuple, set, frozenset):
            tag = {list: b"l", tuple: b"t", set: b"S", frozenset: b"Z"}[t]
            items = list(v)
            self._put(tag + _U32.pack(len(items)))
            for item in items:
                self._value(item, depth + 1)
        elif t is dict:
            items = list(v.items())
            for k, _ in items:
                if not plain_key(k):
                    raise WireError(f"a dict key of type {type(k).__name__} cannot be sent")
            self._put(b"d" + _U32.pack(len(items)))
            for k, val in items:
                self._value(k, depth + 1)
                self._value(val, depth + 1)
        elif isinstance(v, _ndarray) and wire_dtype(v.dtype) is not None:
            self._array(v)
        elif isinstance(v, _generic) and wire_dtype(v.dtype) is not None:
            dt = wire_dtype(v.dtype)
            self._put(b"g")
            self._str(dt.str)
            self._put(_ndarray.tobytes(_asarray(v, dtype=dt)))
        else:
            h = self.on_other(v)
            self._put(b"h" + _U64.pack(h.id) + (b"\x01" if h.callable else b"\x00"))
            self._str(h.type_name[:200])

    def _array(self, a: _ndarray) -> None:
        dt = wire_dtype(a.dtype)
        shape = tuple(int(n) for n in _ndarray.__dict__["shape"].__get__(a))
        if len(shape) > MAX_NDIM:
            raise WireError(f"an array of {len(shape)} dimensions cannot be sent (at most {MAX_NDIM})")
        count = 1
        for n in shape:
            count *= n
        nbytes = count * dt.itemsize
        if nbytes + self.size > self.max_bytes:
            raise WireError(f"an array of shape {a.shape} ({nbytes:,} bytes) is too large to send "
                            f"(the limit of one message is {self.max_bytes:,} bytes)")
        data = _ascontiguousarray(_ndarray.view(a, _ndarray), dtype=dt)
        self._put(b"a")
        self._str(dt.str)
        self._put(_U8.pack(len(shape)) + b"".join(_U64.pack(n) for n in shape))
        self._put(_U64.pack(nbytes))
        self._put(_ndarray.tobytes(data))


class Decoder:
    """Decode one value. ``on_handle(handle)`` returns what a handle stands for."""

    def __init__(self, data: bytes, on_handle: Callable[[Handle], Any]) -> None:
        self.data = memoryview(data)
        self.pos = 0
        self.on_handle = on_handle
        self.items = 0

    def _take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise WireError("the message is truncated or malformed")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def _u8(self) -> int:
        return _U8.unpack(self._take(1))[0]

    def _u32(self) -> int:
        return _U32.unpack(self._take(4))[0]

    def _u64(self) -> int:
        return _U64.unpack(self._take(8))[0]

    def _str(self) -> str:
        try:
            return bytes(self._take(self._u32())).decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise WireError("the message holds a string that is not valid UTF-8") from None

    def decode(self) -> Any:
        value = self._value(0)
        if self.pos != len(self.data):
            raise WireError("the message has bytes after its value")
        return value

    def _count(self, n: int) -> int:
        self.items += n
        if self.items > MAX_ITEMS or n > len(self.data) - self.pos:
            raise WireError("the message holds more items than it can")
        return n

    def _dtype(self) -> _dtype:
        name = self._str()
        dt = DTYPES.get(name)
        if dt is None:
            raise WireError(f"the message holds a value of dtype {name[:40]!r}, which may not cross")
        return dt

    def _value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise WireError(f"the message is nested more than {MAX_DEPTH} levels deep")
        tag = bytes(self._take(1))
        if tag == b"N":
            return None
        if tag == b"T":
            return True
        if tag == b"F":
            return False
        if tag == b"i":
            return _I64.unpack(self._take(8))[0]
        if tag == b"I":
            n = self._u32()
            if n > MAX_INT_BYTES:
                raise WireError("the message holds an integer that is too large")
            return int.from_bytes(self._take(n), "little", signed=True)
        if tag == b"f":
            return _F64.unpack(self._take(8))[0]
        if tag == b"c":
            re, im = _C128.unpack(self._take(16))
            return complex(re, im)
        if tag == b"s":
            return self._str()
        if tag == b"b":
            return bytes(self._take(self._u32()))
        if tag in (b"l", b"t", b"S", b"Z"):
            n = self._count(self._u32())
            items = [self._value(depth + 1) for _ in range(n)]
            if tag == b"l":
                return items
            if tag == b"t":
                return tuple(items)
            try:
                return set(items) if tag == b"S" else frozenset(items)
            except TypeError:
                raise WireError("the message holds a set of unhashable items") from None
        if tag == b"d":
            n = self._count(self._u32())
            out = {}
            for _ in range(n):
                k = self._value(depth + 1)
                if not plain_key(k):
                    raise WireError(f"the message holds a dict key of type {type(k).__name__}")
                out[k] = self._value(depth + 1)
            return out
        if tag == b"a":
            dt = self._dtype()
            ndim = self._u8()
            if ndim > MAX_NDIM:
                raise WireError("the message holds an array with too many dimensions")
            shape = tuple(self._u64() for _ in range(ndim))
            nbytes = self._u64()
            count = 1
            for n in shape:
                count *= n
            if count * dt.itemsize != nbytes:
                raise WireError("the message holds an array whose shape does not match its bytes")
            raw = self._take(nbytes)
            return _frombuffer(raw, dtype=dt).reshape(shape).copy()
        if tag == b"g":
            dt = self._dtype()
            return _frombuffer(self._take(dt.itemsize), dtype=dt)[0].copy()
        if tag == b"h":
            hid = self._u64()
            flag = self._u8()
            return self.on_handle(Handle(hid, self._str(), bool(flag)))
        raise WireError(f"the message holds an unknown tag {tag!r}")


def encode(value: Any, on_other: Callable[[Any], Handle],
           convert: Optional[Callable[[Any], Any]] = None, max_bytes: int = MAX_MESSAGE) -> bytes:
    """The payload for ``value`` (see ``Encoder``)."""
    return Encoder(on_other, convert, max_bytes).encode(value)


def decode(data: bytes, on_handle: Callable[[Handle], Any]) -> Any:
    """The value a payload holds (see ``Decoder``); ``WireError`` when it is not valid."""
    try:
        return Decoder(data, on_handle).decode()
    except (ValueError, TypeError, OverflowError, MemoryError, struct.error) as exc:
        if isinstance(exc, WireError):
            raise
        raise WireError(f"the message is not valid: {type(exc).__name__}: {exc}") from None


def frame(payload: bytes) -> bytes:
    """A payload with its length header."""
    if len(payload) > MAX_MESSAGE:
        raise WireError(f"a message of {len(payload):,} bytes exceeds the limit of {MAX_MESSAGE:,}")
    return _HEADER.pack(len(payload)) + payload


def header_length(header: bytes) -> int:
    """The payload length a 4-byte header announces; ``WireError`` past the limit."""
    (n,) = _HEADER.unpack(header)
    if n > MAX_MESSAGE:
        raise WireError(f"the peer announced a message of {n:,} bytes (the limit is {MAX_MESSAGE:,})")
    return n
