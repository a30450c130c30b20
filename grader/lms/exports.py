"""`grader export --format canvas|moodle`: the gradebook's rows, with the ids each LMS matches
students by, as that LMS's grade import CSV (grader.lms.canvas, grader.lms.moodle).

The score is the row's `total` (the final score: overrides and the late penalty applied by
the gradebook's rows) out of `max_score`. A student's LMS user id comes from the collect
manifest (what the archive said) before the roster's column; the SIS id, login and section from
the roster. A student with no score (not graded yet) gets an empty cell, which both LMSs read
as "leave the grade as it is".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..batch.roster import key
from . import canvas, moodle
from .lmsrow import LmsRow, points_possible
from .manifest import Manifest
from .people import Person

LMS_FORMATS = ("canvas", "moodle")


@dataclass
class Target:
    """Where the export goes: the assignment's name (and Canvas id) and what knows the ids."""

    #: the column's name; None: the rows' `assignment`, else `fallback`
    assignment: str | None = None
    fallback: str = "grader"
    assignment_id: str | None = None
    manifest: Manifest | None = None
    people: list[Person] = field(default_factory=list)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def lms_rows(rows: Sequence[Mapping[str, object]], target: Target) -> list[LmsRow]:
    """The export's rows: each gradebook row with the ids of its student."""
    people = {key(p.id): p for p in target.people}
    collected = {key(s): sub for s, sub in (target.manifest.submissions.items() if target.manifest else ())}
    out: list[LmsRow] = []
    for row in rows:
        student = str(row.get("student", ""))
        person = people.get(key(student))
        sub = collected.get(key(student))
        out.append(LmsRow(
            student=student, name=str(row.get("name") or (person.name if person else "")
                                      or (sub.lms_name if sub else "")),
            email=str(row.get("email") or (person.email if person else "")),
            total=_number(row.get("total")), max_score=_number(row.get("max_score")),
            lms_user_id=(sub.lms_user_id if sub and sub.lms_user_id and target.manifest
                         and target.manifest.source == "canvas" else "") or (person.lms_user_id if person else ""),
            sis_id=person.sis_id if person else "", login=person.login if person else "",
            section=person.section if person else ""))
    return out


def lms_text(rows: Sequence[Mapping[str, object]], fmt: str, target: Target) -> str:
    """The import CSV of `fmt` (one of LMS_FORMATS)."""
    ready = lms_rows(rows, target)
    named = next((str(r["assignment"]) for r in rows if isinstance(r.get("assignment"), str) and r["assignment"]),
                 None)
    assignment = target.assignment or named or target.fallback
    if fmt == "canvas":
        return canvas.gradebook_csv(ready, assignment, points_possible(ready), target.assignment_id)
    return moodle.grade_csv(ready, assignment)
