"""Classes graded for real (the engine, the report) once per session, for the export tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.cli import main
from tests.support import SOLUTIONS

REFERENCE = (SOLUTIONS / "ch5" / "ex5_4.py").read_bytes()


def _grade(subs: Path, out: Path) -> Path:
    assert main(["grade", str(subs), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def canvas_class(tmp_path_factory) -> Path:
    """A Canvas download for the course of ../shared/lms's gradebook export: Chen (48211)
    uploads the reference, García (48213) only a text file, Zhao (49999) is not in that
    course, and wangxm (王小明's SIS login) is a plain folder; O'Brien uploads nothing."""
    subs = tmp_path_factory.mktemp("canvas-subs")
    (subs / "chenalice_48211_912345_ex5_4.py").write_bytes(REFERENCE)
    (subs / "garcíajosé_LATE_48213_912346_notes.txt").write_text("see you\n")
    (subs / "zhao_49999_912399_ex5_4.py").write_bytes(REFERENCE)
    (subs / "wangxm").mkdir()
    (subs / "wangxm" / "ex5_4.py").write_bytes(REFERENCE)
    return _grade(subs, tmp_path_factory.mktemp("canvas") / "out")


@pytest.fixture(scope="session")
def moodle_class(tmp_path_factory) -> Path:
    """A flat Moodle download for ../shared/lms's grading worksheet: Alice (1058) and 王小明
    (1056) upload the reference, José (1059) only a text file, Bob (2000) is not in the
    worksheet, Emma (1057) uploads nothing; Alice's proof of ex5_2 is marked 8 in manual.csv."""
    subs = tmp_path_factory.mktemp("moodle-subs")
    (subs / "Alice Chen_1058_assignsubmission_file_ex5_4.py").write_bytes(REFERENCE)
    (subs / "小明 王_1056_assignsubmission_file_ex5_4.py").write_bytes(REFERENCE)
    (subs / "José García_1059_assignsubmission_file_readme.txt").write_text("hi\n")
    (subs / "Bob Wu_2000_assignsubmission_file_ex5_4.py").write_bytes(REFERENCE)
    out = _grade(subs, tmp_path_factory.mktemp("moodle") / "out")
    manual = out / "manual.csv"
    text = manual.read_text(encoding="utf-8-sig").splitlines()
    text = [line.replace("Alice Chen_1058,ex5_2,proof,,10,", "Alice Chen_1058,ex5_2,proof,8,10,")
            for line in text]
    assert any(",8,10," in line for line in text), text[:3]
    manual.write_text("\n".join(text) + "\n", encoding="utf-8-sig")
    assert main(["report", str(out)]) == 0
    return out
