"""Keep what a check stores bounded: a value past MAX_ENTRIES entries is stored as a Summary.

A wrong answer of five million entries would otherwise be kept whole as the counterexample, in
the JSON report, the feedback and the gradebook of every run. The judge keeps the facts its
messages need exact (the worst index, the expected and actual values there are numbers in the
facts); the values themselves are bounded here, once, when a CheckResult is made. An expected
and an actual array of the same shape are summarised together, so both list the same entries,
the ones where they differ most, and a report can show them side by side.

`entries` also tells the rest of the judge when a value is too large to remember or to shrink.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..result import SUMMARY, Summary, WorstEntry

#: a stored value (input, expected, actual, a fact) with more entries than this is summarised
MAX_ENTRIES = 256
#: leading entries and worst entries a summary keeps
HEAD, WORST = 6, 5
#: a list, tuple or dict of at most this many items keeps its shape (its items are bounded)
KEEP_ITEMS = 16
#: levels of lists, tuples and dicts kept; deeper ones are summarised
MAX_DEPTH = 8
#: a failure whose value holds more entries is not shrunk (each try would move it again)
SHRINK_ENTRIES = 100_000


def entries(value: Any, cap: int) -> int:
    """How many entries `value` holds (array elements, numbers, strings), counted no further
    than past `cap`: asking about a huge value costs little too."""
    return _cost(value, cap, None)


def _cost(value: Any, cap: int, depth: int | None) -> int:
    """Entries of `value`, or more than `cap` as soon as they are. With a `depth`, a value that
    may not be stored whole costs more than `cap` too: nested past MAX_DEPTH, or holding a dict
    that would read as a summary (a submission's own {"__summary__": …} is summarised, so that
    every summary in a result is one the judge made)."""
    kind = type(value)
    if kind is np.ndarray:
        return int(value.size)
    if kind is not list and kind is not tuple and kind is not dict:
        return 1
    if depth is not None and (depth >= MAX_DEPTH or (kind is dict and SUMMARY in value)):
        return cap + 1
    total = 0
    for item in (value.values() if kind is dict else value):
        total += _cost(item, cap - total, None if depth is None else depth + 1)
        if total > cap:
            break
    return total


def _fits(value: Any, limit: int, depth: int = 0) -> bool:
    return _cost(value, limit, depth) <= limit


def bounded(value: Any, limit: int = MAX_ENTRIES, depth: int = 0) -> Any:
    """`value` itself when it fits in `limit` entries, else the same shape with its large parts
    summarised (a tuple of few items stays a tuple), or a Summary of the whole."""
    if _fits(value, limit, depth):
        return value
    if type(value) is np.ndarray:
        return _array_summary(value, None).as_data()
    if type(value) in (list, tuple, dict):
        if depth + 1 < MAX_DEPTH and len(value) <= KEEP_ITEMS and not (
                type(value) is dict and SUMMARY in value):
            share = max(limit // max(len(value), 1), 1)
            if type(value) is dict:
                return {k: bounded(v, share, depth + 1) for k, v in value.items()}
            items = [bounded(v, share, depth + 1) for v in value]
            return tuple(items) if type(value) is tuple else items
        return _container_summary(value, limit, depth).as_data()
    return value


def bounded_pair(expected: Any, actual: Any, facts: dict[str, Any],
                 limit: int = MAX_ENTRIES, path: str = "", depth: int = 0) -> tuple[Any, Any]:
    """`bounded` of both, walking them together: arrays of one shape are summarised by where
    they differ (facts["index"], the worst entry of the message, first when `path` is where
    the facts point)."""
    if _fits(expected, limit, depth) and _fits(actual, limit, depth):
        return expected, actual
    if type(expected) is np.ndarray and type(actual) is np.ndarray and expected.shape == actual.shape:
        index = facts.get("index") if facts.get("path", "") == path else None
        e_summary, a_summary = _pair_summaries(expected, actual, facts, index)
        return e_summary.as_data(), a_summary.as_data()
    same = type(expected) is type(actual) and type(expected) in (list, tuple, dict) \
        and len(expected) == len(actual) <= KEEP_ITEMS and depth + 1 < MAX_DEPTH
    if same and type(expected) is dict:
        if list(expected) != list(actual) or SUMMARY in expected or SUMMARY in actual:
            return bounded(expected, limit, depth), bounded(actual, limit, depth)
        share = max(limit // max(len(expected), 1), 1)
        pairs = {k: bounded_pair(expected[k], actual[k], facts, share, f"{path}[{k!r}]", depth + 1)
                 for k in expected}
        return {k: p[0] for k, p in pairs.items()}, {k: p[1] for k, p in pairs.items()}
    if same:
        share = max(limit // max(len(expected), 1), 1)
        items = [bounded_pair(e, a, facts, share, f"{path}[{i}]", depth + 1)
                 for i, (e, a) in enumerate(zip(expected, actual, strict=True))]
        kind = type(expected)
        return kind(p[0] for p in items), kind(p[1] for p in items)
    return bounded(expected, limit, depth), bounded(actual, limit, depth)


# --- making summaries --------------------------------------------------------------------------

def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _counts(flat: np.ndarray) -> dict[str, int]:
    if flat.dtype.kind != "f":
        return {}
    return {"nan": int(np.isnan(flat).sum()), "posinf": int(np.isposinf(flat).sum()),
            "neginf": int(np.isneginf(flat).sum())}


def _top(score: np.ndarray, count: int) -> list[int]:
    """Flat positions of the `count` largest scores, largest first, the first position first
    among equal ones: `count` passes of argmax over a scratch array (which this overwrites)."""
    chosen: list[int] = []
    for _ in range(min(count, score.size)):
        position = int(np.argmax(score))
        chosen.append(position)
        score[position] = -np.inf
    return chosen


def _unravel(position: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(position, shape)) if shape else ()


def _array_summary(array: np.ndarray, worst: list[WorstEntry] | None) -> Summary:
    flat = array.reshape(-1)
    if worst is None:  # alone: the non-finite entries first, then the largest in magnitude
        with np.errstate(all="ignore"):
            score = np.abs(flat, dtype=np.float64) if flat.dtype.kind == "f" \
                else np.abs(flat.astype(np.float64))
        score[~np.isfinite(score)] = np.inf
        worst = [WorstEntry(_unravel(i, array.shape), _scalar(flat[i])) for i in _top(score, WORST)]
        worst = [w for w in worst if w.value != 0]  # zeros say nothing the head does not
        ranked_by = "magnitude"
    else:
        ranked_by = "difference"
    return Summary(kind="array", shape=tuple(int(n) for n in array.shape), size=int(array.size),
                   dtype=str(array.dtype), head=tuple(_scalar(v) for v in flat[:HEAD]),
                   worst=tuple(worst), ranked_by=ranked_by, **_counts(flat))


def _pair_summaries(expected: np.ndarray, actual: np.ndarray, facts: dict[str, Any],
                    index: Any) -> tuple[Summary, Summary]:
    e = expected.reshape(-1).astype(np.float64)
    a = actual.reshape(-1).astype(np.float64)
    atol, rtol = facts.get("atol"), facts.get("rtol")
    tolerance = all(type(t) in (int, float) for t in (atol, rtol))
    with np.errstate(all="ignore"):  # ranked by error / allowed error, as the message's index
        error = np.abs(a - e)
        both_nan = np.isnan(e) & np.isnan(a)
        wrong_nonfinite = ~(np.isfinite(e) & np.isfinite(a)) & ~(both_nan | (e == a))
        allowed = float(atol or 0) + float(rtol or 0) * np.abs(e) if tolerance else np.ones_like(e)
        score = np.where(wrong_nonfinite, np.inf,
                         np.where(both_nan, 0.0, error / np.where(allowed > 0, allowed, 1.0)))
        score = np.nan_to_num(score, nan=0.0, posinf=np.inf)
    threshold = 1.0 if tolerance else 0.0  # an entry differs when its error is over the allowed
    differs = score > threshold
    positions = _top(score, WORST)
    if differs[positions[0]]:  # the entries that differ, not equal ones beside them
        positions = [p for p in positions if differs[p]]
    if isinstance(index, (list, tuple)) and len(index) == expected.ndim and all(
            type(i) is int and 0 <= i < n for i, n in zip(index, expected.shape, strict=True)):
        first = int(np.ravel_multi_index(tuple(index), expected.shape)) if expected.ndim else 0
        positions = [first] + [p for p in positions if p != first][:WORST - 1]
    flags = [bool(differs[p]) for p in positions]
    flat_e, flat_a = expected.reshape(-1), actual.reshape(-1)
    where = [_unravel(p, expected.shape) for p in positions]
    return (_array_summary(expected, [WorstEntry(i, _scalar(flat_e[p]), d)
                                      for i, p, d in zip(where, positions, flags, strict=True)]),
            _array_summary(actual, [WorstEntry(i, _scalar(flat_a[p]), d)
                                    for i, p, d in zip(where, positions, flags, strict=True)]))


def _container_summary(value: Any, limit: int, depth: int) -> Summary:
    kinds: dict[type, str] = {list: "list", tuple: "tuple", dict: "dict"}
    kind = kinds[type(value)]
    share = max(limit // (2 * HEAD), 1)
    if depth + 1 >= MAX_DEPTH:
        head: tuple[Any, ...] = ()  # too deep to show more than what it is
    elif kind == "dict":
        head = tuple([str(k), bounded(v, share, depth + 1)]
                     for k, v in list(value.items())[:HEAD])
    else:
        head = tuple(bounded(v, share, depth + 1) for v in value[:HEAD])
    return Summary(kind=kind, shape=(len(value),), size=len(value), head=head)
