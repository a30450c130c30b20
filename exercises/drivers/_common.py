"""Small helpers shared by the drivers."""

from __future__ import annotations

from typing import Any

import numpy as np

BOOLEAN_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def failure(code: str, facts: dict[str, Any] | None = None, case: dict[str, Any] | None = None,
            function: str | None = None, expected: Any = None, actual: Any = None) -> dict[str, Any]:
    return {"code": code, "facts": dict(facts or {}), "case": case, "function": function,
            "expected": expected, "actual": actual}


def raised(outcome: Any, case: dict[str, Any], function: str) -> dict[str, Any]:
    """The failure of a call that raised: the grader's usual `raised` message."""
    return failure("raised", {**dict(outcome.error), "symptom": "raised"}, case, function)


def as_float_array(value: Any) -> np.ndarray | None:
    """value as a float64 array, or None when it is not numbers."""
    if isinstance(value, dict):
        return None
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return array


def step(z: np.ndarray) -> np.ndarray:
    return (z > 0).astype(np.float64)


def bits(values: np.ndarray) -> list[int]:
    return [int(v) for v in np.asarray(values).reshape(-1)]
