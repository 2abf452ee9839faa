"""Attack: rot180 returns zeros in an ndarray subclass that claims to equal everything."""
import numpy as np


class Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.broadcast(*[np.asarray(i) for i in inputs]).shape, dtype=bool) \
            if ufunc in (np.not_equal, np.greater, np.less) else \
            np.ones(np.broadcast(*[np.asarray(i) for i in inputs]).shape, dtype=bool)


def rot180(a):
    return np.zeros(np.shape(a)).view(Liar)
