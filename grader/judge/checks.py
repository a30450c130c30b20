"""The kinds of check a spec can declare. Each evaluates a list of cases into failures.

A check kind is a small object: the plan's case set it runs on (`random`, `edge`, `smooth`),
whether a failure can be shrunk (only drawn cases can), and `evaluate`, which returns one
Failure or None per case. Registering a kind in CHECKS is all it takes to use it in YAML.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..plan import Case
from ..run.client import CallOutcome
from ..spec.schema import CheckSpec, Exercise
from .context import ExerciseContext, Failure
from .failures import outcome_failures


class CheckKind(Protocol):
    case_set: str
    shrinkable: bool

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]: ...


def declares_input_unchanged(exercise: Exercise) -> bool:
    """Whether a properties check of the exercise lists `input_unchanged` (it then says it)."""
    return any(p.name == "input_unchanged" for c in exercise.checks for p in c.properties)


def modified_input(exercise: Exercise, case: Case, outcome: CallOutcome) -> Failure | None:
    """`input_modified` when the call wrote into one of its array arguments (the worker reports
    every call's in-place writes, so this costs no call)."""
    names = [n for n, a in exercise.args.items() if not a.keyword]
    for i in outcome.modified or []:
        if i < len(names) and isinstance(case.get(names[i]), np.ndarray):
            return Failure("input_modified", {"arg": names[i]}, case, exercise.function)
    return None


class MatchesReference:
    """Outputs equal the reference's on the drawn cases, within the tolerance; and, where no
    properties check says it, no array argument is modified in place (every exercise asserts it)."""

    case_set = "random"
    shrinkable = True
    #: this kind also asserts that the inputs are left unchanged (the edge cases do not: once is enough)
    guards_inputs = True

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        got = ctx.call(cases) or []
        want = ctx.reference(cases)
        tol = ctx.tolerance(spec)
        failures = outcome_failures(got, [w.value for w in want], tol, cases, ctx.exercise.function)
        if self.guards_inputs and not declares_input_unchanged(ctx.exercise):
            failures = [f if f is not None else modified_input(ctx.exercise, c, g)
                        for f, g, c in zip(failures, got, cases, strict=False)]
        return failures


class EdgeCases(MatchesReference):
    """The spec's fixed inputs (kinks, huge magnitudes): right values, no NaN/inf where finite."""

    case_set = "edge"
    shrinkable = False
    guards_inputs = False


class Stability(EdgeCases):
    """The edge cases again, now also without floating-point warnings (overflow, invalid)."""

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        failures = super().evaluate(ctx, spec, cases)
        got = ctx.call(cases) or []
        for i, (failure, outcome) in enumerate(zip(failures, got, strict=False)):
            if failure is None and outcome.warnings:
                failures[i] = Failure("fp_warning", {"warning": outcome.warnings[0]}, cases[i],
                                      ctx.exercise.function, None, outcome.value)
        return failures


def _registry() -> dict[str, CheckKind]:
    from .behaviour import BehaviourCheck
    from .gradient import GradientCheck
    from .properties import PropertiesCheck
    from .trajectory import TrajectoryCheck

    return {
        "reference": MatchesReference(),
        "edge_cases": EdgeCases(),
        "stability": Stability(),
        "properties": PropertiesCheck(),
        "gradient": GradientCheck(),
        "behaviour": BehaviourCheck(),
        "trajectory": TrajectoryCheck(),
    }


CHECKS: dict[str, CheckKind] = {}


def check_kind(name: str) -> CheckKind:
    if not CHECKS:
        CHECKS.update(_registry())
    try:
        return CHECKS[name]
    except KeyError:
        raise LookupError(f"no check kind {name!r} is implemented") from None
