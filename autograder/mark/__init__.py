"""``nndl-grade mark OUT``: grade the written parts in the browser, one part at a time.

- ``rubrics``  each written part's rubric, ``<chapter folder>/rubrics.yaml`` (PyYAML)
- ``session``  the answers, anonymous and in a stable shuffled order, and the marks, read from
  and written to ``OUT/manual.csv`` through ``report.manual`` (one app per folder)
- ``app``      the local web app: ``http.server`` on 127.0.0.1 with a token (docs/marking.md)

Needs the ``report`` extra (answers are rendered as on the written pages).
"""

from __future__ import annotations

from .rubrics import Item, RubricError, load_rubrics

__all__ = ["Item", "RubricError", "load_rubrics"]
