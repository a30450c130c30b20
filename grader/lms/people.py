"""The roster's students with every id and name an LMS may know them by.

The student ids are read by the same reader as `grader grade --roster` (grader.batch.roster),
so that the folders `grader collect` writes are the ids grading looks for. Beside the id, a
row may hold the student's LMS user id, SIS id, login, section and name; they are found by
their column headers (`LMS_ID_COLUMNS`, …). A Canvas gradebook export works as a roster: its
`ID` column (beside `SIS User ID`) is the Canvas user id. A bare `id` column of another roster
is the student's id, never taken for an LMS id: a wrong LMS id would give one student's grade
to another in the LMS.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from ..batch.roster import NAME_COLUMNS, RosterError, decode, key, read_roster, rows_of
from . import canvas, moodle

LMS_ID_COLUMNS = ("canvas_user_id", "canvas user id", "canvas id", "canvas_id", "lms_id", "lms id",
                  "lms_user_id", "lms user id", "moodle_id", "moodle id", "participant id", "participant_id")
SIS_COLUMNS = ("sis user id", "sis_user_id", "sis_id", "sis id", "student_id", "student id", "studentid",
               "学号", "id number", "idnumber", "id_number")
LOGIN_COLUMNS = ("sis login id", "sis_login_id", "login", "login_id", "username", "账号")
SECTION_COLUMNS = ("section", "sections", "班级")
#: name headers: the roster's own, and Canvas's `Student` (its sortable name, "Last, First")
PERSON_NAME_COLUMNS = (*NAME_COLUMNS, "student", "sortable name", "sortable_name")


@dataclass(frozen=True)
class Person:
    id: str
    name: str = ""
    email: str = ""
    lms_user_id: str = ""
    sis_id: str = ""
    login: str = ""
    section: str = ""
    #: every form of the name, compared as Moodle's (`normal_name`) and as Canvas's (`slug`)
    names: frozenset[str] = field(default_factory=frozenset)

    @property
    def slugs(self) -> frozenset[str]:
        return frozenset(canvas.slug(n) for n in self.names) - {""}


def name_forms(names: Collection[str]) -> frozenset[str]:
    """`Doe, Jane` is also `Jane Doe` and `Doe Jane`; `Jane Doe` also `Doe Jane`."""
    forms: set[str] = set()
    for raw in names:
        name = moodle.normal_name(raw)
        if not name:
            continue
        forms.add(name)
        if "," in name:
            last, _, first = name.partition(",")
            forms.add(moodle.normal_name(f"{first} {last}"))
            forms.add(moodle.normal_name(f"{last} {first}"))
        words = name.split()
        if len(words) > 1:
            forms.add(" ".join([words[-1], *words[:-1]]))
            forms.add(" ".join([*words[1:], words[0]]))
    return frozenset(forms)


def _columns(header: list[str], names: tuple[str, ...]) -> list[int]:
    return [i for i, h in enumerate(header) if h.strip().casefold() in names]


def _first(row: list[str], columns: list[int]) -> str:
    for i in columns:
        if i < len(row) and row[i]:
            return row[i]
    return ""


def read_people(path: Path, archive_names: Collection[str] = ()) -> list[Person]:
    """The roster at `path` as Persons; RosterError as `read_roster` raises it."""
    students = read_roster(path, archive_names)
    rows = rows_of(decode(path.read_bytes()))
    header = rows[0] if rows else []
    lms = _columns(header, LMS_ID_COLUMNS)
    if "ID" in header and "SIS User ID" in header:  # a Canvas gradebook export
        lms = [header.index("ID"), *lms]
    sis, login = _columns(header, SIS_COLUMNS), _columns(header, LOGIN_COLUMNS)
    section, named = _columns(header, SECTION_COLUMNS), _columns(header, PERSON_NAME_COLUMNS)
    by_key = {key(s.id): s for s in students}
    people: dict[str, Person] = {}
    for row in rows[1:]:
        found = next((by_key[key(c)] for c in row if c and key(c) in by_key), None)
        if found is None or key(found.id) in people:
            continue
        people[key(found.id)] = Person(
            found.id, found.name, found.email, lms_user_id=_first(row, lms), sis_id=_first(row, sis),
            login=_first(row, login), section=_first(row, section),
            names=name_forms([found.name, *(row[i] for i in named if i < len(row))]))
    return [people.get(key(s.id)) or Person(s.id, s.name, s.email, names=name_forms([s.name]))
            for s in students]


__all__ = ["Person", "RosterError", "name_forms", "read_people"]
