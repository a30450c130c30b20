"""Match a failure against the exercise's catalogued mistakes, to give a specific hint.

The mistakes are trusted code (reference/mistakes/); they run here, in the grader, on the
failing input and a few of the plan's cases, and one matches when it reproduces every one of
the student's outputs there.
"""

from __future__ import annotations

from ..plan import Case
from ..run.inprocess import InProcessFunctions
from ..spec.schema import CheckSpec, Mistake
from .compare import compare
from .context import ExerciseContext, Failure, to_call

SAMPLE = 8


def diagnose(ctx: ExerciseContext, spec: CheckSpec, case: Case | None,
             failure: Failure | None = None) -> Mistake | None:
    """The first listed mistake that explains the failure, or None.

    A check kind may know better how to match (a behaviour driver compares symptoms); otherwise
    a mistake matches when it reproduces the student's outputs on the failing input (a
    trajectory's: the inputs of the step where the student left the path) and the sample.
    """
    if not ctx.exercise.mistakes:
        return None
    from .checks import check_kind

    matcher = getattr(check_kind(spec.kind), "diagnose", None)
    if matcher is not None and failure is not None:
        return matcher(ctx, spec, failure)
    cases = ([case] if case is not None else []) + ctx.plan.random[:SAMPLE] + ctx.plan.edge[:SAMPLE]
    student = ctx.call(cases) or []
    tol = ctx.tolerance(spec)
    for mistake in ctx.exercise.mistakes:
        if mistake.checks and spec.kind not in mistake.checks and spec.title not in mistake.checks:
            continue
        fn = ctx.mistakes.get(mistake.function)
        if fn is None:
            continue
        theirs = InProcessFunctions({ctx.exercise.function: fn})
        outcomes = theirs.call(ctx.exercise.function, [to_call(ctx.exercise, c) for c in cases]) or []
        if all(
            (s.error is None) == (m.error is None)
            and (s.error is not None or compare(m.value, s.value, tol) is None)
            for s, m in zip(student, outcomes, strict=False)
        ):
            return mistake
    return None
