"""The adversarial corpus, graded as one batch: every attack scores 0 on what it attacks and
full marks on what it answers honestly, and the batch completes with a row for every student.

The batch runs in the best sandbox this machine has (bubblewrap here and in CI), with small
limits (3 s, 300 MB) and two jobs. ``test_sandbox_modes.py`` repeats the attacks that depend
on the sandbox in the other modes.
"""

from __future__ import annotations

import csv
import json
import os

import pytest

from autograder.engine import get_sandbox
from autograder.batch import grade_folder

from .test_isolation import CLASSES as ISOLATION_CLASSES
from .helpers import (CORPUS, SMALL, SOLUTIONS, build_student, live_children, make_zip, new_token,
                      processes_named, wait_until_gone)

# an endless loop meets one limit or the other first, which depends on the machine's load:
# the CPU time of its tree (3 s, where a CPU cgroup counts it), the process's CPU limit, or the
# wall clock (3 s, or 3 x 3 s as a backstop where CPU time is counted)
LIMIT = ("(the wall-clock limit)", "used more than 3 s of CPU time (the CPU limit)")

OWN_TESTS = {"cpu_hog", "hidden_relay"}
"""Corpus folders graded by a test of their own (test_fairness.py, test_isolation.py)."""

# student -> (points of ex5_4 it must get, texts one of which every failing message contains)
EX5_4 = {
    "aaa_honest": (10, None),
    "always_equal": (5, "expected"),  # the subclasses cross as their real values (0, {})
    "builtins_patched": (5, "expected"),
    "fork_children": (10, None),
    "kill_parent": (5, "expected"),
    "loop_import": (0, LIMIT),
    # six checks call the looping function: the later ones meet the exercise's time budget
    "loop_one_function": (5, LIMIT + ("used up its time", "the remaining checks of this exercise")),
    "memory_bomb": (5, "ran out of memory (limit 300 MB)"),
    "nan_answers": (0, "expected the integer"),
    "numpy_patched": (5, "expected"),
    "os_exit_import": (0, "exited with code 3"),
    "otter_patched": (0, "expected"),
    "output_flood": (10, None),
    "read_reference": (0, "expected"),
    "symlink_to_reference": (0, "not a regular file"),
    "sys_exit_import": (0, "sys.exit(0)"),
    "syntax_error": (0, "SyntaxError in ex5_4.py, line 9"),
    "torch_import": (0, "No module named 'torch'. Only NumPy"),
    "write_results": (0, "expected"),
    "zip_wrapped": (10, None),
    "zip_slip": (10, None),  # its '..' member is never written; the rest is graded
    "zip_bomb": (10, None),  # the padding is not an exercise file: never read
}

EX5_2 = ("ndarray_subclass", "ndarray_plain_wrong")  # students who submit only ex5_2.py


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    subs = tmp_path_factory.mktemp("corpus")
    out = tmp_path_factory.mktemp("out") / "grades"
    token = new_token()
    for folder in sorted(CORPUS.iterdir()):
        if folder.is_dir() and folder.name not in set(ISOLATION_CLASSES) | OWN_TESTS:
            build_student(folder, subs / folder.name, out=out, token=token)
    link = subs / "symlink_to_reference"
    link.mkdir()
    (link / "ex5_4.py").symlink_to(SOLUTIONS / "ex5_4.py")
    reference = (SOLUTIONS / "ex5_4.py").read_bytes()
    make_zip(subs / "zip_wrapped.zip", {"my submission/ex5_4.py": reference,
                                        "__MACOSX/my submission/._ex5_4.py": b"junk"})
    make_zip(subs / "zip_slip.zip", {"ex5_4.py": reference, "../escaped.py": b"x = 1\n"})
    make_zip(subs / "zip_bomb.zip", {"ex5_4.py": reference, "padding.bin": bytes(60 * 2**20)})
    children_before = set(live_children())
    results = grade_folder(subs, out, jobs=2, limits=SMALL)
    return {"subs": subs, "out": out, "results": {r.student: r for r in results},
            "children_before": children_before, "token": token}


def test_every_student_has_a_row(batch):
    with open(batch["out"] / "grades.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["student"] for r in rows) == sorted([*EX5_4, *EX5_2])
    for r in rows:
        want = EX5_4.get(r["student"], (0, None))[0]
        assert float(r["ex5_4"]) == want, r


@pytest.mark.parametrize("student", sorted(EX5_4))
def test_attack_scores_what_it_must(batch, student):
    result = batch["results"][student]
    ex = result.exercise("ex5_4")
    want, fragment = EX5_4[student]
    failed = {c.name: c.message for c in ex.cases if not c.passed}
    assert ex.score == want, f"{student}: {ex.score} instead of {want}; failures: {failed}"
    fragments = (fragment,) if isinstance(fragment, str) else fragment
    if fragments is not None:
        for name, message in failed.items():
            said = [message, result.message, *result.upload]
            assert any(f in text for f in fragments for text in said), (student, name, said)
    if student == "zip_slip":
        assert any("climbs out of the zip" in line for line in result.upload), result.upload
        assert not (batch["subs"] / "escaped.py").exists()
    if student == "zip_bomb":
        assert any("padding.bin" in line for line in result.upload), result.upload


def test_ndarray_subclass_gains_nothing(batch):
    """An ndarray subclass that claims equality scores exactly what the same wrong values
    returned as a plain array score, and fails rot180's check."""
    liar = batch["results"]["ndarray_subclass"].exercise("ex5_2")
    plain = batch["results"]["ndarray_plain_wrong"].exercise("ex5_2")
    assert {c.name: c.passed for c in liar.cases} == {c.name: c.passed for c in plain.cases}
    assert not {c.name: c.passed for c in liar.cases}["test_rot180"]
    assert liar.score < liar.possible


def test_no_process_survives(batch):
    assert wait_until_gone(lambda: processes_named(batch["token"])) == [], "forked children survive"
    assert wait_until_gone(lambda: [p for p in live_children()
                                    if p not in batch["children_before"]]) == []


def test_results_cannot_be_written_by_students(batch):
    out = batch["out"]
    honest = json.loads((out / "aaa_honest" / "results.json").read_text())
    assert honest["score"] == 10
    attacker = json.loads((out / "write_results" / "results.json").read_text())
    assert attacker["score"] == 0
    assert not (batch["subs"] / "write_results" / "results.json").exists()
    assert oct(os.stat(out).st_mode & 0o777) == oct(0o700)


def test_output_is_captured_and_cut(batch):
    ex = batch["results"]["output_flood"].exercise("ex5_4")
    assert "spam" in ex.output
    assert len(ex.output) <= SMALL.output_bytes * 2 + 1000
    assert "bytes of output were cut" in ex.output


def test_messages_help(batch):
    syntax = batch["results"]["syntax_error"].exercise("ex5_4").message
    assert "def bottleneck_cost(m, k, c_in, c_mid, c_out)" in syntax and "^" in syntax
    torch = batch["results"]["torch_import"].exercise("ex5_4").message
    assert "remove the import of 'torch'" in torch
    loop = batch["results"]["loop_import"].exercise("ex5_4").message
    assert "while importing ex5_4.py" in loop and any(f in loop for f in LIMIT)
    memory = [c.message for c in batch["results"]["memory_bomb"].exercise("ex5_4").cases
              if not c.passed]
    assert all("bottleneck_cost" in m for m in memory), memory


def test_reference_is_out_of_reach(batch):
    if get_sandbox(SMALL.sandbox).mode != "bwrap":
        pytest.skip("only bubblewrap hides the world-readable repository; uid mode is tested "
                    "with a root-only file in test_sandbox_modes.py")
    assert batch["results"]["read_reference"].score == 0
