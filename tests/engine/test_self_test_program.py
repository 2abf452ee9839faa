"""The sandbox's self-test program (``engine/self_test_program.py``): a module linters and
these tests see, filled in by ``detect.self_test_source`` and run as a student file. Its run
inside the real sandbox is tested in ``test_sandbox.py``; here, its parts and its filling."""

from __future__ import annotations

import ast
import os

import pytest

from autograder.engine import detect, self_test_program
from autograder.engine.errors import SandboxError


def test_imported_outside_a_worker_it_tries_nothing():
    assert self_test_program.PATHS is None
    for name in ("READABLE", "IMPORTED", "KEYRING", "CAPABILITIES"):
        assert not hasattr(self_test_program, name)


def test_the_source_is_filled_with_the_paths_and_the_search_folders():
    paths, search = ["/srv/checks", "/srv/it's"], ["/opt/lib"]
    source = detect.self_test_source(paths, search)
    tree = ast.parse(source)
    values = {t.id: ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name) and t.id in ("PATHS", "SEARCH")}
    assert values == {"PATHS": paths, "SEARCH": search}
    assert "if PATHS is not None:" in source


def test_a_program_that_lost_its_placeholder_is_refused(tmp_path, monkeypatch):
    broken = tmp_path / "self_test_program.py"
    broken.write_text('"""x"""\nSEARCH = None\n')
    monkeypatch.setattr(detect, "SELF_TEST_PROGRAM", broken)
    with pytest.raises(SandboxError, match="PATHS = None"):
        detect.self_test_source([], [])


def test_readable_tells_a_readable_path_from_a_missing_or_closed_one(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b"x")
    assert self_test_program.readable(str(f)) and self_test_program.readable(str(tmp_path))
    assert not self_test_program.readable(str(tmp_path / "missing"))
    if os.geteuid() != 0:  # root reads a mode-000 file anyway
        f.chmod(0)
        assert not self_test_program.readable(str(f))


def test_import_grader_finds_the_grader_where_it_is_importable_and_restores_the_path():
    before = list(__import__("sys").path)
    where = self_test_program.import_grader([])
    assert where is not None and "autograder" in where  # here the grader is importable
    assert __import__("sys").path == before


def test_import_grader_is_none_when_the_package_is_not_there(monkeypatch):
    monkeypatch.setattr(self_test_program, "GRADER", "no_such_package_nndl")
    assert self_test_program.import_grader(["/nonexistent"]) is None


def test_capabilities_reads_this_process_masks():
    caps = self_test_program.capabilities()
    assert caps is None or (len(caps) == 2 and all(int(c, 16) >= 0 for c in caps))


def test_run_as_a_student_file_without_a_sandbox_it_reports_what_it_could_reach(tmp_path):
    """In the ``none`` mode (no sandbox) the real program, run by a real worker, reaches the
    protected file and the grader's package; the self-test says so in words."""
    secret = tmp_path / "secret.txt"
    secret.write_text("answer key")
    sb = detect.get_sandbox("none")
    problems = detect.self_test(sb, [secret])
    assert any(str(secret) in p and "can read" in p for p in problems), problems
    assert any("import the grader's package" in p for p in problems), problems


def test_run_in_the_real_sandbox_it_reaches_nothing(tmp_path):
    sb = detect.get_sandbox()
    if sb.mode == "none":
        pytest.skip("no sandbox here (not root, no bubblewrap)")
    closed = tmp_path / "closed"
    closed.mkdir()
    closed.chmod(0o700)
    (closed / "key.txt").write_text("answer key")
    assert detect.self_test(sb, [closed / "key.txt"]) == []
