"""Gradient checks: an analytic derivative against central differences of a forward function.

For an elementwise derivative f′ (sigmoid_grad, tanh_grad, …) the numerical derivative is
(f(x + h) − f(x − h)) / 2h, computed in float64 from the reference's forward and, to say which
of the two is at fault, from the student's own forward. Inputs come from the plan's `smooth`
set, drawn away from kinks; the kinks themselves are edge cases with the catalogue's convention.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..plan import Case
from ..spec.schema import CheckSpec, Tolerance
from .compare import compare
from .context import ExerciseContext, Failure

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


def _difference(plus: Any, minus: Any, h: float) -> np.ndarray | None:
    try:
        return (np.asarray(plus, dtype=np.float64) - np.asarray(minus, dtype=np.float64)) / (2 * h)
    except (TypeError, ValueError):
        return None


class GradientCheck:
    """The student's derivative matches the numerical derivative of the forward function."""

    case_set = "smooth"
    shrinkable = True

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        from .checks import outcome_failure

        arg, forward, h = _wrt(ctx, spec), str(spec.of), spec.step
        got = ctx.call(cases) or []
        plus, minus = _shifted(cases, arg, h)
        ref_plus, ref_minus = ctx.reference(plus, forward), ctx.reference(minus, forward)
        numeric = [_difference(p.value, m.value, h) for p, m in zip(ref_plus, ref_minus)]
        tol = spec.tolerance or GRADIENT_TOLERANCE
        failures = [outcome_failure(g, n, tol, c, ctx.exercise.function)
                    for g, n, c in zip(got, numeric, cases)]
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
                         for r, o in zip(ctx.reference(sample, forward), own_sample))
        if own is None:
            for failure in failures:
                assert failure is not None
                failure.code = "gradient_mismatch"
                failure.facts.update(forward=forward, own_forward="missing")
            return
        for case, failure, derivative, outcome in zip(cases, failures, derivatives, own):
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
