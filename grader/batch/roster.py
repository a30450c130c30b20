"""The class roster: a CSV of student ids, names and emails, as a spreadsheet exports it.

- Encoding: UTF-8 (with or without the BOM Excel writes), UTF-16 with a BOM (Excel's "Unicode
  text"), else GBK/GB 18030 (Excel on Chinese Windows); anything else is refused, said so.
- Separator: sniffed among `,`, `;`, tab and `|` (Excel in a comma-decimal locale writes `;`),
  else the one the header line holds most of, else `,`.
- The header names the columns (any order, case-insensitive): the id is one of `ID_COLUMNS`
  (`id`, `student_id`, `student`, `学号`, `sis_id`, `login`, …); the name one of `NAME_COLUMNS`,
  the email one of `EMAIL_COLUMNS`. Without an id column the id column is inferred, and only
  when exactly one column's values are the submissions' names (`names`); two id columns are
  resolved the same way. Anything else is a `RosterError` that names the columns found: a header
  row never becomes a student, a student is never silently left out.
- An id listed twice is an error that names it. Ids match submission names case-insensitively
  (`Alice.py` is `alice`; see `key`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from ..facts import CodedError
from ..report.untrusted import text_line

#: id headers; several in one roster (Canvas: Student, ID, SIS User ID, SIS Login ID) are settled
#: by which column holds the submissions' names
ID_COLUMNS = ("id", "student_id", "studentid", "student id", "student", "sis_id", "sis id", "sis_user_id",
              "sis user id", "sis_login_id", "sis login id", "username", "user", "login", "sid", "学号",
              "学生编号", "账号")
NAME_COLUMNS = ("name", "full_name", "fullname", "full name", "student_name", "姓名", "名字")
EMAIL_COLUMNS = ("email", "e-mail", "mail", "email address", "邮箱", "电子邮件")
#: the id headers a message suggests
SHOWN_ID_COLUMNS = ("id", "student_id", "student", "sis_id", "login", "学号")
SEPARATORS = ",;\t|"
#: how many of its values must be submission names for a column to be taken as the id
MATCHING_SHARE = 0.5


class RosterError(CodedError, ValueError):
    """A roster that cannot be read as it stands; `code` and `facts` are a catalogue message."""


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


# ------------------------------------------------------------------------------ bytes to rows


def decode(raw: bytes) -> str:
    """The roster's text: UTF-8 (BOM or not), UTF-16 with a BOM, else GB 18030 (a superset of GBK)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise RosterError("roster.encoding") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError("roster.encoding")


def dialect(content: str) -> type[csv.Dialect] | csv.Dialect:
    """The CSV dialect of `content`: sniffed, else by the separator the first line holds most of."""
    sample = content[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS)
    except csv.Error:
        first = sample.splitlines()[0] if sample.strip() else ""
        counts = Counter(ch for ch in first if ch in SEPARATORS)
        separator = counts.most_common(1)[0][0] if counts else ","

        class Fallback(csv.excel):
            delimiter = separator

        return Fallback


def rows_of(content: str) -> list[list[str]]:
    """The non-blank rows, each cell stripped."""
    try:
        rows = list(csv.reader(io.StringIO(content), dialect(content)))
    except csv.Error as exc:
        raise RosterError("roster.csv", problem=str(exc)) from None
    return [[c.strip() for c in r] for r in rows if any(c.strip() for c in r)]


# ------------------------------------------------------------------------------------ columns


def _named(header: list[str], names: tuple[str, ...]) -> list[int]:
    """The columns whose header is one of `names`."""
    return [i for i, h in enumerate(header) if h.casefold() in names]


def _matching(rows: list[list[str]], columns: Collection[int], names: set[str]) -> list[int]:
    """The columns of `columns` at least `MATCHING_SHARE` of whose values are submission names,
    the one with the most such values alone when there is one (`ada,Ada` is the id, not the name)."""
    hits: dict[int, int] = {}
    for i in columns:
        values = [key(r[i]) for r in rows if i < len(r) and r[i]]
        found = sum(v in names for v in values)
        if found and found >= MATCHING_SHARE * len(values):
            hits[i] = found
    best = [i for i, n in hits.items() if n == max(hits.values())]
    return best if len(best) == 1 else list(hits)


def _shown(header: list[str], columns: Collection[int] | None = None) -> str:
    chosen = range(len(header)) if columns is None else columns
    return text_line(", ".join(header[i] or f"#{i + 1}" for i in chosen))


def id_column(header: list[str], rows: list[list[str]], names: set[str],
              shown: list[str] | None = None) -> int:
    """The id column: the one the header names, else the one whose values are submission names.
    `shown` names the columns in a message (a headerless roster's first row)."""
    named = _named(header, ID_COLUMNS)
    if len(named) == 1:
        return named[0]
    candidates = named or [i for i in range(len(header))
                           if i not in _named(header, NAME_COLUMNS + EMAIL_COLUMNS)]
    matching = _matching(rows, candidates, names)
    if len(matching) == 1:
        return matching[0]
    shown = shown or header
    if len(named) > 1 or len(matching) > 1:
        raise RosterError("roster.ambiguous_id", columns=_shown(shown, matching or named))
    raise RosterError("roster.no_id", columns=_shown(shown), accepted=", ".join(SHOWN_ID_COLUMNS))


def _is_header(row: list[str]) -> bool:
    known = ID_COLUMNS + NAME_COLUMNS + EMAIL_COLUMNS
    return any(cell.casefold() in known for cell in row)


def _split_header(rows: list[list[str]], names: set[str]) -> tuple[list[str], list[list[str]]]:
    """(header, data rows). Without a known column name in the first row the roster has no header,
    and its id column must be inferred; a first row that may still be a header is refused."""
    if _is_header(rows[0]):
        return rows[0], rows[1:]
    header = [""] * max(len(r) for r in rows)
    shown = rows[0] + [""] * (len(header) - len(rows[0]))
    column = id_column(header, rows[1:] or rows, names, shown)
    if key(_cell(rows[0], column)) not in names:
        raise RosterError("roster.unsure_header", row=text_line(", ".join(rows[0])))
    return header, rows


def _cell(row: list[str], i: int | None) -> str:
    """Column `i` of `row`; empty where the row is short or the column is absent."""
    return row[i] if i is not None and i < len(row) else ""


def _first(header: list[str], names: tuple[str, ...]) -> int | None:
    found = _named(header, names)
    return found[0] if found else None


def students_of(rows: list[list[str]], names: set[str]) -> list[Student]:
    header, data = _split_header(rows, names)
    id_col = id_column(header, data, names)
    name_col, email_col = _first(header, NAME_COLUMNS), _first(header, EMAIL_COLUMNS)
    students: dict[str, Student] = {}
    repeated: list[str] = []
    for row in data:
        sid = _cell(row, id_col)
        if not sid:
            continue
        if key(sid) in students:
            repeated.append(sid)
            continue
        students[key(sid)] = Student(sid, _cell(row, name_col), _cell(row, email_col))
    if repeated:
        raise RosterError("roster.duplicates", ids=text_line(", ".join(dict.fromkeys(repeated))))
    if not students:
        raise RosterError("roster.empty")
    return list(students.values())


def read_roster(path: str | Path, names: Collection[str] = ()) -> list[Student]:
    """The students of the roster at `path`; `names` are the submissions' student names, by which
    an unnamed id column is recognised. RosterError when it cannot be read without guessing."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RosterError("roster.unreadable", problem=exc.strerror or str(exc)) from None
    rows = rows_of(decode(raw))
    if not rows:
        raise RosterError("roster.empty")
    return students_of(rows, {key(n) for n in names})
