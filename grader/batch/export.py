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
from typing import TYPE_CHECKING, Any

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


def _no_grade(row: dict[str, Any]) -> None:
    row.update(status="pending", total=None, max_score=None, percent=None, submission="",
               content_hash="", graded_at="", run=None, raw_total=None, late_penalty=0.0, late_hours=0.0,
               submitted_at="", time_source="none", late_kind="", overridden=[])


def gradebook_rows(book: Gradebook, assignment: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """(exercise ids in catalogue order, one dict per student), each with its final score."""
    run = latest_run(book, assignment)
    order: list[str] = json.loads(run["exercises"]) if run is not None and run["exercises"] else []
    course = CourseState.load(book, run["id"] if run is not None else None)
    chosen = run_assignment(book, run["id"]) if run is not None else None
    rows: list[dict[str, Any]] = []
    extra: set[str] = set()
    for item in book.standing(run) if run is not None else []:
        grade = item["grade"]
        student = item["student"]
        notes = course.notes.get(student, [])
        row: dict[str, Any] = {"student": student, "name": item["name"], "email": item["email"],
                               "on_roster": item["on_roster"], "exercises": {}, "assignment": chosen,
                               "comment": notes[-1][1] if notes else ""}
        if grade is None:
            _no_grade(row)
            rows.append(row)
            continue
        stored = book.exercise_rows(grade.id)
        final = course.final(student, ((ex["exercise"], ex["score"]) for ex in stored), grade.score)
        corrections = course.corrections.get(student, {})
        late = course.late.get(student)
        row.update(status="pending" if item["action"] == "pending" else grade.status,
                   total=final.total, max_score=round(grade.max_score, 6),
                   percent=round(100 * final.total / grade.max_score, 2) if grade.max_score else 0.0,
                   submission=grade.path or "", content_hash=grade.content_hash[:16],
                   graded_at=grade.graded_at, run=grade.run_id, raw_total=final.raw_total,
                   late_penalty=final.penalty, late_hours=late.hours_late if late is not None else 0.0,
                   submitted_at=late.submitted_at or "" if late is not None else "",
                   time_source=late.time_source if late is not None else "none",
                   late_kind=late.kind if late is not None else "", overridden=final.overridden)
        for ex in stored:
            corrected = corrections.get(ex["exercise"])
            row["exercises"][ex["exercise"]] = {
                "score": corrected.points if corrected is not None else ex["score"], "max_score": ex["max_score"],
                "status": ex["status"], "raw_score": ex["score"], "overridden": corrected is not None}
            if ex["exercise"] not in order:
                extra.add(ex["exercise"])
        rows.append(row)
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
                 *(_number(row[k]) if k in ("total", "max_score", "percent") else row[k] for k in TRAILER),
                 _number(row["raw_total"]), _number(row["late_penalty"]), _number(row["late_hours"]),
                 row["submitted_at"], row["time_source"], " ".join(row["overridden"]), row["comment"]]
        writer.writerow(["" if cell is None else csv_cell(cell) for cell in cells])
    return out.getvalue()


def _number(value: Any) -> int | float | None:
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
