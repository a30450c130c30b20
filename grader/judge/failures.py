"""What a failing call is: its message code and facts, from its outcome and expected value.

The common core of every check kind (grader.judge.checks and the kinds of their own modules).
"""

from __future__ import annotations

import re

from typing import Any

from ..plan import Case
from ..run.client import CallOutcome
from ..spec.schema import Tolerance
from .compare import close_many, compare
from .context import Failure


#: `np.max(0, x)` / `np.amax(0, x)`: the maximum of the array 0 along axis x (an AxisError or
#: TypeError inside NumPy), where ReLU needs the entrywise np.maximum(0, x)
_NP_MAX_OF_ZERO = re.compile(r"\b(?:np|numpy)\.a?max\(\s*0(?:\.0*)?\s*,")


def error_failure(error: dict[str, Any], case: Case | None, function: str,
                  expected: Any = None) -> Failure:
    """The failure of a call that raised or was refused: its message code and facts."""
    kind = error.get("type")
    code = {"MemoryError": "memory_limit", "TooLarge": "too_large"}.get(str(kind), "raised")
    facts = dict(error)
    if kind == "PermissionError":
        facts["hint_code"] = "sandbox_hint"
    elif _NP_MAX_OF_ZERO.search(str(error.get("source") or "")):  # np.max(0, x): 0 is the array
        facts["hint_code"] = "hint.np_max_not_maximum"
    if code == "too_large":  # which limit, in the student's words (grader.run.values.TooLarge)
        facts["reason_code"] = f"too_large.{facts.get('reason') or 'value'}"
    return Failure(code, facts, case, function, expected, None)


def outcome_failure(outcome: CallOutcome, expected: Any, tol: Tolerance, case: Case,
                    function: str) -> Failure | None:
    """The failure of one call against its expected value, if any: the common core of checks."""
    if outcome.error is not None:
        return error_failure(outcome.error, case, function, expected)
    diff = compare(expected, outcome.value, tol)
    if diff is None:
        return None
    return Failure(diff.kind, {"path": diff.path, **diff.facts}, case, function, expected, outcome.value)


def outcome_failures(outcomes: list[CallOutcome], expected: list[Any], tol: Tolerance, cases: list[Case],
                     function: str) -> list[Failure | None]:
    """`outcome_failure` of every call (zipped, the shortest list deciding), the calls that
    surely match decided together (compare.close_many): only the others go the full way."""
    count = min(len(outcomes), len(expected), len(cases))
    outcomes, expected, cases = outcomes[:count], expected[:count], cases[:count]
    surely = close_many(expected, [o.value for o in outcomes], tol)
    return [None if ok and outcome.error is None else outcome_failure(outcome, want, tol, case, function)
            for ok, outcome, want, case in zip(surely, outcomes, expected, cases, strict=True)]
