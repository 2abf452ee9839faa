"""One intake, two paths: the same upload gets the same files, score, per-check outcomes and
messages from the Gradescope entry point (``python -m autograder.gradescope``, on a folder laid
out as Gradescope lays it out) and from ``nndl-grade grade`` (a folder with that upload as one
student), with the real engine.

Each case is one odd upload; only ``ex5_4``-sized content is graded, so the table stays fast.
The messages about the upload must reach the student on both paths: in ``feedback.md``
locally, in results.json's ``output`` on Gradescope.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from autograder import gradescope
from autograder.cli import main
from autograder.intake import collect
from autograder.grades import read_grades_csv
from tests.support import CHAPTER, SOLUTIONS

REFERENCE = (SOLUTIONS / "ch5" / "ex5_4.py").read_bytes()
WRONG = b"def conv_cost(m, k, c_in, c_out):\n    return {'time': 0, 'space': 0, 'params': 0}\n"


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@dataclass(frozen=True)
class Case:
    """An upload (file name -> bytes, as the student's files sit in Gradescope's
    ``submission/``), what it must score, its status, and what the student must be told."""

    files: dict[str, bytes]
    ex5_4: float
    status: str
    told: tuple[str, ...] = ()


HANDOUT = zipped({"nndl-ch5/ex5_4.py": REFERENCE, "nndl-ch5/check.py": b"print('check')\n",
                  "nndl-ch5/README.md": b"# handout\n",
                  "nndl-ch5/tests/ex5_4_check.py": b"name = 'ex5_4'\n",
                  "nndl-ch5/__pycache__/ex5_4.cpython-311.pyc": b"\0junk"})

CASES = {
    "loose file": Case({"ex5_4.py": REFERENCE}, 10, "partial upload"),
    "zip nested two folders deep": Case({"work.zip": zipped({"a/b/ex5_4.py": REFERENCE})}, 10,
                                        "partial upload"),
    "folder nested two deep": Case({"a/b/ex5_4.py": REFERENCE}, 10, "partial upload"),
    "dash instead of underscore": Case({"ex5-4.py": REFERENCE}, 0, "misnamed",
                                       ("ex5-4.py", "rename it to ex5_4.py")),
    "capital letter": Case({"Ex5_4.py": REFERENCE}, 0, "misnamed", ("rename it to ex5_4.py",)),
    "browser's copy": Case({"ex5_4 (1).py": REFERENCE}, 0, "misnamed",
                           ("rename it to ex5_4.py",)),
    "editor's extra suffix": Case({"ex5_4.py.txt": REFERENCE}, 0, "misnamed",
                                  ("drop the extra .txt",)),
    "notebook": Case({"ex5_4.ipynb": b"{}"}, 0, "misnamed", ("submit your answer as ex5_4.py",)),
    "zip inside a zip": Case({"outer.zip": zipped({"inner.zip": zipped({"ex5_4.py": REFERENCE})})},
                             0, "refused", ("a zip inside a zip is not opened",)),
    "whole handout zipped": Case({"nndl-ch5.zip": HANDOUT}, 10, "partial upload"),  # not told
    "junk only": Case({"notes.pdf": b"%PDF", ".DS_Store": b"x", "__MACOSX/._x": b"x",
                       "helper.py": b"x = 1\n"}, 0, "nothing recognised",
                      ("none of this assignment's files",)),
    "empty upload": Case({}, 0, "nothing recognised", ("none of this assignment's files",)),
    "broken zip": Case({"work.zip": b"PK\x03\x04 not really"}, 0, "refused",
                       ("not a readable zip file",)),
    "two copies that differ": Case({"ex5_4.py": WRONG, "old/ex5_4.py": REFERENCE}, 0,
                                   "partial upload", ("appears 2 times",)),
}


def write_upload(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def gradescope_run(tmp: Path, files: dict[str, bytes]) -> dict:
    ag = tmp / "autograder"
    write_upload(ag / "submission", files)
    (ag / "results").mkdir(parents=True)
    (ag / "submission_metadata.json").write_text(json.dumps({
        "id": 4711, "created_at": "2025-06-01T10:00:00+08:00",
        "assignment": {"due_date": "2025-06-02T23:59:00+08:00", "late_due_date": None},
        "users": [{"name": "张三", "email": "zhangsan@example.edu", "id": 99, "sid": "2023001"}],
    }), encoding="utf-8")
    assert gradescope.main(["--autograder-dir", str(ag)]) == 0
    return json.loads((ag / "results" / "results.json").read_text(encoding="utf-8"))


def local_run(tmp: Path, files: dict[str, bytes], student: str = "zhangsan") -> Path:
    subs, out = tmp / "subs", tmp / "out"
    write_upload(subs / student, files)
    assert main(["grade", str(subs), "--out", str(out)]) == 0
    return out / student


def told(files: dict[str, bytes], tmp: Path) -> list[str]:
    """What the intake says about this upload, collected on its own."""
    src = tmp / "alone"
    write_upload(src, files)
    return collect(src, tmp / "alone-files", CHAPTER).lines()


@pytest.mark.parametrize("case", sorted(CASES), ids=lambda c: c.replace(" ", "-"))
def test_an_odd_upload_gets_the_same_grade_and_messages_on_both_paths(case, tmp_path):
    spec = CASES[case]
    on_gs = gradescope_run(tmp_path / "gs", spec.files)
    folder = local_run(tmp_path / "local", spec.files)
    local = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    feedback = (folder / "feedback.md").read_text(encoding="utf-8")
    record = json.loads((folder / "summary.json").read_text(encoding="utf-8"))

    assert on_gs["score"] == local["score"]
    assert [(t["name"], t["status"], t["score"]) for t in on_gs["tests"]] == \
        [(t["name"], t["status"], t["score"]) for t in local["tests"]]
    ex5_4 = sum(t["score"] for t in local["tests"] if t["name"].startswith("ex5_4 · "))
    assert ex5_4 == spec.ex5_4 and local["score"] == spec.ex5_4
    assert record["status"] == spec.status
    row = read_grades_csv(folder.parent / "grades.csv")[0]
    assert row["status"] == spec.status and float(row["total"]) == spec.ex5_4

    lines = told(spec.files, tmp_path)
    for line in lines:  # every word the intake has about the upload reaches the student
        assert line in feedback, (line, feedback)
        assert line in on_gs["output"], (line, on_gs["output"])
    for fragment in spec.told:
        assert fragment in feedback and fragment in on_gs["output"], fragment
    if spec.status in ("nothing recognised", "refused") and not any(
            "none of this assignment's files" in f for f in spec.told):
        assert "none of this assignment's files" in feedback


def test_gradescope_metadata_names_the_student_and_the_time(tmp_path):
    ag = tmp_path / "autograder"
    write_upload(ag / "submission", {"ex5_4.py": REFERENCE})
    (ag / "results").mkdir()
    (ag / "submission_metadata.json").write_text(json.dumps({
        "id": 1, "created_at": "2025-06-04T10:00:00+08:00",
        "assignment": {"due_date": "2025-06-02T23:59:00+08:00"},
        "users": [{"name": "李四", "email": "lisi@example.edu", "id": 7, "sid": "2023002",
                   "assignment": {"due_date": "2025-06-03T23:59:00+08:00"}}],  # an extension
    }), encoding="utf-8")
    captured: list = []
    real = gradescope.apply_metadata

    def spy(result, meta):
        real(result, meta)
        captured.append(result)
    try:
        gradescope.apply_metadata = spy
        assert gradescope.main(["--autograder-dir", str(ag)]) == 0
    finally:
        gradescope.apply_metadata = real
    result = captured[0]
    assert (result.identity.name, result.identity.email, result.identity.sid) == \
        ("李四", "lisi@example.edu", "2023002")
    assert result.submitted_at == "2025-06-04T10:00:00+08:00"
    assert result.time_source == "gradescope" and result.lms_late is True
    assert result.late.days == 1 and result.late.penalty_pct == 0  # the student's own due date
    output = json.loads((ag / "results" / "results.json").read_text(encoding="utf-8"))["output"]
    assert "1 day(s) late (no penalty applied)" in output
    assert result.score == 10  # Gradescope's own late policy applies, not ours


def test_the_local_and_gradescope_uploads_name_their_folder_alike(tmp_path):
    """A zip uploaded as the student's entry (subs/<student>.zip) and the same zip inside
    Gradescope's submission folder are collected alike."""
    files = {"work.zip": zipped({"a/b/ex5_4.py": REFERENCE})}
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "zhangsan.zip").write_bytes(files["work.zip"])
    assert main(["grade", str(subs), "--out", str(tmp_path / "out")]) == 0
    local = json.loads((tmp_path / "out" / "zhangsan" / "results.json").read_text())
    assert local["score"] == gradescope_run(tmp_path / "gs", files)["score"] == 10
    shutil.rmtree(tmp_path / "out")


def test_odd_metadata_does_not_cost_the_grade(tmp_path):
    ag = tmp_path / "autograder"
    write_upload(ag / "submission", {"ex5_4.py": REFERENCE})
    (ag / "results").mkdir()
    (ag / "submission_metadata.json").write_text(json.dumps({
        "created_at": "not a time", "users": [{"name": ["odd"], "assignment": "none"}],
        "assignment": {"due_date": 12}}), encoding="utf-8")
    assert gradescope.main(["--autograder-dir", str(ag)]) == 0
    assert json.loads((ag / "results" / "results.json").read_text())["score"] == 10
