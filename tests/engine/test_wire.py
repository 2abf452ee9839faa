"""The plain-data codec: what crosses, what does not, and that bad messages cannot hurt."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from autograder.engine import wire


def refuse(obj):
    raise wire.WireError(f"not plain: {type(obj).__name__}")


def no_handles(h):
    raise AssertionError("no handle expected")


def roundtrip(value):
    return wire.decode(wire.encode(value, refuse), no_handles)


@pytest.mark.parametrize("value", [
    None, True, False, 0, -1, 2**63 - 1, -2**63, 2**200, -(3**150), 1.5, float("inf"), -0.0,
    complex(1, -2), "", "héllo 卷积", "\udc80", b"\x00\xff", [], (), {}, set(), frozenset(),
    [1, (2.0, "x"), {"a": [None]}], {1: "one", "two": 2, (3, "x"): {4}, None: 0.5},
    {frozenset({1, 2}), (1, 2)},
])
def test_plain_values_round_trip(value):
    got = roundtrip(value)
    assert got == value and type(got) is type(value)


def test_nan_crosses_as_nan():
    assert np.isnan(roundtrip(float("nan")))


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int8", "int16", "int32",
                                   "int64", "uint8", "uint64", "bool", "complex128", "complex64",
                                   ">f8", ">i4"])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 2, 3, 4)])
def test_arrays_round_trip(dtype, shape):
    a = (np.arange(int(np.prod(shape))) % 5).reshape(shape).astype(dtype)
    got = roundtrip(a)
    assert type(got) is np.ndarray and got.shape == a.shape
    assert got.dtype == a.dtype.newbyteorder("=")
    assert np.array_equal(got, a) and got.flags.writeable and got.flags.c_contiguous


def test_non_contiguous_and_subclass_arrays_cross_as_plain_arrays():
    a = np.arange(24.0).reshape(4, 6)[::2, ::-3]
    assert np.array_equal(roundtrip(a), a)

    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    got = roundtrip(np.zeros(3).view(Liar))
    assert type(got) is np.ndarray and (got == 1).sum() == 0


def test_numpy_scalars_keep_their_type():
    for v in (np.float64(1.5), np.int64(-7), np.bool_(True), np.float32(2.5), np.uint8(255)):
        got = roundtrip(v)
        assert type(got) is type(v) and got == v


def test_objects_become_handles():
    class Thing:
        pass

    seen = []

    def on_other(obj):
        seen.append(obj)
        return wire.Handle(len(seen), type(obj).__name__, callable(obj))

    data = wire.encode([Thing(), len, np.array([object()], dtype=object), (1, Thing)], on_other)
    got = wire.decode(data, lambda h: ("handle", h.id, h.type_name, h.callable))
    assert got[0] == ("handle", 1, "Thing", False)
    assert got[1] == ("handle", 2, "builtin_function_or_method", True)
    assert got[2][2] == "ndarray"
    assert got[3] == (1, ("handle", 4, "type", True))


def test_subclasses_of_plain_types_are_not_plain():
    class Evil(int):
        def __eq__(self, other):
            return True

    class MyDict(dict):
        pass

    for v in (Evil(3), MyDict(a=1)):
        with pytest.raises(wire.WireError):
            wire.encode(v, refuse)


def test_plain_data_only_messages_refuse_objects_and_handles():
    msg = ("ready", {"uid": 65534, "numpy": "2.0"})
    assert wire.decode(wire.encode(msg, wire.no_handles), wire.no_handles) == msg
    with pytest.raises(wire.WireError, match="only plain data, not object"):
        wire.encode(("x", object()), wire.no_handles)
    with_handle = wire.encode(["x", object()], lambda obj: wire.Handle(7, "Layer", False))
    with pytest.raises(wire.WireError, match="only plain data, not a handle"):
        wire.decode(with_handle, wire.no_handles)


def test_dict_keys_must_be_plain():
    with pytest.raises(wire.WireError, match="dict key of type"):
        wire.encode({object(): 1}, refuse)


def test_size_limits():
    with pytest.raises(wire.WireError, match="too large to send"):
        wire.encode(np.zeros(1000), refuse, max_bytes=1000)
    with pytest.raises(wire.WireError, match="too large"):
        wire.encode(2**(8 * wire.MAX_INT_BYTES + 8), refuse)
    deep: list = []
    for _ in range(wire.MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(wire.WireError, match="nested"):
        wire.encode(deep, refuse)


@pytest.mark.parametrize("payload,why", [
    (b"", "truncated"),
    (b"q", "unknown tag"),
    (b"i\x00", "truncated"),
    (b"N\x00", "bytes after"),
    (b"l" + struct.pack("<I", 10**9), "more items"),
    (b"s" + struct.pack("<I", 2) + b"\xff\xfe", "UTF-8"),
    (b"a" + bytes([200, 1]) + struct.pack("<Q", 1) + b"\x00" * 8, "may not cross"),
    (b"a" + bytes([11, 1]) + struct.pack("<Q", 5) + b"\x00" * 8, "truncated"),
    (b"a" + bytes([11, 40]) + struct.pack("<Q", 1) * 40 + b"\x00" * 8, "too many dimensions"),
    (b"a" + bytes([11, 2]) + struct.pack("<Q", 0) + struct.pack("<Q", 2**62), "not valid"),
    (b"g" + bytes([11]) + b"\x00" * 4, "truncated"),
    (b"h" + struct.pack("<QB", 1, 0) + struct.pack("<I", 50) + b"x", "truncated"),
    (b"S" + struct.pack("<I", 1) + b"l" + struct.pack("<I", 0), "unhashable"),
    (b"d" + struct.pack("<I", 1) + b"l" + struct.pack("<I", 0) + b"N", "dict key"),
    (b"I" + struct.pack("<I", 10**6), "too large"),
])
def test_malformed_messages_are_rejected(payload, why):
    with pytest.raises(wire.WireError, match=why):
        wire.decode(payload, no_handles)


def test_frame_limits():
    assert wire.header_length(wire.frame(b"abc")[:4]) == 3
    with pytest.raises(wire.WireError, match="announced a message"):
        wire.header_length(struct.pack("<I", wire.MAX_MESSAGE + 1))
