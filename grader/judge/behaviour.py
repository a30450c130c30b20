"""Behaviour checks: where many answers are right, a trusted driver judges what the function does.

The driver (named by the spec's `driver:`, found in the exercise set's reference/drivers/) gets a
way to call the student's functions — through the context, batched, in the worker — the plan's
cases and the spec's `params`, and returns failures as plain dicts (see reference/drivers/
__init__.py). Truth tables with a margin, the properties of a random split, the outcome of a
training run: data in, data out, so the student's code still runs only in the worker.

A catalogued mistake is diagnosed by running the same driver on it, in-process: it matches when
it fails with the same message code and symptom as the student.
"""

from __future__ import annotations

from typing import Any, Callable

from ..plan import Case
from ..run.inprocess import InProcessFunctions
from ..spec.schema import CheckSpec, Mistake
from .context import ExerciseContext, Failure, to_call

Student = Callable[..., Any]


def _as_failure(raw: dict[str, Any]) -> Failure:
    return Failure(code=str(raw["code"]), facts=dict(raw.get("facts") or {}), case=raw.get("case"),
                   function=raw.get("function"), expected=raw.get("expected"),
                   actual=raw.get("actual"))


def _run(ctx: ExerciseContext, spec: CheckSpec, student: Student,
         cases: list[Case]) -> tuple[list[Failure], int]:
    driver = ctx.helper(str(spec.driver))
    result = driver(student, cases, dict(spec.params))
    raw, tests = result if isinstance(result, tuple) else (result, len(cases))
    return [_as_failure(r) for r in raw], int(tests)


def _symptom(failure: Failure) -> tuple[str, Any]:
    return failure.code, failure.facts.get("symptom")


class BehaviourCheck:
    """A trusted driver calls the student's functions and says what is wrong with their behaviour."""

    case_set = "random+edge"
    shrinkable = False

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        def student(calls: list[Case], function: str | None = None, fresh: bool = False):
            return ctx.call(calls, function, fresh=fresh)

        failures, tests = _run(ctx, spec, student, cases)
        if failures:
            failures[0].facts.setdefault("failing_cases", len(failures))
            failures[0].facts.setdefault("total_cases", max(tests, len(failures)))
        return list(failures)

    def diagnose(self, ctx: ExerciseContext, spec: CheckSpec, failure: Failure) -> Mistake | None:
        """The first listed mistake that, driven the same way, fails with the student's symptom."""
        cases = ctx.plan.cases(self.case_set)
        for mistake in ctx.exercise.mistakes:
            fn = ctx.mistakes.get(mistake.function)
            if fn is None or (mistake.checks and spec.kind not in mistake.checks
                              and spec.title not in mistake.checks):
                continue
            theirs = InProcessFunctions({ctx.exercise.function: fn})

            def student(calls: list[Case], function: str | None = None, fresh: bool = False,
                        _theirs: InProcessFunctions = theirs):
                name = function or ctx.exercise.function
                return _theirs.call(name, [to_call(ctx.signature_of(name), c) for c in calls])

            try:
                found, _ = _run(ctx, spec, student, cases)
            except Exception:  # a mistake the driver cannot even run is no diagnosis
                continue
            if _symptom(failure) in {_symptom(f) for f in found}:
                return mistake
        return None
