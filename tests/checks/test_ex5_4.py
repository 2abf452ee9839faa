"""Exercise 5-4: the reference gives COURSE.md's figures, and the checks' formulas agree with it."""

from __future__ import annotations

from autograder.checks.runner import load_student_file
from tests.support import CHAPTER, reference_path

REF = load_student_file(reference_path(CHAPTER.exercise("ex5_4")))


def test_the_books_case_gives_the_course_figures():
    assert REF["conv_cost"](100, 3, 256, 256) == {
        "time": 5_898_240_000, "space": 2_560_000, "params": 589_824}
    assert REF["bottleneck_cost"](100, 3, 256, 64, 256) == {
        "time": 1_638_400_000, "space": 3_200_000, "params": 163_840}


def test_every_value_is_a_python_int():
    for cost in (REF["conv_cost"](7, 5, 3, 11), REF["bottleneck_cost"](7, 5, 3, 2, 11)):
        assert all(type(v) is int for v in cost.values()), cost


def test_a_1x1_layer_is_the_bottleneck_with_nothing_after_it():
    reduce = REF["conv_cost"](9, 1, 32, 8)
    both = REF["bottleneck_cost"](9, 3, 32, 8, 16)
    conv = REF["conv_cost"](9, 3, 8, 16)
    assert both == {k: reduce[k] + conv[k] for k in both}
