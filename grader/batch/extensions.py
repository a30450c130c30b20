"""Extensions per student: `extensions.csv` next to the roster, or `grader grade --extensions CSV`.

A header row names the columns `student`, `assignment`, and `due` (a new due date, with its
time zone, written as in assignments.yaml) or `days` (extra days, more than 0, fractions
allowed); each row gives one of the two. Read like a roster (UTF-8 with or without a BOM,
UTF-16, GBK; comma, semicolon or tab). Every problem is an `ExtensionsError` naming the line, so a
typo never quietly grants or denies an extension; an assignment the set does not have is one.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from pathlib import Path

from ..report.untrusted import text_line
from ..spec.assignments import parse_moment
from ..spec.convert import SchemaError
from .lateness import Extension
from .roster import RosterError, decode, key, rows_of

FILENAME = "extensions.csv"
COLUMNS = ("student", "assignment", "due", "days")


def beside(roster: Path | None) -> Path | None:
    """`extensions.csv` in the roster's folder, if there is one."""
    if roster is None:
        return None
    found = roster.parent / FILENAME
    return found if found.is_file() else None


class ExtensionsError(ValueError):
    """An extensions file that cannot be used as it stands: a message code and its facts, and
    the line it is on (None: the whole file)."""

    def __init__(self, code: str, line: int | None = None, **facts: str) -> None:
        super().__init__(code)
        self.code, self.line, self.facts = code, line, facts

    def words(self, lang: str) -> str:
        from ..messages import render

        problem = render(self.code, self.facts, lang)
        return problem if self.line is None else render("extensions.row", {"line": str(self.line),
                                                                           "problem": problem}, lang)


def _days(value: str, line: int) -> float:
    try:
        days = float(value)
    except ValueError:
        days = math.nan
    if not math.isfinite(days) or days <= 0:
        raise ExtensionsError("extensions.days", line, value=text_line(value))
    return days


def _row(cells: dict[str, str], line: int, assignments: Collection[str]) -> Extension:
    assignment = cells.get("assignment", "")
    if assignment not in assignments:
        raise ExtensionsError("assignment.unknown", line, id=text_line(assignment),
                              known=", ".join(assignments) or "–")
    due, days = cells.get("due", ""), cells.get("days", "")
    if due and days:
        raise ExtensionsError("extensions.both", line)
    if not due and not days:
        raise ExtensionsError("extensions.neither", line)
    if days:
        return Extension(cells["student"], assignment, days=_days(days, line))
    try:
        return Extension(cells["student"], assignment, due=parse_moment(due, "due"))
    except SchemaError as exc:
        facts = {k: text_line(str(v)) for k, v in exc.facts.items()}
        raise ExtensionsError(exc.code or "assignment.bad_time", line, **facts) from None


def read_extensions(path: Path, assignments: Collection[str]) -> dict[tuple[str, str], Extension]:
    """The extensions of the CSV at `path`, by (`roster.key` of the student, assignment id)."""
    try:
        rows = rows_of(decode(path.read_bytes()))
    except OSError as exc:
        raise ExtensionsError("roster.unreadable", problem=exc.strerror or str(exc)) from None
    except RosterError as exc:
        raise ExtensionsError(exc.code, None, **exc.facts) from None
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    if "student" not in header or "assignment" not in header or not {"due", "days"} & set(header):
        raise ExtensionsError("extensions.columns", columns=text_line(", ".join(header)) or "–")
    found: dict[tuple[str, str], Extension] = {}
    for line, row in enumerate(rows[1:], start=2):
        cells = {name: row[i].strip() if i < len(row) else "" for i, name in enumerate(header) if name in COLUMNS}
        if not cells.get("student"):
            continue
        extension = _row(cells, line, assignments)
        where = (key(extension.student), extension.assignment)
        if where in found:
            raise ExtensionsError("extensions.duplicate", line, student=text_line(extension.student),
                                  assignment=extension.assignment)
        found[where] = extension
    return found
