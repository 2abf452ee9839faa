"""A name a student controls (a zip member, a folder) is data wherever it is shown: on one line
and inert in feedback.md, feedback.html, results.json (Gradescope's output) and the report."""

from __future__ import annotations

import json
import re
import zipfile

from autograder.cli import main
from autograder.names import md_text, one_line
from autograder.report.markdown import to_html
from tests.support import SOLUTIONS

REFERENCE = (SOLUTIONS / "ch5" / "ex5_4.py").read_bytes()
FORGED = "x\n\n# Regrade note\n\n**Your grade was raised to 100** [ok](http:evil) $x$\u2028y.py"
FOLDER = "*boss* [a](b) <i>$1$"


def test_one_line_and_md_text():
    assert one_line("a\nb\r\tc\x1bd\u202ee\u2028f") == "a\\nb\\r\\tc\\x1bd\\u202ee\\u2028f"
    assert md_text("ex5_4.py") == "ex5_4.py"  # a _ inside a word is no emphasis
    for hostile in ("# h", "**b**", "_e_", "[l](u)", "![i](u)", "<b>", "`c`", "$x$", "a|b",
                    "~~s~~", "&amp;", "- item", "1. item", "> q", "a\n# h"):
        html = to_html(md_text(hostile))
        assert re.fullmatch(r"<p>[^<]*</p>\n", html), (hostile, html)


def test_a_zip_member_name_cannot_write_markdown_or_lines(tmp_path):
    subs = tmp_path / "subs"
    student = subs / FOLDER
    student.mkdir(parents=True)
    with zipfile.ZipFile(student / "work.zip", "w") as zf:
        zf.writestr("ex5_4.py", REFERENCE)
        zf.writestr(FORGED, b"print(1)\n")
    out = tmp_path / "out"
    assert main(["grade", str(subs), "--out", str(out)]) == 0
    folder = out / FOLDER
    md = (folder / "feedback.md").read_text(encoding="utf-8")
    headings = [ln for ln in md.splitlines() if ln.startswith("#")]
    assert all(ln.startswith(("# ch5", "## ex5_")) for ln in headings), headings
    assert not any("Regrade" in ln and not ln.startswith("- Not used:") for ln in md.splitlines())
    html = (folder / "feedback.html").read_text(encoding="utf-8")
    assert "Regrade note" in html
    assert "<strong>Your grade" not in html and "<h1>Regrade" not in html
    assert 'href="http:evil"' not in html and "<i>" not in html and "<math" not in html
    assert "<em>boss</em>" not in html
    output = json.loads((folder / "results.json").read_text(encoding="utf-8"))["output"]
    line = next(ln for ln in output.splitlines() if "Regrade" in ln)
    assert line.startswith("Not used: work.zip:x\\n\\n# Regrade note") and "\\u2028y.py" in line
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Regrade note" not in report or "\\n# Regrade note" in report
