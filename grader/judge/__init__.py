"""The judge stage: trusted code that scores one exercise of one submission.

For each check of the spec: evaluate it on its case set (batched calls), and when a case fails,
shrink it (drawn cases only), look for a catalogued mistake that explains it, and record the
facts, with every value past a size summarised (grader.judge.summary). Worker timeouts and
crashes propagate to the engine, which owns the worker's life, and so does MissingTrustedCode (a
student pack leaves out a check that needs code it lacks); a RecursionError or MemoryError while
judging what the submission returned costs that check only; any other exception is a bug of the
grader's own: the check is an `internal_error`, marked as the grader's fault, never a wrong answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..result import ERROR, FAILED, INSTRUCTOR, NOT_ATTEMPTED, PASSED, CheckResult, ExerciseResult
from ..spec.schema import CheckSpec
from .checks import check_kind
from ..run.client import WorkerError
from .context import ExerciseContext, Failure, GradedByInstructor, MissingTrustedCode, NotRecorded
from .diagnose import diagnose
from .symptoms import Symptom, find_symptom
from .summary import SHRINK_ENTRIES, bounded, bounded_pair, entries

__all__ = ["ExerciseContext", "judge_exercise", "attempted", "internal_error"]


def attempted(ctx: ExerciseContext) -> bool:
    """False when the function is missing or raises NotImplementedError on every drawn case.

    The probe also carries every other input the exercise's public checks will call on when all
    goes well (edge cases, smooth inputs, a property's moved inputs, a trajectory's steps): one
    round trip instead of one or more per check; each check then finds its outcomes memoised.
    """
    probe = ctx.plan.random or ctx.plan.edge or ctx.plan.smooth
    rest: list[Any] = []
    for spec in ctx.exercise.checks:
        if spec.visibility == "hidden":
            continue
        kind = check_kind(spec.kind)
        try:
            inputs = getattr(kind, "inputs", None)
            rest += inputs(ctx, spec) if inputs is not None else ctx.plan.cases(kind.case_set)
        except (MissingTrustedCode, NotRecorded, GradedByInstructor):
            continue  # only a prefetch: the check itself meets it and says so
    outcomes = ctx.call(probe + rest)
    return outcomes is not None and not all(o.not_implemented for o in outcomes[:len(probe)])


def counterexample(failure: Failure) -> dict[str, Any]:
    """The failing call as a result stores it: each value past a size summarised."""
    expected, actual = bounded_pair(failure.expected, failure.actual, failure.facts)
    case = failure.case
    return {"function": failure.function,
            "input": {k: bounded(v) for k, v in case.items()} if isinstance(case, dict) else bounded(case),
            "expected": expected, "actual": actual}


def run_check(ctx: ExerciseContext, spec: CheckSpec) -> CheckResult:
    result = CheckResult(name=spec.title, kind=spec.kind, status=PASSED, score=spec.points,
                         max_score=spec.points, visibility=spec.visibility)
    try:
        return _judge_check(ctx, spec, result)
    except (RecursionError, MemoryError) as exc:  # comparing, shrinking or summarising a value
        result.status, result.score = ERROR, 0.0
        result.code = "judge_recursion" if isinstance(exc, RecursionError) else "judge_memory"
        result.facts, result.counterexample = {"function": ctx.exercise.function}, None
        return result
    except (WorkerError, MissingTrustedCode):
        raise  # the worker's life is the engine's; a pack leaves out a check that needs code
    except Exception as exc:  # noqa: BLE001 - a bug of the grader's, not the student's answer
        return internal_error(result, exc)


def internal_error(result: CheckResult, exc: Exception) -> CheckResult:
    """A check the grader itself failed to judge: an error marked as the grader's, worth 0 here,
    never a wrong answer (the student's report says to tell the instructor)."""
    result.status, result.score, result.code = ERROR, 0.0, "internal_error"
    result.facts = {"type": type(exc).__name__, "message": str(exc)[:500]}
    result.counterexample = None
    return result


def _too_large_to_shrink(failure: Failure) -> bool:
    """Every try of a shrink would move a value this large through the worker again (or make
    the worker convert one up to its budget, or fill its memory, before refusing it)."""
    return failure.code in ("too_large", "memory_limit") \
        or entries(failure.actual, SHRINK_ENTRIES) > SHRINK_ENTRIES


def _judge_check(ctx: ExerciseContext, spec: CheckSpec, result: CheckResult) -> CheckResult:
    kind = check_kind(spec.kind)
    cases = ctx.plan.cases(kind.case_set)
    try:
        failures = [f for f in kind.evaluate(ctx, spec, cases) if f is not None]
    except NotRecorded as exc:  # a student pack holds no answer for a call this check needs
        result.status, result.score, result.code = ERROR, 0.0, "not_in_pack"
        result.facts = {"function": exc.function}
        return result
    except GradedByInstructor as exc:  # it cannot be judged here: the instructor's run grades it
        return instructor_check(spec.title, spec.kind, spec.points, exc.reason_code, exc.facts,
                                spec.visibility)
    if not failures:
        return result
    failure = failures[0]
    shrinking = ctx.shrink and kind.shrinkable and not _too_large_to_shrink(failure)
    if shrinking and failure.case is not None and ctx.expected.replay:
        from .shrink import smallest

        failure = smallest(failures)  # a pack answers the plan's cases only: nothing new to try
    elif shrinking and failure.case is not None:
        from .shrink import shrink

        with ctx.exploring():
            smaller = shrink(ctx, kind, spec, failure.case)
        if smaller is not failure.case:
            with ctx.exploring():
                failure = kind.evaluate(ctx, spec, [smaller])[0] or failure
    found = diagnose(ctx, spec, failure.case, failure, failures)
    if found is not None:
        result.mistake = found.mistake.function
        result.hint = {"en": found.mistake.hint.en, "zh": found.mistake.hint.zh}
        result.hint_likely = found.likely
    if found is None or found.likely:
        symptom = _symptom(ctx, spec, failure, failures)
        if symptom is not None and symptom.mistake is not None and found is None:
            # a compound mistake: the catalogued one, with the symptom on top of it
            mistake = next(m for m in ctx.exercise.mistakes if m.function == symptom.mistake)
            result.mistake = mistake.function
            result.hint = {"en": mistake.hint.en, "zh": mistake.hint.zh}
        elif symptom is not None and symptom.mistake is None and found is not None:
            # what explains every failing value beats a mistake that explains only some of them
            result.mistake, result.hint, result.hint_likely = None, None, False
        if symptom is not None and (symptom.mistake is None or found is None):
            result.symptom = {"code": symptom.code, "facts": {k: bounded(v) for k, v in symptom.facts.items()},
                              "compound": symptom.mistake is not None}
    result.status, result.score = FAILED, 0.0
    result.code = failure.code
    result.facts = {k: bounded(v) for k, v in failure.facts.items()}
    # a kind whose failures are not one per plan case (behaviour, trajectory) counts its own
    result.facts.setdefault("failing_cases", len(failures))
    result.facts.setdefault("total_cases", len(cases))
    result.facts["shrunk"] = bool(shrinking)
    result.counterexample = counterexample(failure)
    result.others = [_other_way(ctx, spec, other, group, failures)
                     for other, group in distinct_failures(failure, failures)]
    return result


def _other_way(ctx: ExerciseContext, spec: CheckSpec, other: Failure, group: list[Failure],
               failures: list[Failure]) -> dict[str, Any]:
    """Another way the check fails, as a result stores it: with the hint of a catalogued mistake
    that explains every one of its failing cases (a softmax over axis=1 without the max shift:
    the axis for the AxisError, the missing shift for the NaN)."""
    found = diagnose(ctx, spec, other.case, other, group, elsewhere=failures)
    way: dict[str, Any] = {"code": other.code, "facts": {k: bounded(v) for k, v in other.facts.items()},
                           "failing_cases": len(group), "counterexample": counterexample(other)}
    if found is not None and not found.likely:
        way["mistake"] = found.mistake.function
        way["hint"] = {"en": found.mistake.hint.en, "zh": found.mistake.hint.zh}
    return way


def _symptom(ctx: ExerciseContext, spec: CheckSpec, failure: Failure,
             failures: list[Failure]) -> Symptom | None:
    """What the wrong values show (grader.judge.symptoms); advice only: a diagnosis that cannot be
    made (a student pack without the answers it needs, a value it cannot read) leaves none."""
    try:
        return find_symptom(ctx, spec, failure, failures)
    except WorkerError:
        raise  # the worker's life is the engine's
    except Exception:  # noqa: BLE001 - no symptom rather than a check lost to the advice on it
        return None


#: other ways a check fails reported beside the shown one, at most
MAX_OTHERS = 4


def _way(failure: Failure) -> tuple[str, str]:
    """How a failure fails: its code, and for an exception its type, for a property its name."""
    if failure.code == "raised":
        return failure.code, str(failure.facts.get("type", ""))
    return failure.code, str(failure.facts.get("property", ""))


def _size(failure: Failure) -> tuple[int, float]:
    """How large a failing input is: its entries, then its largest magnitude (smallest first)."""
    case = failure.case if isinstance(failure.case, dict) else {}
    entries, largest = 0, 0.0
    for value in case.values():
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            continue
        entries += int(array.size)
        if array.size:
            with np.errstate(invalid="ignore"):
                largest = max(largest, float(np.nanmax(np.abs(array))) if np.isfinite(array).any() else 0.0)
    return entries, largest


def distinct_failures(shown: Failure, failures: list[Failure]) -> list[tuple[Failure, list[Failure]]]:
    """Each other way the check fails (an exception on one shape, NaN on large inputs, a wrong
    value elsewhere): its smallest failure and all of its failures; the shown failure's way
    left out, the others in order of appearance."""
    groups: dict[tuple[str, str], list[Failure]] = {}
    for failure in failures:
        if failure.case is not None:
            groups.setdefault(_way(failure), []).append(failure)
    groups.pop(_way(shown), None)
    return [(min(group, key=_size), group) for group in list(groups.values())[:MAX_OTHERS]]


def instructor_check(name: str, kind: str, points: float, reason_code: str,
                     facts: dict[str, Any] | None = None, visibility: str = "public") -> CheckResult:
    """A check only the instructor's run grades: shown, worth 0 of 0 points here."""
    return CheckResult(name=name, kind=kind, status=INSTRUCTOR, score=0.0, max_score=0.0,
                       code="graded_by_instructor", visibility=visibility,
                       facts={**(facts or {}), "points": points, "reason_code": reason_code})


def judge_exercise(ctx: ExerciseContext) -> ExerciseResult:
    ex = ctx.exercise
    result = ExerciseResult(id=ex.id, title={"en": ex.title.en, "zh": ex.title.zh},
                            chapter=ex.chapter, status=PASSED, score=0.0, max_score=ex.max_score)
    if not attempted(ctx):
        result.status, result.code = NOT_ATTEMPTED, "not_attempted"
        return result
    for spec in ex.checks:
        plan = ctx.plan
        if spec.visibility == "hidden" and ctx.hidden_plan is not None:
            ctx.plan = ctx.hidden_plan  # hidden checks run on inputs no student pack holds
        try:
            check = run_check(ctx, spec)
        finally:
            ctx.plan = plan
        result.checks.append(check)
    for left in sorted(ctx.instructor_checks, key=lambda c: int(c.get("position", 0))):
        # a student pack's check that needs the set's trusted code: shown where the spec has it
        result.checks.insert(min(int(left.get("position", 0)), len(result.checks)), instructor_check(
            str(left["name"]), str(left.get("kind", "")), float(left.get("points", 0.0)),
            str(left.get("reason", "pack.reason.needs_code"))))
    result.score = round(sum(c.score for c in result.checks), 6)
    result.max_score = round(sum(c.max_score for c in result.checks), 6)
    graded = [c for c in result.checks if c.status != INSTRUCTOR]
    if result.checks and not graded:
        result.status = INSTRUCTOR
    elif any(c.status != PASSED for c in graded):
        result.status = FAILED
    return result
