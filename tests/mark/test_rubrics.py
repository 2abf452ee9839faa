"""rubrics.yaml: the shipped rubrics load and fit the manifest; each mistake is named with
its numbers and where it is."""

from __future__ import annotations

import pytest

from autograder.mark.rubrics import RESERVED, RubricError, load_rubrics
from tests.support import CHAPTER


def test_every_written_part_of_ch5_has_a_rubric_within_its_points():
    rubrics = load_rubrics(CHAPTER)
    parts = {(ex.id, w.id): w.points for ex in CHAPTER.exercises for w in ex.written}
    assert set(rubrics) == set(parts)
    for key, items in rubrics.items():
        assert items, key
        assert max(i.points for i in items) == parts[key]  # full marks are one key away
        assert min(i.points for i in items) == 0
        assert not {i.key for i in items} & RESERVED
        for i in items:
            assert i.zh and i.en and " / " in i.comment


def write(tmp_path, text):
    path = tmp_path / "rubrics.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, words", [
    ("ex5_2:\n  proof:\n    - {key: a, points: 12, zh: 好, en: good}\n",
     ["ex5_2 proof", "'a'", "12", "0 to 10"]),
    ("ex5_2:\n  proof:\n    - {key: a, points: -1, zh: 好, en: good}\n", ["-1", "0 to 10"]),
    ("ex5_2:\n  proof:\n    - {key: a, points: ten, zh: 好, en: good}\n", ["'ten'", "not a number"]),
    ("ex5_2:\n  lemma:\n    - {key: a, points: 1, zh: 好, en: good}\n",
     ["ex5_2 lemma", "no such written part", "ex5_2 proof"]),
    ("ex5_2:\n  proof:\n    - {key: j, points: 1, zh: 好, en: good}\n", ["'j'", "page's own keys"]),
    ("ex5_2:\n  proof:\n    - {key: AB, points: 1, zh: 好, en: good}\n", ["'AB'", "one lowercase"]),
    ("ex5_2:\n  proof:\n    - {key: a, points: 1, zh: 好, en: good}\n"
     "    - {key: a, points: 2, zh: 好, en: good}\n", ["'a'", "used twice"]),
    ("ex5_2:\n  proof:\n    - {key: a, points: 1, zh: 好}\n", ["no en"]),
    ("ex5_2:\n  proof:\n    - {key: a, points: 1, zh: '', en: good}\n", ["both zh and en"]),
    ("ex5_2: [1, 2]\n", ["ex5_2", "written part ids"]),
    ("ex5_2: {proof: [\n", ["not valid YAML"]),
])
def test_a_mistake_is_named_with_its_numbers(tmp_path, text, words):
    with pytest.raises(RubricError) as err:
        load_rubrics(CHAPTER, write(tmp_path, text))
    for w in words:
        assert w in str(err.value), (w, str(err.value))
    assert str(tmp_path / "rubrics.yaml") in str(err.value)


def test_no_file_is_no_rubric(tmp_path):
    assert load_rubrics(CHAPTER, tmp_path / "rubrics.yaml") == {}
