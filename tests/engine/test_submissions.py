"""Reading a folder of submissions: folders and zips, and zips that must be refused."""

from __future__ import annotations

import stat
import zipfile

import pytest

from autograder.engine.submissions import (MAX_BYTES, MAX_FILES, Entry, SubmissionError, discover,
                                           extract_zip, submission_hash)

from .helpers import make_zip


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


def test_flat_and_wrapped_zips(tmp_path):
    make_zip(tmp_path / "flat.zip", {"ex5_4.py": b"a", "ex5_2.md": b"b"})
    assert extract_zip(tmp_path / "flat.zip", tmp_path / "f") == []
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == ["ex5_2.md", "ex5_4.py"]
    make_zip(tmp_path / "wrapped.zip", {"hw5/ex5_4.py": b"a", "hw5/extra/deep.py": b"c",
                                        "__MACOSX/hw5/._ex5_4.py": b"junk", "hw5/.DS_Store": b"x"})
    notes = extract_zip(tmp_path / "wrapped.zip", tmp_path / "w")
    assert [p.name for p in (tmp_path / "w").iterdir()] == ["ex5_4.py"]
    assert any("deep.py" in n for n in notes)


@pytest.mark.parametrize("name,why", [("../evil.py", "'..'"), ("/etc/evil.py", "absolute"),
                                      ("a/../../evil.py", "'..'"), ("C:/evil.py", "absolute")])
def test_unsafe_paths_are_refused(tmp_path, name, why):
    make_zip(tmp_path / "s.zip", {"ex5_4.py": b"x", name: b"y"})
    with pytest.raises(SubmissionError, match=f"refused.*{why}"):
        extract_zip(tmp_path / "s.zip", tmp_path / "out")
    assert not (tmp_path / "evil.py").exists()


def test_links_in_zips_are_refused(tmp_path):
    path = tmp_path / "l.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("ex5_4.py")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/work/main/solutions/ch5/ex5_4.py")
    with pytest.raises(SubmissionError, match="symbolic link"):
        extract_zip(path, tmp_path / "out")


def test_zip_bombs_are_refused(tmp_path):
    make_zip(tmp_path / "big.zip", {"ex5_4.py": b"x", "pad.bin": bytes(MAX_BYTES + 1)})
    with pytest.raises(SubmissionError, match="refused: it expands to"):
        extract_zip(tmp_path / "big.zip", tmp_path / "o1")
    make_zip(tmp_path / "many.zip", {f"f{i}.py": b"" for i in range(MAX_FILES + 1)})
    with pytest.raises(SubmissionError, match=f"holds {MAX_FILES + 1} files"):
        extract_zip(tmp_path / "many.zip", tmp_path / "o2")


def test_a_zip_that_lies_about_its_sizes_is_refused(tmp_path):
    """A zip that declares 100 bytes but holds 50 MB: no more than the declared size is read
    (so the size cap holds), and the checksum exposes the lie."""
    path = make_zip(tmp_path / "liar.zip", {"pad.bin": bytes(MAX_BYTES + 10)})
    data = bytearray(path.read_bytes())
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (100).to_bytes(4, "little")  # central directory: uncompressed size
    data[22:26] = (100).to_bytes(4, "little")  # local header: uncompressed size
    path.write_bytes(bytes(data))
    with pytest.raises(SubmissionError, match="could not be read.*CRC"):
        extract_zip(path, tmp_path / "o")
    assert (tmp_path / "o" / "pad.bin").stat().st_size <= 100


def test_not_a_zip(tmp_path):
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(SubmissionError, match="not a valid zip"):
        extract_zip(tmp_path / "x.zip", tmp_path / "o")


def test_hash_follows_the_content(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "ex5_4.py").write_text("a")
    e = Entry("s", tmp_path / "s")
    h1 = submission_hash(e)
    (tmp_path / "s" / "ex5_4.py").write_text("b")
    assert submission_hash(e) != h1
