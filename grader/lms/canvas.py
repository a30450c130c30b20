"""Canvas's formats: the names in its "Download Submissions" zip, and its gradebook import CSV.

The zip (Canvas's `ContentZipper`, docs/lms.md): one flat entry per uploaded file, named
`<name>[_late]_<user id>_<attachment id>_<file name>`, where `<name>` is the student's sortable
name ("Last, First") lower-cased with every non-word character removed (`doejane`, `张三`; left
out under anonymous grading), `late` is inserted when Canvas counts the submission late, and the
file name is the one the student uploaded (Canvas renames a second file of the same name
`hw1-1.py`). A text entry or a URL is `<name>[_late]_<user id>_text.html` / `_link.html`. Only
the current attempt is in the zip; its entries carry the time the zip was made, not the time
of submission.

The import CSV (Canvas's Gradebook import): the columns `Student`, `ID` (Canvas user id),
`SIS User ID`, `SIS Login ID`, `Section`, then one per assignment, `Name (assignment id)` or a
bare name (Canvas then matches it by name or creates the assignment); the second row is
`Points Possible`. Canvas identifies the student by ID, else SIS User ID, else SIS Login ID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lmsrow import LmsRow, csv_text, number

_UPLOAD = re.compile(r"^(?P<prefix>.*?)(?:^|_)(?P<uid>\d+)_(?P<aid>\d+)_(?P<file>.+)$", re.S)
_INLINE = re.compile(r"^(?P<prefix>.*?)(?:^|_)(?P<uid>\d+)_(?P<file>(?:text|link)\.html)$", re.S | re.I)
_LATE = re.compile(r"(?:^|_)late$", re.I)
_COPY = re.compile(r"^(?P<stem>.+)-(?P<n>\d+)(?P<ext>\.[^.]+)?$")


@dataclass(frozen=True)
class CanvasName:
    """What a Canvas entry name says."""

    name: str
    late: bool
    user_id: str
    #: the attachment id (a later upload has a larger one); None for a text or URL entry
    attachment_id: int | None
    file: str


def parse(entry: str) -> CanvasName | None:
    """The parts of a Canvas entry's (base) name, None when it is not one Canvas writes."""
    match = _UPLOAD.match(entry) or _INLINE.match(entry)
    if match is None:
        return None
    prefix = match["prefix"]
    late = _LATE.search(prefix) is not None
    name = _LATE.sub("", prefix) if late else prefix
    aid = match.groupdict().get("aid")
    return CanvasName(name, late, match["uid"], int(aid) if aid else None, match["file"])


def base_file(file: str, siblings: set[str]) -> str:
    """The name the student gave a file that Canvas renamed as a copy (`hw1-1.py` → `hw1.py`),
    when one of `siblings` (the student's other file names) is that name; else `file`."""
    match = _COPY.match(file)
    if match is None:
        return file
    base = match["stem"] + (match["ext"] or "")
    return base if base in siblings else file


def slug(name: str) -> str:
    """A person's name as Canvas writes it in an entry name: word characters only, lower case."""
    return re.sub(r"[^\w]|_", "", name).lower()


# ------------------------------------------------------------------------------- import CSV

HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def gradebook_csv(rows: list[LmsRow], assignment: str, points: float, assignment_id: str | None = None) -> str:
    """Canvas's gradebook import CSV for one assignment: a row per student, the final score."""
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    table = [[*HEADER, column], ["    Points Possible", "", "", "", "", number(points)]]
    for row in rows:
        table.append([row.name or row.student, row.lms_user_id, row.sis_id or row.student, row.login,
                      row.section, number(row.total)])
    return csv_text(table)
