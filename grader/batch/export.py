"""`grader export`: the gradebook as one row per student, a column per exercise, total, percent.

The row of a student is the grade that stands for them in the latest run (graded in it, or
unchanged since an earlier run); a student an interrupted run did not reach keeps their last
grade, with status `pending`. With an assignment, the latest run of that assignment.

`total`, `max_score` and `percent` are the FINAL score (grader.batch.overrides: corrections
replace their exercises' points, then the late penalty is taken off the total); `raw_total` is
the checks' score, `late_penalty` the fraction taken (0..1), `late_hours` how late, `overridden`
the corrected exercises (their cells hold the correction's points), `comment` the latest comment.

Student ids, names and submission paths come from folder and file names a student chose: every
text cell goes through `untrusted.csv_cell` (no formula), every text field is quoted, and the
JSON through `untrusted.json_dumps`. Numbers are written as numbers. A CSV file starts with a
UTF-8 BOM (`encoding`): read it back with `encoding="utf-8-sig"` (Python), which takes a file
with or without it; standard output has no BOM.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from ..report.untrusted import csv_cell, json_dumps
from .coursebook import latest_run, run_assignment
from .gradebook import Gradebook
from .overrides import CourseState

if TYPE_CHECKING:
    from ..lms.exports import Target

#: the formats that are an LMS's grade import file (grader.lms.exports)
LMS_FORMATS = ("canvas", "moodle")

FIXED = ("student", "name", "email", "on_roster", "status")
TRAILER = ("total", "max_score", "percent", "submission", "content_hash", "graded_at", "run")
#: the course's columns (after TRAILER): the checks' score, lateness, corrections
COURSE = ("raw_total", "late_penalty", "late_hours", "submitted_at", "time_source", "overridden", "comment")


class ExerciseCell(TypedDict):
    """One exercise of a student's row: the points that stand (a correction's, else the checks')."""

    score: float
    max_score: float
    status: str
    raw_score: float
    overridden: bool


class StudentRow(TypedDict):
    """One student's row of every export (the module docstring says what the scores mean)."""

    student: str
    name: str
    email: str
    on_roster: bool
    exercises: dict[str, ExerciseCell]
    assignment: str | None
    comment: str
    status: str
    total: float | None
    max_score: float | None
    percent: float | None
    submission: str
    content_hash: str
    graded_at: str
    run: int | None
    raw_total: float | None
    late_penalty: float
    late_hours: float
    submitted_at: str
    time_source: str
    late_kind: str
    overridden: list[str]


def gradebook_rows(book: Gradebook, assignment: str | None = None) -> tuple[list[str], list[StudentRow]]:
    """(exercise ids in catalogue order, one row per student), each with its final score."""
    run = latest_run(book, assignment)
    order: list[str] = json.loads(run["exercises"]) if run is not None and run["exercises"] else []
    course = CourseState.load(book, run["id"] if run is not None else None)
    chosen = run_assignment(book, run["id"]) if run is not None else None
    rows: list[StudentRow] = []
    extra: set[str] = set()
    for item in book.standing(run) if run is not None else []:
        grade, student = item["grade"], item["student"]
        notes = course.notes.get(student, [])
        row = StudentRow(student=student, name=item["name"], email=item["email"], on_roster=bool(item["on_roster"]),
                         exercises={}, assignment=chosen, comment=notes[-1][1] if notes else "",
                         status="pending", total=None, max_score=None, percent=None, submission="",
                         content_hash="", graded_at="", run=None, raw_total=None, late_penalty=0.0,
                         late_hours=0.0, submitted_at="", time_source="none", late_kind="", overridden=[])
        rows.append(row)
        if grade is None:
            continue
        stored = book.exercise_rows(grade.id)
        final = course.final(student, ((ex["exercise"], ex["score"]) for ex in stored), grade.score)
        row["status"] = "pending" if item["action"] == "pending" else grade.status
        row["total"], row["max_score"], row["raw_total"] = final.total, round(grade.max_score, 6), final.raw_total
        row["percent"] = round(100 * final.total / grade.max_score, 2) if grade.max_score else 0.0
        row["submission"], row["content_hash"] = grade.path or "", grade.content_hash[:16]
        row["graded_at"], row["run"] = grade.graded_at, grade.run_id
        row["late_penalty"], row["overridden"] = final.penalty, final.overridden
        late = course.late.get(student)
        if late is not None:
            row["late_hours"], row["submitted_at"] = late.hours_late, late.submitted_at or ""
            row["time_source"], row["late_kind"] = late.time_source, late.kind
        corrections = course.corrections.get(student, {})
        for ex in stored:
            corrected = corrections.get(ex["exercise"])
            row["exercises"][ex["exercise"]] = ExerciseCell(
                score=corrected.points if corrected is not None else ex["score"], max_score=ex["max_score"],
                status=ex["status"], raw_score=ex["score"], overridden=corrected is not None)
            if ex["exercise"] not in order:
                extra.add(ex["exercise"])
    return order + sorted(extra), rows


def export_text(book: Gradebook, fmt: str, assignment: str | None = None, target: Target | None = None) -> str:
    """The gradebook in `fmt` (final scores: corrections, then the late penalty): `csv`, `json`,
    or an LMS's import CSV for `target`'s assignment; `assignment`: that assignment's latest run."""
    exercises, rows = gradebook_rows(book, assignment)
    if fmt in LMS_FORMATS:
        from ..lms.exports import Target, lms_text

        return lms_text(rows, fmt, target or Target())
    if fmt == "json":
        return json_dumps({"exercises": exercises, "students": rows}, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([csv_cell(name) for name in (*FIXED, *exercises, *TRAILER, *COURSE)])
    for row in rows:
        scores = [row["exercises"][ex]["score"] if ex in row["exercises"] else None for ex in exercises]
        cells = [row["student"], row["name"], row["email"], "yes" if row["on_roster"] else "no",
                 row["status"], *(_number(s) for s in scores),
                 _number(row["total"]), _number(row["max_score"]), _number(row["percent"]), row["submission"],
                 row["content_hash"], row["graded_at"], row["run"],
                 _number(row["raw_total"]), _number(row["late_penalty"]), _number(row["late_hours"]),
                 row["submitted_at"], row["time_source"], " ".join(row["overridden"]), row["comment"]]
        writer.writerow(["" if cell is None else csv_cell(cell) for cell in cells])
    return out.getvalue()


def _number(value: float | None) -> int | float | None:
    """A score as a spreadsheet number: 5, not 5.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def encoding(fmt: str) -> str:
    """How an export file is encoded: a CSV with a UTF-8 BOM, which Excel needs to read it as
    UTF-8 (without it, Excel on Chinese Windows reads GBK and garbles every name); JSON and the
    LMS import files plain UTF-8, as the LMSs document their imports."""
    return "utf-8-sig" if fmt == "csv" else "utf-8"


def write_export(book: Gradebook, path: Path, fmt: str, assignment: str | None = None) -> None:
    path.write_text(export_text(book, fmt, assignment), encoding=encoding(fmt))
