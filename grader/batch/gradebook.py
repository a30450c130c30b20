"""The gradebook: one SQLite file (stdlib sqlite3) in the output folder, holding every run.

Tables:

- ``runs``: one row per `grader grade`: when, grader version, spec digest, seed, the exercises
  selected, the grading key (everything that changes a grade besides the submission), status
  (``running``, ``complete``, ``interrupted``).
- ``students``: id, name, email, whether the roster lists them.
- ``grades``: one row per grading of one student's submission: the content hash of what was
  graded, grader version, spec digest, score, overall status, and the whole result (codec-encoded,
  never pickled) so feedback and reports can be rebuilt without grading again.
- ``exercise_grades``: per grade and exercise: score, status, message code, the messages in
  English and Chinese, the diagnosed mistakes, seconds.
- ``run_entries``: per run and student: which grade stands (graded in this run, or unchanged
  since an earlier one), or ``pending`` when the run was interrupted before reaching them.
- ``fingerprints``: per student, content hash and similarity method, the submission's
  fingerprint record and the code it was computed from (codec-encoded; grader/similarity/stored.py
  reads and writes them): evidence for the similarity report, never part of a grade.
- the course's tables (``run_assignments``, ``lateness``, ``overrides``, ``comments``): see
  `coursebook`.

A grade is reused when the submission's content hash and the grading key both match: a changed
file, a changed spec, another grader version, seed, selection or time limit means grading again.
Writes happen in the parent process only, one transaction per submission, so an interrupted run
keeps everything graded before the interruption.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, TypeVar

from .. import codec
from ..cleaning import escaped_surrogates
from ..result import CheckResult, ExerciseResult, SubmissionResult
from ..report.words import check_message, exercise_message
from .coursebook import COURSE_SCHEMA

SCHEMA_VERSION = 1
FILENAME = "gradebook.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
    grader_version TEXT, spec_digest TEXT, seed INTEGER, exercises TEXT, grading_key TEXT,
    submissions_dir TEXT, jobs INTEGER, forced INTEGER, lang TEXT
);
CREATE TABLE IF NOT EXISTS students (
    id TEXT PRIMARY KEY, name TEXT, email TEXT, on_roster INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS grades (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    student TEXT NOT NULL REFERENCES students(id),
    path TEXT, content_hash TEXT NOT NULL, grading_key TEXT NOT NULL,
    grader_version TEXT, spec_digest TEXT, seed INTEGER,
    status TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, seconds REAL,
    graded_at TEXT NOT NULL, result BLOB
);
CREATE INDEX IF NOT EXISTS grades_student ON grades(student, id);
CREATE TABLE IF NOT EXISTS exercise_grades (
    grade_id INTEGER NOT NULL REFERENCES grades(id), exercise TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL, code TEXT,
    messages TEXT, mistakes TEXT, seconds REAL,
    PRIMARY KEY (grade_id, exercise)
);
CREATE TABLE IF NOT EXISTS run_entries (
    run_id INTEGER NOT NULL REFERENCES runs(id), student TEXT NOT NULL REFERENCES students(id),
    action TEXT NOT NULL, grade_id INTEGER REFERENCES grades(id),
    PRIMARY KEY (run_id, student)
);
"""

#: the similarity fingerprints of a submission (issue 16), in a statement of their own: one row per
#: student and method, replaced when the submission's content hash changes
_FINGERPRINT_SCHEMA = """
CREATE TABLE IF NOT EXISTS fingerprints (
    student TEXT NOT NULL, content_hash TEXT NOT NULL, method TEXT NOT NULL,
    record BLOB NOT NULL, sources BLOB NOT NULL, made_at TEXT NOT NULL,
    PRIMARY KEY (student, method)
);
"""

#: overall status of a grade
GRADED, ERROR, MISSING, INTERNAL = "graded", "error", "missing", "internal_error"


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


# --- results to bytes and back (codec: JSON header + raw arrays; never pickle) -------------------

#: how deep a stored value may nest (the codec refuses to decode past 64 levels): deeper parts of a
#: counterexample are replaced by a sentence, so whatever was stored is read back
STORED_DEPTH = 60
TOO_DEEP = "… (nested too deeply to be stored)"
#: Python refuses to turn an int of more than 4300 digits into text (and so into JSON)
_INT_BITS = 14_000


def clean_text(text: str) -> str:
    """`text` with every lone surrogate (exception text, undecodable file names) written as its
    escape `\\udXXX`: the result encodes to UTF-8 (SQLite, files, the terminal), keeps distinct
    texts distinct, and shows the reader what was there."""
    return escaped_surrogates(text)


def _storable(value: Any, depth: int) -> Any:
    kind = type(value)
    if kind is str:
        return clean_text(value)
    if kind is int and value.bit_length() > _INT_BITS:
        return f"<an integer of {value.bit_length()} bits>"
    if value is None or kind in (float, bool, int):
        return value
    nested = isinstance(value, (dict, list, tuple, set, frozenset))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            setattr(value, f.name, _storable(getattr(value, f.name), depth + 1))
        return value
    if nested and depth >= STORED_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict):
        return {clean_text(str(k)): _storable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        value = sorted(value, key=repr)
    if isinstance(value, tuple):
        return tuple(_storable(v, depth + 1) for v in value)
    if isinstance(value, list):
        return [_storable(v, depth + 1) for v in value]
    if isinstance(value, str):  # a str subclass
        return clean_text(str(value))
    return value  # arrays and other leaves: the codec takes them or `_plain` makes them text


#: a dataclass of the result model, rebuilt from what the codec gave back
_Stored = TypeVar("_Stored", CheckResult, ExerciseResult, SubmissionResult)


def storable(result: SubmissionResult) -> SubmissionResult:
    """Make `result` storable, in place: strings encodable, nesting bounded. Everything a
    submission produced (its printed text, exception messages, returned values) is in a result,
    so this is where the gradebook's sink is cleaned; the feedback written from the same result
    then shows what the gradebook holds."""
    return _storable(result, 0)


def _plain(value: object) -> object:
    """What the codec cannot carry (sets, odd objects in facts) becomes a list or a string."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_plain(v) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, (set, frozenset)):
        return [_plain(v) for v in sorted(value, key=repr)]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    try:
        codec.encode(value)
        return value
    except codec.CodecError:
        return clean_text(str(value))


def as_tree(value: Any) -> Any:
    """The result model as plain data, as `dataclasses.asdict` gives it (dataclasses as dicts,
    at any depth), without asdict's deep copy of every leaf: the codec only reads them. A
    stored result is encoded once a submission by the single writer (the parent of a batch,
    the client of a cluster), where that copy was most of its cost."""
    kind = type(value)
    if value is None or kind in (str, float, int, bool):
        return value
    if kind is list:
        return [as_tree(v) for v in value]
    if kind is dict:
        return {as_tree(k): as_tree(v) for k, v in value.items()}
    if kind is tuple:
        return tuple(as_tree(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: as_tree(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple, dict)):  # a subclass: as its base type, which the codec writes alike
        return as_tree(dict(value) if isinstance(value, dict) else
                       list(value) if isinstance(value, list) else tuple(value))
    return value  # arrays and other leaves


def encode_result(result: SubmissionResult) -> bytes:
    tree = as_tree(result)
    try:
        return codec.encode(tree)
    except codec.CodecError:
        return codec.encode(_plain(tree))


def _build(cls: type[_Stored], data: dict[str, Any]) -> _Stored:
    """A result dataclass from its decoded fields (a field it no longer has is left out)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def decode_result(blob: bytes) -> SubmissionResult:
    data = codec.decode(blob)
    exercises = []
    for ex in data.get("exercises", []):
        ex = dict(ex)
        ex["checks"] = [_build(CheckResult, c) for c in ex.get("checks", [])]
        exercises.append(_build(ExerciseResult, ex))
    data["exercises"] = exercises
    return _build(SubmissionResult, data)


def summary_status(result: SubmissionResult) -> str:
    if result.exercises and all(e.status == "error" for e in result.exercises):
        return ERROR
    return GRADED


# --- the database ------------------------------------------------------------------------------

@dataclass
class StoredGrade:
    id: int
    run_id: int
    student: str
    path: str | None
    content_hash: str
    grading_key: str
    status: str
    score: float
    max_score: float
    seconds: float | None
    graded_at: str
    spec_digest: str | None
    grader_version: str | None

    def result(self, book: "Gradebook") -> SubmissionResult | None:
        return book.result(self.id)


@dataclass(frozen=True)
class StoredFingerprint:
    """One student's stored similarity fingerprints: of which content, the encoded record and code."""

    content_hash: str
    record: bytes
    sources: bytes


class Gradebook:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, timeout=30.0)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA journal_mode = WAL")  # readers (export) never block the grader
        self.db.execute("PRAGMA synchronous = NORMAL")
        with self.db:
            self.db.executescript(_SCHEMA)
            self.db.executescript(_FINGERPRINT_SCHEMA)
            self.db.executescript(COURSE_SCHEMA)  # assignments, lateness, corrections (coursebook)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))

    @classmethod
    def open_existing(cls, out_dir: str | Path) -> "Gradebook | None":
        path = Path(out_dir) / FILENAME
        return cls(path) if path.is_file() else None

    def close(self) -> None:
        self.db.close()

    # runs
    def start_run(self, *, grader_version: str, spec_digest: str, seed: int | str, exercises: list[str],
                  grading_key: str, submissions_dir: str, jobs: int, forced: bool, lang: str) -> int:
        with self.db:
            cur = self.db.execute(
                "INSERT INTO runs (started_at, status, grader_version, spec_digest, seed, exercises, "
                "grading_key, submissions_dir, jobs, forced, lang) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (now(), "running", grader_version, spec_digest, seed, json.dumps(exercises),
                 grading_key, submissions_dir, jobs, int(forced), lang))
        return _inserted_id(cur)

    def finish_run(self, run_id: int, status: str) -> None:
        with self.db:
            self.db.execute("UPDATE runs SET status = ?, finished_at = ? WHERE id = ?", (status, now(), run_id))

    def latest_run(self) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()

    def note_run(self, run_id: int, key: str, value: str) -> None:
        """Something said about a run besides its row (`cluster`: the Dask workers' doctor reports)."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"run.{run_id}.{key}", value))

    def run_note(self, run_id: int, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (f"run.{run_id}.{key}",)).fetchone()
        return None if row is None else str(row["value"])

    # students
    def upsert_students(self, students: Iterable[tuple[str, str, str, bool]]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO students (id, name, email, on_roster) VALUES (?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET name = COALESCE(NULLIF(excluded.name, ''), students.name), "
                "email = COALESCE(NULLIF(excluded.email, ''), students.email), on_roster = excluded.on_roster",
                [(sid, name, email, int(on_roster)) for sid, name, email, on_roster in students])

    def plan_entries(self, run_id: int, entries: dict[str, int | None]) -> None:
        """Every student of this run: the reused grade id, or None (pending: to be graded)."""
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO run_entries (run_id, student, action, grade_id) VALUES (?,?,?,?)",
                [(run_id, sid, "pending" if gid is None else "unchanged", gid) for sid, gid in entries.items()])

    # grades
    def latest_grade(self, student: str, before_run: int | None = None) -> StoredGrade | None:
        query = "SELECT * FROM grades WHERE student = ?"
        args: list[Any] = [student]
        if before_run is not None:
            query += " AND run_id < ?"
            args.append(before_run)
        row = self.db.execute(query + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return _stored(row) if row else None

    def latest_grades(self) -> dict[str, StoredGrade]:
        """The newest grade of every student, in one query (for deciding what to regrade)."""
        rows = self.db.execute(
            "SELECT * FROM grades WHERE id IN (SELECT MAX(id) FROM grades GROUP BY student)").fetchall()
        return {row["student"]: _stored(row) for row in rows}

    def record(self, run_id: int, student: str, path: str | None, content_hash: str, grading_key: str,
               result: SubmissionResult, status: str | None = None) -> int:
        """Store one graded submission and make it this run's entry for the student (one transaction).

        Any result is accepted: it is made `storable` first (in place), so whatever strings or
        values a submission produced, the grade is kept and reads back."""
        blob = encode_result(storable(result))
        path = clean_text(path) if path is not None else None
        with self.db:
            cur = self.db.execute(
                "INSERT INTO grades (run_id, student, path, content_hash, grading_key, grader_version, "
                "spec_digest, seed, status, score, max_score, seconds, graded_at, result) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (run_id, student, path, content_hash, grading_key, result.grader_version,
                 result.spec_digest, result.seed, status or summary_status(result), result.score,
                 result.max_score, round(result.seconds, 3), now(), blob))
            grade_id = _inserted_id(cur)
            self.db.executemany(
                "INSERT INTO exercise_grades (grade_id, exercise, score, max_score, status, code, messages, "
                "mistakes, seconds) VALUES (?,?,?,?,?,?,?,?,?)",
                [(grade_id, ex.id, ex.score, ex.max_score, ex.status, ex.code or None,
                  json.dumps(_messages(ex), ensure_ascii=False),
                  json.dumps(list(dict.fromkeys(c.mistake for c in ex.checks if c.mistake))), round(ex.seconds, 3))
                 for ex in result.exercises])
            self.db.execute(
                "INSERT OR REPLACE INTO run_entries (run_id, student, action, grade_id) VALUES (?,?,?,?)",
                (run_id, student, "graded", grade_id))
        return grade_id

    def result(self, grade_id: int) -> SubmissionResult | None:
        row = self.db.execute("SELECT result FROM grades WHERE id = ?", (grade_id,)).fetchone()
        if row is None or row["result"] is None:
            return None
        try:  # cleaned again: a gradebook written before `storable` existed may hold anything
            return storable(decode_result(row["result"]))
        except (codec.CodecError, TypeError, ValueError, RecursionError):
            return None

    def exercise_rows(self, grade_id: int) -> list[sqlite3.Row]:
        return self.db.execute("SELECT * FROM exercise_grades WHERE grade_id = ? ORDER BY rowid",
                               (grade_id,)).fetchall()

    # views
    def standing(self, run: sqlite3.Row | None = None) -> list[dict[str, Any]]:
        """Every student of `run` (default: the latest run) with the grade that stands for them
        (None if pending)."""
        run = self.latest_run() if run is None else run
        if run is None:
            return []
        rows = self.db.execute(
            "SELECT e.student, e.action, e.grade_id, s.name, s.email, s.on_roster FROM run_entries e "
            "JOIN students s ON s.id = e.student WHERE e.run_id = ? ORDER BY e.student",
            (run["id"],)).fetchall()
        standing = []
        for row in rows:
            grade = None
            if row["grade_id"] is not None:
                found = self.db.execute("SELECT * FROM grades WHERE id = ?", (row["grade_id"],)).fetchone()
                grade = _stored(found) if found else None
            elif row["action"] == "pending":  # not reached in an interrupted run: the last grade, if any
                grade = self.latest_grade(row["student"])
            standing.append({"student": row["student"], "name": row["name"] or "",
                             "email": row["email"] or "", "on_roster": bool(row["on_roster"]),
                             "action": row["action"], "grade": grade})
        return standing

    def history(self, student: str) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT r.id AS run, r.started_at, r.status AS run_status, e.action, g.id AS grade_id, "
            "g.score, g.max_score, g.status, g.content_hash, g.spec_digest, g.grader_version "
            "FROM run_entries e JOIN runs r ON r.id = e.run_id LEFT JOIN grades g ON g.id = e.grade_id "
            "WHERE e.student = ? ORDER BY r.id", (student,)).fetchall()

    def has_student(self, student: str) -> bool:
        return self.db.execute("SELECT 1 FROM students WHERE id = ?", (student,)).fetchone() is not None

    def keep_report_sections(self, sections: list[str]) -> None:
        """The class report's extra sections as the last `grader grade` rendered them (the
        similarity section: code, not grades), so that a report written again after a hand
        correction keeps them without reading the submissions."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('report_sections', ?)", (json.dumps(sections),))

    def report_sections(self) -> list[str]:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'report_sections'").fetchone()
        try:
            sections = json.loads(row[0]) if row is not None else []
        except ValueError:
            return []
        return [s for s in sections if isinstance(s, str)] if isinstance(sections, list) else []

    # similarity fingerprints (grader/similarity/stored.py encodes and decodes them)
    def fingerprints(self, method: str) -> dict[str, StoredFingerprint]:
        """Every student's stored fingerprints of this method, by student."""
        rows = self.db.execute("SELECT student, content_hash, record, sources FROM fingerprints "
                               "WHERE method = ?", (method,)).fetchall()
        return {row["student"]: StoredFingerprint(row["content_hash"], bytes(row["record"]), bytes(row["sources"]))
                for row in rows}

    def store_fingerprint(self, student: str, content_hash: str, method: str, record: bytes,
                          sources: bytes) -> None:
        """Store (or replace) one student's fingerprints of this method, in one transaction."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO fingerprints (student, content_hash, method, record, "
                            "sources, made_at) VALUES (?,?,?,?,?,?)",
                            (student, content_hash, method, record, sources, now()))


def _messages(ex: ExerciseResult) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for lang in ("en", "zh"):
        sentences = [exercise_message(ex, lang)] if ex.code else []
        sentences += [check_message(c, lang) for c in ex.checks if c.status != "passed" and c.code]
        out[lang] = [s for s in sentences if s]
    return out


def _stored(row: sqlite3.Row) -> StoredGrade:
    return StoredGrade(id=row["id"], run_id=row["run_id"], student=row["student"], path=row["path"],
                       content_hash=row["content_hash"], grading_key=row["grading_key"],
                       status=row["status"], score=row["score"], max_score=row["max_score"],
                       seconds=row["seconds"], graded_at=row["graded_at"],
                       spec_digest=row["spec_digest"], grader_version=row["grader_version"])


def _inserted_id(cur: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made (SQLite sets it after every INSERT)."""
    if cur.lastrowid is None:
        raise sqlite3.DatabaseError("the INSERT made no row")
    return cur.lastrowid
