"""Deadlines and late policies, applied to the submission times the LMS or Gradescope gives.

A ``LatePolicy`` is a deadline, a penalty per day late (percent of the auto-graded points,
partial days rounded up) and/or a cut-off after which the auto-graded points count 0.
``LatePolicy.judge`` turns what is known about one submission into a ``results.Late``:

- a time from Gradescope's ``submission_metadata.json`` (``created_at``) is trusted;
- Canvas's download marks late files ``_LATE_`` but gives no time: the file's modification
  time says how late, and Canvas's flag wins when they disagree (a file Canvas does not mark
  late is on time; a file Canvas marks late is at least one day late);
- otherwise the files' modification time is the only time there is (a weak fallback: copying
  files changes it); grades.csv says which source each time came from.

Times without a zone are local time (the machine's); a date alone means the end of that day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from .results import Late, SubmissionResult

FILE_TIME = "file modification time"
"""``SubmissionResult.time_source`` of a time read from the files themselves."""

GRADESCOPE_TIME = "gradescope"
"""``SubmissionResult.time_source`` of a time from Gradescope's submission metadata."""


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
    """Percent of the auto-graded points taken off per day late (partial days rounded up)."""
    cutoff: Optional[datetime] = None
    """After this, the auto-graded points count 0."""

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

    @property
    def active(self) -> bool:
        return self.deadline is not None or self.cutoff is not None

    def judge(self, submitted_at: Optional[datetime], source: str = "",
              lms_late: Optional[bool] = None, lms: str = "") -> Late:
        """The verdict for a submission made at ``submitted_at`` (None when unknown), a time
        from ``source``, with the LMS's own late flag ``lms_late`` (None when it gives none)."""
        if not self.active:
            return Late()
        deadline = self.deadline or self.cutoff
        assert deadline is not None
        notes = []
        days = 0
        if submitted_at is not None:
            over = (submitted_at - deadline).total_seconds()
            days = math.ceil(over / 86400) if over > 0 else 0
        if lms_late is False and days and source == FILE_TIME:
            notes.append(f"{lms.capitalize() or 'The LMS'} does not mark it late; its file time "
                         f"is after the deadline: counted on time.")
            days = 0
        elif lms_late and not days:
            notes.append(f"{lms.capitalize() or 'The LMS'} marks it late, "
                         + ("its file time does not say by how much" if submitted_at is None
                            or source == FILE_TIME else "after another deadline")
                         + ": counted as 1 day late.")
            days = 1
        elif submitted_at is None:
            notes.append("No submission time is known: counted on time.")
        penalty = min(100.0, days * self.penalty_per_day)
        after = (self.cutoff is not None and submitted_at is not None
                 and submitted_at > self.cutoff and not (lms_late is False and source == FILE_TIME))
        if after:
            penalty = 100.0
        return Late(iso(deadline), days, penalty, after, " ".join(notes))

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
