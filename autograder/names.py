"""Names a student controls (zip member and file names, folder names, LMS full names) as data
in every text a person reads: kept on one line, and inert in Markdown.

``one_line`` shows line breaks, control and bidirectional-formatting characters as escapes
(``\\n``, ``\\x1b``, ``\\u202e``), so a name can never start a new line, a heading or a fake
"regrade note", nor reorder what is shown around it. It is applied where the intake names
what it found (``intake.common.shown``), so every message, results.json (Gradescope's output)
and feedback.md carry names on one line; report pages pass every plain value through it
(``report.page``). ``md_text`` also backslash-escapes what Markdown (CommonMark, tables,
strikethrough, ``$`` math) would read as markup, for text put into feedback.md, whose HTML page
is rendered from it.
"""

from __future__ import annotations

import re
import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_INLINE = set("\\`*[]<>!$|~&")
"""Characters that open Markdown inline markup (code, emphasis, links, images, autolinks, math,
table cells, strikethrough, entities) wherever they stand."""


def _visible(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def one_line(text: str) -> str:
    """``text`` with every line break, control or format character (Unicode categories Cc, Cf,
    Zl, Zp) written as a visible escape: one line, shown as it is."""
    return "".join(_visible(c) if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c
                   for c in text)


def md_text(text: str) -> str:
    """``text`` on one line and as literal Markdown: inline markup characters are
    backslash-escaped, ``_`` unless it stands inside a word (``ex5_4.py`` stays as it is, and
    CommonMark never reads such a ``_`` as emphasis), and what would open a block at the start
    (a heading, list, quote or rule marker; ``1.`` or ``1)`` of an ordered list)."""
    flat = one_line(text)
    lead = len(flat) - len(flat.lstrip(" "))
    digits = re.match(r"\d{1,9}(?=[.)])", flat[lead:])
    block = lead + (digits.end() if digits else 0)  # the character that could open a block
    out = []
    for i, c in enumerate(flat):
        inside = 0 < i < len(flat) - 1 and flat[i - 1].isalnum() and flat[i + 1].isalnum()
        if c in _INLINE or (c == "_" and not inside) or (i == block and c.isascii()
                                                         and not c.isalnum() and c != " "):
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


__all__ = ["one_line", "md_text"]


def fenced(text: str, indent: str = "") -> list[str]:
    """``text`` as a Markdown code block whose fence is longer than any run of backticks in
    it, so no message can close the block and write Markdown of its own."""
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return [f"{indent}{fence}text"] + [f"{indent}{line}" for line in text.splitlines()] + \
        [f"{indent}{fence}"]
