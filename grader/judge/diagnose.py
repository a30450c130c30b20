"""Match a failure against the exercise's catalogued mistakes, to give a specific hint.

The mistakes are trusted code (reference/mistakes/); they run here, in the grader, on the
failing inputs and a few of the plan's cases. A hint is never wrong: a mistake is named only
when it reproduces the student's outputs on every failing case of the check (up to
MAX_FAILING of them) and on the sample; when it reproduces the shown case, the sample and most
of the failing cases but not all, the hint is said as "looks like" (`Diagnosis.likely`).
"""

from __future__ import annotations

from ..plan import Case
from ..run.inprocess import InProcessFunctions
from ..spec.schema import CheckSpec
from .context import ExerciseContext, Failure, to_call
from .diagnosis import Diagnosis, applies, same_outcome

SAMPLE = 8
#: failing cases a mistake must reproduce besides the shown one (a check's first ones)
MAX_FAILING = 100


def failing_cases(failure: Failure, failures: list[Failure] | None) -> list[Case]:
    """The shown case first, then the check's other failing cases (each once, at most MAX_FAILING)."""
    cases = [failure.case] if failure.case is not None else []
    for other in failures or []:
        if len(cases) > MAX_FAILING:
            break
        if other.case is not None and all(other.case is not c for c in cases):
            cases.append(other.case)
    return cases


def diagnose(ctx: ExerciseContext, spec: CheckSpec, case: Case | None,
             failure: Failure | None = None, failures: list[Failure] | None = None,
             elsewhere: list[Failure] | None = None) -> Diagnosis | None:
    """The first listed mistake that explains the failure, or None (see the module's docstring).

    A check kind may know better how to match (a behaviour driver compares failures); otherwise
    a mistake matches when it reproduces the student's outputs on the failing inputs (a
    trajectory's: the inputs of the step where the student left the path) and the sample.
    `elsewhere`: the check's failures of other kinds (another way it fails), left out of the
    sample: a mistake explains one way, not necessarily all of them.
    """
    if not ctx.exercise.mistakes:
        return None
    from .checks import check_kind

    matcher = getattr(check_kind(spec.kind), "diagnose", None)
    if matcher is not None and failure is not None:
        return matcher(ctx, spec, failure, failures or [failure])
    failing = failing_cases(failure, failures) if failure is not None else ([case] if case else [])
    other_cases = failing + [f.case for f in elsewhere or [] if f.case is not None]
    sample = [c for c in ctx.plan.random[:SAMPLE] + ctx.plan.edge[:SAMPLE]
              if all(c is not f for f in other_cases)]  # a failing case is judged as one
    cases = failing + sample
    student = ctx.call(cases) or []
    if len(student) != len(cases):
        return None
    tol = ctx.tolerance(spec)
    likely: Diagnosis | None = None
    for mistake in ctx.exercise.mistakes:
        fn = ctx.mistakes.get(mistake.function)
        if fn is None or not applies(mistake, spec):
            continue
        theirs = InProcessFunctions({ctx.exercise.function: fn})
        outcomes = theirs.call(ctx.exercise.function, [to_call(ctx.exercise, c) for c in cases]) or []
        if len(outcomes) != len(cases):
            continue
        agree = [same_outcome(s, m, tol) for s, m in zip(student, outcomes, strict=True)]
        shown, on_failing, on_sample = agree[0], agree[:len(failing)], agree[len(failing):]
        if not all(on_sample) or not shown:
            continue
        if all(on_failing):
            return Diagnosis(mistake)
        if likely is None and 2 * sum(on_failing) > len(on_failing):
            likely = Diagnosis(mistake, likely=True)
    return likely
