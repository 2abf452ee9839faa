"""Exercise 5-3 (1x1 kernels): the reference, the course figures and the multiple-choice check."""

from __future__ import annotations

import numpy as np
import pytest

from autograder.checks.oracle import conv2d
from autograder.checks.runner import load_student_file
from tests.support import (CHAPTER, reference_path, run_env, stub_path, wrong_answer_env,
                           wrong_answer_fixtures)

EXERCISE = CHAPTER.exercise("ex5_3")
FIXTURES = [pytest.param(p, id=p.stem) for e, p in wrong_answer_fixtures() if e.id == "ex5_3"]


@pytest.fixture(scope="module")
def ref():
    return load_student_file(reference_path(EXERCISE))


def _results(env):
    return run_env(EXERCISE, env, "ex5_3.py")


def test_googlenet_3a_figures_of_the_course(ref):
    inception = ref["inception_params"]
    plain = inception(192, 64, 128, 32)
    reduced = inception(192, 64, 128, 32, reduce3x3=96, reduce5x5=16)
    projected = inception(192, 64, 128, 32, reduce3x3=96, reduce5x5=16, pool_proj=32)
    assert (plain, reduced, projected - reduced) == (387_072, 157_184, 6_144)
    assert all(type(v) is int for v in (plain, reduced, projected))


def test_conv_params_counts_biases_only_when_asked(ref):
    assert ref["conv_params"](3, 64, 7) == 9_408
    assert ref["conv_params"](3, 64, 7, bias=True) == 9_472
    assert type(ref["conv_params"](np.int64(3), 64, 7)) is int


@pytest.mark.parametrize("args", [(0, 64, 3), (3, -1, 3), (3, 64, 2.0), (True, 64, 3)])
def test_conv_params_rejects_bad_counts_with_the_value(ref, args):
    with pytest.raises(ValueError, match="must be an int >= 1"):
        ref["conv_params"](*args)


def test_inception_params_rejects_bad_counts(ref):
    with pytest.raises(ValueError, match=r"reduce3x3 must be an int >= 1, got 0"):
        ref["inception_params"](192, 64, 128, 32, reduce3x3=0)
    with pytest.raises(ValueError, match=r"n5x5 must be an int >= 1, got 2.5"):
        ref["inception_params"](192, 64, 128, 2.5)


def test_reference_conv1x1_equals_the_general_convolution(ref):
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((6, 3, 1, 1)), rng.standard_normal(6)
    np.testing.assert_allclose(ref["conv1x1"](x, w, b), conv2d(x, w, b), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ref["conv1x1"](x, w[:, :, 0, 0]), conv2d(x, w, np.zeros(6)),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("w_shape,b_shape,says", [
    ((4, 2), None, r"C_in = 2 .*C_in = 3"),
    ((4, 3, 3, 3), None, r"\(C_out, C_in, 1, 1\), got shape \(4, 3, 3, 3\)"),
    ((4, 3), (3,), r"b must have shape \(4,\), got shape \(3,\)"),
    ((4,), None, r"got shape \(4,\)"),
])
def test_reference_conv1x1_rejects_shapes_that_do_not_fit(ref, w_shape, b_shape, says):
    x = np.ones((1, 3, 2, 2))
    b = None if b_shape is None else np.ones(b_shape)
    with pytest.raises(ValueError, match=says):
        ref["conv1x1"](x, np.ones(w_shape), b)


def test_statements_are_bilingual_and_the_check_knows_them_all(ref):
    statements = ref["STATEMENTS"]
    assert sorted(statements) == list("ABCDEFGH")
    for zh, en in statements.values():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii() and len(en) > 20
    stub = load_student_file(stub_path(EXERCISE))
    assert stub["STATEMENTS"] == statements
    assert ref["true_statements"]() < set(statements)


@pytest.mark.parametrize("answer", [
    frozenset("ADEG"), ["A", "D", "E", "G"], ("g", "e", "d", "a"), ["A", "a", "D", "E", "G"], {"a", "D", "e", "G"},
])
def test_true_statements_accepts_sets_lists_tuples_in_either_case(ref, answer):
    env = dict(ref, true_statements=lambda: answer)
    result = _results(env)["test_true_statements"]
    assert result.passed, result.message


@pytest.mark.parametrize("answer,says", [
    ("ADEG", "expected a set of letters such as {'A', 'B'}, got an object of type str 'ADEG'"),
    (None, "got None"),
    ({"A", "D", "E", "G", "Z"}, "got the element 'Z'"),
    ({"AD", "E", "G"}, "got the element 'AD'"),
    ([1, 4, 5, 7], "got the element 1"),
    ({"A", "D", "E"}, "got {A, D, E}: at least one statement is classified wrongly"),
    (set(), "got {}: at least one statement is classified wrongly"),
    (set("ABCDEFGH"), "got {A, B, C, D, E, F, G, H}: at least one statement is classified wrongly"),
])
def test_true_statements_rejects_wrong_answers_without_giving_the_answer_away(ref, answer, says):
    env = dict(ref, true_statements=lambda: answer)
    result = _results(env)["test_true_statements"]
    assert not result.passed
    assert says in result.message
    if "classified wrongly" in says:
        assert "expected the letters of exactly the true statements" in result.message


def test_hidden_parts_leave_no_trace_in_the_public_handout():
    """The build cuts hidden cases and what only they use: the answer key goes with them."""
    build = pytest.importorskip("autograder.packaging")
    full = EXERCISE.check_file.read_text(encoding="utf-8")
    public = build.public_check_source(full)
    for secret in ('{"A", "D", "E", "G"}', "from autograder.checks.oracle import", "def _letters",
                   "def test_true_statements"):
        assert secret in full
        assert secret not in public
    assert "def test_inception_googlenet_3a" in public
