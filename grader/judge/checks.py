"""The kinds of check a spec can declare. Each evaluates a list of cases into failures.

A check kind is a small object: the plan's case set it runs on (`random`, `edge`, `smooth`),
whether a failure can be shrunk (only drawn cases can), and `evaluate`, which returns one
Failure or None per case. Registering a kind in CHECKS is all it takes to use it in YAML.
"""

from __future__ import annotations

from typing import Protocol

from ..plan import Case
from ..spec.schema import CheckSpec
from .context import ExerciseContext, Failure
from .failures import outcome_failure


class CheckKind(Protocol):
    case_set: str
    shrinkable: bool

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]: ...


class MatchesReference:
    """Outputs equal the reference's on the drawn cases, within the tolerance."""

    case_set = "random"
    shrinkable = True

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        got = ctx.call(cases) or []
        want = ctx.reference(cases)
        tol = ctx.tolerance(spec)
        return [outcome_failure(g, w.value, tol, c, ctx.exercise.function)
                for g, w, c in zip(got, want, cases, strict=False)]


class EdgeCases(MatchesReference):
    """The spec's fixed inputs (kinks, huge magnitudes): right values, no NaN/inf where finite."""

    case_set = "edge"
    shrinkable = False


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
