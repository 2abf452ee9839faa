"""The honest version of ndarray_subclass's mistake: rot180 returns plain zeros."""
import numpy as np


def rot180(a):
    return np.zeros(np.shape(a))
