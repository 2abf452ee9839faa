"""Every CSV meant for a spreadsheet goes through one place that makes formula cells inert
(OWASP's CSV-injection rule), and what it wrote reads back as it was."""

from __future__ import annotations

import csv
import io

import pytest

from autograder.csvcells import TRIGGERS, cell, uncell
from autograder.grades import csv_text

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1",
           "\n=1", "'=already quoted", "''=twice", "-", "- dash", "=", "@"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_formula_cell_is_quoted_and_reads_back(value):
    written = cell(value)
    assert not written.startswith(TRIGGERS) or written == "-"
    assert uncell(written) == value


@pytest.mark.parametrize("value", ["-2.5", "10", "0", "-1e3", "", "王小明", "Chen, Alice",
                                   "'plain", "a=b"])
def test_plain_values_and_numbers_are_kept(value):
    assert cell(value) == value and uncell(value) == value


def test_csv_text_neutralises_every_cell():
    text = csv_text([["student", "name"], ["=cmd|' /C calc'!A0", "@x"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'=cmd|' /C calc'!A0", "'@x"]
