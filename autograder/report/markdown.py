"""Markdown with LaTeX math, to HTML that shows offline and runs nothing.

``to_html`` renders CommonMark plus tables with markdown-it-py; ``$...$`` and ``$$...$$`` math
(mdit-py-plugins' dollarmath) becomes MathML with latex2mathml, which Chromium draws without
any script or font download. What a student writes cannot reach the page as HTML: raw HTML
is shown as text, images become a note naming their address (an ``<img>`` would fetch it),
links keep only safe schemes (markdown-it's own rule), and latex2mathml's output is rebuilt
from MathML elements and presentation attributes only (it passes ``\\text{<script>}``
through as markup, and ``\\href``, ``\\style`` as attributes). A formula latex2mathml cannot
read is shown as its LaTeX source, marked.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from functools import lru_cache
from typing import Any, Sequence

from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

MATHML = "http://www.w3.org/1998/Math/MathML"
ELEMENTS = frozenset(
    "math mi mn mo ms mtext mspace mrow mfrac msqrt mroot mstyle merror mpadded mphantom "
    "mfenced menclose msub msup msubsup munder mover munderover mmultiscripts mprescripts none "
    "mtable mtr mtd mlabeledtr semantics annotation".split())
"""The MathML elements a formula may keep."""
ATTRIBUTES = frozenset(
    "display mathvariant stretchy fence separator lspace rspace width height depth accent "
    "accentunder movablelimits largeop symmetric minsize maxsize linethickness scriptlevel "
    "displaystyle notation open close separators form columnalign rowalign columnspacing "
    "rowspacing columnlines rowlines frame columnspan rowspan mathcolor mathbackground "
    "mathsize encoding".split())
"""The attributes it may keep: presentation only (no href, style, class or event)."""


def _clean(element: ET.Element, out: list[str]) -> None:
    name = element.tag.rpartition("}")[2]
    if element.tag.startswith("{") and not element.tag.startswith(f"{{{MATHML}}}") \
            or name not in ELEMENTS:
        out.append(html.escape("".join(element.itertext())))  # a foreign element: its text
    else:
        attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in element.attrib.items()
                        if k in ATTRIBUTES)
        if name == "math":
            attrs = f' xmlns="{MATHML}"' + attrs
        out.append(f"<{name}{attrs}>{html.escape(element.text or '')}")
        for child in element:
            _clean(child, out)
        out.append(f"</{name}>")
    out.append(html.escape(element.tail or ""))


@lru_cache(maxsize=50_000)
def math_html(latex: str, display: bool) -> str:
    """``latex`` as a MathML element (block or inline); its source, marked, if unreadable.
    Remembered: a class writes the same formulas again and again."""
    try:
        root = ET.fromstring(latex_to_mathml(latex, display="block" if display else "inline"))
    except Exception:  # noqa: BLE001 - latex2mathml raises many kinds on bad input
        tag = "pre" if display else "code"
        return f'<{tag} class="tex-error" title="this formula could not be rendered">' \
               f"{html.escape(latex)}</{tag}>"
    out: list[str] = []
    _clean(root, out)
    return "".join(out)


def _render_math(display: bool):
    def rule(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
        out = math_html(tokens[idx].content, display)
        return f'<div class="math">{out}</div>\n' if display else out
    return rule


def _render_image(self: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    alt = "".join(c.content for c in (token.children or [])) or "image"
    src = token.attrGet("src") or ""
    return f'<span class="image-note">[image: {html.escape(alt)} — {html.escape(src)}; not ' \
           f"loaded]</span>"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.use(dollarmath_plugin, double_inline=True, allow_digits=True)
    md.add_render_rule("math_inline", _render_math(False))
    md.add_render_rule("math_inline_double", _render_math(True))
    md.add_render_rule("math_block", _render_math(True))
    md.add_render_rule("math_block_label", _render_math(True))
    md.add_render_rule("image", _render_image)
    return md


@lru_cache(maxsize=1024)
def to_html(text: str) -> str:
    """``text`` (Markdown with LaTeX math) as an HTML fragment (remembered: copies of one
    answer, and a sheet shown on several pages, are rendered once)."""
    return _parser().render(text)
