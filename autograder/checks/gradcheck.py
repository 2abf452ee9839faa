"""Numerical gradients and relative error: the one helper every gradient check imports.

Centred differences in float64, ``(f(x + h) - f(x - h)) / (2h)``, with ``h = H``. A
backward pass is right when ``rel_error(analytic, numeric) <= GRAD_REL_ERROR``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

H = 1e-5
"""Step of the centred difference."""

GRAD_REL_ERROR = 1e-7
"""Largest relative error between an analytic and a numerical gradient that passes."""


def rel_error(a, b) -> float:
    """Relative error ``|a - b| / (|a| + |b|)`` in the Euclidean norm; 0 when both are 0.

    The norm over the whole array (not element by element) keeps gradients that are zero or
    tiny at a few positions from dominating the figure.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error needs equal shapes, got {a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    if denom == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / denom)


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = H) -> np.ndarray:
    """Gradient of the scalar ``f()`` with respect to ``x``, which ``f`` reads and which is
    perturbed in place, one element at a time, and restored.
    """
    if x.dtype != np.float64:
        raise ValueError(f"numerical_gradient needs a float64 array, got {x.dtype}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = float(f())
        x[i] = old - h
        fm = float(f())
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
        it.iternext()
    return grad


def numerical_gradient_array(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                             dout: np.ndarray, h: float = H) -> np.ndarray:
    """Gradient of ``sum(f(x) * dout)`` with respect to ``x``: what a backward pass that
    receives ``dout`` must return. ``f`` takes the (perturbed) array and returns an array.
    """
    x = np.array(x, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    return numerical_gradient(lambda: float(np.sum(np.asarray(f(x), dtype=np.float64) * dout)), x, h)


def distinct_values(shape, rng: np.random.Generator, gap: float = 1e-2) -> np.ndarray:
    """A float64 array of ``shape`` whose values are pairwise at least ``gap`` apart.

    Max-pooling is only differentiable where no two values of a window are within ``H``
    of each other; ``gap`` is far larger than ``H``, so the numerical gradient is exact.
    """
    n = int(np.prod(shape))
    if gap <= 2 * H:
        raise ValueError(f"gap must exceed 2*H = {2 * H}, got {gap}")
    values = (rng.permutation(n) - n / 2) * gap
    return values.reshape(shape).astype(np.float64)
