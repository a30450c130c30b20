"""Pin what a session's plans need beyond their inputs, by judging its reference once.

torch.optim's paths are pinned beside a session's pinned plans, so no machine imports torch to
compare with them again: the installed set's (`python -m grader.plan`) and a course secret's
private plans (`grader secret init`, `grader grade`), with the private inputs themselves.
This judges trusted code with the whole judge, so it sits above the session, not in the plan
stage (which the judge imports).
"""

from __future__ import annotations

from .engine import grade_in_process
from .judge import trajectory
from .plan.private import still_public
from .plan import library_version
from .result import ExerciseResult
from .engine import Options
from .session import GradingSession
from .spec import Exercise


def trajectory_exercises(session: GradingSession, ids: list[str] | None = None) -> list[str]:
    """The exercises (of `ids`, default all) that have a trajectory check."""
    return [ex.id for ex in session.select(ids or ()) if any(c.kind == "trajectory" for c in ex.checks)]


def pin_oracles(session: GradingSession, ids: list[str], again: bool = False) -> list[ExerciseResult]:
    """Judge the reference once on `ids` with torch.optim's paths written beside the session's
    pinned plans (the set's plans/, or the private plans' folder) where they are not yet, or
    computed `again` in any case; the exercise results."""
    if not ids:
        return []
    trajectory.PIN_ORACLE, trajectory.REPIN_ORACLE = True, again
    try:
        result = grade_in_process(session, session.reference_functions, "reference",
                                  Options(exercises=tuple(ids)))
    finally:
        trajectory.PIN_ORACLE = trajectory.REPIN_ORACLE = False
    return result.exercises


def pin_private_inputs(session: GradingSession, exercises: list[Exercise] | None = None) -> dict[str, list[int]]:
    """Draw, move and pin the private plans of `session` (one with a secret) that are not pinned
    yet, of `exercises` (default all), hidden checks' included, and torch.optim's paths from
    their starts where they are not pinned and torch is installed (so that no exercise's time
    limit pays for torch); the edge cases that stay as the spec has them, by exercise."""
    secret = session.secret
    assert secret is not None, "a session on private inputs"
    chosen = list(session.exercise_set.exercises.values()) if exercises is None else exercises
    for exercise in chosen:
        session.plan(exercise)
        session.hidden_plan(exercise)
    if library_version("torch") is not None:
        pin_oracles(session, trajectory_exercises(session, [ex.id for ex in chosen]))
    return {ex.id: still_public(ex, secret) or [] for ex in chosen}
