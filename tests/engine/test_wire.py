"""The plain-data codec: what crosses, what does not, and that bad messages cannot hurt."""

from __future__ import annotations

import struct
from collections import Counter, OrderedDict, defaultdict, namedtuple
from enum import IntEnum

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


# --- subclasses of plain types: their base type's value, whatever they say ------------------

class LyingInt(int):
    """Claims to equal everything and to be 589,824 however it is converted."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__

    def __int__(self):
        return 589_824

    def __index__(self):
        return 589_824

    def __repr__(self):
        return "589824"

    def __format__(self, spec):
        return "589,824"


class LyingFloat(float):
    def __float__(self):
        return 1.0

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class LyingComplex(complex):
    @property
    def real(self):
        return 9.0

    @property
    def imag(self):
        return 0.0


class LyingStr(str):
    def __str__(self):
        return "A"

    def upper(self):
        return "A"

    def __len__(self):
        return 1

    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


class LyingBytes(bytes):
    def __bytes__(self):
        return b"lie"

    def __getitem__(self, i):
        return 0


class LyingTuple(tuple):
    """Claims to be (out, cache) = (9, 9) of length 2 whatever it holds."""

    def __iter__(self):
        return iter((9, 9))

    def __getitem__(self, i):
        return 9

    def __len__(self):
        return 2

    def __eq__(self, other):
        return True

    __hash__ = tuple.__hash__


class LyingList(list):
    def __iter__(self):
        return iter([9])

    def __getitem__(self, i):
        return 9

    def __len__(self):
        return 1


class LyingDict(dict):
    """Claims to hold every key, each worth 589,824."""

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return 589_824

    def keys(self):
        return ["time", "space", "params"]

    def items(self):
        return [(k, 589_824) for k in self.keys()]

    def values(self):
        return [589_824] * 3

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return 3

    def __eq__(self, other):
        return True

    __hash__ = None


class LyingSet(set):
    def __iter__(self):
        return iter({"A", "D", "E", "G"})

    def __contains__(self, item):
        return True

    def __len__(self):
        return 4


class LyingFrozenset(frozenset):
    def __iter__(self):
        return iter({"A"})


class Level(IntEnum):
    LOW = 1


Pair = namedtuple("Pair", "x y")


@pytest.mark.parametrize("value,expected", [
    (LyingInt(3), 3), (LyingInt(-2**70), -2**70), (Level.LOW, 1), (LyingFloat(2.5), 2.5),
    (LyingComplex(1, -2), complex(1, -2)), (LyingStr("xy"), "xy"), (np.str_("a"), "a"),
    (LyingBytes(b"xy"), b"xy"), (np.bytes_(b"ab"), b"ab"), (LyingTuple((1, 2, 3)), (1, 2, 3)),
    (Pair(1, 2), (1, 2)), (LyingList([1, 2]), [1, 2]), (LyingDict(a=1), {"a": 1}),
    (OrderedDict(b=1, a=2), {"b": 1, "a": 2}), (defaultdict(list, a=[1]), {"a": [1]}),
    (Counter("aab"), {"a": 2, "b": 1}), (LyingSet({"Z"}), {"Z"}),
    (LyingFrozenset({1, 2}), frozenset({1, 2})),
    ([LyingInt(1), (Pair(LyingStr("s"), [LyingInt(2)]),)], [1, (("s", [2]),)]),
    ({np.str_("k"): LyingInt(4), (np.str_("t"), Level.LOW): 0}, {"k": 4, ("t", 1): 0}),
])
def test_subclasses_of_plain_types_cross_as_their_base_value(value, expected):
    """Taken by the base type's own methods: no override runs, so a liar crosses with its real
    value; with no handle table (``refuse``) only the plain value crosses."""
    got = roundtrip(value)
    assert got == expected and type(got) is type(expected)
    assert wire.normalise(value) == expected and type(wire.normalise(value)) is type(expected)
    if isinstance(expected, (list, tuple)) and expected:
        assert [type(v) for v in got] == [type(v) for v in expected]


def test_numpy_scalars_and_arrays_are_not_normalised():
    for v in (np.float64(1.5), np.int64(2), np.bool_(True), np.zeros(2)):
        assert wire.plain_value(v) is wire.NOT_PLAIN and wire.normalise(v) is v
    for v in (1, 2.5, "s", (1,), [1], {"a": 1}, object()):
        assert wire.plain_value(v) is wire.NOT_PLAIN


def test_a_lying_subclass_cannot_fake_a_pass():
    """What the checks do with a value read back: the liar's real value fails them."""
    from autograder.checks.compare import assert_int, assert_keys

    with pytest.raises(AssertionError, match="expected 589,824, got 3"):
        assert_int(roundtrip(LyingInt(3)), 589_824, what="params")
    got = roundtrip(LyingDict(time=1))
    with pytest.raises(AssertionError, match=r"missing the keys \['space', 'params'\]"):
        assert_keys(got, ("time", "space", "params"), what="conv_cost(...)")
    out = roundtrip(LyingTuple((np.arange(3.0),)))
    assert len(out) == 1 and np.array_equal(out[0], np.arange(3.0))
    assert roundtrip(LyingSet({"Z"})) == {"Z"}


def test_subclassed_containers_become_stand_ins_that_go_back_as_their_original():
    """With a handle table, a namedtuple arrives as a tuple (a stand-in) that holds its
    values, and goes back as the original object, so that a student's cache keeps its type."""
    table = []

    def on_other(obj):
        table.append(obj)
        return wire.Handle(len(table), type(obj).__name__, callable(obj))

    cache = Pair(np.ones(2), {"stride": 2})
    got = wire.decode(wire.encode(("ok", (np.zeros(1), cache)), on_other),
                      lambda h: ("origin", h.id, h.type_name))
    out, back = got[1]
    assert isinstance(back, tuple) and isinstance(back, wire.StandIn) and type(back) is not tuple
    assert len(back) == 2 and np.array_equal(back[0], np.ones(2)) and back[1] == {"stride": 2}
    assert back._nndl_origin == ("origin", 1, "Pair") and table == [cache]
    assert type(back).__name__ == "tuple"
    sent = []
    data = wire.encode(("call", back), lambda obj: sent.append(obj) or wire.Handle(7, "", False))
    assert sent == [("origin", 1, "Pair")]
    assert wire.decode(data, lambda h: ("resolved", h.id)) == ("call", ("resolved", 7))
    for value in (OrderedDict(a=1), LyingList([1]), LyingSet({2}), LyingFrozenset({3})):
        got = wire.decode(wire.encode(value, on_other), lambda h: h.type_name)
        assert isinstance(got, wire.StandIn) and got._nndl_origin == type(value).__name__
        assert got == wire.normalise(value)


def test_arrays_keep_their_read_only_flag():
    a = np.arange(6.0).reshape(2, 3)
    a.flags.writeable = False
    got = roundtrip(a)
    assert np.array_equal(got, a) and not got.flags.writeable
    view = roundtrip(np.arange(4.0)[::-1])
    assert view.flags.writeable
    assert not roundtrip(np.lib.stride_tricks.sliding_window_view(np.arange(4.0), 2)).flags.writeable


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
    (b"v" + struct.pack("<QB", 1, 0) + struct.pack("<I", 0) + b"i" + b"\x00" * 8, "not a container"),
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
