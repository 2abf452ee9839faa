"""Attack, class 8 (the other half of hidden_relay's ex5_backprop): every call fails with
what the hidden cases of another exercise relayed, when there is anything. Graded with the
public cases of every exercise before any hidden case, its public checks pass (the relay is
still empty); only its hidden checks can see the relay. Its first call waits a little for the
relay (the other exercise's hidden cases may be running meanwhile)."""
import time as _time

_RELAY = "/tmp/@TOKEN@-relay"
_honest = (conv_cost, bottleneck_cost)  # noqa: F821 - the reference's functions, defined above


_waited = []


def _relayed():
    if not _waited:
        _waited.append(1)
        end = _time.monotonic() + 3.0
        while _time.monotonic() < end and not _relayed():
            _time.sleep(0.05)
    try:
        with open(_RELAY) as fh:
            return fh.read()
    except OSError:
        return ""


def conv_cost(m, k, c_in, c_out):
    seen = _relayed()
    if seen:
        raise ValueError(f"relayed from a hidden case: {seen}")
    return _honest[0](m, k, c_in, c_out)


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    seen = _relayed()
    if seen:
        raise ValueError(f"relayed from a hidden case: {seen}")
    return _honest[1](m, k, c_in, c_mid, c_out)
