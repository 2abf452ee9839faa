"""The frame every HTML page of the report shares, and rendering a page from its template.

Pages are Jinja2 templates in ``templates/`` (autoescaped: every value is text unless it is
wrapped in ``Markup``, as the Markdown renderer's and the charts' output are). ``base.html.j2``
holds the style sheet and a Content-Security-Policy that forbids every request and every
script but the pages' own (``SCRIPT``, allowed by its hash; styles inline, images only as
``data:``), so a page shows the same offline and nothing a student wrote can run or call
out. Links between pages are relative ``file://`` paths (``href``). Every plain text value
is put on one line (``names.one_line``, the ``finalize`` of the environment): a name a student
chose never breaks a line of a page.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..names import one_line
from ..results import pts

TEMPLATES = Path(__file__).resolve().parent / "templates"

SCRIPT = (TEMPLATES / "tables.js.j2").read_text(encoding="utf-8")
"""The pages' one script: sortable (CSS ``table[class~=sortable]``) and filterable (``table[data-filter]``)
tables; without it the tables read the same, unsorted."""
CSP = ("default-src 'none'; script-src 'sha256-"
       + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode() + "'; "
       "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
"""No request, and no script but ``SCRIPT`` (allowed by its hash): nothing a student wrote
can run, and the page is all there is."""


def href(*parts: str) -> str:
    """A relative link to ``parts`` joined by '/', each part URL-quoted (student ids may hold
    any character a folder name may)."""
    return "/".join(quote(p, safe="") if p not in ("..", ".") else p for p in parts)


def percent(x: float) -> str:
    """A fraction as a whole percentage: ``0.876`` -> ``88%``."""
    return f"{100 * x:.0f}%"


_BREAK = re.compile(r"(_|(?<=\d)T(?=\d)|\+(?=\d))")


def breakable(text: object) -> Markup:
    """``text`` escaped, with a line-break opportunity (``<wbr>``) after each ``_``, a date's
    ``T`` and a time zone's ``+``: long column names and timestamps wrap, never mid-word
    elsewhere, and read the same."""
    return Markup(_BREAK.sub(r"\1<wbr>", str(escape(one_line(str(text))))))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["j2", "html"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      finalize=_one_line)
    env.filters.update(pts=pts, percent=percent, breakable=breakable)
    env.globals.update(href=href, csp=CSP, tables_script=Markup(SCRIPT))
    return env


def _one_line(value: Any) -> Any:
    """Plain text on one line (``names.one_line``); trusted HTML (``Markup``) as it is."""
    return one_line(value) if isinstance(value, str) and not isinstance(value, Markup) \
        else value


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with ``context``."""
    return environment().get_template(template).render(**context)


def html(fragment: str) -> Markup:
    """Trusted HTML (rendered by this package) to place into a page unescaped."""
    return Markup(fragment)
