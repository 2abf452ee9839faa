"""The result model, and how it is shown to people: results.json and feedback.md.

``CaseResult`` (one check, from ``checks.runner``, so the handout can use it) makes up an
``ExerciseResult``, which make up a ``SubmissionResult``. A ``SubmissionResult`` also carries
who submitted (``Identity``: name, email, SID, the LMS and its id for the student), when
(``submitted_at`` and where that time came from), how the upload went (``status``, one of
``STATUSES``) and the late policy's verdict (``Late``). It renders itself: ``gradescope()``
(Gradescope's results.json), ``feedback()`` (the student's Markdown), and round-trips through ``to_dict`` / ``from_dict`` (the record kept in
``OUT/<student>/summary.json``: exactly ``to_dict()`` plus the digest of what was graded).

Hidden checks show only whether they passed and their points, never their message (it could
reveal their inputs); the Gradescope summary shows public points only, so nothing visible
before grades are published reveals a hidden outcome. Written parts are never scored by the
autograder: each is listed with its answer sheet's state (``answers``: submitted, untouched,
blank, missing) and, once a grader has filled its row of ``OUT/manual.csv``, with the points
given (``ManualMark``, passed to every rendering as ``manual``): a manual test in
results.json, a line in the feedback, the ``written`` and ``final`` columns of grades.csv
(``grades.py`` makes a student's row).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Iterable, Optional, Sequence

from . import answers
from .checks.runner import CaseResult
from .course import EXTRA, NONE, Chapter, Exercise
from .marks import ManualMark, find_mark, known_marks
from .names import fenced, md_text, one_line
from .tally import Tally, counts_tag, grade_line, pts, tagged, tally


OK = "ok"
PARTIAL = "partial upload"
NOTHING = "nothing recognised"
REFUSED = "refused"
MISNAMED = "misnamed"
GRADER_ERROR = "grader error"
STATUSES = (OK, PARTIAL, NOTHING, REFUSED, MISNAMED, GRADER_ERROR)
"""How a submission went, for the person running the grader (grades.csv's ``status``):

- ``ok``: every required exercise's file was found and graded;
- ``partial upload``: some files were graded, but a required exercise's file is missing or part
  of the upload could not be opened;
- ``nothing recognised``: none of the chapter's files was found (an empty upload, other files);
- ``refused``: nothing was graded because the upload could not be opened (a broken or
  oversized zip, links, paths out of the zip);
- ``misnamed``: a file looks like one of the chapter's files under another name (the student
  is told what to rename);
- ``grader error``: the grader itself failed on this submission (not the student's fault).
"""


@dataclass
class Identity:
    """Who submitted, as far as the source of the submission says (empty when unknown)."""

    name: str = ""
    email: str = ""
    sid: str = ""
    """The student number (SID), as the LMS or Gradescope roster holds it."""
    lms: str = ""
    """Where the submission came from: ``canvas``, ``moodle``, ``gradescope``, or '' (a folder
    or zip named by the student)."""
    lms_id: str = ""
    """The LMS's id of the student: Canvas user id, Moodle participant id, Gradescope user id."""


@dataclass
class Late:
    """The late policy's verdict for one submission (all zero when no deadline was given)."""

    deadline: str = ""
    """The deadline applied (ISO 8601), '' when none."""
    days: int = 0
    """Days late, partial days rounded up; 0 when on time or unknown."""
    penalty_pct: float = 0.0
    """Percent of the auto-graded points taken off (100 after the cut-off)."""
    after_cutoff: bool = False
    note: str = ""
    """What the verdict rests on, for people (e.g. "Canvas marks it late; ...")."""
    unknown: bool = False
    """Whether no trustworthy submission time is known (no days counted, no penalty)."""


@dataclass
class ExerciseResult:
    """The outcome of one exercise of one submission."""

    exercise_id: str
    cases: list[CaseResult]
    message: str = ""
    """Why no case could pass (file missing, import failed, ...); '' if none."""
    output: str = ""
    """What the student's code printed (stdout and stderr), cut to ``Limits.output_bytes``."""
    elapsed: float = 0.0
    written_submitted: Optional[bool] = None
    """Whether the written part's answer file was there; None when the exercise has none."""
    written_state: str = ""
    """The answer sheet's state (``answers.STATES``); '' in records older than it."""

    @property
    def answer_state(self) -> Optional[str]:
        """The answer sheet's state, None when the exercise has no written part."""
        if self.written_state:
            return self.written_state
        if self.written_submitted is None:
            return None
        return answers.SUBMITTED if self.written_submitted else answers.MISSING

    @property
    def score(self) -> float:
        return sum(c.score for c in self.cases)

    @property
    def possible(self) -> float:
        return sum(c.points for c in self.cases)

    @property
    def public_score(self) -> float:
        return sum(c.score for c in self.cases if not c.hidden)

    @property
    def public_possible(self) -> float:
        return sum(c.points for c in self.cases if not c.hidden)

    @classmethod
    def failed(cls, exercise: Exercise, message: str, *, elapsed: float = 0.0,
               output: str = "", written_submitted: Optional[bool] = None,
               written_state: str = "") -> "ExerciseResult":
        """Every check of ``exercise`` failed for the one reason ``message``."""
        cases = [CaseResult(c.name, c.points, c.hidden, False, message) for c in exercise.checks]
        return cls(exercise.id, cases, message, output, elapsed, written_submitted, written_state)


@dataclass
class SubmissionResult:
    """The outcome of one student's submission: every exercise of the chapter."""

    student: str
    exercises: list[ExerciseResult]
    elapsed: float = 0.0
    message: str = ""
    """About the submission as a whole (a refused zip, a grader error); '' if nothing."""
    sandbox: str = ""
    upload: list[str] = field(default_factory=list)
    """What the intake says about the upload: files not used and why, duplicates."""
    received: list[str] = field(default_factory=list)
    """The chapter's files found in the upload."""
    status: str = ""
    """One of ``STATUSES`` ('' in records written before statuses existed)."""
    identity: Identity = field(default_factory=Identity)
    submitted_at: str = ""
    """When it was submitted (ISO 8601 with offset), '' when unknown."""
    time_source: str = ""
    """Where ``submitted_at`` came from: ``gradescope``, ``file modification time``; and
    ``canvas`` when only Canvas's late flag is known."""
    lms_late: Optional[bool] = None
    """The LMS's own verdict (Canvas marks late files ``_LATE_``; Gradescope's due date), or
    None when it gives none."""
    late: Late = field(default_factory=Late)

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    @property
    def possible(self) -> float:
        return sum(e.possible for e in self.exercises)

    @property
    def adjusted(self) -> float:
        """The auto-graded points of every exercise after the late penalty (``score`` when
        none applies); the grade itself is ``tally``'s."""
        return max(0.0, self.score * (1 - self.late.penalty_pct / 100))

    def tally(self, chapter: Chapter, manual: Sequence[ManualMark] = ()) -> Tally:
        """The grade as the chapter's composition counts it (``tally.tally``)."""
        return tally(chapter, {e.exercise_id: e.score for e in self.exercises}, manual,
                     self.late.penalty_pct)

    @property
    def problem(self) -> str:
        """The first thing to know about a submission whose status is not ``ok``, or ''."""
        if self.status in ("", OK):
            return ""
        lines = list(self.upload)
        if self.status == MISNAMED:  # the rename advice first
            lines.sort(key=lambda line: "rename" not in line and "submit your answer" not in line)
        if self.message and (self.status in (NOTHING, GRADER_ERROR) or not lines):
            return self.message.splitlines()[0]
        if lines:
            return lines[0]
        missing = [e.message.split()[0] for e in self.exercises
                   if e.message.endswith("was not found in the submission")]
        return "not found: " + ", ".join(missing) if missing else ""

    def exercise(self, exercise_id: str) -> Optional[ExerciseResult]:
        for e in self.exercises:
            if e.exercise_id == exercise_id:
                return e
        return None

    @classmethod
    def refused(cls, student: str, chapter: Chapter, message: str,
                elapsed: float = 0.0) -> "SubmissionResult":
        """A submission that could not be graded at all: every check fails with ``message``."""
        exercises = [ExerciseResult.failed(ex, message,
                                           written_submitted=False if ex.answer else None,
                                           written_state=answers.MISSING if ex.answer else "")
                     for ex in chapter.exercises]
        return cls(student, exercises, elapsed, message, "")

    # -- the record ---------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """Plain data (``summary.json``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SubmissionResult":
        exercises = [ExerciseResult(
            exercise_id=e["exercise_id"],
            cases=[CaseResult(**c) for c in e["cases"]],
            message=e.get("message", ""), output=e.get("output", ""),
            elapsed=e.get("elapsed", 0.0), written_submitted=e.get("written_submitted"),
            written_state=e.get("written_state", ""))
            for e in data["exercises"]]
        return cls(data["student"], exercises, data.get("elapsed", 0.0), data.get("message", ""),
                   data.get("sandbox", ""), list(data.get("upload", [])),
                   list(data.get("received", [])), data.get("status", ""),
                   _known(Identity, data.get("identity")), data.get("submitted_at", ""),
                   data.get("time_source", ""), data.get("lms_late"),
                   _known(Late, data.get("late")))

    # -- renderings ---------------------------------------------------------------------------
    def summary(self, chapter: Chapter, manual: Sequence[ManualMark] = ()) -> str:
        """The overview a student sees first on Gradescope: what the upload held, and the
        public points per exercise (hidden checks show once grades are published)."""
        lines = list(_upload_lines(self, chapter))
        if lines:
            lines.append("")
        lines += [f"{chapter.id} — {chapter.title_zh} / {chapter.title_en}",
                  f"Public checks: {pts(sum(e.public_score for e in self.exercises))} / "
                  f"{pts(sum(e.public_possible for e in self.exercises))} points (the hidden "
                  f"checks' points show once grades are published)"]
        if self.message:
            lines.append(f"Submission: {self.message}")
        if self.lateness_line():
            lines.append(self.lateness_line())
        lines.append("")
        for er in self.exercises:
            ex = _exercise(chapter, er.exercise_id)
            title = f" ({ex.title_en})" if ex else ""
            opt = counts_tag(chapter, er.exercise_id, " [{}]")
            line = f"{er.exercise_id}{title}{opt}: public {pts(er.public_score)} / " \
                   f"{pts(er.public_possible)}"
            if er.message:
                line += f" — {er.message.splitlines()[0]}"
            lines.append(line)
        written = _written_lines(self, chapter, manual)
        if written:
            lines += ["", "Written parts (graded by hand, not by the autograder):"]
            lines += [f"  {w}" for w in written]
        return "\n".join(lines)

    def gradescope(self, chapter: Chapter, manual: Sequence[ManualMark] = ()) -> dict:
        """Gradescope's results.json: one test per check, then one manual test per graded
        written part (visible, its comment as output); the score counts both."""
        tests = []
        how = dict(chapter.composition.counts)
        for er in self.exercises:
            counts = how.get(er.exercise_id, NONE)
            for case in er.cases:
                test = {
                    "name": f"{er.exercise_id} · {case.name}",
                    # extra credit: points above the maximum; not counted: no points
                    "score": 0.0 if counts == NONE else float(case.score),
                    "max_score": float(case.points) if counts not in (EXTRA, NONE) else 0.0,
                    "status": "passed" if case.passed else "failed",
                    "output": _case_output(case),
                    "visibility": "after_published" if case.hidden else "visible",
                }
                tests.append(tagged(test, counts))
        for m in known_marks(chapter, manual):
            counts = how.get(m.exercise_id, NONE)
            tests.append(tagged({
                "name": f"{m.exercise_id} · written: {m.part}",
                "score": 0.0 if counts == NONE else float(m.points),
                "max_score": float(m.max_points) if counts not in (EXTRA, NONE) else 0.0,
                "output": m.comment or "graded by hand",
                "tags": ["manual"],
                "visibility": "visible",
            }, counts))
        grade = self.tally(chapter, manual)
        if grade.penalty:
            tests.append({
                "name": "Late penalty / 迟交扣分",
                "score": -float(grade.penalty),
                "max_score": 0.0,
                "output": self.lateness_line(),
                "visibility": "visible",
            })
        return {
            "score": float(grade.final),
            "execution_time": round(max(float(self.elapsed), 0.0), 3),
            "output": self.summary(chapter, manual),
            "stdout_visibility": "hidden",
            "tests": tests,
        }

    def feedback(self, chapter: Chapter, manual: Sequence[ManualMark] = ()) -> str:
        """A report the student can read: every check, its points and its message (hidden
        checks: passed or failed and points only), and the written parts, graded by hand."""
        marks = known_marks(chapter, manual)
        headline = f"Feedback for **{md_text(self.student)}**. " \
                   f"{grade_line(self.tally(chapter, manual))}"
        out = [f"# {chapter.id} — {chapter.title_zh} / {chapter.title_en}", "", headline, ""]
        if self.message:
            first, *rest = self.message.splitlines() or [""]  # names in it are on one line
            out += [f"> Submission: {md_text(first)}", *[f"> {md_text(x)}" for x in rest], ""]
        if self.lateness_line():
            out += [self.lateness_line(), ""]
        upload = list(_upload_lines(self, chapter, problems_only=True))
        if upload:
            out += ["Your upload:", ""] + [f"- {md_text(line)}" for line in upload] + [""]
        for er in self.exercises:
            ex = _exercise(chapter, er.exercise_id)
            title = f" — {ex.title_zh} / {ex.title_en}" if ex else ""
            opt = counts_tag(chapter, er.exercise_id, " ({})")
            out += [f"## {er.exercise_id}{title}{opt}: {pts(er.score)} / {pts(er.possible)}", ""]
            if er.message:
                out += fenced(er.message) + [""]
            if not er.cases:
                out += ["No auto-graded checks.", ""]
            for case in er.cases:
                mark = "passed" if case.passed else "FAILED"
                kind = " (hidden)" if case.hidden else ""
                out.append(f"- **{mark}** `{case.name}`{kind}: {pts(case.score)} / "
                           f"{pts(case.points)}")
                if not case.passed and not case.hidden and case.message != er.message:
                    out += [""] + fenced(case.message, indent="  ")
            if ex is not None and ex.written:
                state = er.answer_state or answers.MISSING
                shown = answers.DESCRIPTION[state]
                shown = shown if state == answers.SUBMITTED else f"**{shown}**"
                out.append("")
                for w in ex.written:
                    mark = find_mark(marks, ex.id, w.id)
                    graded = (f"graded by hand: **{pts(mark.points)} / "
                              f"{pts(mark.max_points)}**") if mark else \
                        f"graded by hand (up to {pts(w.points)} points), not yet graded"
                    out.append(f"- Written part `{w.id}` ({ex.answer}, {shown}): {graded}. "
                               f"{w.en} / {w.zh}")
                    if mark and mark.comment:
                        out += [""] + [f"  > {line}" for line in mark.comment.splitlines()]
            out.append("")
        out.append("Hidden checks show only whether they passed. They run on inputs you do not "
                   "see; the public checks run on your machine: `python check.py` in the "
                   "handout folder.")
        return "\n".join(out) + "\n"

    def lateness_line(self) -> str:
        """When it was submitted and what the late policy made of it, or '' when no deadline
        applies and the LMS says nothing about lateness."""
        late = self.late
        when = f"Submitted {self.submitted_at}" if self.submitted_at else \
            "Submission time unknown / 提交时间未知"
        source = f" (time source: {self.time_source})" if self.submitted_at and self.time_source \
            else ""
        if late.deadline:
            if late.unknown:
                verdict = "lateness unknown (no trustworthy submission time) / 迟交天数未知"
            elif late.after_cutoff:
                verdict = "after the cut-off: the submission counts 0 / 截止后提交,计 0 分"
            elif late.days and late.penalty_pct:
                verdict = (f"{late.days} day(s) late: -{pts(late.penalty_pct)}% of its points / "
                           f"迟交 {late.days} 天,扣 {pts(late.penalty_pct)}%")
            elif late.days:
                verdict = f"{late.days} day(s) late (no penalty applied) / 迟交 {late.days} 天(不扣分)"
            else:
                verdict = "on time / 按时提交"
            note = f" {late.note}" if late.note else ""
            return f"{when}{source}, deadline {late.deadline}: {verdict}.{note}"
        if self.lms_late:
            return f"{when}{source}: late, according to {self.identity.lms or 'the LMS'}."
        return ""


def _known(cls, data) -> object:
    """``cls(**data)`` keeping only the fields ``cls`` knows (records of other versions)."""
    if not isinstance(data, dict):
        return cls()
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def _exercise(chapter: Chapter, exercise_id: str) -> Optional[Exercise]:
    try:
        return chapter.exercise(exercise_id)
    except KeyError:
        return None


def _case_output(case: CaseResult) -> str:
    if case.hidden:
        return "passed" if case.passed else "failed"
    return "passed" if case.passed else case.message


def _written_lines(result: SubmissionResult, chapter: Chapter,
                   manual: Sequence[ManualMark] = ()) -> list[str]:
    lines = []
    for er in result.exercises:
        ex = _exercise(chapter, er.exercise_id)
        if ex is None or not ex.written:
            continue
        state = answers.DESCRIPTION[er.answer_state or answers.MISSING]
        for w in ex.written:
            mark = find_mark(manual, ex.id, w.id)
            graded = f"{pts(mark.points)} / {pts(mark.max_points)}" if mark \
                else f"not yet graded (up to {pts(w.points)})"
            lines.append(f"{ex.id} {w.id} ({ex.answer}, {state}): {graded}. {w.en} / {w.zh}")
    return lines


def _upload_lines(result: SubmissionResult, chapter: Chapter,
                  problems_only: bool = False) -> Iterable[str]:
    """What the intake found, for the student: the files received and missing (unless
    ``problems_only``), then what was not used and why."""
    if not problems_only and result.received:
        yield "Received: " + ", ".join(f for e in chapter.exercises for f in e.files
                                       if f in result.received)
        missing = []
        for e in chapter.exercises:
            for f in e.files:
                if f not in result.received:
                    how = chapter.composition.count(e.id)
                    kind = "written part, graded by hand" if f == e.answer else (
                        "optional: extra credit" if how == EXTRA else
                        "not counted" if how == NONE else "scores 0")
                    missing.append(f"{f} ({kind})")
        if missing:
            yield "Not received: " + ", ".join(missing)
    yield from (one_line(line) for line in result.upload)  # names on one line (names.py)
