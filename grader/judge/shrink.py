"""Shrink a failing input to a small one with Hypothesis, driving the real check.

Hypothesis re-runs the plan's strategy with the plan's seed, so it meets the same failure early,
then shrinks it. The budget is a count of evaluations, not seconds, so the counterexample (and
with it the report) is the same on every machine.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..plan import Case
from ..run.client import WorkerError
from ..spec.schema import CheckSpec
from .context import ExerciseContext, fingerprint

MAX_EVALUATIONS = 400


class _Failing(Exception):
    pass


def _size(value: Any) -> tuple[int, float]:
    """How big an argument is: its number of entries, then the sum of their magnitudes."""
    if isinstance(value, (list, tuple)):
        sizes = [_size(v) for v in value]
        return sum(s[0] for s in sizes), sum(s[1] for s in sizes)
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return 1, 0.0
    with np.errstate(all="ignore"):
        return int(array.size), float(np.nansum(np.abs(array)))


def smallest(failures: list[Any]) -> Any:
    """The failure on the smallest case (fewest entries, then smallest values), first on ties.

    Shrinking without new inputs: what a student pack does, where only the plan's cases have
    recorded answers.
    """
    def key(item: tuple[int, Any]) -> tuple[int, float, int]:
        index, failure = item
        sizes = [_size(v) for v in (failure.case or {}).values()]
        return sum(s[0] for s in sizes), sum(s[1] for s in sizes), index

    return min(enumerate(failures), key=key)[1]


def shrink(ctx: ExerciseContext, kind: Any, spec: CheckSpec, failing: Case) -> Case:
    """The smallest failing case Hypothesis finds, or `failing` itself."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed

    from ..plan.stable import no_local_constants
    from ..plan.strategies import case_strategy

    smooth = kind.case_set == "smooth"
    memo: dict[bytes, bool] = {}
    found: list[Case] = []
    broken: list[WorkerError] = []

    def fails(case: Case) -> bool:
        key = fingerprint("", case)
        if key not in memo:
            if broken or len(memo) >= MAX_EVALUATIONS:
                return False
            try:
                memo[key] = kind.evaluate(ctx, spec, [case])[0] is not None
            except WorkerError as exc:
                broken.append(exc)
                return False
        return memo[key]

    @settings(max_examples=max(ctx.exercise.examples, 50) * 2, database=None, derandomize=False,
              deadline=None, phases=[Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
              report_multiple_bugs=False, print_blob=False)
    @hypothesis_seed(ctx.plan.seed + (1 if smooth else 0))
    @given(case_strategy(ctx.exercise, smooth=smooth))
    def probe(case: Case) -> None:
        if fails(case):
            found.append(case)
            raise _Failing()

    try:
        with no_local_constants():
            probe()
    except _Failing:
        pass
    except Exception:  # Flaky and friends: a student's nondeterminism; keep the plan's case
        pass
    if broken:
        raise broken[0]
    return found[-1] if found else failing
