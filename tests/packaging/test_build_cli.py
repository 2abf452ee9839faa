"""``nndl-grade build``: the command line over ``autograder.packaging.build``."""

from __future__ import annotations

from pathlib import Path

import autograder.packaging
from autograder.packaging import BuildOutputs
from autograder.cli import main


def test_build_writes_into_out_and_prints_what_it_wrote(monkeypatch, tmp_path, capsys):
    calls = []

    def fake_build(out, chapter="ch5"):
        calls.append((out, chapter))
        target = Path(out) / chapter
        return BuildOutputs(chapter, target / "student.zip", target / "autograder.zip",
                            {"ex5_4": target / "otter" / "ex5_4.zip"}, "w.whl", ("a", "b"))
    monkeypatch.setattr(autograder.packaging, "build", fake_build)
    assert main(["build", "--out", str(tmp_path)]) == 0
    assert calls == [(tmp_path, "ch5")]
    out = capsys.readouterr().out
    for name in ("student.zip", "autograder.zip", "otter/ex5_4.zip", "w.whl"):
        assert name in out


def test_build_of_an_unknown_chapter_fails_with_its_name(tmp_path, capsys):
    assert main(["build", "--out", str(tmp_path), "--chapter", "ch9"]) == 2
    assert "ch9" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
