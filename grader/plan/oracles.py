"""torch.optim's paths pinned beside a course's pinned plans, so no machine imports torch to
compare with them again: the shipped set's (`python -m grader.plan`) and a course secret's
private plans (`grader secret init`)."""

from __future__ import annotations

from typing import Any


def trajectory_exercises(course: Any, ids: list[str] | None = None) -> list[str]:
    """The exercises (of `ids`, default all) that have a trajectory check."""
    return [ex.id for ex in course.set.select(tuple(ids or ())) if any(c.kind == "trajectory" for c in ex.checks)]


def pin_oracles(course: Any, ids: list[str], again: bool = False) -> list[Any]:
    """Judge the reference once on `ids` with torch.optim's paths written beside the course's
    pinned plans (the set's plans/, or the private plans' folder) where they are not yet, or
    computed `again` in any case; the exercise results."""
    if not ids:
        return []
    from ..engine import Options, grade_in_process
    from ..judge import trajectory

    trajectory.PIN_ORACLE, trajectory.REPIN_ORACLE = True, again
    try:
        result = grade_in_process(course, course.reference_functions, "reference",
                                  Options(exercises=tuple(ids), seed=course.seed))
    finally:
        trajectory.PIN_ORACLE = trajectory.REPIN_ORACLE = False
    return result.exercises
