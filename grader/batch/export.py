"""`grader export`: the gradebook as one row per student, a column per exercise, total, percent.

The row of a student is the grade that stands for them in the latest run (graded in it, or
unchanged since an earlier run); a student an interrupted run did not reach keeps their last
grade, with status `pending`.

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
from .gradebook import Gradebook

if TYPE_CHECKING:
    from ..lms.exports import Target

#: the formats that are an LMS's grade import file (grader.lms.exports)
LMS_FORMATS = ("canvas", "moodle")

FIXED = ("student", "name", "email", "on_roster", "status")
TRAILER = ("total", "max_score", "percent", "submission", "content_hash", "graded_at", "run")


def gradebook_rows(book: Gradebook) -> tuple[list[str], list[dict[str, Any]]]:
    """(exercise ids in catalogue order, one dict per student)."""
    run = book.latest_run()
    order: list[str] = json.loads(run["exercises"]) if run is not None and run["exercises"] else []
    rows: list[dict[str, Any]] = []
    extra: set[str] = set()
    for item in book.standing():
        grade = item["grade"]
        row: dict[str, Any] = {"student": item["student"], "name": item["name"], "email": item["email"],
                               "on_roster": item["on_roster"], "exercises": {}}
        if grade is None:
            row.update(status="pending", total=None, max_score=None, percent=None, submission="",
                       content_hash="", graded_at="", run=None)
        else:
            row.update(status="pending" if item["action"] == "pending" else grade.status,
                       total=round(grade.score, 6), max_score=round(grade.max_score, 6),
                       percent=round(100 * grade.score / grade.max_score, 2) if grade.max_score else 0.0,
                       submission=grade.path or "", content_hash=grade.content_hash[:16],
                       graded_at=grade.graded_at, run=grade.run_id)
            for ex in book.exercise_rows(grade.id):
                row["exercises"][ex["exercise"]] = {"score": ex["score"], "max_score": ex["max_score"],
                                                    "status": ex["status"]}
                if ex["exercise"] not in order:
                    extra.add(ex["exercise"])
        rows.append(row)
    return order + sorted(extra), rows


def export_text(book: Gradebook, fmt: str, target: Target | None = None) -> str:
    """The gradebook in `fmt`: `csv`, `json`, or an LMS's import CSV for `target`'s assignment."""
    exercises, rows = gradebook_rows(book)
    if fmt in LMS_FORMATS:
        from ..lms.exports import Target, lms_text

        return lms_text(rows, fmt, target or Target())
    if fmt == "json":
        return json_dumps({"exercises": exercises, "students": rows}, indent=2) + "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([csv_cell(name) for name in (*FIXED, *exercises, *TRAILER)])
    for row in rows:
        scores = [row["exercises"][ex]["score"] if ex in row["exercises"] else None for ex in exercises]
        cells = [row["student"], row["name"], row["email"], "yes" if row["on_roster"] else "no",
                 row["status"], *(_number(s) for s in scores),
                 *(_number(row[k]) if k in ("total", "max_score", "percent") else row[k] for k in TRAILER)]
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


def write_export(book: Gradebook, path: Path, fmt: str) -> None:
    path.write_text(export_text(book, fmt), encoding=encoding(fmt))
