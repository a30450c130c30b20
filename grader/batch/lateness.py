"""How late a submission is, and what that costs under its assignment's late policy.

`assess` is the whole rule, a pure function of the policy, the due date that applies (an
extension's, `extended`) and the submission's time:

- at or before the due date: on time, nothing taken;
- after the policy's last day (moved by an extension as much as the due date): the work counts
  nothing (penalty 1);
- within the grace period after the due date: nothing taken (the hours are still reported);
- after it: each *started* day or hour (counted from the due date, not from the end of the
  grace period) takes the policy's penalty, at most its cap: 26 h late at 10 % a day is two
  started days, −20 %.

Lateness is computed in whole seconds, so every figure is exact and reproducible; times are
compared as aware datetimes (zoneinfo), so a due date in Asia/Shanghai and a submission time in
UTC compare as the instants they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..spec import Assignment, LatePolicy
from .coursebook import LateRecord
from .discover import Entry
from .roster import key
from .submitted import manifest_times, submission_time

ON_TIME, GRACE, LATE, CAPPED, CLOSED, UNKNOWN = "on_time", "grace", "late", "capped", "closed", "unknown"
#: no time, but the LMS marked the work late: nothing is taken (how late is not known); said to check
FLAGGED = "flagged"


@dataclass(frozen=True)
class Extension:
    """A student's extension of one assignment: a new due date, or extra days (one of them)."""

    student: str
    assignment: str
    due: dt.datetime | None = None
    days: float | None = None


@dataclass(frozen=True)
class Verdict:
    kind: str
    #: seconds after the due date (0 when on time or unknown)
    seconds_late: int
    #: the fraction of the score taken, 0..1
    penalty: float

    @property
    def hours_late(self) -> float:
        return round(self.seconds_late / 3600, 2)


def extended(assignment: Assignment, extension: Extension | None) -> tuple[dt.datetime, dt.datetime | None]:
    """The due date and last day that apply with `extension`: a new due date replaces the
    assignment's, extra days are added to it; the last day moves by the same amount."""
    due, last_day = assignment.due, assignment.late.last_day
    if extension is None:
        return due, last_day
    new_due = extension.due if extension.due is not None else due + dt.timedelta(days=extension.days or 0.0)
    shift = new_due - due
    return new_due, (None if last_day is None else max(last_day + shift, new_due))


def assess(policy: LatePolicy, due: dt.datetime, last_day: dt.datetime | None,
           submitted: dt.datetime | None) -> Verdict:
    """The lateness and penalty of work submitted at `submitted` (None: unknown, nothing taken)."""
    if submitted is None:
        return Verdict(UNKNOWN, 0, 0.0)
    late = (submitted - due) // dt.timedelta(seconds=1)
    if late <= 0:
        return Verdict(ON_TIME, 0, 0.0)
    if last_day is not None and submitted > last_day:
        return Verdict(CLOSED, late, 1.0)
    if late <= policy.grace.total_seconds():
        return Verdict(GRACE, late, 0.0)
    units = -(-late // policy.unit_seconds)  # every started day or hour
    penalty = min(1.0, round(units * policy.penalty, 12))
    if policy.cap is not None and penalty > policy.cap:
        return Verdict(CAPPED, late, policy.cap)
    return Verdict(LATE, late, penalty)


def apply_penalty(total: float, penalty: float) -> float:
    """The score left after the late penalty (a fraction 0..1), rounded as the gradebook stores."""
    return round(total * (1.0 - penalty), 6)


def late_records(assignment: Assignment, entries: list[Entry], folder: Path,
                 extensions: dict[tuple[str, str], Extension]) -> list[LateRecord]:
    """Every student's lateness on `assignment`: the submission's time (`submitted`), the due
    date that applies to them (`extended`), what that costs (`assess`)."""
    from_lms = manifest_times(folder)
    records = []
    for entry in entries:
        extension = extensions.get((key(entry.student), assignment.id))
        due, last_day = extended(assignment, extension)
        found = submission_time(entry, from_lms)
        verdict = assess(assignment.late, due, last_day, found.when)
        if verdict.kind == UNKNOWN and found.lms_late:
            verdict = Verdict(FLAGGED, 0, 0.0)
        records.append(LateRecord(
            student=entry.student, assignment=assignment.id,
            submitted_at=found.when.isoformat() if found.when is not None else None,
            time_source=found.source, due_at=due.isoformat(),
            extension=assignment.due.isoformat() if extension is not None else None,
            last_day=last_day.isoformat() if last_day is not None else None,
            hours_late=verdict.hours_late, penalty=verdict.penalty, kind=verdict.kind))
    return records
