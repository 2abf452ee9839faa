"""The manifest agrees with the check files, the stubs and the references; the stubs are made
from the references (scripts/make_stubs.py)."""

from __future__ import annotations

import ast

import pytest

from autograder.checks.runner import load_check_file
from autograder.course import ManifestError, chapters, load_chapter, read_checks
from tests.support import (ASSIGNMENTS, CHAPTER, SOLUTIONS, all_exercises, chapter_of, load_script,
                           reference_path, stub_path)

EXERCISES = [pytest.param(e, id=f"{chapter_of(e)}/{e.id}") for e in all_exercises()]
"""Every exercise of every chapter: the rules below hold for any chapter."""
make_stubs = load_script("make_stubs")


def test_chapter_five_is_listed_and_worth_100_points():
    assert "ch5" in chapters()
    assert [e.id for e in CHAPTER.exercises] == [
        "ex5_2", "ex5_3", "ex5_4", "ex5_7", "ex5_backprop", "ex5_numpy_cnn"]
    assert CHAPTER.points == 100


def test_unknown_chapter_is_reported_by_name(tmp_path):
    with pytest.raises(FileNotFoundError, match="ch9"):
        load_chapter("ch9", root=tmp_path)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_checks_read_from_the_syntax_tree_are_those_the_file_defines(exercise):
    """The course reads each case's points and hidden flag from its ``@check`` decorator
    without running the file; running it gives the same cases."""
    check_file = load_check_file(exercise.check_file)
    assert check_file.name == exercise.id
    got = [(c.name, c.points, c.hidden) for c in check_file.cases]
    want = [(c.name, float(c.points), c.hidden) for c in exercise.checks]
    assert got == want
    assert any(not c.hidden for c in exercise.checks), "an exercise needs a public check"
    assert any(c.hidden for c in exercise.checks), "an exercise needs a hidden check"


@pytest.mark.parametrize("decorator, problem", [
    ("@check(points=POINTS)", "needs literal points"),
    ("@check(hidden=True)", "needs literal points"),
    ("@check(points=0)", "points must be positive"),
    ("@check(points=1, hidden='yes')", "hidden True or False"),
])
def test_a_check_whose_metadata_is_not_literal_is_refused_with_its_line(tmp_path, decorator, problem):
    path = tmp_path / "ex.py"
    path.write_text(f"name = 'ex'\n\n{decorator}\ndef test_a(f):\n    pass\n")
    with pytest.raises(ManifestError) as info:
        read_checks(path)
    assert problem in str(info.value) and "line 3" in str(info.value)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_stub_is_made_from_the_reference(exercise):
    """The stub is the reference with its SOLUTION blocks cut (scripts/make_stubs.py)."""
    stub = stub_path(exercise).read_bytes().decode("utf-8")
    ref = reference_path(exercise).read_bytes().decode("utf-8")
    assert stub == make_stubs.make_stub(ref), "stale stub: run python scripts/make_stubs.py"
    assert make_stubs.TODO_BEGIN in stub, "the stub has no TODO block"
    assert "SOLUTION" not in stub


def _api(source: str) -> dict:
    tree = ast.parse(source)
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            args = ast.unparse(node.args) if isinstance(node, ast.FunctionDef) else ""
            out[node.name] = (args, ast.get_docstring(node))
    return out


@pytest.mark.parametrize("exercise", EXERCISES)
def test_stub_and_reference_share_signatures_and_docstrings(exercise):
    stub = _api(stub_path(exercise).read_text(encoding="utf-8"))
    ref = _api(reference_path(exercise).read_text(encoding="utf-8"))
    assert stub == ref
    for name, (_, doc) in stub.items():
        assert doc, f"{name} has no docstring"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_answer_sheets_ship_with_stub_and_reference(exercise):
    if exercise.answer is None:
        assert not exercise.written
        return
    assert exercise.written
    for folder in (ASSIGNMENTS, SOLUTIONS):
        assert (folder / chapter_of(exercise) / exercise.answer).is_file()


def test_written_parts_carry_their_points_in_the_manifest():
    chapter = load_chapter("ch5")
    points = {(e.id, w.id): w.points for e in chapter.exercises for w in e.written}
    assert points == {("ex5_2", "proof"): 10, ("ex5_3", "analysis"): 10,
                      ("ex5_7", "analysis"): 10, ("ex5_backprop", "derivation"): 15}


def test_a_written_part_without_points_is_refused_by_name(tmp_path):
    folder = tmp_path / "chx"
    folder.mkdir()
    (folder / "ex.py").write_text("name = 'ex'\n")
    (folder / "manifest.yaml").write_text(
        "chapter: chx\ntitle: {zh: 章, en: Chapter}\nexercises:\n"
        "  - id: ex1\n    title: {zh: 题, en: Exercise}\n"
        "    files: {code: ex.py, answer: ex.md}\n"
        "    written:\n      - {id: proof, zh: 证明, en: Prove it}\n")
    with pytest.raises(ManifestError) as info:
        load_chapter("chx", root=tmp_path)
    assert "'proof' of ex1 needs points" in str(info.value)
