"""The rubric of each written part: ``<chapter folder>/rubrics.yaml``, beside the manifest.

The file maps an exercise id to its written parts and each part to a list of items; an item
has a ``key`` (one lowercase letter that applies it in the marking page), ``points`` (at most
the part's points in the manifest) and a comment in Chinese (``zh``) and English (``en``),
which becomes the mark's comment and so reaches the student's feedback. A part with no
rubric is graded with points and a free comment only. Mistakes raise ``RubricError`` naming
the file, the part and the numbers.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..course import Chapter
from ..results import pts

FILE = "rubrics.yaml"
RESERVED = frozenset("jknpurcxh")
"""The page's own keys: next, previous, ungraded only, reveal, comment, clear, help."""
_KEY = re.compile(r"[a-z]")


class RubricError(ValueError):
    """rubrics.yaml does not say what the marking page needs; the message says where."""


@dataclass(frozen=True)
class Item:
    """One rubric item: a key, its points and its comment."""

    key: str
    points: float
    zh: str
    en: str

    @property
    def comment(self) -> str:
        """The comment the item gives, in both languages."""
        return f"{self.zh} / {self.en}"


Rubrics = dict[tuple[str, str], tuple[Item, ...]]
"""The items of each (exercise id, part id)."""


def _item(raw: Any, where: str, maximum: float, seen: set[str]) -> Item:
    if not isinstance(raw, dict):
        raise RubricError(f"{where}: an item must be a mapping with key, points, zh and en")
    missing = [k for k in ("key", "points", "zh", "en") if k not in raw]
    if missing:
        raise RubricError(f"{where}: an item has no {', '.join(missing)}")
    key = str(raw["key"])
    if not _KEY.fullmatch(key) or key in RESERVED:
        raise RubricError(f"{where}: key {key!r} must be one lowercase letter other than "
                          f"{', '.join(sorted(RESERVED))} (the page's own keys)")
    if key in seen:
        raise RubricError(f"{where}: key {key!r} is used twice")
    seen.add(key)
    try:
        points = float(raw["points"])
    except (TypeError, ValueError):
        raise RubricError(f"{where}: item {key!r} has points {raw['points']!r}, not a "
                          f"number") from None
    if not math.isfinite(points) or not 0 <= points <= maximum:
        raise RubricError(f"{where}: item {key!r} gives {raw['points']} points; the part has "
                          f"0 to {pts(maximum)}")
    zh, en = str(raw["zh"]).strip(), str(raw["en"]).strip()
    if not zh or not en:
        raise RubricError(f"{where}: item {key!r} needs a comment in both zh and en")
    return Item(key, points, zh, en)


def load_rubrics(chapter: Chapter, path: Path | None = None) -> Rubrics:
    """The rubrics of ``chapter`` (``chapter.folder / rubrics.yaml`` unless ``path``); an
    empty mapping when there is no such file."""
    path = Path(path) if path is not None else chapter.folder / FILE
    if not path.is_file():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RubricError(f"{path} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise RubricError(f"{path}: expected exercise ids at the top level")
    parts = {(ex.id, w.id): w.points for ex in chapter.exercises for w in ex.written}
    out: Rubrics = {}
    for exercise, by_part in raw.items():
        if not isinstance(by_part, dict):
            raise RubricError(f"{path}: {exercise}: expected written part ids")
        for part, items in by_part.items():
            where = f"{path}: {exercise} {part}"
            if (str(exercise), str(part)) not in parts:
                known = ", ".join(f"{e} {p}" for e, p in parts)
                raise RubricError(f"{where}: the manifest has no such written part (it has "
                                  f"{known})")
            if not isinstance(items, list):
                raise RubricError(f"{where}: expected a list of items")
            seen: set[str] = set()
            out[(str(exercise), str(part))] = tuple(
                _item(i, where, parts[(str(exercise), str(part))], seen) for i in items)
    return out
