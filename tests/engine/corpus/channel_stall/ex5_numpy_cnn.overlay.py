"""Attack, class 3: the channel's fd is in sys.argv and the worker's codec is importable.
In the first training step, Conv2D.forward writes forged replies (plausible arrays) for
itself and the next call onto the channel and then sleeps without ever reading: the grader,
believing two calls answered, sends ReLU.forward and MaxPooling.forward their 131 KB inputs
and, with no deadline on sending, blocks for as long as the student likes. The grader must
end this worker and fail the training check with a message; every other check still scores
(27/30)."""
import os as _os
import sys as _sys
import time as _time

_forged = [False]
_honest_forward = Conv2D.forward  # noqa: F821 - the reference's class, defined above


def _forge(self, x):
    out = _honest_forward(self, x)
    if not _forged[0] and x.shape[0] == 32 and "--fd" in _sys.argv:
        _forged[0] = True
        wire = _sys.modules["wire"]
        fd = int(_sys.argv[_sys.argv.index("--fd") + 1])
        frame = wire.frame(wire.encode(("ok", out * 0.0), wire.no_handles))
        _os.write(fd, frame + frame)  # this call's reply and the next one's
        while True:
            _time.sleep(3600)
    return out


Conv2D.forward = _forge  # noqa: F821
