"""The class roster: a CSV of student ids, names and emails.

The header names the columns (any order, case-insensitive): the id is `id`, `student`,
`student_id`, `username`, `login`, `sid` or `学号`; the name `name`, `full_name` or `姓名`;
the email `email`, `mail` or `邮箱`. Without a recognisable header the columns are taken as
id, name, email. Ids match submission names case-insensitively (`Alice.py` is `alice`; see `key`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ID_COLUMNS = ("id", "student", "student_id", "studentid", "username", "user", "login", "sid", "学号")
NAME_COLUMNS = ("name", "full_name", "fullname", "student_name", "姓名")
EMAIL_COLUMNS = ("email", "e-mail", "mail", "邮箱")


class RosterError(ValueError):
    pass


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""


def key(student_id: str) -> str:
    """The form in which two student ids are the same student.

    NFC first: macOS writes `é` in a file name as `e` + a combining accent, a roster typed
    elsewhere has the one character. Then `lower()`, because Windows and macOS file systems
    and rosters ignore case (`Alice.py` is `alice`). Not `casefold()`: it folds distinct names
    together (`straße` → `strasse`), and two students must never become one. Not NFKC either:
    it would merge names that differ (`ﬁ` and `fi`, full-width and ASCII letters)."""
    return unicodedata.normalize("NFC", student_id.strip()).lower()


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().casefold() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _cell(row: list[str], i: int | None) -> str:
    """Column `i` of `row`, stripped; empty where the row is short or the column is absent."""
    return row[i].strip() if i is not None and i < len(row) else ""


def read_roster(path: str | Path) -> list[Student]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RosterError(exc.strerror or str(exc)) from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError("not UTF-8 text") from None
    try:
        rows = [r for r in csv.reader(io.StringIO(content)) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise RosterError(str(exc)) from None
    if not rows:
        raise RosterError("no students in it")
    header = rows[0]
    id_col: int | None = _column(header, ID_COLUMNS)
    name_col: int | None
    email_col: int | None
    if id_col is None:
        id_col, name_col, email_col = 0, 1, 2
    else:
        rows = rows[1:]
        name_col = _column(header, NAME_COLUMNS)
        email_col = _column(header, EMAIL_COLUMNS)
    students: dict[str, Student] = {}
    for row in rows:
        sid = _cell(row, id_col)
        if sid and key(sid) not in students:
            students[key(sid)] = Student(sid, _cell(row, name_col), _cell(row, email_col))
    if not students:
        raise RosterError("no students in it")
    return list(students.values())
