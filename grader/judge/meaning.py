"""Whether a moved edge case still means what the spec's case meant (grader.plan.jitter).

An edge case is there to tell answers apart: the reference from a catalogued mistake (sign(0),
an exp that overflows at 710, a mean instead of a sum), and mistakes from each other (so the
hint is the right one). A moved copy keeps the case's meaning when it still does all of that:

- every two of {reference, catalogued mistakes} that answer differently on the spec's case
  (an error against a value, or values apart beyond the exercise's tolerance) still do;
- every one that raised a floating-point warning there still does (the stability check);
- the reference raises where it raised and nowhere else, and its NaN/±inf entries stay where
  they were (a loss of inf for log 0 stays inf; a finite answer stays finite).

All of it is trusted code run in this process, once, when the private inputs are made.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Callable

import numpy as np

from ..plan import Case
from ..run.client import CallOutcome
from ..run.inprocess import InProcessFunctions
from ..spec.schema import Exercise, Tolerance
from .compare import compare
from .context import to_call

REFERENCE = "reference"


def _outcomes(exercise: Exercise, functions: dict[str, Callable[..., Any]], case: Case) -> dict[str, CallOutcome]:
    call = [to_call(exercise, case)]
    return {name: InProcessFunctions({exercise.function: fn}).call(exercise.function, call)[0]  # type: ignore[index]
            for name, fn in functions.items()}


def _differ(a: CallOutcome, b: CallOutcome, tol: Tolerance) -> bool:
    if (a.error is None) != (b.error is None):
        return True
    if a.error is not None:
        return False
    return compare(a.value, b.value, tol) is not None or compare(b.value, a.value, tol) is not None


def _non_finite(value: Any) -> Any:
    """Where a value is NaN or ±inf, as a comparable structure (shape included)."""
    if isinstance(value, (list, tuple)):
        return [_non_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _non_finite(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return (array.shape, tuple(np.flatnonzero(~np.isfinite(array)).tolist()),
            tuple(np.sign(array[~np.isfinite(array)]).tolist()))


def keeps_meaning(exercise: Exercise, reference: Callable[..., Any],
                  mistakes: dict[str, Callable[..., Any]], public: Case, moved: Case) -> bool:
    """Whether `moved` tells apart everything `public` tells apart (see the module's words)."""
    functions = {REFERENCE: reference, **mistakes}
    before = _outcomes(exercise, functions, public)
    after = _outcomes(exercise, functions, moved)
    ref_before, ref_after = before[REFERENCE], after[REFERENCE]
    if (ref_before.error is None) != (ref_after.error is None):
        return False
    if ref_before.error is None and _non_finite(ref_before.value) != _non_finite(ref_after.value):
        return False
    if ref_after.warnings and not ref_before.warnings:
        return False
    if any(before[name].warnings and not after[name].warnings for name in functions):
        return False
    tol = exercise.tolerance
    return all(_differ(after[a], after[b], tol) for a, b in combinations(functions, 2)
               if _differ(before[a], before[b], tol))
