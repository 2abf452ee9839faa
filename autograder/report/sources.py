"""Published answer sets, read as code to compare submissions against.

An instructor points ``--reference`` at folders holding answer sets found on the web, saved
as they come: ``.py`` files (taken whole), notebooks (their code cells), Markdown (its fenced
code blocks, or its code-like lines when it has none), web pages (the text of their ``<pre>``
and ``<code>`` blocks, else the page's text) and plain text. Text from a page or a document
often loses indentation and mixes prose with code; the similarity measure ignores whitespace,
so what matters is keeping the code lines (``code_lines``) and dropping the prose.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Sequence

SUFFIXES = (".py", ".ipynb", ".md", ".markdown", ".txt", ".html", ".htm")
"""The files read in a reference folder; others are skipped."""
MAX_BYTES = 5_000_000
"""Larger files are skipped."""

_FENCE = re.compile(r"^(`{3,}|~{3,})[ \t]*([\w+-]*)[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)
_STATEMENT = re.compile(r"^(def|class|import|from|return|for|while|if|elif|else|try|except|"
                        r"finally|with|pass|break|continue|raise|yield|assert|lambda|print|"
                        r"self|super|np|@)\b")


@dataclass(frozen=True)
class Document:
    """The code of one reference file: ``label`` names it in the report (folder/file)."""

    label: str
    path: Path
    code: str


def is_code_line(line: str) -> bool:
    """Whether a line of prose-and-code text looks like a line of Python."""
    s = line.strip()
    if not s or s.startswith("#") and not s.startswith("#!"):
        return False
    ascii_share = sum(ch.isascii() for ch in s) / len(s)
    return ascii_share >= 0.8 and bool(_STATEMENT.match(s) or re.search(r"[=()\[\]:]", s))


def code_lines(text: str) -> str:
    """The code-like lines of ``text``, in order."""
    return "\n".join(line for line in text.splitlines() if is_code_line(line))


def markdown_code(text: str) -> str:
    """The fenced code blocks of Markdown (Python or untagged), else its code-like lines."""
    blocks = [m.group(3) for m in _FENCE.finditer(text)
              if m.group(2).lower() in ("", "py", "python", "python3", "ipython", "ipython3")]
    return "\n".join(blocks) if blocks else code_lines(text)


class _PageText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.skip = 0
        self.code: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("pre", "code"):
            self.depth += 1
        elif tag in ("script", "style"):
            self.skip += 1
        elif tag in ("br", "p", "div", "li", "tr"):
            (self.code if self.depth else self.text).append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("pre", "code") and self.depth:
            self.depth -= 1
            if not self.depth:
                self.code.append("\n")
        elif tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            (self.code if self.depth else self.text).append(data)


def page_code(text: str) -> str:
    """The code of a saved web page: its ``<pre>``/``<code>`` text, else its code-like lines."""
    parser = _PageText()
    parser.feed(text)
    code = "".join(parser.code)
    return code if code.strip() else code_lines("".join(parser.text))


def notebook_code(text: str) -> str:
    """The code cells of a Jupyter notebook."""
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return ""
    out = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            out.append("".join(source) if isinstance(source, list) else str(source))
    return "\n".join(out)


def extract(path: Path) -> str:
    """The code held by one reference file (by its suffix)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    suffix = path.suffix.lower()
    if suffix == ".py":
        return text
    if suffix == ".ipynb":
        return notebook_code(text)
    if suffix in (".md", ".markdown"):
        return markdown_code(text)
    if suffix in (".html", ".htm"):
        return page_code(text)
    return code_lines(text)


def _files(folder: Path) -> Iterable[Path]:
    if folder.is_file():
        yield folder
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix.lower() in SUFFIXES \
                and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            yield path


def read_references(folders: Sequence[Path]) -> tuple[list[Document], list[str]]:
    """Every reference document under ``folders`` that holds code, and notes on what was not
    read."""
    documents, notes = [], []
    for folder in folders:
        folder = Path(folder)
        if not folder.exists():
            notes.append(f"reference {folder} does not exist; skipped")
            continue
        found = 0
        for path in _files(folder):
            if path.stat().st_size > MAX_BYTES:
                notes.append(f"reference {path} is larger than {MAX_BYTES:,} bytes; skipped")
                continue
            code = extract(path)
            if code.strip():
                rel = path.name if folder.is_file() else path.relative_to(folder).as_posix()
                documents.append(Document(f"{folder.name}/{rel}" if folder.is_dir() else rel,
                                          path, code))
                found += 1
        if not found:
            notes.append(f"reference {folder} holds no code that could be read "
                         f"({', '.join(SUFFIXES)})")
    return documents, notes
