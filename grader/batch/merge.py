"""A partial regrade (`grader grade -e ID`, `--student ID`) merged into what the gradebook holds.

A run that grades only some exercises must not replace a student's whole result with those: the
exercises it graded replace their stored results, every other exercise keeps the one stored, and
the merged result is what is recorded, so the gradebook, grades.csv, the JSON export, the
feedback files and the class report all show one total.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..facts import Note
from ..result import ExerciseResult, SubmissionResult

MERGED_NOTE = "batch.merged"


def in_order(ids: Sequence[str], order: Sequence[str]) -> list[str]:
    """`ids` without repeats, in `order` (the gradebook's), those it does not know last."""
    unique = list(dict.fromkeys(ids))
    rank = {exercise: i for i, exercise in enumerate(order)}
    return sorted(unique, key=lambda exercise: (rank.get(exercise, len(rank)), unique.index(exercise)))


def merge(stored: SubmissionResult, fresh: SubmissionResult, order: Sequence[str],
          graded_at: str = "") -> SubmissionResult:
    """`fresh` with the exercises it did not grade taken from `stored`, in the gradebook's order, and a
    note saying which were graded again (the student reads the feedback of the whole). `order`
    is the scope's order: the gradebook's exercises, then the new ones."""
    regraded = {ex.id: ex for ex in fresh.exercises}
    kept: dict[str, ExerciseResult] = {ex.id: ex for ex in stored.exercises if ex.id not in regraded}
    if not kept:
        return fresh
    every = {**kept, **regraded}
    exercises = [every[exercise] for exercise in in_order(list(every), order)]
    note: Note = {"code": MERGED_NOTE, "facts": {"exercises": ", ".join(regraded), "graded_at": graded_at,
                                           "kept": ", ".join(kept)}}
    notes = [n for n in fresh.notes if n["code"] != MERGED_NOTE] + [note]
    return dataclasses.replace(fresh, exercises=exercises, notes=notes)
