"""Checks for exercise 5-4 (time and space complexity), Otter exception format."""

import numpy as np

from autograder.checks.cases import check
from autograder.checks.compare import assert_int, assert_keys

OK_FORMAT = False

name = "ex5_4"

KEYS = ("time", "space", "params")


def _check_cost(got, expected, call):
    got = assert_keys(got, KEYS, what=call)
    for key in KEYS:
        assert_int(got[key], expected[key], what=f'{call}["{key}"]')


@check(points=2)
def test_conv_cost_book(conv_cost):
    _check_cost(conv_cost(100, 3, 256, 256),
                {"time": 5_898_240_000, "space": 2_560_000, "params": 589_824},
                "conv_cost(100, 3, 256, 256)")


@check(points=2)
def test_bottleneck_cost_book(bottleneck_cost):
    _check_cost(bottleneck_cost(100, 3, 256, 64, 256),
                {"time": 1_638_400_000, "space": 3_200_000, "params": 163_840},
                "bottleneck_cost(100, 3, 256, 64, 256)")


def _random_layers(seed, n=6):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield (int(rng.integers(1, 65)), int(rng.choice([1, 3, 5, 7])),
               int(rng.integers(1, 513)), int(rng.integers(1, 129)), int(rng.integers(1, 513)))


@check(points=3, hidden=True)
def test_conv_cost_random(conv_cost):
    for m, k, c_in, _, c_out in _random_layers(5402):
        _check_cost(conv_cost(m, k, c_in, c_out),
                    {"time": m * m * k * k * c_in * c_out, "space": m * m * c_out,
                     "params": k * k * c_in * c_out},
                    f"conv_cost({m}, {k}, {c_in}, {c_out})")


@check(points=3, hidden=True)
def test_bottleneck_cost_random(bottleneck_cost):
    for m, k, c_in, c_mid, c_out in _random_layers(5403):
        _check_cost(bottleneck_cost(m, k, c_in, c_mid, c_out),
                    {"time": m * m * (c_in * c_mid + k * k * c_mid * c_out),
                     "space": m * m * (c_mid + c_out),
                     "params": c_in * c_mid + k * k * c_mid * c_out},
                    f"bottleneck_cost({m}, {k}, {c_in}, {c_mid}, {c_out})")
