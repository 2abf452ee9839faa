"""``OUT/report.html``: the class at a glance, for the instructor, in one offline page.

It gathers ``stats`` (figures per exercise with ``charts`` histograms, pass rates and common
failures per check, the written parts' sheets), ``incidents``, ``similarity`` and the table
of students, whose cells are grades.csv's own row for each student (``csv_row``, the graders'
points folded in), each linking to the student's feedback page.
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
    rows = [(csv_row(r, chapter, marks.get(r.student, ()))[:shown],
             _flags(r, chapter, similar, events)) for r in results]
    text = page.render(
        "report.html.j2", chapter=chapter, figures=figures, charts=chart_svgs,
        optional={ex.id for ex in chapter.exercises if ex.optional},
        checks=stats.check_stats(results, chapter), incidents=events,
        incident_counts=sorted(Counter(i.kind for i in events).items()),
        written=written_rows, states=answers.STATES, similarity=found,
        similarity_sections=_sections(chapter, found), pair_threshold=sim.PAIR_THRESHOLD,
        reference_threshold=sim.REFERENCE_THRESHOLD, header=header[:shown], rows=rows,
        problems=list(problems), notes=list(notes),
        generated=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    path = Path(out) / PAGE
    write_if_changed(path, text)
    return path
