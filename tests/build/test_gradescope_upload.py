"""How ``autograder.gradescope`` reads an upload, and the results.json it writes when grading
cannot happen. None of this runs student code or needs the engine."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from autograder import gradescope
from autograder.gradescope import collect_upload, error_results
from tests.build.helpers import assert_valid_results
from tests.support import ASSIGNMENTS, CHAPTER

EXPECTED = [f for e in CHAPTER.exercises for f in e.files]
CODE = [e.code for e in CHAPTER.exercises]


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _collect(tmp_path, make):
    sub = tmp_path / "submission"
    sub.mkdir()
    make(sub)
    dest = tmp_path / "files"
    return collect_upload(sub, dest, CHAPTER), dest


def test_loose_files_are_taken_as_they_are(tmp_path):
    def make(sub):
        for f in EXPECTED[:3]:
            (sub / f).write_bytes(b"# " + f.encode())
    up, dest = _collect(tmp_path, make)
    assert sorted(up.received) == sorted(EXPECTED[:3])
    assert sorted(p.name for p in dest.iterdir()) == sorted(EXPECTED[:3])
    for f in EXPECTED[:3]:
        assert (dest / f).read_bytes() == b"# " + f.encode()
    assert not up.unused


def test_one_zip_with_a_wrapping_folder_is_unpacked(tmp_path):
    def make(sub):
        _zip(sub / "homework.zip", {f"my work/ch5/{f}": f.encode() for f in CODE}
             | {"__MACOSX/._ex5_2.py": b"junk", "my work/.DS_Store": b"junk"})
    up, dest = _collect(tmp_path, make)
    assert sorted(up.received) == sorted(CODE)
    assert (dest / CODE[0]).read_bytes() == CODE[0].encode()
    assert not up.unused, up.unused
    report = up.report(CHAPTER)
    assert "Received: " in report
    for e in CHAPTER.exercises:
        if e.answer:
            assert f"{e.answer} (written part, graded by hand)" in report


def test_wrong_names_are_not_graded_and_the_report_says_what_to_rename(tmp_path):
    first = CHAPTER.exercises[0].code  # e.g. ex5_2.py
    stem = first[:-3]

    def make(sub):
        (sub / (stem.replace("_", "-") + ".py")).write_text("x = 1")
        (sub / f"{stem} (1).py").write_text("x = 1")
        (sub / f"{stem.upper()}.py").write_text("x = 1")
        (sub / f"{stem}.ipynb").write_text("{}")
        (sub / "notes.pdf").write_bytes(b"%PDF")
    up, dest = _collect(tmp_path, make)
    assert not up.received and not list(dest.iterdir())
    why = dict(up.unused)
    assert f"rename it to {first}" in why[stem.replace("_", "-") + ".py"]
    assert f"rename it to {first}" in why[f"{stem} (1).py"]
    assert f"rename it to {first}" in why[f"{stem.upper()}.py"]
    assert f"submit your answer as {first}" in why[f"{stem}.ipynb"]
    assert "not a file of this assignment" in why["notes.pdf"]
    report = up.report(CHAPTER)
    assert "holds none of this assignment's files" in report
    assert f"rename it to {first}" in report


def test_empty_upload_reports_every_file_it_could_have_held(tmp_path):
    up, dest = _collect(tmp_path, lambda sub: None)
    assert not up.received
    report = up.report(CHAPTER)
    for f in EXPECTED:
        assert f in report


def test_duplicates_with_different_content_take_the_shallowest_and_say_so(tmp_path):
    name = CODE[0]

    def make(sub):
        (sub / name).write_text("top = 1")
        (sub / "old").mkdir()
        (sub / "old" / name).write_text("old = 1")
    up, dest = _collect(tmp_path, make)
    assert (dest / name).read_text() == "top = 1"
    assert any("appears 2 times" in n for n in up.notes)


def test_hostile_archives_are_refused_without_reading_them_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(gradescope, "MAX_FILE_BYTES", 1000)
    name = CODE[0]

    def make(sub):
        _zip(sub / "a.zip", {f"../../{name}": b"escape", "inner.zip": b"PK", name: b"0" * 5000})
        (sub / "broken.zip").write_bytes(b"not a zip")
        os.symlink("/etc/passwd", sub / CODE[1])
    up, dest = _collect(tmp_path, make)
    assert not up.received
    assert not (tmp_path / name).exists() and not (tmp_path.parent / name).exists()
    why = dict(up.unused)
    assert "too large" in why[f"a.zip:{name}"]
    assert "zip inside a zip" in why["a.zip:inner.zip"]
    assert "not a readable zip" in why["broken.zip"]
    assert "not a regular file" in why[CODE[1]]


def test_error_results_are_valid_and_score_zero(results_validator):
    res = error_results("something broke")
    res["execution_time"] = 0.5
    assert_valid_results(results_validator, res)
    assert res["score"] == 0 and res["stdout_visibility"] == "hidden"


def test_a_crash_of_the_grader_still_writes_a_valid_results_json(tmp_path, monkeypatch,
                                                                  results_validator, capsys):
    ag = tmp_path / "autograder"
    (ag / "submission").mkdir(parents=True)
    (ag / "results").mkdir()
    (ag / "results" / "results.json").write_text('{"score": 100}')  # whatever was there goes
    (ag / "submission" / CODE[0]).write_bytes((ASSIGNMENTS / "ch5" / CODE[0]).read_bytes())

    def boom(*args, **kwargs):
        raise RuntimeError("engine exploded")
    monkeypatch.setattr(gradescope, "grade_upload", boom)
    assert gradescope.main(["--autograder-dir", str(ag)]) == 0
    res = json.loads((ag / "results" / "results.json").read_text())
    assert_valid_results(results_validator, res)
    assert res["score"] == 0
    assert "internal error" in res["output"] and "not a problem with your files" in res["output"]
    assert "engine exploded" in capsys.readouterr().out  # for staff: stdout is hidden
