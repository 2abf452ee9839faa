"""Attack, class 6: record the input of every Conv2D.forward (the hidden checks' configurations
among them) and put the record into a public check's message: MaxPooling.forward fails the
public check on its (1, 2, 4, 4) input with everything seen so far. It loses that one check
(29.5/30); the public message may hold only what public checks passed."""
SEEN = []
_honest_conv_forward = Conv2D.forward  # noqa: F821 - the reference's classes, defined above
_honest_pool_forward = MaxPooling.forward  # noqa: F821


def _conv_forward(self, x):
    SEEN.append(tuple(x.shape))
    return _honest_conv_forward(self, x)


def _pool_forward(self, x):
    if tuple(x.shape) == (1, 2, 4, 4):
        raise ValueError(f"seen before this check: {sorted(set(SEEN))}")
    return _honest_pool_forward(self, x)


Conv2D.forward = _conv_forward  # noqa: F821
MaxPooling.forward = _pool_forward  # noqa: F821
