"""The final score: the checks' score, with hand corrections and the late penalty applied.

The order, the same in every output (feedback, grades.csv, the class report, the exports):

1. each corrected exercise's points *replace* what the checks gave it;
2. the exercises' points are added up;
3. the late penalty (a fraction of that total, `lateness.assess`) is taken off the total.

So a correction is penalised for lateness like the rest of the work, and `grader override`
never has to know about the deadline. Corrections and comments are stored in the gradebook's
own tables (`coursebook`), apart from the grades: a regrade adds grades and never loses them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..report.adjustments import Adjustments, Corrected
from ..result import SubmissionResult
from ..spec.assignments import shown_moment
from .coursebook import LateRecord, Override, comments, lateness, overrides
from .gradebook import Gradebook, StoredGrade, _stored
from .lateness import apply_penalty


def latest_grades(book: Gradebook, assignment: str | None) -> dict[str, StoredGrade]:
    """The newest grade of every student in the runs of `assignment` (every run without one)."""
    if assignment is None:
        return book.latest_grades()
    rows = book.db.execute(
        "SELECT * FROM grades WHERE id IN (SELECT MAX(g.id) FROM grades g JOIN run_assignments a "
        "ON a.run_id = g.run_id WHERE a.assignment = ? GROUP BY g.student)", (assignment,)).fetchall()
    return {row["student"]: _stored(row) for row in rows}


@dataclass(frozen=True)
class Final:
    raw_total: float
    #: the total with the corrections, before the late penalty
    corrected_total: float
    total: float
    penalty: float
    overridden: list[str]


def final_score(exercises: Iterable[tuple[str, float]], raw_total: float,
                corrections: dict[str, Override], penalty: float) -> Final:
    """`raw_total` (the checks') with `corrections` replacing their exercises' points among
    `exercises` ((id, points) of the grade), then `penalty` taken off."""
    corrected = raw_total
    overridden = []
    for exercise, points in exercises:
        if exercise in corrections:
            corrected += corrections[exercise].points - points
            overridden.append(exercise)
    corrected = round(corrected, 6)
    return Final(round(raw_total, 6), corrected, apply_penalty(corrected, penalty), penalty, overridden)


def _moment(text: str | None, zone_of: str | None = None) -> str:
    """An ISO time as `2026-10-09 23:59 +08:00`, in the zone of `zone_of` (the due date's)."""
    if not text:
        return "–"
    moment = dt.datetime.fromisoformat(text)
    if zone_of:
        moment = moment.astimezone(dt.datetime.fromisoformat(zone_of).tzinfo)
    return shown_moment(moment)


def late_sentence(record: LateRecord) -> tuple[str, dict[str, str]]:
    """The `late.*` code and facts that say what the lateness of `record` cost."""
    facts = {"hours": f"{record.hours_late:g}", "when": _moment(record.submitted_at, record.due_at),
             "percent": f"{round(record.penalty * 100, 6):g}", "last_day": _moment(record.last_day)}
    return f"late.{record.kind}", facts


@dataclass
class CourseState:
    """A run's corrections, comments and lateness, read once, for the outputs it writes."""

    corrections: dict[str, dict[str, Override]] = field(default_factory=dict)
    notes: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    late: dict[str, LateRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, book: Gradebook, run_id: int | None) -> CourseState:
        return cls(overrides(book), comments(book), lateness(book, run_id) if run_id is not None else {})

    def final(self, student: str, exercises: Iterable[tuple[str, float]], raw_total: float) -> Final:
        record = self.late.get(student)
        return final_score(exercises, raw_total, self.corrections.get(student, {}),
                           record.penalty if record is not None else 0.0)

    def adjustments(self, student: str, result: SubmissionResult) -> Adjustments | None:
        """What the feedback of `student` says beyond the checks; None when nothing changed."""
        corrections = self.corrections.get(student, {})
        record = self.late.get(student)
        notes = self.notes.get(student, [])
        missing = bool(result.exercises) and all(ex.status == "missing" for ex in result.exercises)
        if missing:  # nothing was submitted: no time to speak of
            record = None
        if not corrections and not notes and record is None:
            return None
        final = self.final(student, ((ex.id, ex.score) for ex in result.exercises), result.score)
        corrected = {ex.id: Corrected(corrections[ex.id].points, ex.max_score, ex.score, corrections[ex.id].reason)
                     for ex in result.exercises if ex.id in corrections}
        late = None
        if record is not None:
            late = late_sentence(record)
        extension = None
        if record is not None and record.extension:
            extension = {"due": _moment(record.due_at), "was": _moment(record.extension)}
        return Adjustments(raw_score=result.score, final_score=final.total, max_score=result.max_score,
                           corrected=corrected, late=late,
                           time_source=record.time_source if record is not None and record.time_source != "none"
                           else None, extension=extension,
                           comments=[(when[:16].replace("T", " "), note) for when, note in notes])
