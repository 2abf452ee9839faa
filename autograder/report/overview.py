"""``OUT/report.html``: the class for the instructor, in one offline page, in the order an
instructor works: what to act on first (students needing attention, incidents, written parts
to grade), then the class at a glance (``stats`` figures per exercise with ``charts``
histograms, and the distribution of the written points once there are marks), then the
checks grouped per exercise and collapsed (pass rates, real failures apart from files not
handed in and untouched stubs, each failure linking to the students who had it), then
``similarity`` and the table of students, whose cells are grades.csv's own row for each
student (``csv_row``, the graders' points folded in; columns empty for everyone left out),
each linking to the student's feedback page. Tables sort and filter with the pages' script.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

from markupsafe import Markup

from .. import answers
from ..course import Chapter, Exercise, WrittenPart
from ..files import write_if_changed
from ..grades import csv_header, csv_row
from ..marks import ManualMark
from ..results import SubmissionResult
from . import charts, page, similarity as sim, stats
from .incidents import Incident, incidents

PAGE = "report.html"
WHO_MAX = 30
"""Students linked from one failing check (the rest are in grades.csv's per-check column)."""


@dataclass(frozen=True)
class SimilaritySection:
    """One exercise's part of the similarity section."""

    exercise: Exercise
    compared: int
    pairs: list[sim.Match]
    shown: list[tuple[sim.Match, str]]
    groups: list[list[str]]
    references: list[tuple[sim.Match, str]]


def _sections(chapter: Chapter, found: Optional[sim.Similarity]) -> list[SimilaritySection]:
    if found is None:
        return []
    out = []
    for ex in chapter.exercises:
        pairs = found.of(ex.id, "pair")
        refs = found.of(ex.id, "reference")
        out.append(SimilaritySection(
            ex, found.compared.get(ex.id, 0), pairs,
            [(m, found.views[m]) for m in pairs if m in found.views], found.groups.get(ex.id, []),
            [(m, found.views.get(m, "")) for m in refs]))
    return out


def _flags(result: SubmissionResult, chapter: Chapter, similar: Mapping[str, list[str]],
           events: Sequence[Incident]) -> list[str]:
    flags = []
    for ex in chapter.exercises:
        er = result.exercise(ex.id)
        state = er.answer_state if er else None
        if state in (answers.UNTOUCHED, answers.BLANK):
            flags.append(f"{ex.answer} {state}")
    flags += similar.get(result.student, [])
    flags += sorted({f"{i.exercise_id or 'upload'} {i.kind}" for i in events
                     if i.student == result.student})
    return flags


def _shown_columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """The columns of the students' table: the student and every column someone has a value
    in (grades.csv keeps them all)."""
    return [i for i, _ in enumerate(header)
            if i == 0 or any(str(r[i]).strip() for r in rows)]


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return not text.strip()
    return True


def write_overview(out: Path, chapter: Chapter, results: Sequence[SubmissionResult],
                   marks: Mapping[str, Sequence[ManualMark]],
                   written: Sequence[tuple[Exercise, WrittenPart, str]],
                   found: Optional[sim.Similarity], problems: Sequence[str],
                   notes: Sequence[str]) -> Path:
    """Write ``OUT/report.html``; returns its path."""
    figures = stats.exercise_stats(results, chapter, marks)
    chart_svgs = [(f, Markup(charts.histogram(f.scores, max([f.possible, *f.scores]), f.name,
                                              f"c{i}-")))  # final: extra credit goes beyond
                  for i, f in enumerate(figures)]
    events = incidents(results)
    links = {(ex.id, part.id): link for ex, part, link in written}
    written_rows = [(w, links.get((w.exercise_id, w.part), ""))
                    for w in stats.written_stats(results, chapter, marks)]
    similar = found.flags() if found is not None else {}
    header = csv_header(chapter)
    shown = len(header) - sum(len(ex.checks) for ex in chapter.exercises)  # per-check: see above
    cells = [csv_row(r, chapter, marks.get(r.student, ()))[:shown] for r in results]
    columns = _shown_columns(header[:shown], cells)
    status = header.index("status") if "status" in header else -1
    rows = []
    for r, row in zip(results, cells):
        flags = _flags(r, chapter, similar, events)
        if status >= 0 and row[status] not in ("", "ok"):
            flags = [row[status]] + flags
        rows.append(([row[i] for i in columns], flags))
    written_stats = [w for w, _ in written_rows]
    text = page.render(
        "report.html.j2", chapter=chapter, figures=figures, charts=chart_svgs,
        optional={ex.id for ex in chapter.exercises if ex.optional},
        groups=stats.by_exercise(stats.check_stats(results, chapter)), kinds=stats.KINDS,
        who_max=WHO_MAX,
        attention=[(row[0], flags) for row, flags in rows if flags],
        written_charts=[(w, Markup(charts.histogram(w.given, w.max_points,
                                                    f"{w.exercise_id} {w.part}", f"w{i}-")))
                        for i, w in enumerate(written_stats) if w.given],
        incidents=events,
        incident_counts=sorted(Counter(i.kind for i in events).items()),
        written=written_rows, states=answers.STATES, similarity=found,
        similarity_sections=_sections(chapter, found), pair_threshold=sim.PAIR_THRESHOLD,
        reference_threshold=sim.REFERENCE_THRESHOLD, header=[header[i] for i in columns],
        rows=rows, numeric=[i > 0 and all(_numeric(str(r[i])) for r, _ in rows)
                            for i in range(len(columns))],
        problems=list(problems), notes=list(notes),
        generated=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    path = Path(out) / PAGE
    write_if_changed(path, text)
    return path
