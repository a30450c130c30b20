"""Behaviour checks: where many answers are right, a trusted driver judges what the function does.

The driver (named by the spec's `driver:`, found in the exercise set's drivers/ or
reference/drivers/) gets a way to call the student's functions — through the context, batched,
in the worker — the plan's cases and the spec's `params`, and returns failures as plain dicts
(see drivers/__init__.py of the shipped set). Truth tables with a margin, the properties of a
random split, the outcome of a training run: data in, data out, so the student's code still runs
only in the worker.

A catalogued mistake is diagnosed by running the same driver on it, in-process: it matches when
it shows every failure of the student's, the same code and symptom (not only the first). A
student pack holds each mistake's symptoms, recorded by `grader pack`, instead of the mistakes
themselves.
"""

from __future__ import annotations

from typing import Any, Callable

from ..plan import Case
from ..run.client import CallOutcome
from ..run.inprocess import InProcessFunctions
from ..spec.schema import CheckSpec
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


def explains(student: list[Failure], symptoms: set[tuple[str, Any]]) -> bool:
    """Every failure of the student's, not only the first, is one the mistake shows (code and
    symptom; the mistake may show it in more places, a zero margin in every gate): the driver's
    symptom says what went wrong precisely (a zero margin is not a small one)."""
    return bool(student) and all(_symptom(f) in symptoms for f in student)


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
        """The first listed mistake that, driven the same way, shows every failure of the
        student's, code and symptom (not only the first); a student pack holds each mistake's
        symptoms, recorded, instead of the mistake."""
        for mistake in ctx.exercise.mistakes:
            fn = ctx.mistakes.get(mistake.function)
            if fn is None or not applies(mistake, spec):
                continue
            recorded = getattr(fn, "symptoms", None)  # a student pack's recording of the mistake
            if recorded is not None:
                symptoms = {tuple(s) for s in recorded.get(spec.title) or []}
            else:
                symptoms = mistake_symptoms(ctx, spec, fn) or set()
            if explains(failures, symptoms):
                return Diagnosis(mistake)
        return None
