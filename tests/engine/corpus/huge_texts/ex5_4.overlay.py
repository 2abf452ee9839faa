"""Attack, class 9 (what a worker sends is trusted for size): every text a worker sends, each
4 MB. ``conv_cost`` raises, in turn, an exception with a huge message, one of a class with a
huge name, one from a function with a huge name, one whose ``str`` is huge, one with huge
notes and a huge cause, a ``KeyError`` of a huge key, an ``OSError`` of a huge file name, an
exception group; each call prints 4 MB too. A global and a class have huge names.
``bottleneck_cost`` is honest: 5/10, and the student's record stays under a few MB."""
_MB4 = 4 * 2**20
_honest_conv = conv_cost  # noqa: F821 - the reference's function, defined above
_calls = [0]

globals()["g" * _MB4] = 1
Huge = type("H" * _MB4, (object,), {})
huge_instance = Huge()


def _named(name):
    def f():
        raise RuntimeError("raised in a function with a huge name")
    f.__code__ = f.__code__.replace(co_name=name, co_qualname=name) \
        if hasattr(f.__code__, "co_qualname") else f.__code__.replace(co_name=name)
    return f


class _HugeStr(Exception):
    def __str__(self):
        return "s" * _MB4


def _raise(kind):
    if kind == 0:
        raise ValueError("v" * _MB4)
    if kind == 1:
        raise type("T" * _MB4, (ValueError,), {})("a class with a huge name")
    if kind == 2:
        _named("f" * _MB4)()
    if kind == 3:
        raise _HugeStr()
    if kind == 4:
        err = ValueError("with notes")
        if hasattr(err, "add_note"):
            err.add_note("n" * _MB4)
        raise err from RuntimeError("c" * _MB4)
    if kind == 5:
        raise KeyError("k" * _MB4)
    if kind == 6:
        raise OSError(2, "e" * _MB4, "p" * _MB4)
    group = globals().get("ExceptionGroup")
    if group is not None:
        raise group("g" * _MB4, [ValueError("x" * _MB4)])
    raise ArithmeticError("a" * _MB4)


def conv_cost(m, k, c_in, c_out):
    print("p" * _MB4)
    _calls[0] += 1
    _raise(_calls[0] % 8)


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    reduce, conv = _honest_conv(m, 1, c_in, c_mid), _honest_conv(m, k, c_mid, c_out)
    return {key: reduce[key] + conv[key] for key in ("time", "space", "params")}
