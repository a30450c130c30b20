"""The gradebook's course tables: which assignment a run graded, lateness, corrections, comments.

They live in the same SQLite file as the grades (`gradebook`), in tables of their own, so that a
regrade, which adds grades, never touches them:

- ``run_assignments``: per run, the assignment it graded (a run without one graded exercises);
- ``lateness``: per run and student, when the work was submitted, where that time came from
  (``lms``, ``git``, ``file``, or none), the due date that applied (an extension's), the last day, the hours
  late, the penalty (a fraction 0..1) and its kind (on time, in the grace period, late, capped,
  closed: after the last day);
- ``overrides``: every hand correction as an event (``set`` with points, or ``remove``), with
  when and why; the one standing for a student and exercise is the latest event, if a ``set``;
- ``comments``: per student, the instructor's comments, with when.

Student ids and every text here are cleaned (`clean_text`) before they are stored.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .gradebook import Gradebook

COURSE_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_assignments (
    run_id INTEGER PRIMARY KEY REFERENCES runs(id), assignment TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lateness (
    run_id INTEGER NOT NULL REFERENCES runs(id), student TEXT NOT NULL,
    assignment TEXT NOT NULL, submitted_at TEXT, time_source TEXT NOT NULL, due_at TEXT NOT NULL,
    extension TEXT, last_day TEXT, hours_late REAL NOT NULL, penalty REAL NOT NULL, kind TEXT NOT NULL,
    PRIMARY KEY (run_id, student)
);
CREATE TABLE IF NOT EXISTS overrides (
    id INTEGER PRIMARY KEY, student TEXT NOT NULL, exercise TEXT NOT NULL,
    action TEXT NOT NULL, points REAL, reason TEXT NOT NULL, at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS overrides_student ON overrides(student, exercise, id);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY, student TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class LateRecord:
    """One student's lateness in one run (`lateness` row)."""

    student: str
    assignment: str
    submitted_at: str | None
    time_source: str  # lms | git | file | none
    #: the due date that applied (an extension's), and the assignment's own when it was extended
    due_at: str
    extension: str | None
    last_day: str | None
    hours_late: float
    penalty: float
    kind: str  # on_time | grace | late | capped | closed | unknown


@dataclass(frozen=True)
class Override:
    student: str
    exercise: str
    points: float
    reason: str
    at: str


@dataclass(frozen=True)
class Event:
    """A correction or a comment, for `grader history`."""

    at: str
    kind: str  # set | remove | comment
    exercise: str
    points: float | None
    text: str


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


# --- runs of an assignment ---------------------------------------------------------------------

def set_run_assignment(book: Gradebook, run_id: int, assignment: str) -> None:
    with book.db:
        book.db.execute("INSERT OR REPLACE INTO run_assignments VALUES (?, ?)", (run_id, assignment))


def run_assignment(book: Gradebook, run_id: int) -> str | None:
    row = book.db.execute("SELECT assignment FROM run_assignments WHERE run_id = ?", (run_id,)).fetchone()
    return None if row is None else str(row["assignment"])


def latest_run(book: Gradebook, assignment: str | None) -> sqlite3.Row | None:
    """The latest run of `assignment`; without one, the latest run of all."""
    if assignment is None:
        return book.latest_run()
    return book.db.execute(
        "SELECT r.* FROM runs r JOIN run_assignments a ON a.run_id = r.id WHERE a.assignment = ? "
        "ORDER BY r.id DESC LIMIT 1", (assignment,)).fetchone()


def assignments_graded(book: Gradebook) -> list[str]:
    return [str(r["assignment"]) for r in book.db.execute(
        "SELECT assignment, MAX(run_id) AS last FROM run_assignments GROUP BY assignment ORDER BY last")]


# --- lateness ----------------------------------------------------------------------------------

def record_lateness(book: Gradebook, run_id: int, records: list[LateRecord]) -> None:
    with book.db:
        book.db.executemany(
            "INSERT OR REPLACE INTO lateness (run_id, student, assignment, submitted_at, time_source, due_at, "
            "extension, last_day, hours_late, penalty, kind) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(run_id, r.student, r.assignment, r.submitted_at, r.time_source, r.due_at, r.extension,
              r.last_day, r.hours_late, r.penalty, r.kind) for r in records])


def lateness(book: Gradebook, run_id: int) -> dict[str, LateRecord]:
    rows = book.db.execute("SELECT * FROM lateness WHERE run_id = ?", (run_id,)).fetchall()
    return {row["student"]: LateRecord(
        student=row["student"], assignment=row["assignment"], submitted_at=row["submitted_at"],
        time_source=row["time_source"], due_at=row["due_at"], extension=row["extension"],
        last_day=row["last_day"], hours_late=row["hours_late"], penalty=row["penalty"], kind=row["kind"])
        for row in rows}


# --- corrections and comments ------------------------------------------------------------------

def add_override(book: Gradebook, student: str, exercise: str, points: float, reason: str) -> None:
    with book.db:
        book.db.execute("INSERT INTO overrides (student, exercise, action, points, reason, at) "
                        "VALUES (?,?,?,?,?,?)", (student, exercise, "set", points, reason, _now()))


def remove_override(book: Gradebook, student: str, exercise: str, reason: str) -> None:
    with book.db:
        book.db.execute("INSERT INTO overrides (student, exercise, action, points, reason, at) "
                        "VALUES (?,?,?,?,?,?)", (student, exercise, "remove", None, reason, _now()))


def overrides(book: Gradebook, student: str | None = None) -> dict[str, dict[str, Override]]:
    """The corrections that stand, by student and exercise: each pair's latest event, if a `set`."""
    query = ("SELECT * FROM overrides WHERE id IN (SELECT MAX(id) FROM overrides GROUP BY student, exercise)"
             + (" AND student = ?" if student is not None else ""))
    found: dict[str, dict[str, Override]] = {}
    for row in book.db.execute(query, () if student is None else (student,)):
        if row["action"] == "set":
            found.setdefault(row["student"], {})[row["exercise"]] = Override(
                row["student"], row["exercise"], float(row["points"]), row["reason"], row["at"])
    return found


def add_comment(book: Gradebook, student: str, comment: str) -> None:
    with book.db:
        book.db.execute("INSERT INTO comments (student, text, at) VALUES (?,?,?)", (student, comment, _now()))


def comments(book: Gradebook, student: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """Each student's comments, oldest first, as (when, text)."""
    query = "SELECT * FROM comments" + (" WHERE student = ?" if student is not None else "") + " ORDER BY id"
    found: dict[str, list[tuple[str, str]]] = {}
    for row in book.db.execute(query, () if student is None else (student,)):
        found.setdefault(row["student"], []).append((row["at"], row["text"]))
    return found


def events(book: Gradebook, student: str) -> list[Event]:
    """Every correction and comment of `student`, in the order they were made."""
    found = [(row["at"], 0, row["id"], Event(row["at"], row["action"], row["exercise"], row["points"], row["reason"]))
             for row in book.db.execute("SELECT * FROM overrides WHERE student = ?", (student,))]
    found += [(row["at"], 1, row["id"], Event(row["at"], "comment", "", None, row["text"]))
              for row in book.db.execute("SELECT * FROM comments WHERE student = ?", (student,))]
    return [event for *_, event in sorted(found, key=lambda item: (item[0], item[1], item[2]))]
