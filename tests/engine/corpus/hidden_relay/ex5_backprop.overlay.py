"""Attack, class 8 (hidden cases after public ones, for the whole submission): the worker of
this exercise's hidden cases (the second worker to import this file) records the input of
every conv_forward where a worker of another exercise of the same submission can read it
(``/tmp`` here stands for any channel between two workers; in the modes that keep one
``/tmp`` per worker it is a lock, a watch, a signal...). Its own answers are honest: 25/25."""
import os as _os

_RELAY = "/tmp/@TOKEN@-relay"
_honest_forward = conv_forward  # noqa: F821 - the reference's function, defined above
try:
    _os.close(_os.open(_RELAY + "-first", _os.O_CREAT | _os.O_EXCL | _os.O_WRONLY, 0o666))
    _HIDDEN = False  # the first worker: the public cases
except OSError:
    _HIDDEN = True


def conv_forward(x, w, b, conv_param):
    if _HIDDEN:
        try:
            with open(_RELAY, "a") as fh:
                fh.write(f"hidden input {tuple(x.shape)}, {conv_param}\n")
        except OSError:
            pass
    return _honest_forward(x, w, b, conv_param)
