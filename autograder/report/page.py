"""The frame every HTML page of the report shares, and rendering a page from its template.

Pages are Jinja2 templates in ``templates/`` (autoescaped: every value is text unless it is
wrapped in ``Markup``, as the Markdown renderer's and the charts' output are). ``base.html.j2``
holds the style sheet and a Content-Security-Policy that forbids every script and every
request (styles inline, images only as ``data:``), so a page shows the same offline and
nothing a student wrote can run or call out. Links between pages are relative ``file://``
paths (``href``). Every plain text value is put on one line (``names.one_line``, the
``finalize`` of the environment): a name a student chose never breaks a line of a page.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..names import one_line
from ..results import pts

TEMPLATES = Path(__file__).resolve().parent / "templates"

CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
       "form-action 'none'")
"""No script, no request: the page is all there is."""


def href(*parts: str) -> str:
    """A relative link to ``parts`` joined by '/', each part URL-quoted (student ids may hold
    any character a folder name may)."""
    return "/".join(quote(p, safe="") if p not in ("..", ".") else p for p in parts)


def percent(x: float) -> str:
    """A fraction as a whole percentage: ``0.876`` -> ``88%``."""
    return f"{100 * x:.0f}%"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["j2", "html"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      finalize=_one_line)
    env.filters.update(pts=pts, percent=percent)
    env.globals.update(href=href, csp=CSP)
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
