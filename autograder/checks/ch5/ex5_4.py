"""Checks for exercise 5-4 (time and space complexity), Otter exception format.

Each check grades one quantity of one function, so that partial credit follows what is
wrong: an answer that counts the biases in ``params`` loses the ``params`` checks only.
Public checks use the book's case; hidden checks use random layers from fixed seeds. The
checks of conv_cost come first: under the grader, a bottleneck_cost that never returns
uses up the exercise's time after conv_cost has been graded.
"""

import numpy as np

from autograder.checks.cases import check
from autograder.checks.compare import assert_int, assert_keys

OK_FORMAT = False

name = "ex5_4"

BOOK_CONV = ((100, 3, 256, 256), {"time": 5_898_240_000, "space": 2_560_000, "params": 589_824})
BOOK_BOTTLENECK = ((100, 3, 256, 64, 256),
                   {"time": 1_638_400_000, "space": 3_200_000, "params": 163_840})

MEANING = {"time": "multiplications", "space": "elements of the output feature maps",
           "params": "kernel weights, no biases"}


def _call(fn_name, args):
    return f"{fn_name}({', '.join(map(str, args))})"


def _check_one(fn, fn_name, args, key, expected):
    """``fn(*args)[key]`` must be the int ``expected``; only that key is read."""
    call = _call(fn_name, args)
    got = assert_keys(fn(*args), (key,), what=call)
    assert_int(got[key], expected, what=f'{call}["{key}"] ({MEANING[key]})')


def _conv_expected(m, k, c_in, c_out):
    return {"time": m * m * k * k * c_in * c_out, "space": m * m * c_out,
            "params": k * k * c_in * c_out}


def _bottleneck_expected(m, k, c_in, c_mid, c_out):
    return {"time": m * m * (c_in * c_mid + k * k * c_mid * c_out),
            "space": m * m * (c_mid + c_out),
            "params": c_in * c_mid + k * k * c_mid * c_out}


def _random_layers(seed, n=6):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield (int(rng.integers(1, 65)), int(rng.choice([1, 3, 5, 7])),
               int(rng.integers(1, 513)), int(rng.integers(1, 129)), int(rng.integers(1, 513)))


def _conv_book(conv_cost, key):
    args, expected = BOOK_CONV
    _check_one(conv_cost, "conv_cost", args, key, expected[key])


def _bottleneck_book(bottleneck_cost, key):
    args, expected = BOOK_BOTTLENECK
    _check_one(bottleneck_cost, "bottleneck_cost", args, key, expected[key])


def _conv_random(conv_cost, seed, key):
    for m, k, c_in, _, c_out in _random_layers(seed):
        _check_one(conv_cost, "conv_cost", (m, k, c_in, c_out), key,
                   _conv_expected(m, k, c_in, c_out)[key])


def _bottleneck_random(bottleneck_cost, seed, key):
    for args in _random_layers(seed):
        _check_one(bottleneck_cost, "bottleneck_cost", args, key, _bottleneck_expected(*args)[key])


@check(points=1)
def test_conv_cost_time_book(conv_cost):
    _conv_book(conv_cost, "time")


@check(points=0.5)
def test_conv_cost_space_book(conv_cost):
    _conv_book(conv_cost, "space")


@check(points=0.5)
def test_conv_cost_params_book(conv_cost):
    _conv_book(conv_cost, "params")


@check(points=1, hidden=True)
def test_conv_cost_time_random(conv_cost):
    _conv_random(conv_cost, 5402, "time")


@check(points=1, hidden=True)
def test_conv_cost_space_random(conv_cost):
    _conv_random(conv_cost, 5402, "space")


@check(points=1, hidden=True)
def test_conv_cost_params_random(conv_cost):
    _conv_random(conv_cost, 5402, "params")


@check(points=1)
def test_bottleneck_cost_time_book(bottleneck_cost):
    _bottleneck_book(bottleneck_cost, "time")


@check(points=0.5)
def test_bottleneck_cost_space_book(bottleneck_cost):
    _bottleneck_book(bottleneck_cost, "space")


@check(points=0.5)
def test_bottleneck_cost_params_book(bottleneck_cost):
    _bottleneck_book(bottleneck_cost, "params")


@check(points=1, hidden=True)
def test_bottleneck_cost_time_random(bottleneck_cost):
    _bottleneck_random(bottleneck_cost, 5403, "time")


@check(points=1, hidden=True)
def test_bottleneck_cost_space_random(bottleneck_cost):
    _bottleneck_random(bottleneck_cost, 5403, "space")


@check(points=1, hidden=True)
def test_bottleneck_cost_params_random(bottleneck_cost):
    _bottleneck_random(bottleneck_cost, 5403, "params")
