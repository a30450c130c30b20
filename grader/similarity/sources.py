"""A class's code as the grader reads it: each student's modules, or why they cannot be compared.

Students are found by the batch's own discovery (`grader.batch.discover`) and read by the
submission reader (`grader.submission.load_submission`), so a notebook is compared by the module
the grader would run (magics and slow top-level code left out, function bodies as written), and
whatever the grader cannot read (binary, not UTF-8, too large, empty, two entries for one
student) is a reason shown beside the student, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..batch.discover import MISSING, discover
from ..submission import load_submission


@dataclass
class StudentSource:
    student: str
    #: {"name", "filename", "source"} each, as `grader.submission` reads them
    modules: list[dict[str, str]] = field(default_factory=list)
    #: why the submission cannot be compared: {"code": message code, "facts": {...}}, or None
    problem: dict[str, Any] | None = None


def read_student(student: str, paths: list[Path]) -> StudentSource:
    """One student's entry (one path; several is an ambiguous entry)."""
    if len(paths) != 1:
        entries = ", ".join(p.name + ("/" if p.is_dir() else "") for p in paths)
        return StudentSource(student, problem={"code": "submission_ambiguous", "facts": {"entries": entries}})
    try:
        submission = load_submission(paths[0])
    except UnicodeError as exc:  # a notebook cell holding a lone surrogate (`"\ud800"` in its JSON)
        return StudentSource(student, problem={"code": "similarity.unreadable_source",
                                               "facts": {"reason": f"{type(exc).__name__}: {exc}"[:200]}})
    if submission.error is not None:
        return StudentSource(student, problem={"code": submission.error, "facts": dict(submission.error_facts)})
    return StudentSource(student, modules=list(submission.modules))


def read_class(folder: str | Path, exclude: tuple[Path, ...] = ()) -> tuple[list[StudentSource], list[str]]:
    """Every student of a submissions folder, and the entries ignored (not .py, .ipynb or folder)."""
    found = discover(folder, exclude=exclude)
    students = [read_student(entry.student, entry.paths) for entry in found.entries if entry.kind != MISSING]
    return students, found.ignored


__all__ = ["StudentSource", "read_class", "read_student"]
