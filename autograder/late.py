"""Deadlines and late policies, applied to trustworthy submission times only.

A ``LatePolicy`` is a deadline, a penalty per day late (percent of the submission's points,
partial days rounded up) and/or a cut-off after which the submission counts 0. Its defaults
come from the composition (``course.LateRules``: the manifest, a course file), command-line
options override them. ``LatePolicy.judge`` turns what is known about one submission into a
``results.Late``, trusting, in this order:

1. Gradescope's ``submission_metadata.json`` (``created_at``): ``GRADESCOPE_TIME``;
2. the times the LMS gives: a per-student times file the instructor exported from it
   (``intake.times``, e.g. Moodle's grading worksheet, ``--times FILE``): ``TIMES_FILE``;
   Canvas's ``_LATE_`` flag, which says late or not but never how late;
3. the files' modification times (``FILE_TIME``), only when the instructor asks for them
   (``file_times``, ``--file-times``): copying or unzipping files changes them.

A zip's entry dates are never used: they are times on the student's machine (and a handout
unzipped keeps its own). Without a trustworthy time, no days are counted and no penalty is
taken; the verdict says so (``Late.unknown`` and its note), and Canvas's flag, when there is
one, is reported as "late, days unknown".

Times without a zone are local time (the machine's); a date alone means the end of that day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from .course import LateRules
from .results import Late, SubmissionResult

FILE_TIME = "file modification time"
"""``SubmissionResult.time_source`` of a time read from the files themselves (only when the
instructor asked for file times)."""

GRADESCOPE_TIME = "gradescope"
"""``SubmissionResult.time_source`` of a time from Gradescope's submission metadata."""

TIMES_FILE = "LMS times file"
"""``SubmissionResult.time_source`` of a time from a times file exported from the LMS."""

TRUSTED = (GRADESCOPE_TIME, TIMES_FILE)
"""The sources whose times are trusted without being asked."""

UNKNOWN_ADVICE = ("give the LMS's submission times with --times FILE (e.g. Moodle's grading "
                  "worksheet, or a student,submitted_at CSV), or, if you trust them, the files' "
                  "own times with --file-times (docs/grades.md)")
"""What the instructor can do when students have no trustworthy submission time."""


def parse_time(text: str) -> datetime:
    """An ISO 8601 date-time (``2025-06-01T23:59``, ``2025-06-01 23:59:00+08:00``, ``...Z``) as
    an aware datetime; without a zone it is local time; a date alone is the end of that day.
    ``ValueError`` says what is accepted."""
    raw = text.strip()
    value = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date-time; write e.g. 2025-06-01T23:59 "
                         f"(local time), 2025-06-01T23:59+08:00, or 2025-06-01 (end of that day)"
                         ) from None
    if len(value) == 10:  # a date alone: the end of that day
        parsed = parsed + timedelta(days=1, seconds=-1)
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()  # local time
    return parsed


def from_timestamp(seconds: float) -> datetime:
    """A file time (epoch seconds) as an aware local datetime."""
    return datetime.fromtimestamp(seconds, timezone.utc).astimezone()


def iso(moment: datetime) -> str:
    """``moment`` as ISO 8601 with its offset, to the second."""
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class LatePolicy:
    """A deadline and what being late costs; without a deadline or cut-off nothing is late."""

    deadline: Optional[datetime] = None
    penalty_per_day: float = 0.0
    """Percent of the submission's points taken off per day late (partial days rounded up)."""
    cutoff: Optional[datetime] = None
    """After this, the submission counts 0."""
    file_times: bool = False
    """Whether the files' modification times may stand in for a submission time."""

    def __post_init__(self) -> None:
        if self.penalty_per_day < 0 or self.penalty_per_day > 100:
            raise ValueError(f"the late penalty is a percent per day between 0 and 100, got "
                             f"{self.penalty_per_day:g}")
        if self.penalty_per_day and self.deadline is None:
            raise ValueError("a late penalty needs a deadline (--deadline) to count days from")
        for name in ("deadline", "cutoff"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise ValueError(f"the {name} needs a time zone (parse it with late.parse_time)")
        if self.deadline and self.cutoff and self.cutoff < self.deadline:
            raise ValueError(f"the cut-off ({iso(self.cutoff)}) is before the deadline "
                             f"({iso(self.deadline)})")

    @classmethod
    def from_rules(cls, rules: LateRules, *, deadline: Optional[str] = None,
                   penalty_per_day: Optional[float] = None, cutoff: Optional[str] = None,
                   file_times: Optional[bool] = None) -> "LatePolicy":
        """The policy a composition declares (``rules``), each keyword given (not None)
        overriding it; ``ValueError`` when a time is not ISO 8601 or the policy is bad."""
        when = deadline if deadline is not None else rules.deadline
        end = cutoff if cutoff is not None else rules.cutoff
        return cls(deadline=parse_time(when) if when else None,
                   penalty_per_day=rules.penalty_per_day if penalty_per_day is None
                   else penalty_per_day,
                   cutoff=parse_time(end) if end else None,
                   file_times=rules.file_times if file_times is None else file_times)

    @property
    def active(self) -> bool:
        return self.deadline is not None or self.cutoff is not None

    def trusts(self, source: str) -> bool:
        """Whether a time from ``source`` counts under this policy."""
        return source in TRUSTED or (source == FILE_TIME and self.file_times)

    def judge(self, submitted_at: Optional[datetime], source: str = "",
              lms_late: Optional[bool] = None, lms: str = "") -> Late:
        """The verdict for a submission made at ``submitted_at``, a time from ``source``
        (None, or a source this policy does not trust, when no time is known), with the LMS's
        own late flag ``lms_late`` (None when it gives none)."""
        if not self.active:
            return Late()
        deadline = self.deadline or self.cutoff
        assert deadline is not None
        who = lms.capitalize() if lms else "The LMS"
        if submitted_at is None or not self.trusts(source):
            return self._no_time(deadline, lms_late, who)
        if source == FILE_TIME and lms_late is not None:
            return self._flag_over_file_time(deadline, submitted_at, lms_late, who)
        over = (submitted_at - deadline).total_seconds()
        days = math.ceil(over / 86400) if over > 0 else 0
        note = ""
        if lms_late and not days:
            note = (f"{who} marks it late (against its own due date); by the deadline given it "
                    f"is on time. / {who} 标记为迟交(按其自己的截止时间);按本作业的截止时间为按时提交。")
        after = self.cutoff is not None and submitted_at > self.cutoff
        penalty = 100.0 if after else min(100.0, days * self.penalty_per_day)
        return Late(iso(deadline), days, penalty, after, note)

    def _no_time(self, deadline: datetime, lms_late: Optional[bool], who: str) -> Late:
        """No trustworthy time: no days, no penalty; the LMS's flag reported as it is."""
        if lms_late is False:
            return Late(iso(deadline), 0, 0.0, False,
                        f"{who} does not mark it late: on time. / {who} 未标记迟交:按时提交。")
        if lms_late:
            return Late(iso(deadline), 0, 0.0, False,
                        f"{who} marks it late but gives no submission time: late, days unknown; "
                        f"no penalty taken. / {who} 标记为迟交,但未给出提交时间:迟交天数未知,"
                        f"不扣分。", unknown=True)
        return Late(iso(deadline), 0, 0.0, False,
                    "No trustworthy submission time is known: no days counted, no penalty "
                    "taken. / 没有可信的提交时间:不计迟交天数,不扣分。", unknown=True)

    def _flag_over_file_time(self, deadline: datetime, when: datetime, lms_late: bool,
                             who: str) -> Late:
        """File times asked for, and the LMS's flag known: the flag decides whether it is
        late, the file time how late (at least one day when the flag says late)."""
        over = (when - deadline).total_seconds()
        days = math.ceil(over / 86400) if over > 0 else 0
        if not lms_late:
            note = (f"{who} does not mark it late; its file time is after the deadline: "
                    f"counted on time. / {who} 未标记迟交,文件时间晚于截止时间:按按时提交计。"
                    ) if days else ""
            return Late(iso(deadline), 0, 0.0, False, note)
        note = ""
        if not days:
            note = (f"{who} marks it late; its file time does not say by how much: 1 day late. "
                    f"/ {who} 标记为迟交,文件时间看不出迟交多久:按迟交 1 天计。")
            days = 1
        after = self.cutoff is not None and when > self.cutoff
        penalty = 100.0 if after else min(100.0, days * self.penalty_per_day)
        return Late(iso(deadline), days, penalty, after, note)

    def apply(self, result: SubmissionResult) -> bool:
        """Set ``result.late`` from the facts it carries; whether the verdict changed."""
        when = None
        if result.submitted_at:
            try:
                when = parse_time(result.submitted_at)
            except ValueError:
                when = None
        verdict = self.judge(when, result.time_source, result.lms_late, result.identity.lms)
        changed = verdict != result.late
        result.late = verdict
        return changed
