"""Independent, deliberately naive oracles for hidden checks: explicit loops, no tricks.

Hidden checks compute expected values with these; public checks never import this module
(it does not ship in the student handout). Cross-correlation throughout, as the book's ⊗.
"""

from __future__ import annotations

import copy

import numpy as np


def xcorr2d(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    """Valid cross-correlation of one channel: (H, W) ⊗ (U, V) -> ((H-U)//s+1, (W-V)//s+1)."""
    (h, wd), (u, v) = x.shape, w.shape
    ho, wo = (h - u) // stride + 1, (wd - v) // stride + 1
    out = np.zeros((ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[i, j] = np.sum(w * x[i * stride:i * stride + u, j * stride:j * stride + v])
    return out


def conv2d(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1, pad: int = 0) -> np.ndarray:
    """NCHW convolution layer: x (N, C, H, W), w (F, C, K, K), b (F,) -> (N, F, Ho, Wo)."""
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for i in range(n):
        for j in range(f):
            for p in range(ho):
                for q in range(wo):
                    win = xp[i, :, p * stride:p * stride + k, q * stride:q * stride + k]
                    out[i, j, p, q] = np.sum(win * w[j]) + b[j]
    return out


def pool2d(x: np.ndarray, mode: str, size: int, stride: int) -> np.ndarray:
    """NCHW pooling, "max" or "avg"; a remainder no window covers is dropped."""
    n, c, h, wd = x.shape
    ho, wo = (h - size) // stride + 1, (wd - size) // stride + 1
    reduce = {"max": np.max, "avg": np.mean}[mode]
    out = np.zeros((n, c, ho, wo))
    for p in range(ho):
        for q in range(wo):
            out[:, :, p, q] = reduce(
                x[:, :, p * stride:p * stride + size, q * stride:q * stride + size], axis=(2, 3))
    return out


def xcorr2d_matrix(w: np.ndarray, in_shape: tuple, stride: int = 1) -> np.ndarray:
    """The matrix C of the linear map x -> xcorr2d(x, w, stride), both raveled row-major.

    Built from the definition, one basis image at a time: column k of C is the response to
    the image that is 1 at raveled position k and 0 elsewhere. Shape (Ho*Wo, H*W).
    """
    h, wd = in_shape
    columns = []
    for k in range(h * wd):
        e = np.zeros(h * wd)
        e[k] = 1.0
        columns.append(xcorr2d(e.reshape(h, wd), w, stride).ravel())
    return np.stack(columns, axis=1)


def conv2d_by_pixel(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int = 1,
                    pad: int = 0) -> np.ndarray:
    """``conv2d`` with one explicit loop over the output pixels only (batch and channels
    are summed by ``np.einsum`` at each pixel): the same definition, several times faster,
    for numerical gradients, which call it twice per input element.
    """
    n, c, h, wd = x.shape
    f, _, k, _ = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = (h + 2 * pad - k) // stride + 1, (wd + 2 * pad - k) // stride + 1
    out = np.zeros((n, f, ho, wo))
    for p in range(ho):
        for q in range(wo):
            win = xp[:, :, p * stride:p * stride + k, q * stride:q * stride + k]
            out[:, :, p, q] = np.einsum("ncuv,fcuv->nf", win, w) + b
    return out


_MEMO: dict = {}


def memo(key: tuple, compute):
    """``compute()``, run once per process for ``key``; every call returns a deep copy.

    For expected values that depend only on a check's fixed seeds, such as numerical
    gradients of an oracle, which are the costly part of a hidden check: grading many
    submissions (or the test suite) then pays for them once. ``key`` must name everything
    the value depends on, starting with the exercise id: (exercise, case, seed, config, ...).
    """
    if key not in _MEMO:
        _MEMO[key] = compute()
    return copy.deepcopy(_MEMO[key])
