"""The plain-data codec between the grader and a worker: never pickle.

A message is a 4-byte little-endian length and a payload; a payload is one value in a small
tagged binary format. Only plain data has a tag: None, bools, ints, floats, complex numbers,
str, bytes, lists, tuples, dicts (keys: None, bools, ints, floats, str, bytes and tuples of
those), sets and frozensets, NumPy arrays and scalars of a numeric or bool dtype (raw bytes
with shape and dtype, and whether the array is read-only). Everything else is a *handle*: an
id and a type name, which the side that owns the object resolves. Decoding builds only those
plain objects, bounded in depth, count and size, so a hostile peer can make it fail but cannot
make it run code.

Subclasses of plain types (a namedtuple, any dict subclass, ``np.str_``...) cross as their
base type's value, read by the base type's own methods (``plain.plain_value``: a subclass
that lies about its value crosses with its real one). A subclassed container also keeps a
handle of the original (tag ``v``): the other side receives a ``StandIn`` of the base type,
which crosses back as that handle, so that a student's namedtuple cache comes back to its
backward pass as itself. With no handle table (``no_handles``) the plain value crosses alone.

Format (little-endian): ``N`` None, ``T``/``F`` bools, ``i`` int64, ``I`` u32 length + a
longer int (two's complement), ``f`` float64, ``c`` two float64, ``s`` u32 length + UTF-8
(surrogates passed), ``b`` u32 length + bytes, ``l``/``t``/``S``/``Z`` (list, tuple, set,
frozenset) u32 count + items, ``d`` u32 count + key, value pairs, ``a`` dtype code (u8), ndim
(u8), ndim u64 sizes + the C-ordered bytes (``r``: the same, for a read-only array), ``g``
dtype code + one element's bytes (a NumPy scalar), ``h`` u64 id, u8 callable, u32 length +
type name (a handle), ``v`` a handle followed by one container value (a stand-in).

This module runs on both sides: in the grader and, copied, inside the sandbox, where only
the standard library and NumPy exist. It imports nothing else but its sibling ``plain.py``
(the normalisation of subclasses of plain types), copied with it.
"""

from __future__ import annotations

import struct
# The codec also runs inside the worker, after the student's code, which may have replaced
# built-ins or NumPy functions: it binds the originals here, before any student code runs.
from builtins import (  # noqa: A004 - deliberately shadowing with the same objects
    Exception, IndexError, MemoryError, OverflowError, RecursionError, TypeError,
    UnicodeDecodeError, ValueError,
    bool, bytes, complex, dict, float, frozenset, int, isinstance, len, list, set, str, tuple,
    type)
from typing import Any, Callable, Optional

import numpy as np

if __package__:  # autograder.engine.wire (StandIn is re-exported: what the checks receive)
    from .plain import NOT_PLAIN, STAND_INS, STAND_IN_TYPES, StandIn, normalise, plain_value, stand_in  # noqa: F401
else:  # copied next to worker.py inside the sandbox, with plain.py
    from plain import NOT_PLAIN, STAND_INS, STAND_IN_TYPES, StandIn, normalise, plain_value, stand_in  # noqa: F401

_ndarray, _generic, _dtype = np.ndarray, np.generic, np.dtype
_dtype_of_scalar = np.generic.__dict__["dtype"].__get__
_asarray, _ascontiguousarray, _frombuffer = np.asarray, np.ascontiguousarray, np.frombuffer
_tobytes = np.ndarray.tobytes
_shape_of = np.ndarray.__dict__["shape"].__get__
_dtype_of = np.ndarray.__dict__["dtype"].__get__
_flags_of = np.ndarray.__dict__["flags"].__get__

MAX_MESSAGE = 64 * 2**20
"""Largest message (bytes) either side sends or accepts."""

MAX_ITEMS = 2_000_000
"""Most values (container items, not array elements) one message may hold."""

MAX_DEPTH = 64
"""Deepest nesting of containers one message may hold."""

MAX_INT_BYTES = 4096
"""Longest integer (bytes of two's complement) that crosses."""

MAX_NDIM = 32

_WIRE_DTYPES = tuple(_dtype(n) for n in (
    "?", "<i1", "<i2", "<i4", "<i8", "<u1", "<u2", "<u4", "<u8", "<f2", "<f4", "<f8", "<c8", "<c16"))
DTYPES = {dt.str: dt for dt in _WIRE_DTYPES}
"""The dtypes an array or a NumPy scalar may have on the wire, by their ``dtype.str``."""
_CODE = {dt: i for i, dt in enumerate(_WIRE_DTYPES)}

_HEADER = struct.Struct("<I")
_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")
_C128 = struct.Struct("<dd")
_HANDLE = struct.Struct("<QB")

_PLAIN_KEY_TYPES = (type(None), bool, int, float, str, bytes)
_CONTAINER_TAGS = {list: b"l", tuple: b"t", set: b"S", frozenset: b"Z"}

class WireError(Exception):
    """A value cannot be encoded, or a message is not valid: the text says which and why."""


class Handle:
    """What the wire carries for an object that stays on the other side."""

    __slots__ = ("id", "type_name", "callable")

    def __init__(self, id: int, type_name: str, callable: bool) -> None:
        self.id, self.type_name, self.callable = id, type_name, callable

    def __repr__(self) -> str:
        return f"Handle({self.id}, {self.type_name!r}, callable={self.callable})"


def no_handles(obj: Any) -> Handle:
    """The ``on_other`` or ``on_handle`` callback of a message that may hold plain data only
    (control messages, a worker's report of its globals): ``WireError`` for a value that is
    not plain data (encoding) or for a handle (decoding)."""
    what = "a handle" if isinstance(obj, Handle) else type(obj).__name__
    raise WireError(f"this message may hold only plain data, not {what}")


def wire_dtype(dtype: _dtype) -> Optional[_dtype]:
    """The little-endian wire dtype for ``dtype``, or None when it may not cross."""
    if dtype in _CODE:
        return dtype
    if dtype.kind not in "biufc" or dtype.fields is not None or dtype.subdtype is not None:
        return None
    wire = dtype.newbyteorder("<") if dtype.byteorder == ">" else dtype
    return DTYPES.get(wire.str)


def plain_key(key: Any) -> bool:
    """Whether ``key`` may be a dict key on the wire."""
    if type(key) in _PLAIN_KEY_TYPES:
        return True
    return type(key) is tuple and all(plain_key(k) for k in key)


def all(items) -> bool:  # noqa: A001 - the built-in, bound before student code runs
    for x in items:
        if not x:
            return False
    return True


def encode(value: Any, on_other: Callable[[Any], Handle],
           convert: Optional[Callable[[Any], Any]] = None, max_bytes: int = MAX_MESSAGE) -> bytes:
    """The payload for ``value``. ``on_other(obj)`` turns a non-plain object into a ``Handle``
    (or raises ``WireError``); ``convert(obj)``, if given, may map an object that is not plain
    data to a plain stand-in first. ``WireError`` when the value is too large, too deep or
    holds bad keys."""
    parts: list = []
    put = parts.append
    state = [0, 0]  # bytes so far, items so far

    def string(s: str) -> None:
        data = s.encode("utf-8", "surrogatepass")
        put(_U32.pack(len(data)))
        put(data)
        state[0] += 4 + len(data)

    def array(a) -> None:
        dt = wire_dtype(_dtype_of(a))
        shape = _shape_of(a)
        if len(shape) > MAX_NDIM:
            raise WireError(f"an array of {len(shape)} dimensions cannot be sent (at most {MAX_NDIM})")
        count = 1
        for n in shape:
            count *= n
        nbytes = count * dt.itemsize
        state[0] += nbytes + 2 + 8 * len(shape)
        if state[0] > max_bytes:
            raise WireError(f"an array of shape {tuple(shape)} ({nbytes:,} bytes) is too large to "
                            f"send (the limit of one message is {max_bytes:,} bytes)")
        if type(a) is not _ndarray:
            a = _ndarray.view(a, _ndarray)
        tag = b"a" if _flags_of(a).writeable else b"r"
        if _dtype_of(a) is not dt or not _flags_of(a).c_contiguous:
            a = _ascontiguousarray(a, dtype=dt)
        put(tag + bytes((_CODE[dt], len(shape))))
        if shape:
            put(struct.pack(f"<{len(shape)}Q", *shape))
        put(_tobytes(a))

    def enc(v: Any, depth: int) -> None:
        state[1] += 1
        if state[1] > MAX_ITEMS:
            raise WireError(f"the value holds more than {MAX_ITEMS:,} items (the limit of one message)")
        t = type(v)
        if t is _ndarray:
            if _dtype_of(v) in _CODE or wire_dtype(_dtype_of(v)) is not None:
                return array(v)
        elif t is float:
            put(b"f" + _F64.pack(v))
            state[0] += 9
            return
        elif t is int:
            if -9223372036854775808 <= v <= 9223372036854775807:
                put(b"i" + _I64.pack(v))
                state[0] += 9
                return
            n = (v.bit_length() + 8) // 8
            if n > MAX_INT_BYTES:
                raise WireError(f"an integer of {v.bit_length():,} bits is too large to send")
            put(b"I" + _U32.pack(n))
            put(v.to_bytes(n, "little", signed=True))
            state[0] += 5 + n
            return
        elif t is str:
            put(b"s")
            state[0] += 1
            return string(v)
        elif v is None:
            put(b"N")
            state[0] += 1
            return
        elif t is bool:
            put(b"T" if v else b"F")
            state[0] += 1
            return
        elif t in _CONTAINER_TAGS:
            if depth >= MAX_DEPTH:
                raise WireError(f"the value is nested more than {MAX_DEPTH} levels deep")
            items = list(v)
            put(_CONTAINER_TAGS[t] + _U32.pack(len(items)))
            state[0] += 5
            for item in items:
                enc(item, depth + 1)
            return
        elif t is dict:
            if depth >= MAX_DEPTH:
                raise WireError(f"the value is nested more than {MAX_DEPTH} levels deep")
            items = list(v.items())
            for i, (k, val) in enumerate(items):
                if not plain_key(k):
                    try:  # a key of a subclass of a plain type: its base value
                        key = normalise(k, MAX_DEPTH)
                    except ValueError as exc:
                        raise WireError(str(exc)) from None
                    if not plain_key(key):
                        raise WireError(f"a dict key of type {type(k).__name__} cannot be sent")
                    items[i] = (key, val)
            put(b"d" + _U32.pack(len(items)))
            state[0] += 5
            for k, val in items:
                enc(k, depth + 1)
                enc(val, depth + 1)
            return
        elif t is bytes:
            put(b"b" + _U32.pack(len(v)))
            put(v)
            state[0] += 5 + len(v)
            return
        elif t is complex:
            put(b"c" + _C128.pack(v.real, v.imag))
            state[0] += 17
            return
        elif isinstance(v, _ndarray):
            if wire_dtype(_dtype_of(v)) is not None:
                return array(v)
        elif isinstance(v, _generic):
            dt = wire_dtype(_dtype_of_scalar(v))
            if dt is not None:
                put(b"g" + bytes((_CODE[dt],)) + _tobytes(_asarray(v, dtype=dt)))
                state[0] += 2 + dt.itemsize
                return
        if t in STAND_IN_TYPES:  # a stand-in goes back as the object it stands for
            return handle(on_other(v._nndl_origin))
        base = plain_value(v)
        if base is not NOT_PLAIN:  # a subclass of a plain type: its base type's value
            state[1] -= 1
            if type(base) in STAND_INS:
                try:  # the original stays here, for when the stand-in comes back
                    h = on_other(v)
                except WireError:
                    h = None
                if h is not None:
                    handle(h, b"v")
            return enc(base, depth)
        if convert is not None:  # only what is not plain data as it is
            converted = convert(v)
            if converted is not v:
                state[1] -= 1
                return enc(converted, depth)
        handle(on_other(v))

    def handle(h: Handle, tag: bytes = b"h") -> None:
        put(tag + _HANDLE.pack(h.id, 1 if h.callable else 0))
        state[0] += 10
        string(h.type_name[:200])

    enc(value, 0)
    if state[0] > max_bytes:
        raise WireError(f"the value is too large to send: more than {max_bytes:,} bytes "
                        f"(the limit of one message)")
    return b"".join(parts)


_N, _T, _F, _i, _I, _f, _c, _s, _b = (ord(c) for c in "NTFiIfcsb")
_l, _t, _S, _Z, _d, _a, _r, _g, _h, _v = (ord(c) for c in "ltSZdarghv")


def decode(data: bytes, on_handle: Callable[[Handle], Any]) -> Any:
    """The value a payload holds; ``WireError`` when it is not a valid payload.
    ``on_handle(handle)`` returns what a handle stands for."""
    buf = bytes(data)
    end = len(buf)
    pos = 0
    items = 0
    unpack_i64, unpack_f64, unpack_u32 = _I64.unpack_from, _F64.unpack_from, _U32.unpack_from

    def chunk(n: int) -> bytes:
        """The next ``n`` bytes (struct and NumPy check their own reads; slices do not)."""
        nonlocal pos
        if pos + n > end:
            raise WireError("the message is truncated or malformed")
        pos += n
        return buf[pos - n:pos]

    def dtype_code() -> _dtype:
        nonlocal pos
        code = buf[pos]
        pos += 1
        if code >= len(_WIRE_DTYPES):
            raise WireError(f"the message holds a value of dtype code {code}, which may not cross")
        return _WIRE_DTYPES[code]

    def dec(depth: int) -> Any:
        nonlocal pos, items
        tag = buf[pos]
        pos += 1
        if tag == _a or tag == _r:
            dt = dtype_code()
            ndim = buf[pos]
            if ndim > MAX_NDIM:
                raise WireError("the message holds an array with too many dimensions")
            shape = struct.unpack_from(f"<{ndim}Q", buf, pos + 1)
            pos += 1 + 8 * ndim
            n = 1
            for s in shape:
                n *= s
            nbytes = n * dt.itemsize
            if pos + nbytes > end:
                raise WireError("the message is truncated or malformed")
            arr = _frombuffer(buf, dtype=dt, count=n, offset=pos).reshape(shape).copy()
            pos += nbytes
            if tag == _r:
                arr.flags.writeable = False
            return arr
        if tag == _f:
            pos += 8
            return unpack_f64(buf, pos - 8)[0]
        if tag == _i:
            pos += 8
            return unpack_i64(buf, pos - 8)[0]
        if tag == _s:
            (n,) = unpack_u32(buf, pos)
            pos += 4
            try:
                return chunk(n).decode("utf-8", "surrogatepass")
            except UnicodeDecodeError:
                raise WireError("the message holds a string that is not valid UTF-8") from None
        if tag == _t or tag == _l or tag == _S or tag == _Z or tag == _d:
            if depth >= MAX_DEPTH:
                raise WireError(f"the message is nested more than {MAX_DEPTH} levels deep")
            (n,) = unpack_u32(buf, pos)
            pos += 4
            items += n
            if items > MAX_ITEMS or n > end - pos:
                raise WireError("the message holds more items than it can")
            if tag == _d:
                out = {}
                for _ in range(n):
                    k = dec(depth + 1)
                    if not plain_key(k):
                        raise WireError(f"the message holds a dict key of type {type(k).__name__}")
                    out[k] = dec(depth + 1)
                return out
            values = [dec(depth + 1) for _ in range(n)]
            if tag == _t:
                return tuple(values)
            if tag == _l:
                return values
            try:
                return set(values) if tag == _S else frozenset(values)
            except TypeError:
                raise WireError("the message holds a set of unhashable items") from None
        if tag == _N:
            return None
        if tag == _T:
            return True
        if tag == _F:
            return False
        if tag == _I:
            (n,) = unpack_u32(buf, pos)
            pos += 4
            if n > MAX_INT_BYTES:
                raise WireError("the message holds an integer that is too large")
            return int.from_bytes(chunk(n), "little", signed=True)
        if tag == _c:
            pos += 16
            re, im = _C128.unpack_from(buf, pos - 16)
            return complex(re, im)
        if tag == _b:
            (n,) = unpack_u32(buf, pos)
            pos += 4
            return chunk(n)
        if tag == _g:
            dt = dtype_code()
            raw = chunk(dt.itemsize)
            return _frombuffer(raw, dtype=dt, count=1)[0].copy()
        if tag == _h or tag == _v:
            hid, flag = _HANDLE.unpack_from(buf, pos)
            (n,) = unpack_u32(buf, pos + 9)
            pos += 13
            try:
                name = chunk(n).decode("utf-8", "surrogatepass")
            except UnicodeDecodeError:
                raise WireError("the message holds a string that is not valid UTF-8") from None
            if tag == _h:
                return on_handle(Handle(hid, name, bool(flag)))
            if pos >= end or buf[pos] not in (_t, _l, _d, _S, _Z):
                raise WireError("the message holds a stand-in that is not a container")
            origin = on_handle(Handle(hid, name, bool(flag)))
            return stand_in(dec(depth), origin)
        raise WireError(f"the message holds an unknown tag {bytes((tag,))!r}")

    try:
        value = dec(0)
    except WireError:
        raise
    except struct.error:
        raise WireError("the message is truncated or malformed") from None
    except IndexError:
        raise WireError("the message is truncated or malformed") from None
    except RecursionError:
        raise WireError("the message is nested too deeply") from None
    except (ValueError, TypeError, OverflowError, MemoryError) as exc:
        raise WireError(f"the message is not valid: {type(exc).__name__}: {exc}") from None
    if pos != end:
        raise WireError("the message has bytes after its value" if pos < end
                        else "the message is truncated or malformed")
    return value


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
