"""Charts for the report, drawn by matplotlib as SVG and placed inline in the page.

``histogram`` draws how many students got how many points of one exercise. Each SVG is
made with a ``Figure`` of its own (no pyplot state, no display), text drawn as paths (no
font to fetch), its ids prefixed so that several charts can share one page.
"""

from __future__ import annotations

import io
import re
from typing import Sequence

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

_ID = re.compile(r'(\bid="|url\(#|xlink:href="#|href="#)')


def _svg(fig: Figure, prefix: str) -> str:
    buf = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    return _ID.sub(lambda m: m.group(1) + prefix, text)


def histogram(values: Sequence[float], maximum: float, title: str, prefix: str) -> str:
    """An SVG histogram of ``values`` (points, 0..``maximum``) titled ``title``; ``prefix``
    makes its ids unique in the page."""
    maximum = max(float(maximum), 1.0)
    bins = int(maximum) + 1 if maximum <= 30 else 20
    width = maximum / (bins - 1) if maximum <= 30 else maximum / bins
    edges = [i * width - (width / 2 if maximum <= 30 else 0) for i in range(bins + 1)]
    with rc_context({"svg.hashsalt": prefix, "svg.fonttype": "path", "font.size": 9}):
        fig = Figure(figsize=(4.0, 2.4), dpi=72)
        ax = fig.add_subplot()
        ax.hist(list(values), bins=edges, color="#4c8bf5", edgecolor="white")
        ax.set_xlim(edges[0], edges[-1])
        ax.set_title(title)
        ax.set_xlabel("points")
        ax.set_ylabel("students")
        ax.yaxis.get_major_locator().set_params(integer=True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        return _svg(fig, prefix)
