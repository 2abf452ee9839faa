"""Results for people and for Gradescope: results.json, feedback.md and grades.csv.

Hidden checks show only whether they passed and their points, never their message (it could
reveal their inputs). Written parts are listed as graded by hand and never scored.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..course import Chapter, Exercise

if TYPE_CHECKING:  # pragma: no cover
    from ..grading import ExerciseResult, SubmissionResult


def _pts(x: float) -> str:
    return f"{x:g}"


def _exercise(chapter: Chapter, exercise_id: str) -> Exercise | None:
    try:
        return chapter.exercise(exercise_id)
    except KeyError:
        return None


def _written_lines(result: "SubmissionResult", chapter: Chapter) -> list[str]:
    lines = []
    for er in result.exercises:
        ex = _exercise(chapter, er.exercise_id)
        if ex is None or not ex.written:
            continue
        state = "submitted" if er.written_submitted else "not submitted"
        for w in ex.written:
            lines.append(f"{ex.id} {w.id} ({ex.answer}, {state}): {w.en} / {w.zh}")
    return lines


def summary_text(result: "SubmissionResult", chapter: Chapter) -> str:
    """The overview a student sees first: points per exercise, what went wrong as a whole."""
    lines = [f"{chapter.id} — {chapter.title_zh} / {chapter.title_en}",
             f"Auto-graded points: {_pts(result.score)} / {_pts(result.possible)}"]
    if result.message:
        lines.append(f"Submission: {result.message}")
    lines.append("")
    for er in result.exercises:
        ex = _exercise(chapter, er.exercise_id)
        title = f" ({ex.title_en})" if ex else ""
        opt = " [optional]" if ex is not None and ex.optional else ""
        line = f"{er.exercise_id}{title}{opt}: {_pts(er.score)} / {_pts(er.possible)}"
        if er.message:
            line += f" — {er.message.splitlines()[0]}"
        lines.append(line)
    written = _written_lines(result, chapter)
    if written:
        lines += ["", "Written parts (graded by hand, not scored here):"]
        lines += [f"  {w}" for w in written]
    return "\n".join(lines)


def _case_output(case, er: "ExerciseResult") -> str:
    if case.hidden:
        return "passed" if case.passed else "failed"
    return "passed" if case.passed else case.message


def gradescope_results(result: "SubmissionResult", chapter: Chapter) -> dict:
    """Gradescope's results.json for one submission: one test per check."""
    tests = []
    for er in result.exercises:
        for case in er.cases:
            tests.append({
                "name": f"{er.exercise_id} · {case.name}",
                "score": float(case.score),
                "max_score": float(case.points),
                "status": "passed" if case.passed else "failed",
                "output": _case_output(case, er),
                "visibility": "after_published" if case.hidden else "visible",
            })
    return {
        "score": float(result.score),
        "execution_time": round(max(float(result.elapsed), 0.0), 3),
        "output": summary_text(result, chapter),
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def feedback_markdown(result: "SubmissionResult", chapter: Chapter) -> str:
    """A report the student can read: every check, its points and its message (hidden checks:
    passed or failed and points only), and the written parts, graded by hand."""
    out = [f"# {chapter.id} — {chapter.title_zh} / {chapter.title_en}", "",
           f"Feedback for **{result.student}**: **{_pts(result.score)} / {_pts(result.possible)}** "
           f"auto-graded points.", ""]
    if result.message:
        out += [f"> Submission: {result.message}", ""]
    for er in result.exercises:
        ex = _exercise(chapter, er.exercise_id)
        title = f" — {ex.title_zh} / {ex.title_en}" if ex else ""
        opt = " (选做 / optional)" if ex is not None and ex.optional else ""
        out += [f"## {er.exercise_id}{title}{opt}: {_pts(er.score)} / {_pts(er.possible)}", ""]
        if er.message:
            out += ["```text", er.message, "```", ""]
        if not er.cases:
            out += ["No auto-graded checks.", ""]
        for case in er.cases:
            mark = "passed" if case.passed else "FAILED"
            kind = " (hidden)" if case.hidden else ""
            out.append(f"- **{mark}** `{case.name}`{kind}: {_pts(case.score)} / {_pts(case.points)}")
            if not case.passed and not case.hidden and case.message != er.message:
                out += ["", "  ```text"] + [f"  {line}" for line in case.message.splitlines()] + \
                       ["  ```"]
        if ex is not None and ex.written:
            state = "submitted" if er.written_submitted else "**not submitted**"
            out.append("")
            for w in ex.written:
                out.append(f"- Written part `{w.id}` ({ex.answer}, {state}): graded by hand, "
                           f"not scored here. {w.en} / {w.zh}")
        out.append("")
    out.append("Hidden checks show only whether they passed. They run on inputs you do not see; "
               "the public checks (`nndl-grade check`) run on your machine.")
    return "\n".join(out) + "\n"


def write_grades_csv(results: list["SubmissionResult"], chapter: Chapter, path: Path) -> None:
    """``student``, one column per exercise (points earned), ``total``, ``possible``: one row
    per student. Written atomically."""
    path = Path(path)
    ids = [ex.id for ex in chapter.exercises]
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", *ids, "total", "possible"])
        for r in sorted(results, key=lambda r: r.student):
            by_id = {e.exercise_id: e for e in r.exercises}
            possible = sum(ex.points for ex in chapter.exercises)
            writer.writerow([r.student, *[_pts(by_id[i].score) if i in by_id else "0" for i in ids],
                             _pts(r.score), _pts(possible)])
    os.replace(tmp, path)
