"""Gradient checks: an analytic derivative against central differences of a forward function.

For an elementwise derivative f′ (sigmoid_grad, tanh_grad, …) the numerical derivative is
(f(x + h) − f(x − h)) / 2h, computed in float64 from the reference's forward and, to say which
of the two is at fault, from the student's own forward. Inputs come from the plan's `smooth`
set, drawn away from kinks; the kinks themselves are edge cases with the catalogue's convention.

For a gradient of a scalar (mse_grad, softmax_cross_entropy_grad, chain_backward, mlp_backward)
the spec lists `wrt`, the arguments to differentiate: every element of each is moved by ±h in
float64, the scalar is the forward's output or a trusted `objective`(case, output) of it, and all
the moved inputs of all cases go in one batch. A student pack holds the objective's values on
the reference's outputs, not the objective: there, whether a wrong derivative is right for the
student's own wrong forward cannot be told, and the failure says only which parts are wrong.
On a mismatch the check says which parts (dw[2],
W1, …) are wrong, and whether the derivative is right for the student's own, wrong, forward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..run.client import CallOutcome
from ..plan import Case
from ..spec.schema import CheckSpec, Tolerance
from .compare import compare
from .context import ExerciseContext, Failure, NotRecorded
from .failures import outcome_failures

#: central differences in float64 are accurate to ~1e-9; float32 answers to ~1e-6
GRADIENT_TOLERANCE = Tolerance(rtol=1e-4, atol=1e-5)
#: a float32 forward is differenced with a larger step, or rounding would swamp the slope
FLOAT32_STEP = 1e-3
OWN_FORWARD_TOLERANCE = Tolerance(rtol=1e-3, atol=1e-4)


def _wrt(ctx: ExerciseContext, spec: CheckSpec) -> str:
    return str(spec.params.get("wrt") or next(iter(ctx.exercise.args)))


def _shifted(cases: list[Case], arg: str, h: float) -> tuple[list[Case], list[Case]]:
    plus = [{**c, arg: np.asarray(c[arg], dtype=np.float64) + h} for c in cases]
    minus = [{**c, arg: np.asarray(c[arg], dtype=np.float64) - h} for c in cases]
    return plus, minus


def _difference(plus: object, minus: object, h: float) -> np.ndarray | None:
    try:
        return (np.asarray(plus, dtype=np.float64) - np.asarray(minus, dtype=np.float64)) / (2 * h)
    except (TypeError, ValueError):
        return None


def _elementwise_numeric(ctx: ExerciseContext, forward: str, arg: str, cases: list[Case],
                         h: float) -> list[np.ndarray | None]:
    """The reference forward's central differences at every case (for an elementwise f′)."""
    plus, minus = ctx.derived(("shifted", arg, h), cases, lambda: _shifted(cases, arg, h), _both)
    ref_plus, ref_minus = ctx.reference(plus, forward), ctx.reference(minus, forward)
    return [_difference(p.value, m.value, h) for p, m in zip(ref_plus, ref_minus, strict=True)]


def _both(pair: tuple[list[Case], list[Case]]) -> list[Case]:
    return pair[0] + pair[1]


class GradientCheck:
    """The student's derivative matches the numerical derivative of the forward function."""

    case_set = "smooth"
    shrinkable = True

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        if spec.wrt:
            return _scalar_gradient(ctx, spec, cases)
        arg, forward, h = _wrt(ctx, spec), str(spec.of), spec.step
        got = ctx.call(cases) or []
        numeric = ctx.derived(("numeric", spec, arg, h), cases,
                              lambda: _elementwise_numeric(ctx, forward, arg, cases, h))
        tol = spec.tolerance or GRADIENT_TOLERANCE
        failures = outcome_failures(got, numeric, tol, cases, ctx.exercise.function)
        wrong = [i for i, f in enumerate(failures) if f is not None and f.code == "mismatch"]
        if wrong:
            self._blame(ctx, forward, arg, [cases[i] for i in wrong], [failures[i] for i in wrong],
                        [got[i].value for i in wrong], [numeric[i] for i in wrong])
        return failures

    def _blame(self, ctx: ExerciseContext, forward: str, arg: str, cases: list[Case],
               failures: list[Failure | None], derivatives: list[Any], numeric: list[Any]) -> None:
        """Say whether the derivative, the forward, or both are wrong, using the student's forward."""
        own = ctx.call(cases, function=forward)
        sample = ctx.plan.smooth or cases
        own_sample = ctx.call(sample, function=forward) or []
        # judged on all the check's inputs: at a shrunk point a wrong forward may look right
        forward_ok = all(o.error is None and compare(r.value, o.value, ctx.exercise.tolerance) is None
                         for r, o in zip(ctx.reference(sample, forward), own_sample, strict=False))
        if own is None:
            for failure in failures:
                assert failure is not None
                failure.code = "gradient_mismatch"
                failure.facts.update(forward=forward, own_forward="missing")
            return
        for case, failure, derivative, outcome in zip(cases, failures, derivatives, own, strict=False):
            assert failure is not None
            h = FLOAT32_STEP if getattr(outcome.value, "dtype", None) == np.float32 else 1e-6
            plus, minus = _shifted([case], arg, h)
            own_plus, own_minus = ctx.call(plus, forward) or [], ctx.call(minus, forward) or []
            numeric_own = (_difference(own_plus[0].value, own_minus[0].value, h)
                           if own_plus and own_minus and not (own_plus[0].error or own_minus[0].error)
                           else None)
            matches_own = numeric_own is not None and compare(
                numeric_own, derivative, OWN_FORWARD_TOLERANCE) is None
            failure.facts.update(forward=forward)
            if matches_own and not forward_ok:
                failure.code = "gradient_right_for_wrong_forward"
            else:
                failure.code = "gradient_mismatch"
                failure.facts["own_forward"] = "right" if forward_ok else "wrong"


# ----------------------------------------------------------------------------- gradient of a scalar

#: mismatching cases whose blame needs the student's forward on every moved input (one batch)
BLAME_CASES = 3


def _moved(value: object, flat: int, delta: float) -> np.ndarray | float:
    base = np.array(value, dtype=np.float64)
    base.reshape(-1)[flat] += delta
    return base if isinstance(value, np.ndarray) else float(base)


def _perturbed(cases: list[Case], wrt: list[str], h: float) -> tuple[list[Case], list[tuple[int, str, int]]]:
    """Every case with each element of each `wrt` argument moved by +h and by −h, in one list."""
    moved: list[Case] = []
    where: list[tuple[int, str, int]] = []
    for i, case in enumerate(cases):
        for name in wrt:
            for flat in range(int(np.size(case[name]))):
                moved += [{**case, name: _moved(case[name], flat, h)},
                          {**case, name: _moved(case[name], flat, -h)}]
                where.append((i, name, flat))
    return moved, where


def _scalar(ctx: ExerciseContext, spec: CheckSpec, case: Case, outcome: CallOutcome) -> float | None:
    """The differentiated scalar: the forward's output, or the trusted objective of it."""
    if outcome.error is not None:
        return None
    try:
        value = ctx.helper(spec.objective)(case, outcome.value) if spec.objective else outcome.value
        array = np.asarray(value, dtype=np.float64)
        return float(array.reshape(())) if array.size == 1 else None
    except NotRecorded:  # a student pack holds the objective's values on the reference's outputs only
        raise
    except Exception:  # the student's forward returned something the objective cannot use
        return None


def _numeric(ctx: ExerciseContext, spec: CheckSpec, cases: list[Case], h: float,
             student: bool = False) -> list[Any]:
    """Central differences per case, shaped like the exercise's output (None where undefined);
    the reference's once a run on the plan's cases."""
    if student:
        return _numeric_of(ctx, spec, cases, h, student)
    return ctx.derived(("numeric", spec, h), cases, lambda: _numeric_of(ctx, spec, cases, h, student))


def _numeric_of(ctx: ExerciseContext, spec: CheckSpec, cases: list[Case], h: float,
                student: bool) -> list[Any]:
    if student:  # a failing student's few blamed cases: which ones differs from student to student
        moved, where = _perturbed(cases, spec.wrt, h)
    else:
        moved, where = ctx.derived(("perturbed", spec, h), cases, lambda: _perturbed(cases, spec.wrt, h), _first)
    forward = str(spec.of)
    if student:
        outcomes = ctx.call(moved, forward) or []
    else:  # remembered for the plan's cases only, not for the cases a shrink tries
        planned = {id(c) for c in ctx.plan.smooth}
        outcomes = ctx.reference(moved, forward, remember=all(id(c) in planned for c in cases))
    if len(outcomes) != len(moved):
        return [None] * len(cases)
    grads = [{name: np.zeros(np.shape(case[name])) for name in spec.wrt} for case in cases]
    broken: set[int] = set()
    for k, (i, name, flat) in enumerate(where):
        try:
            plus = _scalar(ctx, spec, moved[2 * k], outcomes[2 * k])
            minus = _scalar(ctx, spec, moved[2 * k + 1], outcomes[2 * k + 1])
        except NotRecorded:
            if not student:
                raise
            return [None] * len(cases)  # the objective of the student's own outputs: not in a pack
        if plus is None or minus is None:
            broken.add(i)
            continue
        grads[i][name].reshape(-1)[flat] = (plus - minus) / (2 * h)
    return [None if i in broken else _structured(spec, g) for i, g in enumerate(grads)]


def _first(built: tuple[list[Case], list[tuple[int, str, int]]]) -> list[Case]:
    return built[0]


def _structured(spec: CheckSpec, grads: dict[str, np.ndarray]
                ) -> np.ndarray | tuple[np.ndarray, ...] | dict[str, np.ndarray]:
    """One array, a tuple in `wrt` order (named by `outputs`), or a dict keyed by the `wrt` names."""
    if spec.outputs:
        return tuple(grads[name] for name in spec.wrt)
    if len(spec.wrt) == 1:
        return grads[spec.wrt[0]]
    return dict(grads)


def _parts(spec: CheckSpec, value: Any) -> list[tuple[str, Any]]:
    if spec.outputs:
        return list(zip(spec.outputs, value, strict=False))
    if len(spec.wrt) == 1:
        return [(spec.wrt[0], value)]
    return [(name, value[name]) for name in spec.wrt]


def _wrong_parts(spec: CheckSpec, expected: Any, actual: Any, tol: Tolerance) -> tuple[list[str], list[str]]:
    """Which named parts (or, per layer, which entries) of a gradient are wrong, which right."""
    wrong: list[str] = []
    right: list[str] = []
    for (name, exp), (_, act) in zip(_parts(spec, expected), _parts(spec, actual), strict=False):
        exp_a = np.asarray(exp, dtype=np.float64)
        try:
            act_a = np.asarray(act, dtype=np.float64)
        except (TypeError, ValueError):
            wrong.append(name)
            continue
        if spec.per_layer and exp_a.ndim == 1 and act_a.shape == exp_a.shape:
            for i in range(exp_a.size):
                bucket = right if compare(exp_a[i], act_a[i], tol) is None else wrong
                bucket.append(f"{name}[{i}]")
        else:
            (right if compare(exp_a, act_a, tol) is None else wrong).append(name)
    return wrong, right


def _scalar_gradient(ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
    got = ctx.call(cases) or []
    numeric = _numeric(ctx, spec, cases, spec.step)
    tol = spec.tolerance or GRADIENT_TOLERANCE
    failures = outcome_failures(got, numeric, tol, cases, ctx.exercise.function)
    wrong = [i for i, f in enumerate(failures) if f is not None and f.code == "mismatch"]
    if not wrong:
        return failures
    forward = str(spec.of)
    sample = ctx.plan.smooth or cases
    own_sample = ctx.call(sample, function=forward)
    forward_ok = own_sample is not None and all(
        o.error is None and compare(r.value, o.value, ctx.exercise.tolerance) is None
        for r, o in zip(ctx.reference(sample, forward), own_sample, strict=False))
    blamed = [cases[i] for i in wrong[:BLAME_CASES]]
    own_numeric: list[Any] = [None] * len(blamed)
    if own_sample is not None and not forward_ok:
        own = ctx.call(blamed, function=forward) or []
        float32 = any(getattr(o.value, "dtype", None) == np.float32 for o in own)
        own_numeric = _numeric(ctx, spec, blamed, FLOAT32_STEP if float32 else spec.step, student=True)
    for k, i in enumerate(wrong):
        failure = failures[i]
        assert failure is not None
        parts_wrong, parts_right = _wrong_parts(spec, numeric[i], got[i].value, tol)
        failure.facts.update(forward=forward, loss=spec.objective or forward,
                             wrong_parts=", ".join(parts_wrong) or "?",
                             right_parts=", ".join(parts_right) or "—")
        mine = own_numeric[k] if k < len(own_numeric) else None
        if mine is not None and compare(mine, got[i].value, OWN_FORWARD_TOLERANCE) is None:
            failure.code = "gradient_right_for_wrong_forward"
        else:
            failure.code = "gradient_parts_mismatch"
            failure.facts["own_forward"] = ("missing" if own_sample is None
                                            else "right" if forward_ok else "wrong")
    return failures
