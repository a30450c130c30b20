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
from .roster import ID_COLUMNS, NAME_COLUMNS, EMAIL_COLUMNS, RosterError, decode, id_column, key, rows_of

FILENAME = "extensions.csv"
COLUMNS = ("student", "assignment", "due", "days")
#: a roster column `extension_<assignment id>` holds that assignment's extensions: extra days
#: (a number) or a new due date with its zone
ROSTER_COLUMN = "extension_"


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
    return _extension(cells["student"], assignment, due, days, line)


def _extension(student: str, assignment: str, due: str, days: str, line: int) -> Extension:
    if days:
        return Extension(student, assignment, days=_days(days, line))
    try:
        return Extension(student, assignment, due=parse_moment(due, "due"))
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


def roster_extensions(roster: Path, names: Collection[str],
                      assignments: Collection[str]) -> dict[tuple[str, str], Extension]:
    """The extensions of the roster's `extension_<id>` columns ({} when it has none); `names`
    are the submissions' student names (how the roster's id column is found, as `read_roster`)."""
    try:
        rows = rows_of(decode(roster.read_bytes()))
    except (OSError, RosterError):
        return {}  # the roster itself is read (and its problems said) by read_roster
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    columns = {i: name[len(ROSTER_COLUMN):] for i, name in enumerate(header) if name.startswith(ROSTER_COLUMN)}
    if not columns or not any(name in ID_COLUMNS + NAME_COLUMNS + EMAIL_COLUMNS for name in header):
        return {}
    try:
        id_col = id_column(header, rows[1:], {key(n) for n in names})
    except RosterError as exc:
        raise ExtensionsError(exc.code, None, **exc.facts) from None
    found: dict[tuple[str, str], Extension] = {}
    for line, row in enumerate(rows[1:], start=2):
        student = row[id_col].strip() if id_col < len(row) else ""
        for i, assignment in columns.items():
            value = row[i].strip() if i < len(row) else ""
            if not student or not value:
                continue
            if assignment not in assignments:
                raise ExtensionsError("assignment.unknown", line, id=text_line(assignment),
                                      known=", ".join(assignments) or "–")
            number = _number(value)
            found[(key(student), assignment)] = _extension(student, assignment, "" if number else value,
                                                           value if number else "", line)
    return found


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def merged(first: dict[tuple[str, str], Extension],
           second: dict[tuple[str, str], Extension]) -> dict[tuple[str, str], Extension]:
    """Both sources' extensions; one student's extension of one assignment given twice is an error."""
    for where, extension in second.items():
        if where in first:
            raise ExtensionsError("extensions.duplicate", None, student=text_line(extension.student),
                                  assignment=extension.assignment)
    return {**first, **second}
