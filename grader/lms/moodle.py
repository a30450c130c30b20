"""Moodle's formats: the names in an assignment's "Download all submissions" zip, and the grade
import CSV.

The zip (mod/assign, `download_submissions`, docs/lms.md): each file under
`<Full name>_<participant id>_<plugin>_`, where the full name has `_` turned into spaces, the
participant id is the assignment's own number for the student (not their Moodle user id; under
blind marking the name is "Participant"), and the plugin says what was submitted:
`assignsubmission_file` (uploaded files) or `assignsubmission_onlinetext` (the online text, as
`onlinetext.html`). "Download submissions in folders" makes that prefix a folder holding the
files with their own names and subfolders; without it the prefix starts each file's name.
Only the latest attempt is in the zip.

The import CSV (Grades → Import → CSV file): any columns, one of which identifies the user and
is mapped on import to the user field it holds (email address, ID number or username), and one
per grade item holding the points. This writes `Full name`, `Email address`, `ID number`,
`Username` and the assignment's column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lmsrow import LmsRow, csv_text, number

_PREFIX = re.compile(r"^(?P<name>.+?)_(?P<pid>\d+)_(?P<plugin>assign(?:submission|feedback)_[a-z0-9]+)_(?P<rest>.*)$",
                     re.S)


@dataclass(frozen=True)
class MoodleName:
    """What the first component of a Moodle entry says; `rest` is the flat file name, or ""
    when the component is a folder (the files are below it)."""

    name: str
    participant: str
    plugin: str
    rest: str


def parse(component: str) -> MoodleName | None:
    match = _PREFIX.match(component)
    if match is None:
        return None
    return MoodleName(match["name"], match["pid"], match["plugin"], match["rest"])


def normal_name(name: str) -> str:
    """A full name compared with a roster's: spaces collapsed, case ignored."""
    return " ".join(name.replace("_", " ").split()).lower()


HEADER = ("Full name", "Email address", "ID number", "Username")


def grade_csv(rows: list[LmsRow], assignment: str) -> str:
    """Moodle's grade import CSV for one grade item: a row per student, the final score."""
    table = [[*HEADER, assignment]]
    for row in rows:
        table.append([row.name or row.student, row.email, row.sis_id or row.student, row.login,
                      number(row.total)])
    return csv_text(table)
