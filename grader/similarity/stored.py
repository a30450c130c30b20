"""Fingerprint records kept in the gradebook, so an unchanged submission is never fingerprinted twice.

`grader grade` calls `fingerprint_entries` in its own (parent) process, after grading: each
student's code is read by the submission reader (read, parsed, never run), fingerprinted, and
stored with the code it was computed from in the gradebook's `fingerprints` table
(grader/batch/gradebook.py), under the student, the content hash the gradebook already uses to
decide whether a submission changed, and `method_key` (record version, k, window, normaliser,
and the exercise ids that cut a module into units). A later run reuses the row when the content
hash and the key match; a changed submission, another method or a row that cannot be decoded is
fingerprinted again and replaced. `stored_class` is the same records read back for
`grader similarity --gradebook OUT`, which then never reads the submissions folder.

Stored code is what the side-by-side pages show: it is the code the fingerprints were computed
from, so a page never highlights lines of a file that changed since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pathlib import Path

from .. import codec
from ..batch.gradebook import FILENAME
from .analyse import ClassAnalysis, rank_records
from .record import RECORD_VERSION, FingerprintRecord, Method, RecordError, fingerprint
from .score import Options
from .sources import StudentSource, read_student
from .units import OTHER

if TYPE_CHECKING:
    from ..batch.discover import Entry
    from ..batch.gradebook import Gradebook, StoredFingerprint
    from ..spec import ExerciseSet
    from .base import BaseMaterial

#: a student whose fingerprints are not in the gradebook (graded with `--no-similarity`, or by
#: an older grader): said beside them in the report
NOT_STORED = "similarity.not_stored"
#: a stored record that could not be read back (`grader similarity --gradebook`)
UNREADABLE = "similarity.unreadable_record"


def method_key(method: Method, exercises: frozenset[str]) -> str:
    """What a stored record depends on besides the submission: a record is reused only under the
    same key (the exercise ids decide which functions are units of their own)."""
    ids = hashlib.sha256("\0".join(sorted(exercises)).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"v{RECORD_VERSION}.k{method.k}.w{method.window}.n{method.normaliser}.{ids}"


def encode_entry(record: FingerprintRecord, modules: list[dict[str, str]]) -> tuple[bytes, bytes]:
    """The record (its fingerprints as raw arrays) and the code it was computed from, as codec bytes."""
    return (codec.encode(record.to_tree(arrays=True)),
            codec.encode([{"name": m.get("name", ""), "filename": m["filename"], "source": m["source"]}
                          for m in modules]))


def decode_entry(stored: StoredFingerprint) -> tuple[FingerprintRecord, list[dict[str, str]]]:
    """A stored row read back; RecordError when it is not one this grader wrote."""
    try:
        tree = codec.decode(stored.record)
        modules = codec.decode(stored.sources)
    except (codec.CodecError, RecursionError) as exc:
        raise RecordError(f"not a fingerprint record: {exc}") from None
    record = FingerprintRecord.from_tree(tree)
    if not isinstance(modules, list) or not all(
            isinstance(m, dict) and all(isinstance(m.get(key), str) for key in ("name", "filename", "source"))
            for m in modules):
        raise RecordError("the stored code is not a list of modules")
    if len(modules) != len(record.modules):
        raise RecordError("the stored code does not match the record's modules")
    return record, modules


@dataclass
class Fingerprinted:
    """A class's records, with the code each was computed from, and how they were obtained."""

    records: list[FingerprintRecord] = field(default_factory=list)
    sources: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    computed: int = 0
    reused: int = 0
    #: students whose stored record could not be read back (fingerprinted again)
    repaired: list[str] = field(default_factory=list)

    def add(self, record: FingerprintRecord, modules: list[dict[str, str]]) -> None:
        self.records.append(record)
        self.sources[record.student] = modules

    def student_sources(self) -> dict[str, StudentSource]:
        """The records' code in the form `analyse_class` returns it."""
        return {r.student: StudentSource(r.student, self.sources.get(r.student, []), r.problem)
                for r in self.records}


def _compute(entry: Entry, exercises: frozenset[str], method: Method) -> tuple[FingerprintRecord,
                                                                               list[dict[str, str]]]:
    student = read_student(entry.student, entry.paths)
    if student.problem is not None:
        return FingerprintRecord(entry.student, method, problem=student.problem), []
    return fingerprint(entry.student, student.modules, exercises, method), student.modules


def fingerprint_entries(book: Gradebook, entries: list[Entry], hashes: dict[str, str | None],
                        exercises: frozenset[str], method: Method = Method()) -> Fingerprinted:
    """Every entry's record: the stored one when its content hash and method match, else computed
    now (in this process, by reading the files) and stored. An entry whose files could not be
    hashed is fingerprinted but not stored (nothing could tell a later run it is unchanged)."""
    key = method_key(method, exercises)
    stored = book.fingerprints(key)
    out = Fingerprinted()
    for entry in entries:
        row = stored.get(entry.student)
        content = hashes.get(entry.student)
        if row is not None and content is not None and row.content_hash == content:
            try:
                record, modules = decode_entry(row)
            except RecordError:
                out.repaired.append(entry.student)
            else:
                if record.student == entry.student and record.method == method:
                    out.add(record, modules)
                    out.reused += 1
                    continue
                out.repaired.append(entry.student)
        record, modules = _compute(entry, exercises, method)
        out.computed += 1
        if content is not None:
            book.store_fingerprint(entry.student, content, key, *encode_entry(record, modules))
        out.add(record, modules)
    return out


def stored_class(book: Gradebook, students: list[str], exercises: frozenset[str],
                 method: Method = Method()) -> Fingerprinted:
    """The stored records of `students` (the gradebook's latest run), never recomputed: a student
    without one, or with one that cannot be read back, gets a problem that says so."""
    stored = book.fingerprints(method_key(method, exercises))
    out = Fingerprinted()
    for student in students:
        row = stored.get(student)
        if row is None:
            out.add(FingerprintRecord(student, method, problem={"code": NOT_STORED, "facts": {}}), [])
            continue
        try:
            record, modules = decode_entry(row)
        except RecordError as exc:
            out.repaired.append(student)
            out.add(FingerprintRecord(student, method, problem={
                "code": UNREADABLE, "facts": {"reason": str(exc)[:200]}}), [])
            continue
        record.student = student
        out.add(record, modules)
        out.reused += 1
    return out


def analyse_gradebook(out_dir: Path, exercise_set: ExerciseSet, exercise_ids: tuple[str, ...],
                      base: BaseMaterial, options: Options = Options(), method: Method = Method()) -> ClassAnalysis:
    """`analyse_class` from a gradebook's stored records: the students of its latest run who
    submitted something, compared without reading a file. With `exercise_ids`, only those
    exercise functions (and not the rest of the code)."""
    from ..batch.gradebook import MISSING, Gradebook

    book = Gradebook(out_dir / FILENAME)
    try:
        students = [item["student"] for item in book.standing()
                    if item["grade"] is None or item["grade"].status != MISSING]
        found = stored_class(book, students, frozenset(exercise_set.exercises), method)
    finally:
        book.close()
    units = frozenset(exercise_ids) if exercise_ids else frozenset(exercise_set.exercises) | {OTHER}
    comparison = rank_records(found.records, base, options, method, units)
    return ClassAnalysis(comparison, found.student_sources(), [])


__all__ = ["Fingerprinted", "NOT_STORED", "UNREADABLE", "analyse_gradebook", "decode_entry", "encode_entry",
           "fingerprint_entries", "method_key", "stored_class"]
