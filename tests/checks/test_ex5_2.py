"""Exercise 5-2 (wide convolution, formula 5.13): the reference, the checks and what they catch."""

from __future__ import annotations

import runpy

import numpy as np
import pytest

from autograder.checks.runner import load_student_file
from tests.support import CHAPTER, reference_path, run_env, wrong_answer_env, wrong_answer_fixtures

EXERCISE = CHAPTER.exercise("ex5_2")
FIXTURES = [pytest.param(p, id=p.stem) for e, p in wrong_answer_fixtures() if e.id == "ex5_2"]
PUBLIC = {c.name for c in EXERCISE.checks if not c.hidden}


@pytest.fixture(scope="module")
def ref():
    return load_student_file(reference_path(EXERCISE))


@pytest.fixture(scope="module")
def check_module():
    """The check file's own namespace (its shape generators)."""
    return runpy.run_path(str(EXERCISE.check_file))


def _failed(fixture):
    env = wrong_answer_env(EXERCISE, fixture)
    return env, {n for n, r in run_env(EXERCISE, env, str(fixture)).items() if not r.passed}


def test_there_is_a_fixture_for_each_classic_mistake():
    names = {p.values[0].stem for p in FIXTURES}
    assert {"wide_pad_half_kernel", "rot180_transpose", "rot180_one_flip", "xcorr_flips_kernel",
            "xcorr_square_kernel"} <= names


@pytest.mark.parametrize("fixture_name,public_passed,hidden_failed", [
    ("wide_pad_half_kernel", "test_wide_conv2d_public", "test_wide_conv2d_random"),      # K >= 3
    ("xcorr_square_kernel", "test_xcorr2d_public", "test_xcorr2d_random"),               # non-square
    ("wide_swaps_large_kernel", "test_wide_conv2d_public", "test_wide_conv2d_random"),   # kernel > image
])
def test_hidden_checks_catch_what_the_public_ones_let_through(fixture_name, public_passed, hidden_failed):
    fixture = next(p.values[0] for p in FIXTURES if p.values[0].stem == fixture_name)
    _, failed = _failed(fixture)
    assert public_passed not in failed
    assert hidden_failed in failed


@pytest.mark.parametrize("fixture_name,says", [
    ("mistakes_that_commute", "rot180(W) for W of shape"),
    ("wide_forgets_to_store", "must equal the full (true) convolution"),
])
def test_commuting_wrong_answers_satisfy_5_13_and_still_fail(fixture_name, says):
    """Both fixtures satisfy (5.13) exactly; the checks of (5.13) fail them because they also
    pin rot180 and the values of both sides."""
    fixture = next(p.values[0] for p in FIXTURES if p.values[0].stem == fixture_name)
    env = wrong_answer_env(EXERCISE, fixture)
    rng = np.random.default_rng(0)
    for w_shape, x_shape in [((3, 2), (4, 5)), ((2, 4), (1, 3)), ((5, 5), (2, 2))]:
        w, x = rng.standard_normal(w_shape), rng.standard_normal(x_shape)
        left = env["wide_conv2d"](env["rot180"](w), x)
        right = env["wide_conv2d"](env["rot180"](x), w)
        assert left.shape == right.shape == (x_shape[0] + w_shape[0] - 1, x_shape[1] + w_shape[1] - 1)
        np.testing.assert_allclose(left, right, atol=1e-12)
    results = run_env(EXERCISE, env, str(fixture))
    for name in ("test_commutative_public", "test_commutative_random"):
        assert not results[name].passed
        assert says in results[name].message


def test_random_shapes_cover_the_weak_spots(check_module):
    shapes, larger = check_module["_shapes"], check_module["_larger_kernels"]
    for seed in range(20):
        rng = np.random.default_rng(seed)
        pairs = shapes(rng, 8)
        assert len(pairs) == 8
        assert all(u <= m and v <= n for (u, v), (m, n) in pairs)           # valid for xcorr2d
        assert any(min(k) >= 3 and k[0] != k[1] for k, _ in pairs)         # K >= 3, non-square kernel
        assert any(x[0] != x[1] for _, x in pairs)                          # non-square image
        assert any(k == x for k, x in pairs)                                # kernel as large as the image
        big = larger(rng)
        assert all(u > m or v > n for (u, v), (m, n) in big)
        assert any(u > m and v > n for (u, v), (m, n) in big)


def test_reference_xcorr2d_rejects_a_kernel_larger_than_the_image(ref):
    with pytest.raises(ValueError, match=r"\(2, 5\).*\(6, 3\)"):
        ref["xcorr2d"](np.ones((6, 3)), np.ones((2, 5)))
    with pytest.raises(ValueError, match="2-D"):
        ref["xcorr2d"](np.ones(4), np.ones((1, 1)))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        ref["rot180"](np.ones(3))


def test_reference_wide_conv2d_is_np_convolve_on_rows_even_for_long_kernels(ref):
    rng = np.random.default_rng(1)
    for v, n in [(7, 2), (1, 1), (3, 9)]:
        w, x = rng.standard_normal((1, v)), rng.standard_normal((1, n))
        got = ref["wide_conv2d"](ref["rot180"](w), x)
        np.testing.assert_allclose(got, np.convolve(w[0], x[0])[None, :], rtol=1e-12, atol=1e-12)


def test_reference_does_not_change_its_arguments(ref):
    w, x = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    w0, x0 = w.copy(), x.copy()
    out = ref["rot180"](w)
    out[0, 0] = 100.0
    ref["xcorr2d"](x, w)
    ref["wide_conv2d"](w, x)
    np.testing.assert_array_equal(w, w0)
    np.testing.assert_array_equal(x, x0)


def test_public_checks_never_name_a_hidden_one():
    hidden = {c.name for c in EXERCISE.checks if c.hidden}
    assert hidden and PUBLIC
    source = EXERCISE.check_file.read_text(encoding="utf-8")
    for name in hidden:
        assert source.count(name) == 1, f"{name} should appear only as its own definition"


class ShapeError(ValueError):
    """A student's own ValueError subclass."""


class _Engine(ValueError):
    """How a student's ValueError arrives through the engine: a ValueError whose text starts
    with the student's type name and ends with where it was raised."""


_Engine.__name__ = "ShapeError"


@pytest.mark.parametrize("exc_type,message,passes", [
    (ValueError, "kernel ({u}, {v}) is larger than image ({m}, {n})", True),
    (ShapeError, "kernel ({u}, {v}) is larger than image ({m}, {n})", True),
    (_Engine, "ShapeError: kernel ({u}, {v}) is larger than image ({m}, {n}) (in ex5_2.py, line 9, "
              "in xcorr2d: raise ShapeError(...))", True),
    (_Engine, "ShapeError: negative dimensions are not allowed (in ex5_2.py, line 4753, in "
              "xcorr2d: x)", False),
    (TypeError, "kernel ({u}, {v}) is larger than image ({m}, {n})", False),
])
def test_the_size_check_reads_value_errors_as_they_arrive(ref, exc_type, message, passes):
    """A ValueError subclass is a ValueError; through the engine its message starts with the
    type's name and ends with where it was raised, whose line number does not count as
    showing the sizes."""
    good = ref["xcorr2d"]

    def xcorr2d(x, w):
        if np.ndim(x) == 2 and np.ndim(w) == 2:
            (m, n), (u, v) = np.shape(x), np.shape(w)
            if u > m or v > n:
                raise exc_type(message.format(u=u, v=v, m=m, n=n))
        return good(x, w)

    result = run_env(EXERCISE, dict(ref, xcorr2d=xcorr2d))["test_xcorr2d_errors"]
    assert result.passed is passes, result.message
