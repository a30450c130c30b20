"""The kinds of check a spec can declare. Each evaluates a list of cases into failures.

A check kind is a small object: the plan's case set it runs on (`random`, `edge`, `smooth`),
whether a failure can be shrunk (only drawn cases can), and `evaluate`, which returns one
Failure or None per case. Registering a kind in CHECKS is all it takes to use it in YAML.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..plan import Case
from ..run.client import CallOutcome
from ..spec.schema import CheckSpec, Tolerance
from .compare import compare
from .context import ExerciseContext, Failure


class CheckKind(Protocol):
    case_set: str
    shrinkable: bool

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]: ...


def error_failure(error: dict[str, Any], case: Case | None, function: str,
                  expected: Any = None) -> Failure:
    """The failure of a call that raised or was refused: its message code and facts."""
    kind = error.get("type")
    code = {"MemoryError": "memory_limit", "TooLarge": "too_large"}.get(str(kind), "raised")
    facts = dict(error)
    if kind == "PermissionError":
        facts["hint_code"] = "sandbox_hint"
    if code == "too_large":  # which limit, in the student's words (grader.run.worker.TooLarge)
        facts["reason_code"] = f"too_large.{facts.get('reason') or 'value'}"
    return Failure(code, facts, case, function, expected, None)


def outcome_failure(outcome: CallOutcome, expected: Any, tol: Tolerance, case: Case,
                    function: str) -> Failure | None:
    """The failure of one call against its expected value, if any: the common core of checks."""
    if outcome.error is not None:
        return error_failure(outcome.error, case, function, expected)
    diff = compare(expected, outcome.value, tol)
    if diff is None:
        return None
    return Failure(diff.kind, {"path": diff.path, **diff.facts}, case, function, expected, outcome.value)


class MatchesReference:
    """Outputs equal the reference's on the drawn cases, within the tolerance."""

    case_set = "random"
    shrinkable = True

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        got = ctx.call(cases) or []
        want = ctx.reference(cases)
        tol = ctx.tolerance(spec)
        return [outcome_failure(g, w.value, tol, c, ctx.exercise.function)
                for g, w, c in zip(got, want, cases)]


class EdgeCases(MatchesReference):
    """The spec's fixed inputs (kinks, huge magnitudes): right values, no NaN/inf where finite."""

    case_set = "edge"
    shrinkable = False


class Stability(EdgeCases):
    """The edge cases again, now also without floating-point warnings (overflow, invalid)."""

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        failures = super().evaluate(ctx, spec, cases)
        got = ctx.call(cases) or []
        for i, (failure, outcome) in enumerate(zip(failures, got)):
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
