"""Compare a student's value with the expected one and, when they differ, say exactly where.

Returns facts, not words: the report stage turns a Difference into a sentence in the student's
language. Values are decoded data (arrays, numbers, tuples, lists, dicts), never live objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..spec.schema import Tolerance


#: differing entries listed in a Difference's facts (a report marks them beside the values)
MAX_POSITIONS = 12


@dataclass
class Difference:
    """Why a value is wrong. `kind` is a message code; `facts` fill its template."""

    kind: str
    path: str = ""
    facts: dict[str, Any] = field(default_factory=dict)


def _type_name(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, dict) and "__unsupported__" in value:
        return str(value["__unsupported__"])
    if isinstance(value, np.ndarray):
        return f"array of shape {tuple(value.shape)}"
    return type(value).__name__


def _as_array(value: Any) -> np.ndarray | None:
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (bool, int, float)):
        return np.asarray(value)
    return None


def shape_hint(expected: tuple[int, ...], actual: tuple[int, ...]) -> str:
    """A guess at the cause of a shape mismatch, as a message code ('' when there is none)."""
    if len(actual) < len(expected) and all(s in expected for s in actual):
        return "shape_hint_reduced"
    if len(actual) > len(expected):
        return "shape_hint_extra_axis"
    if sorted(actual) == sorted(expected) and actual != expected:
        return "shape_hint_transposed"
    return ""


_NUMBER = (float, int)
#: arrays up to this size are checked entry by entry in Python: faster than NumPy's calls there
_SMALL = 64


def _close(expected: Any, actual: Any, tol: Tolerance) -> bool:
    """True when `actual` surely matches `expected`: the common case, decided cheaply.

    Only says True when `compare` would find no Difference (every expected entry finite, every
    actual entry within atol + rtol·|expected|, hence finite too), with the same float64
    arithmetic; anything else, every failure included, goes the full way, which finds and
    describes the difference.
    """
    if type(expected) in _NUMBER and type(actual) in _NUMBER:  # bool is not a number here
        e, a = float(expected), float(actual)
        return math.isfinite(e) and abs(a - e) <= tol.atol + tol.rtol * abs(e)
    if type(expected) is not np.ndarray or type(actual) is not np.ndarray:
        return False
    if expected.shape != actual.shape or expected.dtype.kind not in "biuf" \
            or actual.dtype.kind not in "biuf":
        return False
    e_all = expected.astype(np.float64, copy=False)
    a_all = actual.astype(np.float64, copy=False)
    atol, rtol = tol.atol, tol.rtol
    if expected.size <= _SMALL:
        for a, e in zip(a_all.ravel().tolist(), e_all.ravel().tolist(), strict=True):
            if not (math.isfinite(e) and abs(a - e) <= atol + rtol * abs(e)):
                return False
        return True
    if not np.isfinite(e_all).all():
        return False
    with np.errstate(all="ignore"):  # an inf or NaN in `actual` fails below, quietly
        return bool((np.abs(a_all - e_all) <= atol + rtol * np.abs(e_all)).all())


#: fewer pairs than this are decided one by one (laying them end to end costs more there)
_STACKED = 4


def _leaves(expected: Any, actual: Any, into: list[tuple[Any, Any]], depth: int = 0) -> bool:
    """Add the leaf pairs of a tuple, list or dict pair to `into`, when `actual` has the shape
    `compare` walks (same length, every expected key); False where it has not, or is too deep:
    then `compare` alone decides that pair."""
    kind = type(expected)
    if kind is tuple or kind is list:
        if type(actual) not in (tuple, list) or len(actual) != len(expected) or depth >= _LEAF_DEPTH:
            return False
        return all(_leaves(e, a, into, depth + 1) for e, a in zip(expected, actual, strict=True))
    if kind is dict:
        if type(actual) is not dict or "__unsupported__" in actual or depth >= _LEAF_DEPTH \
                or any(key not in actual for key in expected):
            return False
        return all(_leaves(expected[key], actual[key], into, depth + 1) for key in expected)
    into.append((expected, actual))
    return True


#: levels of tuples, lists and dicts `close_many` looks into (deeper: compare alone decides)
_LEAF_DEPTH = 4


def close_many(expected: list[Any], actual: list[Any], tol: Tolerance) -> list[bool]:
    """For every pair, True only where `compare` would find no Difference, as `_close` decides
    a leaf: the arrays (and numbers) of one shape, leaves of tuples and dicts included, decided
    together in one NumPy pass with the same float64 arithmetic. A check's hundreds of cases
    cost a few calls; a False is decided again, and described, the full way."""
    pairs: list[tuple[Any, Any]] = []
    owner: list[int] = []
    surely = [True] * len(expected)
    for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
        leaves: list[tuple[Any, Any]] = []
        if _leaves(e, a, leaves):
            pairs += leaves
            owner += [i] * len(leaves)
        else:
            surely[i] = False
    for i, ok in zip(owner, _close_leaves(pairs, tol), strict=True):
        if not ok:
            surely[i] = False
    return surely


def _close_leaves(pairs: list[tuple[Any, Any]], tol: Tolerance) -> list[bool]:
    """`_close` of every leaf pair: the arrays' entries, whatever their shapes, laid end to end
    and tested in one NumPy pass (then reduced pair by pair); numbers together likewise."""
    surely = [False] * len(pairs)
    arrays: list[int] = []
    numbers: list[int] = []
    for i, (e, a) in enumerate(pairs):
        te, ta = type(e), type(a)
        if te is np.ndarray and ta is np.ndarray:
            if e.shape == a.shape and e.dtype.kind in "biuf" and a.dtype.kind in "biuf":
                if e.size:
                    arrays.append(i)
                else:
                    surely[i] = True  # nothing to differ, as `_close` finds
        elif te in _NUMBER and ta in _NUMBER:
            numbers.append(i)
        else:
            surely[i] = _close(e, a, tol)
    if len(arrays) < _STACKED:
        for i in arrays:
            surely[i] = _close(*pairs[i], tol)
    else:
        expected = np.concatenate([pairs[i][0].ravel() for i in arrays], dtype=np.float64, casting="unsafe")
        actual = np.concatenate([pairs[i][1].ravel() for i in arrays], dtype=np.float64, casting="unsafe")
        starts = np.cumsum([0] + [pairs[i][0].size for i in arrays[:-1]])
        _decide(surely, arrays, expected, actual, starts, tol)
    if len(numbers) < _STACKED:
        for i in numbers:
            surely[i] = _close(*pairs[i], tol)
    else:
        try:
            expected = np.array([pairs[i][0] for i in numbers], dtype=np.float64)
            actual = np.array([pairs[i][1] for i in numbers], dtype=np.float64)
        except OverflowError:  # an int past float64: each pair as `_close` decides it
            for i in numbers:
                surely[i] = _close(*pairs[i], tol)
        else:
            _decide(surely, numbers, expected, actual, np.arange(len(numbers)), tol)
    return surely


def _decide(surely: list[bool], members: list[int], expected: np.ndarray, actual: np.ndarray,
            starts: np.ndarray, tol: Tolerance) -> None:
    """Every member's entries (from its start to the next one's) within tolerance, in one pass."""
    with np.errstate(all="ignore"):  # an inf or NaN fails the test below, quietly
        fine = np.isfinite(expected) & (np.abs(actual - expected) <= tol.atol + tol.rtol * np.abs(expected))
    decided: list[bool] = np.logical_and.reduceat(fine, starts).tolist()
    for i, ok in zip(members, decided, strict=True):
        surely[i] = ok


def compare(expected: Any, actual: Any, tol: Tolerance, path: str = "") -> Difference | None:
    """None when `actual` matches `expected` within `tol`; else the first Difference found."""
    if _close(expected, actual, tol):
        return None
    if isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)):
            return Difference("wrong_type", path, {"expected_type": f"a {type(expected).__name__} of {len(expected)}",
                                                    "actual_type": _type_name(actual)})
        if len(actual) != len(expected):
            return Difference("wrong_length", path, {"expected_length": len(expected), "actual_length": len(actual)})
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            diff = compare(e, a, tol, f"{path}[{i}]")
            if diff:
                return diff
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or "__unsupported__" in actual:
            return Difference("wrong_type", path, {"expected_type": "a dict", "actual_type": _type_name(actual)})
        missing = [k for k in expected if k not in actual]
        if missing:
            return Difference("missing_key", path, {"key": missing[0], "keys": sorted(expected)})
        for key in expected:
            diff = compare(expected[key], actual[key], tol, f"{path}[{key!r}]")
            if diff:
                return diff
        return None
    exp = _as_array(expected)
    if exp is None:  # a string or None expected: compare exactly
        if expected != actual:
            return Difference("wrong_value", path, {"expected": expected, "actual": actual})
        return None
    if actual is None:
        return Difference("returned_none", path, {})
    act = _as_array(actual)
    if act is None:
        return Difference("wrong_type", path, {"expected_type": "a number or an array",
                                               "actual_type": _type_name(actual)})
    if act.shape != exp.shape:
        return Difference("wrong_shape", path, {
            "expected_shape": tuple(exp.shape), "actual_shape": tuple(act.shape),
            "hint_code": shape_hint(tuple(exp.shape), tuple(act.shape))})
    return _compare_arrays(exp.astype(np.float64), act.astype(np.float64), tol, path)


def _compare_arrays(exp: np.ndarray, act: np.ndarray, tol: Tolerance, path: str) -> Difference | None:
    exp_finite, act_finite = np.isfinite(exp), np.isfinite(act)
    bad_nonfinite = (exp_finite & ~act_finite) | (~exp_finite & ~((exp == act) | (np.isnan(exp) & np.isnan(act))))
    if bad_nonfinite.any():
        positions = [tuple(int(i) for i in p) for p in np.argwhere(bad_nonfinite)[:MAX_POSITIONS]]
        first = positions[0]
        return Difference("nonfinite", path, {
            "index": first, "expected_value": float(exp[first]), "actual_value": float(act[first]),
            "positions": positions, "count": int(bad_nonfinite.sum()), "total": int(exp.size)})
    with np.errstate(all="ignore"):
        err = np.where(exp_finite, np.abs(act - exp), 0.0)
        allowed = tol.atol + tol.rtol * np.abs(np.where(exp_finite, exp, 0.0))
        bad = err > allowed
    if not bad.any():
        return None
    ratio = np.where(bad, err / allowed, 0.0)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(ratio)), exp.shape))
    e, a = float(exp[worst]), float(act[worst])
    positions = [tuple(int(i) for i in p) for p in np.argwhere(bad)[:MAX_POSITIONS]]
    return Difference("mismatch", path, {
        "index": worst, "expected_value": e, "actual_value": a, "positions": positions,
        "abs_error": abs(a - e), "rel_error": abs(a - e) / abs(e) if e else float("inf"),
        "rtol": tol.rtol, "atol": tol.atol, "count": int(bad.sum()), "total": int(exp.size)})
