"""Submissions whose code is unusually alike, and submissions that match a published answer.

For each exercise, every student's kept code file (``OUT/<student>/submission/``) is
fingerprinted by copydetect (pygments tokens with names, strings and whitespace normalised,
k-grams winnowed) with the handout's stub as boilerplate, so that the signatures, docstrings
and checks every student starts from count for nothing. A pair is flagged when at least
``MIN_OVERLAP`` tokens are shared and they make ``PAIR_THRESHOLD`` of either file; a student
matches a reference document (``sources``) when they make ``REFERENCE_THRESHOLD`` of the
student's file. Flagged pairs of one exercise form groups (copies of copies); each group is
shown through the pairs that join it (a spanning tree, strongest first), each with a
side-by-side page, the shared code marked. ``similarity.csv`` lists every flagged pair and
every reference match.
"""

from __future__ import annotations

import csv
import html
import io
import shutil
import tokenize
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
from copydetect import CodeFingerprint, compare_files, defaults
from copydetect.utils import get_copied_slices, highlight_overlap

from .. import csvcells
from ..course import REPO_ROOT, Chapter
from ..files import write_if_changed
from ..store import submission_file
from . import page
from .sources import Document, read_references

PAIR_THRESHOLD = 0.6
"""Share of a file's tokens found in the other file that flags a pair."""
REFERENCE_THRESHOLD = 0.5
"""Share of a student's tokens found in a published answer that flags a match."""
MIN_OVERLAP = 60
"""Fewest shared tokens (characters of normalised code) a flag needs: a few lines."""
K, WINDOW = defaults.NOISE_THRESHOLD, defaults.GUARANTEE_THRESHOLD - defaults.NOISE_THRESHOLD + 1
"""copydetect's k-gram length and winnowing window (its defaults)."""
CSV_FILE = "similarity.csv"
CSV_COLUMNS = ("exercise", "kind", "a", "b", "similarity_a", "similarity_b", "overlap", "view")
VIEWS = "similarity"
"""``OUT/similarity/<exercise>/<n>.html``: the side-by-side pages."""


@dataclass(frozen=True)
class Match:
    """A flagged pair (``kind`` 'pair': two students) or a student's match with a published
    answer (``kind`` 'reference': ``b`` is the document's label)."""

    exercise_id: str
    kind: str
    a: str
    b: str
    similarity_a: float
    similarity_b: float
    overlap: int

    @property
    def strength(self) -> float:
        return max(self.similarity_a, self.similarity_b)


@dataclass
class Similarity:
    """What was found: matches, groups per exercise, the side-by-side pages written."""

    matches: list[Match] = field(default_factory=list)
    groups: dict[str, list[list[str]]] = field(default_factory=dict)
    compared: dict[str, int] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    views: dict[Match, str] = field(default_factory=dict)
    """Each match that has a side-by-side page, and its path relative to OUT."""
    notes: list[str] = field(default_factory=list)

    def of(self, exercise_id: str, kind: str) -> list[Match]:
        return [m for m in self.matches if m.exercise_id == exercise_id and m.kind == kind]

    def flags(self) -> dict[str, list[str]]:
        """Per student, what is flagged: '<exercise> similar' (a pair), '<exercise> published'
        (a match with a published answer)."""
        out: dict[str, list[str]] = {}
        for m in self.matches:
            flag = f"{m.exercise_id} {'similar' if m.kind == 'pair' else 'published'}"
            for s in ((m.a, m.b) if m.kind == "pair" else (m.a,)):
                if flag not in out.setdefault(s, []):
                    out[s].append(flag)
        return out


def fingerprint(name: str, code: str, boilerplate: Optional[np.ndarray] = None) -> CodeFingerprint:
    """copydetect's fingerprint of Python ``code``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CodeFingerprint(name, K, WINDOW, boilerplate=boilerplate, filter=True,
                               language="python", fp=io.StringIO(code))


class _Indexed:
    """A fingerprint's hashes and their positions as arrays, for ``shares``."""

    def __init__(self, fp: CodeFingerprint) -> None:
        self.fp = fp
        pairs = [(h, i) for h, idx in fp.hash_idx.items() for i in idx]
        self.keys = np.array([h for h, _ in pairs], dtype=np.int64)
        self.positions = np.array([i for _, i in pairs], dtype=np.int64)
        self.unique = np.unique(self.keys)
        """The hashes, sorted, once each."""


def _member(keys: np.ndarray, sorted_unique: np.ndarray) -> np.ndarray:
    """Which of ``keys`` are in ``sorted_unique`` (a binary search each)."""
    if sorted_unique.size == 0:
        return np.zeros(keys.shape, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_unique, keys), sorted_unique.size - 1)
    return sorted_unique[at] == keys


def shared_hashes(a: _Indexed, b: _Indexed) -> int:
    """How many hashes two fingerprints share."""
    return int(np.count_nonzero(_member(a.unique, b.unique)))


def shares(a: _Indexed, b: _Indexed) -> tuple[int, float, float]:
    """copydetect's ``compare_files`` figures (shared tokens of ``a``, share of each file)
    without the highlighting slices: the positions of the shared hashes found by binary
    search in sorted arrays, where copydetect builds an array per hash (far slower on a class
    of 200, where it runs for every pair alike)."""
    with np.errstate(all="ignore"):
        idx_a = a.positions[_member(a.keys, b.unique)]
        idx_b = b.positions[_member(b.keys, a.unique)]
    if idx_a.size == 0:
        return 0, 0.0, 0.0
    sl_a, sl_b = get_copied_slices(idx_a, a.fp.k), get_copied_slices(idx_b, b.fp.k)
    over_a, over_b = int(np.sum(sl_a[1] - sl_a[0])), int(np.sum(sl_b[1] - sl_b[0]))
    return (over_a, over_a / a.fp.token_coverage if a.fp.token_coverage else 0.0,
            over_b / b.fp.token_coverage if b.fp.token_coverage else 0.0)


def _compare(a: CodeFingerprint, b: CodeFingerprint):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return compare_files(a, b)


def _groups(pairs: list[Match]) -> tuple[list[list[str]], list[Match]]:
    """Groups joined by ``pairs`` and the strongest pairs that join each (a spanning tree)."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    tree = []
    for m in sorted(pairs, key=lambda m: (-m.strength, m.a, m.b)):
        ra, rb = root(m.a), root(m.b)
        if ra != rb:
            parent[ra] = rb
            tree.append(m)
    members: dict[str, list[str]] = {}
    for x in list(parent):
        members.setdefault(root(x), []).append(x)
    groups = sorted((sorted(g) for g in members.values()), key=lambda g: (-len(g), g))
    return groups, tree


def _prints(out: Path, students: Sequence[str], code_file: str,
            boilerplate: Optional[np.ndarray]) -> dict[str, _Indexed]:
    """Each student's fingerprint of ``code_file`` (a text met twice is fingerprinted once);
    files with less than ``MIN_OVERLAP`` tokens of their own are left out."""
    seen: dict[str, _Indexed] = {}
    prints = {}
    for s in students:
        path = submission_file(out, s, code_file)
        if path is None:
            continue
        code = path.read_bytes().decode("utf-8", "replace")
        if code not in seen:
            seen[code] = _Indexed(fingerprint(s, code, boilerplate))
        if seen[code].fp.token_coverage >= MIN_OVERLAP:
            prints[s] = seen[code]
    return prints


def _measure(fa: _Indexed, fb: _Indexed) -> Optional[tuple[int, float, float]]:
    """Shared tokens and the share of each file, when the pair is flagged; else None."""
    shared = shared_hashes(fa, fb)
    if not shared or shared < PAIR_THRESHOLD / 2 * min(fa.unique.size, fb.unique.size):
        return None
    overlap, sa, sb = shares(fa, fb)
    if overlap >= MIN_OVERLAP and max(sa, sb) >= PAIR_THRESHOLD:
        return overlap, sa, sb
    return None


def _pairs(exercise_id: str, prints: dict[str, _Indexed]) -> list[Match]:
    """Every flagged pair of students. Students whose normalised code is the same (copies
    with other names, spaces or comments) are measured once, as one."""
    same: dict[str, list[str]] = {}
    for s in sorted(prints):
        same.setdefault(prints[s].fp.filtered_code, []).append(s)
    kinds = list(same.values())
    pairs = []
    for i, group_a in enumerate(kinds):
        fa = prints[group_a[0]]
        if len(group_a) > 1:
            measured = _measure(fa, fa)
            if measured is not None:
                pairs += [Match(exercise_id, "pair", a, b, 1.0, 1.0, measured[0])
                          for j, a in enumerate(group_a) for b in group_a[j + 1:]]
        for group_b in kinds[i + 1:]:
            measured = _measure(fa, prints[group_b[0]])
            if measured is None:
                continue
            overlap, sa, sb = measured
            for a in group_a:
                for b in group_b:
                    pairs.append(Match(exercise_id, "pair", a, b, sa, sb, overlap) if a < b
                                 else Match(exercise_id, "pair", b, a, sb, sa, overlap))
    return sorted(pairs, key=lambda m: (-m.strength, m.a, m.b))


def detect(out: Path, chapter: Chapter, students: Sequence[str],
           references: Sequence[Path] = ()) -> Similarity:
    """Compare every exercise's code between ``students`` and with ``references``; write the
    side-by-side pages of what is flagged. The caller writes similarity.csv (``write_csv``)."""
    result = Similarity()
    documents, result.notes = read_references(references)
    result.references = [d.label for d in documents]
    ref_prints = [(d, _Indexed(fingerprint(d.label, d.code))) for d in documents]
    for ex in chapter.exercises:
        stub = stub_code(chapter, ex.code)
        boilerplate = np.array(sorted(fingerprint("stub", stub).hashes)) if stub else None
        prints = _prints(out, students, ex.code, boilerplate)
        result.compared[ex.id] = len(prints)
        pairs = _pairs(ex.id, prints)
        groups, tree = _groups(pairs)
        result.groups[ex.id] = groups
        result.matches += pairs
        found, measured = [], {}
        for s in sorted(prints):
            for doc, fd in ref_prints:
                key = (prints[s].fp.filtered_code, doc.label)
                if key not in measured:
                    measured[key] = shares(prints[s], fd)
                overlap, sa, sb = measured[key]
                if overlap >= MIN_OVERLAP and sa >= REFERENCE_THRESHOLD:
                    found.append((Match(ex.id, "reference", s, doc.label, sa, sb, overlap), fd))
        found.sort(key=lambda x: (-x[0].strength, x[0].a))
        result.matches += [m for m, _ in found]
        for n, m in enumerate(tree, 1):
            result.views[m] = _write_view(out, m, n, prints[m.a].fp, prints[m.b].fp, chapter)
        for n, (m, fd) in enumerate(found, len(tree) + 1):
            result.views[m] = _write_view(out, m, n, prints[m.a].fp, fd.fp, chapter)
    return result


def stub_code(chapter: Chapter, code_file: str) -> str:
    """The handout's stub of an exercise (the boilerplate), '' if this checkout lacks it."""
    path = REPO_ROOT / "assignments" / chapter.id / code_file
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _stub_text(code: str, stub: str) -> list[tuple[int, int]]:
    """The character ranges of ``code`` that are the stub's own strings and comments
    (docstrings, TODO notes), verbatim: shared by everyone, never to be marked as copied."""
    def tokens(text: str):
        try:
            return list(tokenize.generate_tokens(io.StringIO(text).readline))
        except (tokenize.TokenError, SyntaxError, IndentationError):
            return []
    kinds = (tokenize.STRING, tokenize.COMMENT)
    given = {t.string for t in tokens(stub) if t.type in kinds and len(t.string) > 2}
    if not given:
        return []
    starts = [0]
    for line in code.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return [(starts[t.start[0] - 1] + t.start[1], starts[t.end[0] - 1] + t.end[1])
            for t in tokens(code) if t.type in kinds and t.string in given]


def unmark(slices: np.ndarray, ranges: Sequence[tuple[int, int]]) -> np.ndarray:
    """``slices`` (copydetect's 2xN character ranges) without ``ranges``."""
    out: list[tuple[int, int]] = []
    for a, b in zip(slices[0].tolist(), slices[1].tolist()) if slices.size else ():
        pieces = [(int(a), int(b))]
        for ra, rb in ranges:
            pieces = [p for x, y in pieces
                      for p in ((x, min(y, ra)), (max(x, rb), y)) if p[1] > p[0]]
        out += pieces
    return np.array([[x for x, _ in out], [y for _, y in out]], dtype=np.int64) \
        if out else np.zeros((2, 0), dtype=np.int64)


def _marked(fp: CodeFingerprint, slices: np.ndarray, stub: str = "") -> str:
    if stub and slices.size:
        slices = unmark(slices, _stub_text(fp.raw_code, stub))
    if slices.size == 0:
        return html.escape(fp.raw_code)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text, _ = highlight_overlap(fp.raw_code, slices, "<mark>", "</mark>", escape_html=True)
    return text


def _write_view(out: Path, m: Match, n: int, fa: CodeFingerprint, fb: CodeFingerprint,
                chapter: Chapter) -> str:
    _, _, (sa, sb) = _compare(fa, fb)
    rel = page.href(VIEWS, m.exercise_id, f"{n}.html")
    folder = Path(out) / VIEWS / m.exercise_id
    folder.mkdir(parents=True, exist_ok=True)
    ex = chapter.exercise(m.exercise_id)
    stub = stub_code(chapter, ex.code)
    text = page.render("pair.html.j2", match=m, exercise=ex, chapter=chapter, root="../..",
                       left=page.html(_marked(fa, sa, stub)),
                       right=page.html(_marked(fb, sb, stub)))
    write_if_changed(folder / f"{n}.html", text)
    return rel


def write_csv(out: Path, result: Similarity) -> None:
    """``OUT/similarity.csv``: every flagged pair and reference match."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(csvcells.row(CSV_COLUMNS))
    for m in result.matches:
        writer.writerow(csvcells.row([m.exercise_id, m.kind, m.a, m.b, f"{m.similarity_a:.3f}",
                         f"{m.similarity_b:.3f}", m.overlap, result.views.get(m, "")]))
    write_if_changed(Path(out) / CSV_FILE, buf.getvalue())


def clear_views(out: Path) -> None:
    """Remove the side-by-side pages of an earlier run (their numbering changes)."""
    shutil.rmtree(Path(out) / VIEWS, ignore_errors=True)


__all__ = ["Document", "Match", "Similarity", "detect", "write_csv", "clear_views"]
