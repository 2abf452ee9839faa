"""Every stub that documents a ValueError states the one message rule the checks grade
(``compare.MESSAGE_RULE``), in Chinese and in English."""

from __future__ import annotations

import ast
import re

import pytest

from tests.support import all_exercises, stub_path

STUBS = [pytest.param(e, id=e.id) for e in all_exercises()
         if "ValueError" in stub_path(e).read_text(encoding="utf-8")]


@pytest.mark.parametrize("exercise", STUBS)
def test_the_stub_states_the_message_rule_in_both_languages(exercise):
    doc = ast.get_docstring(ast.parse(stub_path(exercise).read_text(encoding="utf-8"))) or ""
    flat = re.sub(r"\s+", " ", doc)
    assert "信息中给出出错的数(形状可以写成 (3, 3)、3x3、3×3 或 3 by 3" in flat
    assert "whose message names the numbers that are wrong (a shape may be written (3, 3), " \
           "3x3, 3×3 or 3 by 3; an argument that must be an int does not accept a float such " \
           "as 2.0)" in flat
