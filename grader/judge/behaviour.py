"""Behaviour checks: where many answers are right, a trusted driver judges what the function does.

The driver (named by the spec's `driver:`, found in the exercise set's drivers/ or
reference/drivers/) gets a way to call the student's functions — through the context, batched,
in the worker — the plan's cases and the spec's `params`, and returns failures as plain dicts
(see drivers/__init__.py of the shipped set). Truth tables with a margin, the properties of a
random split, the outcome of a training run: data in, data out, so the student's code still runs
only in the worker.

A catalogued mistake is diagnosed by running the same driver on it, in-process: it matches when
it fails exactly as the student does (the same codes, symptoms and facts). A student pack holds
each mistake's symptoms, recorded by `grader pack`, instead of the mistakes themselves: there a
match is said as "looks like".
"""

from __future__ import annotations

from typing import Any, Callable

from ..plan import Case
from ..run.client import CallOutcome
from ..run.inprocess import InProcessFunctions
from ..spec.schema import CheckSpec, Tolerance
from .compare import compare
from .context import ExerciseContext, Failure, GradedByInstructor, to_call
from .diagnosis import Diagnosis, applies

#: the code a driver returns when it cannot judge here (see drivers/__init__.py)
INSTRUCTOR_CODE = "graded_by_instructor"


class StudentCalls:
    """What a driver is handed as `student`: calls in the worker, and two questions about trust."""

    def __init__(self, ctx: ExerciseContext,
                 call: Callable[[list[Case], str | None, bool], list[CallOutcome] | None]) -> None:
        self._ctx = ctx
        self._call = call

    def __call__(self, cases: list[Case], function: str | None = None,
                 fresh: bool = False) -> list[CallOutcome] | None:
        return self._call(cases, function, fresh)

    def trusted(self, name: str) -> Callable[..., Any] | None:
        """The reference's (or a driver's) function `name`, or None where there is none (a pack)."""
        try:
            return self._ctx.helper(name)
        except LookupError:
            return None

    def agrees(self, function: str) -> bool:
        """Whether the student's own `function` gives the reference's answers (see ExerciseContext)."""
        return self._ctx.agrees(function)


def _as_failure(raw: dict[str, Any]) -> Failure:
    return Failure(code=str(raw["code"]), facts=dict(raw.get("facts") or {}), case=raw.get("case"),
                   function=raw.get("function"), expected=raw.get("expected"),
                   actual=raw.get("actual"))


def _run(ctx: ExerciseContext, spec: CheckSpec, student: StudentCalls,
         cases: list[Case]) -> tuple[list[Failure], int]:
    driver = ctx.helper(str(spec.driver))
    result = driver(student, cases, dict(spec.params))
    raw, tests = result if isinstance(result, tuple) else (result, len(cases))
    return [_as_failure(r) for r in raw], int(tests)


def _symptom(failure: Failure) -> tuple[str, Any]:
    return failure.code, failure.facts.get("symptom")


def mistake_failures(ctx: ExerciseContext, spec: CheckSpec, fn: Callable[..., Any]) -> list[Failure] | None:
    """Every failure the driver finds in a trusted function; None if it cannot run."""
    theirs = InProcessFunctions({ctx.exercise.function: fn})

    def call(calls: list[Case], function: str | None = None, fresh: bool = False):
        name = function or ctx.exercise.function
        return theirs.call(name, [to_call(ctx.signature_of(name), c) for c in calls])

    try:
        found, _ = _run(ctx, spec, StudentCalls(ctx, call), ctx.plan.cases(BehaviourCheck.case_set))
    except Exception:  # a mistake the driver cannot even run is no diagnosis
        return None
    return found


def mistake_symptoms(ctx: ExerciseContext, spec: CheckSpec, fn: Callable[..., Any]) -> set[tuple[str, Any]] | None:
    """(code, symptom) of every failure the driver finds in a trusted function; None if it cannot run."""
    found = mistake_failures(ctx, spec, fn)
    return None if found is None else {_symptom(f) for f in found}


#: facts a check adds to its first failure (counts), not what the driver found
_COUNTS = frozenset({"failing_cases", "total_cases"})


def _same_facts(a: Failure, b: Failure, tol: Tolerance) -> bool:
    """Two failures of a driver say the same thing: one code, one symptom, equal facts."""
    if _symptom(a) != _symptom(b):
        return False
    mine, theirs = _scalars(a), _scalars(b)
    if sorted(mine) != sorted(theirs):
        return False
    try:
        return compare(mine, theirs, tol) is None
    except (TypeError, ValueError):
        return False


def _scalars(failure: Failure) -> dict[str, Any]:
    """The facts that say how wrong (a margin, a gate, a count), not the values a draw gives (a
    shuffled order, a trained network): what a seeded or unseeded mistake shares with the student."""
    return {k: float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v
            for k, v in failure.facts.items()
            if k not in _COUNTS and isinstance(v, (int, float, str, bool))}


def explains(student: list[Failure], theirs: list[Failure], tol: Tolerance) -> bool:
    """Every failure of the student's is one of the mistake's, facts and all, and no more."""
    left = list(theirs)
    for failure in student:
        match = next((i for i, t in enumerate(left) if _same_facts(failure, t, tol)), None)
        if match is None:
            return False
        left.pop(match)
    return not left


class BehaviourCheck:
    """A trusted driver calls the student's functions and says what is wrong with their behaviour."""

    case_set = "random+edge"
    shrinkable = False

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        def call(calls: list[Case], function: str | None = None, fresh: bool = False):
            return ctx.call(calls, function, fresh=fresh)

        failures, tests = _run(ctx, spec, StudentCalls(ctx, call), cases)
        for failure in failures:
            if failure.code == INSTRUCTOR_CODE:
                facts = dict(failure.facts)
                raise GradedByInstructor(str(facts.pop("reason_code", "pack.reason.needs_code")), facts)
        if failures:
            failures[0].facts.setdefault("failing_cases", len(failures))
            failures[0].facts.setdefault("total_cases", max(tests, len(failures)))
        return list(failures)

    def diagnose(self, ctx: ExerciseContext, spec: CheckSpec, failure: Failure,
                 failures: list[Failure]) -> Diagnosis | None:
        """The first listed mistake that, driven the same way, fails exactly as the student does:
        the same failures with the same facts (a gate's margin of 0.2 is not a margin of 0). A
        student pack holds only each mistake's symptoms: the same set of them is "looks like"."""
        tol = ctx.exercise.tolerance
        for mistake in ctx.exercise.mistakes:
            fn = ctx.mistakes.get(mistake.function)
            if fn is None or not applies(mistake, spec):
                continue
            recorded = getattr(fn, "symptoms", None)  # a student pack's recording of the mistake
            if recorded is not None:
                if {tuple(s) for s in recorded.get(spec.title) or []} == {_symptom(f) for f in failures}:
                    return Diagnosis(mistake, likely=True)
                continue
            theirs = mistake_failures(ctx, spec, fn)
            if theirs is not None and explains(failures, theirs, tol):
                return Diagnosis(mistake)
        return None
