"""The one intake: students of a folder, and the chapter's files found in one upload (loose,
in folders, in zips), within one set of limits, with advice for what is not used."""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from autograder import intake
from autograder.intake import (MAX_ENTRIES, Entry, collect, discover, suggest,
                               zip_member_count)
from tests.support import CHAPTER

EXPECTED = [f for e in CHAPTER.exercises for f in e.files]
CODE = [e.code for e in CHAPTER.exercises]


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _collect(tmp_path, make):
    sub = tmp_path / "submission"
    sub.mkdir()
    make(sub)
    dest = tmp_path / "files"
    return collect(sub, dest, CHAPTER), dest


# -- a folder of students ---------------------------------------------------------------------

def test_discover_folders_and_zips(tmp_path):
    (tmp_path / "bob").mkdir()
    make_zip(tmp_path / "alice.zip", {"ex5_4.py": b"x = 1\n"})
    make_zip(tmp_path / "bob.zip", {"ex5_4.py": b"x = 1\n"})
    (tmp_path / "notes.txt").write_text("hi")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "bob")
    entries, notes = discover(tmp_path, exclude=tmp_path / "out")
    assert [(e.student, e.path.name) for e in entries] == [("alice", "alice.zip"), ("bob", "bob")]
    assert any("notes.txt" in n for n in notes)
    assert any("bob.zip" in n and "already" in n for n in notes)
    assert any("link" in n for n in notes)


def test_discover_needs_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        discover(tmp_path / "missing")
    download = make_zip(tmp_path / "submissions.zip", {"a_1_2_ex5_4.py": b"x = 1\n"})
    with pytest.raises(FileNotFoundError, match="is a zip, not a folder: unzip it"):
        discover(download)


def test_student_ids_that_would_break_the_output_are_skipped_with_a_note(tmp_path):
    (tmp_path / "grades.csv").mkdir()
    make_zip(tmp_path / "grades.csv.zip", {"ex5_4.py": b"x = 1\n"})
    os.mkdir(os.path.join(os.fsencode(tmp_path), b"bad\xffname"))
    (tmp_path / "fine").mkdir()
    entries, notes = discover(tmp_path)
    assert [e.student for e in entries] == ["fine"]
    assert sum("name of a file the grader writes" in n for n in notes) == 2
    assert any("not valid UTF-8" in n for n in notes)
    assert all(n.encode("utf-8") for n in notes)  # every note can be printed


# -- one upload -------------------------------------------------------------------------------

def test_loose_files_are_taken_as_they_are(tmp_path):
    def make(sub):
        for f in EXPECTED[:3]:
            (sub / f).write_bytes(b"# " + f.encode())
    up, dest = _collect(tmp_path, make)
    assert sorted(up.received) == sorted(EXPECTED[:3])
    assert sorted(p.name for p in dest.iterdir()) == sorted(EXPECTED[:3])
    for f in EXPECTED[:3]:
        assert (dest / f).read_bytes() == b"# " + f.encode()
    assert not up.unused and up.digest


def test_a_zip_is_collected_like_a_folder(tmp_path):
    """A student's zip, flat, wrapped in a folder or nested deeper, gives the same files."""
    files = {f: f.encode() for f in CODE}
    for i, prefix in enumerate(["", "hw5/", "a/b/"]):
        z = make_zip(tmp_path / f"s{i}.zip", {prefix + k: v for k, v in files.items()}
                     | {"__MACOSX/._ex5_2.py": b"junk", prefix + ".DS_Store": b"junk"})
        up = collect(z, tmp_path / f"d{i}", CHAPTER)
        assert sorted(up.received) == sorted(CODE) and not up.unused, (prefix, up.unused)
    digests = {collect(tmp_path / f"s{i}.zip", tmp_path / f"e{i}", CHAPTER).digest
               for i in range(3)}
    assert len(digests) == 1  # the digest is of what is graded, not of how it was wrapped


def test_one_zip_with_a_wrapping_folder_is_unpacked(tmp_path):
    def make(sub):
        make_zip(sub / "homework.zip", {f"my work/ch5/{f}": f.encode() for f in CODE}
                 | {"__MACOSX/._ex5_2.py": b"junk", "my work/.DS_Store": b"junk"})
    up, dest = _collect(tmp_path, make)
    assert sorted(up.received) == sorted(CODE)
    assert (dest / CODE[0]).read_bytes() == CODE[0].encode()
    assert not up.unused, up.unused


def test_wrong_names_are_not_graded_and_the_report_says_what_to_rename(tmp_path):
    first = CHAPTER.exercises[0].code  # e.g. ex5_2.py
    stem = first[:-3]

    def make(sub):
        (sub / (stem.replace("_", "-") + ".py")).write_text("x = 1")
        (sub / f"{stem} (1).py").write_text("x = 1")
        (sub / f"{stem.upper()}.py").write_text("x = 1")
        (sub / f"{stem}.ipynb").write_text("{}")
        (sub / f"{first}.txt").write_text("x = 1")
        (sub / "notes.pdf").write_bytes(b"%PDF")
    up, dest = _collect(tmp_path, make)
    assert not up.received and not list(dest.iterdir())
    why = dict(up.unused)
    assert f"rename it to {first}" in why[stem.replace("_", "-") + ".py"]
    assert f"rename it to {first}" in why[f"{stem} (1).py"]
    assert f"rename it to {first}" in why[f"{stem.upper()}.py"]
    assert f"rename it to {first}" in why[f"{first}.txt"]
    assert f"submit your answer as {first}" in why[f"{stem}.ipynb"]
    assert "not a file of this assignment" in why["notes.pdf"]
    assert any(f"rename it to {first}" in line for line in up.lines())


def test_empty_upload_names_every_file_it_could_have_held(tmp_path):
    up, dest = _collect(tmp_path, lambda sub: None)
    assert not up.received and not list(dest.iterdir())
    for f in EXPECTED:
        assert f in intake.nothing_received(CHAPTER)


def test_duplicates_with_different_content_take_the_shallowest_and_say_so(tmp_path):
    name = CODE[0]

    def make(sub):
        (sub / name).write_text("top = 1")
        (sub / "old").mkdir()
        (sub / "old" / name).write_text("old = 1")
    up, dest = _collect(tmp_path, make)
    assert (dest / name).read_text() == "top = 1"
    assert any("appears 2 times" in n for n in up.notes)


def test_hostile_archives_are_skipped_without_reading_them_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(intake.upload, "MAX_FILE_BYTES", 1000)
    name = CODE[0]

    def make(sub):
        make_zip(sub / "a.zip", {f"../../{name}": b"escape", "inner.zip": b"PK", name: b"0" * 5000,
                                 "/etc/" + CODE[2]: b"abs"})
        (sub / "broken.zip").write_bytes(b"not a zip")
        os.symlink("/etc/passwd", sub / CODE[1])
    up, dest = _collect(tmp_path, make)
    assert not (tmp_path / name).exists() and not (tmp_path.parent / name).exists()
    why = dict(up.unused)
    assert "too large" in why[f"a.zip:{name}"]
    assert "climbs out of the zip" in why[f"a.zip:../../{name}"]
    assert "zip inside a zip" in why["a.zip:inner.zip"]
    assert "not a readable zip" in why["broken.zip"]
    assert "not a regular file" in why[CODE[1]]
    assert list(up.received) == [CODE[2]]  # an absolute member's base name is all that is used
    assert sorted(p.name for p in dest.iterdir()) == [CODE[2]]


def test_links_in_zips_are_not_followed(tmp_path):
    path = tmp_path / "l.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("ex5_4.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/work/main/solutions/ch5/ex5_4.py")
    up = collect(path, tmp_path / "out", CHAPTER)
    assert not up.received and "symbolic link" in dict(up.unused)["l.zip:ex5_4.py"]


def test_a_zip_of_too_many_members_is_not_opened(tmp_path):
    path = make_zip(tmp_path / "many.zip", {f".f{i}": b"" for i in range(MAX_ENTRIES + 1)}
                    | {"ex5_4.py": b"x = 1\n"})
    assert zip_member_count(path) == MAX_ENTRIES + 2
    up = collect(path, tmp_path / "out", CHAPTER)
    assert not up.received and f"a zip of {MAX_ENTRIES + 2:,} files was not opened" in \
        dict(up.unused)["many.zip"]


def test_a_huge_member_is_never_read(tmp_path):
    path = make_zip(tmp_path / "big.zip", {"ex5_4.py": b"x = 1\n",
                                           "pad.bin": bytes(intake.MAX_TOTAL_BYTES + 1)})
    up = collect(path, tmp_path / "o", CHAPTER)
    assert list(up.received) == ["ex5_4.py"]
    big = make_zip(tmp_path / "big2.zip", {"ex5_4.py": bytes(intake.MAX_FILE_BYTES + 1)})
    up = collect(big, tmp_path / "o2", CHAPTER)
    assert not up.received and "too large" in dict(up.unused)["big2.zip:ex5_4.py"]


def test_a_zip_that_lies_about_its_sizes_is_not_taken(tmp_path):
    """A member that declares 100 bytes but holds more: no more than the cap is read, and the
    checksum exposes the lie."""
    path = make_zip(tmp_path / "liar.zip", {"ex5_4.py": b"x" * 50_000})
    data = bytearray(path.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (100).to_bytes(4, "little")  # central directory: uncompressed size
    data[22:26] = (100).to_bytes(4, "little")  # local header: uncompressed size
    path.write_bytes(bytes(data))
    up = collect(path, tmp_path / "o", CHAPTER)
    assert not up.received, up.received
    assert "could not be read" in dict(up.unused)["liar.zip:ex5_4.py"]


def test_suggestions_for_names_of_other_shapes():
    assert "rename it to ex5_4.py" in suggest("Ex5_4.py", EXPECTED)
    assert "rename it to ex5_7.py" in suggest("ex5_7 (1).py", EXPECTED)
    assert "did you mean ex5_3.py" in suggest("ex5_33.py", EXPECTED)


def test_entry_kinds():
    assert Entry("a", Path("a.ZIP")).is_zip and not Entry("a", Path("a")).is_zip


# -- LMS bulk downloads -----------------------------------------------------------------------

def test_a_canvas_download_is_grouped_by_student_with_its_ids_and_late_flag(tmp_path):
    """Canvas's flat files: <name>_[LATE_]<user id>_<attachment id>_<file>; a resubmitted file
    gets -1, -2 (Canvas's doing, not the student's)."""
    (tmp_path / "zhangsan_12345_678901_ex5_4.py").write_text("x = 1\n")
    (tmp_path / "zhangsan_12345_678902_ex5_2.py").write_text("y = 2\n")
    (tmp_path / "lisi_LATE_23456_678903_ex5_4-1.py").write_text("z = 3\n")
    (tmp_path / "lisi_LATE_23456_678904_ex5-2.py").write_text("w = 4\n")
    entries, notes = discover(tmp_path, chapter=CHAPTER)
    assert not notes
    by = {e.student: e for e in entries}
    assert sorted(by) == ["lisi_23456", "zhangsan_12345"]
    zs, ls = by["zhangsan_12345"], by["lisi_23456"]
    assert (zs.identity.lms, zs.identity.lms_id, zs.identity.name, zs.lms_late) == \
        ("canvas", "12345", "zhangsan", False)
    assert (ls.identity.lms_id, ls.lms_late) == ("23456", True)
    up = collect(zs, tmp_path / "zs", CHAPTER)
    assert sorted(up.received) == ["ex5_2.py", "ex5_4.py"] and not up.unused
    up = collect(ls, tmp_path / "ls", CHAPTER)
    assert list(up.received) == ["ex5_4.py"]  # ex5_4-1.py: Canvas's name for a resubmission
    assert (tmp_path / "ls" / "ex5_4.py").read_text() == "z = 3\n"
    # the student is told about the name they gave, not Canvas's
    assert dict(up.unused) == {"ex5-2.py": suggest("ex5-2.py", EXPECTED)}
    assert up.misnamed == ["ex5-2.py"]


def test_a_canvas_student_who_uploaded_a_zip(tmp_path):
    make_zip(tmp_path / "wangwu_34567_1_homework.zip", {"hw/ex5_4.py": b"x = 1\n"})
    entries, _ = discover(tmp_path, chapter=CHAPTER)
    assert [e.student for e in entries] == ["wangwu_34567"]
    up = collect(entries[0], tmp_path / "o", CHAPTER)
    assert up.received == {"ex5_4.py": "homework.zip:hw/ex5_4.py"}


def test_a_moodle_download_is_grouped_by_participant(tmp_path):
    """Moodle's folders: <Full Name>_<participant id>_assignsubmission_<plugin>_/; only file
    submissions are graded."""
    folder = tmp_path / "张三_1001_assignsubmission_file_"
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "ex5_4.py").write_text("x = 1\n")
    (tmp_path / "张三_1001_assignsubmission_onlinetext_").mkdir()
    (tmp_path / "Li Si_1002_assignsubmission_file_ex5_2.py").write_text("y = 2\n")  # flat mode
    entries, notes = discover(tmp_path, chapter=CHAPTER)
    by = {e.student: e for e in entries}
    assert sorted(by) == ["Li Si_1002", "张三_1001"]
    assert (by["张三_1001"].identity.lms, by["张三_1001"].identity.lms_id,
            by["张三_1001"].identity.name) == ("moodle", "1001", "张三")
    assert any("online text" in n for n in notes)
    up = collect(by["张三_1001"], tmp_path / "a", CHAPTER)
    assert up.received == {"ex5_4.py": "src/ex5_4.py"}  # the student's own path
    assert list(collect(by["Li Si_1002"], tmp_path / "b", CHAPTER).received) == ["ex5_2.py"]


def test_one_students_folder_is_not_taken_for_a_class(tmp_path):
    (tmp_path / "ex5_4.py").write_text("x = 1\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "autograder").mkdir()
    with pytest.raises(intake.LayoutError, match="one student's submission.*ex5_4.py"):
        discover(tmp_path, chapter=CHAPTER)
    handout = tmp_path / "nndl-ch5"
    (handout / "tests").mkdir(parents=True)
    (handout / "check.py").write_text("")
    with pytest.raises(intake.LayoutError, match="check.py"):
        discover(handout, chapter=CHAPTER)


def test_entries_match_by_id_lms_id_or_name():
    from autograder.results import Identity
    e = Entry("zhangsan_12345", Path("x"), identity=Identity(name="Zhang San", lms_id="12345",
                                                             sid="2023001"))
    assert all(e.matches(w) for w in ("zhangsan_12345", "12345", "zhang san", "2023001"))
    assert not e.matches("zhangsan") and not e.matches("")


def test_what_went_wrong_is_classified(tmp_path):
    def make(sub):
        (sub / "ex5-2.py").write_text("x = 1")
        (sub / "broken.zip").write_bytes(b"not a zip")
        (sub / "notes.txt").write_text("hi")
    up, _ = _collect(tmp_path, make)
    assert up.misnamed == ["ex5-2.py"] and up.refused == ["broken.zip"]
    assert len(up.unused) == 3  # notes.txt is neither: just not a file of this assignment


def test_the_newest_time_of_the_files_taken_is_kept(tmp_path):
    def make(sub):
        for name, when in (("ex5_2.py", 1_700_000_000), ("ex5_4.py", 1_700_000_500),
                           ("notes.txt", 1_800_000_000)):
            (sub / name).write_text("x = 1")
            os.utime(sub / name, (when, when))
    up, _ = _collect(tmp_path, make)
    assert up.newest == 1_700_000_500  # notes.txt is not taken: its time does not count


def test_the_reports_folders_are_no_student_ids(tmp_path):
    for name in ("similarity", "written", "Similarity.zip"):
        (tmp_path / name).mkdir() if not name.endswith(".zip") else \
            make_zip(tmp_path / name, {"ex5_4.py": b"x = 1\n"})
    (tmp_path / "sim").mkdir()
    entries, notes = discover(tmp_path)
    assert [e.student for e in entries] == ["sim"]
    assert sum("name of a file the grader writes" in n for n in notes) == 3


def test_the_handouts_own_files_beside_the_answers_are_not_reported(tmp_path):
    def make(sub):
        root = sub / "nndl-ch5"
        (root / "tests").mkdir(parents=True)
        (root / "autograder" / "checks").mkdir(parents=True)
        (root / "ex5_2.py").write_text("answer = 2\n")
        (root / "ex5_4.py").write_text("answer = 4\n")
        (root / "tests" / "ex5_2.py").write_text("public check\n")  # same name, other content
        (root / "autograder" / "checks" / "cases.py").write_text("x = 1\n")
        for name in ("check.py", "README.md", "ex5_2.ipynb", "ex5_4.ipynb", "submission.zip"):
            (root / name).write_bytes(b"{}")
        (root / "ex5_3.ipynb").write_text("{}")  # its .py is not there: the answer is here?
        (root / "notes.txt").write_text("mine")

    upload, dest = _collect(tmp_path, make)
    assert sorted(upload.received) == ["ex5_2.py", "ex5_4.py"]
    assert (dest / "ex5_2.py").read_text() == "answer = 2\n"
    assert [where for where, _ in upload.unused] == ["nndl-ch5/ex5_3.ipynb", "nndl-ch5/notes.txt"]
    assert upload.misnamed == ["nndl-ch5/ex5_3.ipynb"]  # still told: submit it as ex5_3.py
    assert upload.refused == [] and upload.notes == []  # no "appears 2 times" for tests/


def test_handout_names_elsewhere_are_still_reported(tmp_path):
    def make(sub):
        (sub / "mine").mkdir()
        (sub / "mine" / "ex5_4.py").write_text("answer = 4\n")
        (sub / "other").mkdir()
        (sub / "other" / "check.py").write_text("x")  # not beside an answer: not the handout's
    upload, _ = _collect(tmp_path, make)
    assert [where for where, _ in upload.unused] == ["other/check.py"]
