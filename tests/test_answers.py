"""Answer sheets against the handout's templates: missing, blank, untouched, submitted, and
what a student added to the template."""

from __future__ import annotations

import pytest

from autograder import answers
from tests.support import ASSIGNMENTS, CHAPTER, SOLUTIONS

WRITTEN = [ex for ex in CHAPTER.exercises if ex.answer]


@pytest.mark.parametrize("exercise", WRITTEN, ids=lambda e: e.id)
def test_the_handout_sheet_is_untouched_and_the_reference_submitted(tmp_path, exercise):
    template = (ASSIGNMENTS / "ch5" / exercise.answer).read_text(encoding="utf-8")
    assert answers.read_template(CHAPTER, exercise) == template
    sheet = tmp_path / exercise.answer
    sheet.write_text(template)
    assert answers.sheet_state(sheet, CHAPTER, exercise) == answers.UNTOUCHED
    # whitespace and the placeholders do not make an answer
    sheet.write_text("\n\n" + template.replace("\n", "\n\n   ").replace("<!--", "<!-- x "))
    assert answers.sheet_state(sheet, CHAPTER, exercise) == answers.UNTOUCHED
    sheet.write_text((SOLUTIONS / "ch5" / exercise.answer).read_text(encoding="utf-8"))
    assert answers.sheet_state(sheet, CHAPTER, exercise) == answers.SUBMITTED


def test_blank_missing_and_one_word_added(tmp_path):
    exercise = CHAPTER.exercise("ex5_2")
    sheet = tmp_path / "ex5_2.md"
    assert answers.sheet_state(sheet, CHAPTER, exercise) == answers.MISSING
    sheet.write_text(" \n\t\n")
    assert answers.sheet_state(sheet, CHAPTER, exercise) == answers.BLANK
    sheet.write_bytes(b"")
    assert answers.sheet_state(sheet, CHAPTER, exercise) == answers.BLANK
    template = answers.read_template(CHAPTER, exercise)
    sheet.write_text(template + "\n显然。\n")
    assert answers.sheet_state(sheet, CHAPTER, exercise) == answers.SUBMITTED


def test_added_text_is_what_the_student_wrote_under_the_template_headings():
    template = answers.read_template(CHAPTER, CHAPTER.exercise("ex5_7"))
    theirs = template.replace("<!-- 你的答案 / your answer -->\n\n## 2.",
                              "$$C = \\begin{pmatrix} w_{11} & 0 \\end{pmatrix}$$\n\n## 2.", 1)
    theirs = theirs.rstrip("\n") + "\n\nSo the two are transposes.\n"
    added = answers.added_text(theirs, template)
    assert "$$C = \\begin{pmatrix}" in added and "So the two are transposes." in added
    assert "## 1. 例子" in added and "## 3. 一般情形" in added  # the headings they answer
    assert "忽略激活函数" not in added  # the problem statement is the template's
    assert answers.added_text(template, template).strip() == ""
    assert answers.added_text("just my own text\n", template) == "just my own text\n"
    assert answers.added_text("anything\n", None) == "anything\n"
