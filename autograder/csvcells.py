"""Cells of every CSV this package writes for a spreadsheet, made inert.

A spreadsheet (Excel, LibreOffice, Google Sheets) runs a cell that starts with ``=``, ``+``,
``-`` or ``@`` as a formula, and so does one that starts with a tab or a carriage return
before such a character. Student ids, names and file names are chosen by students, so
``grades.csv``, ``manual.csv``, ``similarity.csv`` and every export pass each cell through
``cell`` (OWASP's "CSV Injection" rule: prefix such a cell with a single quote ``'``).
Two values stay as they are because no spreadsheet reads them as formulas and the LMS
importers need them verbatim: a plain number (``-2.5``, a negative penalty) and a lone ``-``
(Moodle's placeholder, which Moodle's own ``escape_spreadsheet_formula`` also leaves).

Readers of these files call ``uncell`` so that what was written reads back as it was:
``uncell(cell(x)) == x`` for every string ``x``.
"""

from __future__ import annotations

import re
from typing import Iterable

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""First characters that make a spreadsheet read a cell as a formula (OWASP; Moodle adds LF)."""

QUOTE = "'"

_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def _needs_quote(value: str) -> bool:
    if not value.startswith(TRIGGERS):
        return False
    return value != "-" and not _NUMBER.fullmatch(value)


def cell(value: object) -> str:
    """``value`` as text a spreadsheet shows and never runs: a leading ``'`` before a formula
    trigger, and before a ``'`` already in front of one (so ``uncell`` can undo it)."""
    text = "" if value is None else str(value)
    if _needs_quote(text) or (text.startswith(QUOTE) and _needs_quote(text.lstrip(QUOTE))):
        return QUOTE + text
    return text


def inert(value: object) -> str:
    """``value`` made inert for a file this package never reads back (an LMS's own file it
    fills): a ``'`` only before a trigger, so a cell the LMS already quoted stays as it is."""
    text = "" if value is None else str(value)
    return QUOTE + text if _needs_quote(text) else text


def uncell(text: str) -> str:
    """What ``cell`` was given, from the text it wrote (other text is returned as is)."""
    if text.startswith(QUOTE) and _needs_quote(text.lstrip(QUOTE)):
        return text[1:]
    return text


def row(values: Iterable[object]) -> list[str]:
    """One row of cells, each made inert by ``cell``."""
    return [cell(v) for v in values]


def rows(table: Iterable[Iterable[object]]) -> list[list[str]]:
    """Every row of ``table`` made inert by ``cell``."""
    return [row(r) for r in table]


def unrow(values: Iterable[str]) -> list[str]:
    """A row read back: ``uncell`` on each cell."""
    return [uncell(v) for v in values]


__all__ = ["TRIGGERS", "cell", "inert", "uncell", "row", "rows", "unrow"]
