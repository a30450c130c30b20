"""Edge cases moved around their kinks and magnitudes: the private inputs' fixed cases.

A spec's edge cases are public (a pack ships them with their answers), so the instructor's run
grades on moved copies of them. Moving must keep what each case is about, and so every value is
multiplied by a positive factor that depends on the case and on the value's magnitude only:

- exact zeros (and -0.0) stay, signs stay, and equal values within a case stay equal (ties in
  an array, a residual y - y_hat = 0 across arguments), since equal values get equal factors;
- a tiny value (0 < |v| < TINY: beside a kink, an eps) stays tiny: factor in [1/2, 2];
- a huge value (beyond the range the argument is drawn from: ±710, ±1000) only grows, so 710
  still overflows exp: factor in [1.05, 1.5], one for the whole case, so 1000 and 999 stay
  close and a saturated network stays saturated;
- any other value: factor in [0.7, 1.4], one for the whole case; for an argument drawn inside
  [0, 1] (a probability, a momentum, a beta) a value above ½ has its distance to 1 scaled
  instead (0.99 stays close to 1), and a value drawn inside the argument's [min, max] stays
  inside (probabilities stay in range);
- a list of integer sizes (`ints`) is scaled and rounded, 0 and 1 kept; a probability row
  (`simplex`) has each distinct entry scaled and is normalised again (zeros stay, a lone 1
  stays 1); labels (`one_hot`, `binary`), `choice` and `int` arguments are never moved.

Moved values are rounded to float32 (except probability rows), as drawn values are. The
numbers come from a stream the caller gives (grader.secret: the same on every machine); whether
a candidate keeps the case's meaning is decided by the caller too (grader.judge.meaning).
"""

from __future__ import annotations

import math
from typing import Iterator

import numpy as np

from ..spec.schema import ArgSpec, Exercise
from . import Case

#: below this magnitude (and not zero) a value is "beside a kink"
TINY = 1e-2
#: magnitudes beyond the drawn range count as huge from here on (an argument without a range)
HUGE = 100.0
#: (lowest, highest) factor of each class at full strength; every factor moves by ≥ 5 %
FACTORS = {"tiny": (0.5, 2.0), "normal": (0.7, 1.4), "huge": (1.05, 1.5), "count": (0.75, 1.34)}
MIN_MOVE = 1.05
MOVED_TYPES = ("array", "float", "ints", "simplex")


def _factor(stream: Iterator[float], kind: str, strength: float) -> float:
    """A factor of the class `kind`: at full strength within FACTORS[kind] and at least 5 % away
    from 1 (huge values only grow); a lower strength moves less (a closer candidate)."""
    low, high = FACTORS[kind]
    if kind == "huge":
        return 1.0 + strength * (low - 1.0 + (high - low) * next(stream))
    up = next(stream) < 0.5
    start, end = math.log(MIN_MOVE), math.log(high) if up else -math.log(low)
    size = strength * (start + (end - start) * next(stream))
    return math.exp(size if up else -size)


def _bound(arg: ArgSpec) -> float:
    ends = [abs(float(v)) for v in (arg.min, arg.max) if v is not None]
    return max(ends) if ends else HUGE


def _classify(values: np.ndarray, arg: ArgSpec) -> np.ndarray:
    magnitude = np.abs(values)
    kinds = np.full(values.shape, "normal", dtype=object)
    kinds[(magnitude > 0) & (magnitude < TINY)] = "tiny"
    kinds[magnitude > max(_bound(arg), 1.0)] = "huge"
    kinds[magnitude == 0] = "zero"
    return kinds


def _in_unit_interval(arg: ArgSpec) -> bool:
    """An argument drawn inside [0, 1]: a probability, a momentum, a beta."""
    return arg.min is not None and arg.max is not None and 0 <= float(arg.min) and float(arg.max) <= 1


def _scaled(value: object, arg: ArgSpec, factors: dict[str, float]) -> np.ndarray | float:
    public = np.asarray(value, dtype=np.float64)
    kinds = _classify(public, arg)
    scale = np.ones(public.shape)
    for kind, factor in factors.items():
        scale[kinds == kind] = factor
    moved = public * scale
    if _in_unit_interval(arg):  # above ½ it is the distance to 1 that moves: 0.99 → 0.993
        near_one = (public > 0.5) & (public < 1)
        moved = np.where(near_one, 1 - (1 - public) * scale, moved)
    moved = moved.astype(np.float32).astype(np.float64)
    low = float(arg.min) if arg.min is not None else -np.inf
    high = float(arg.max) if arg.max is not None else np.inf
    inside = (public >= low) & (public <= high)
    moved = np.where(inside, np.clip(moved, low, high), moved)  # drawn inside: stays inside
    moved = np.where(kinds == "zero", public, moved)  # -0.0 stays -0.0
    if isinstance(value, np.ndarray):
        return moved
    return float(moved)


def _counts(value: list[int], arg: ArgSpec, factor: float) -> list[int]:
    low = max(1, int(arg.min)) if arg.min is not None else 1
    return [v if v in (0, 1) or v < 0 else max(low, int(round(v * factor))) for v in value]


def _simplex(value: np.ndarray, stream: Iterator[float], strength: float) -> np.ndarray:
    distinct = sorted({float(v) for v in value.reshape(-1) if v > 0})
    factors = {v: _factor(stream, "normal", strength) for v in distinct}
    moved = np.array([factors.get(float(v), 0.0) * v for v in value.reshape(-1)]).reshape(value.shape)
    sums = moved.sum(axis=-1, keepdims=True)
    return np.divide(moved, sums, out=np.array(value, dtype=np.float64), where=sums > 0)


def jitter_case(exercise: Exercise, case: Case, stream: Iterator[float], strength: float = 1.0) -> Case | None:
    """A moved copy of the edge case `case`, or None when nothing in it can move (only zeros,
    labels, choices, integers)."""
    factors = {kind: _factor(stream, kind, strength) for kind in ("tiny", "normal", "huge")}
    count = _factor(stream, "count", strength)
    moved: Case = dict(case)
    for name, value in case.items():
        arg = exercise.args.get(name)
        if arg is None or arg.type not in MOVED_TYPES:
            continue
        if arg.type == "ints":
            moved[name] = _counts(list(value), arg, count)
        elif arg.type == "simplex":
            moved[name] = _simplex(np.asarray(value, dtype=np.float64), stream, strength)
        else:
            moved[name] = _scaled(value, arg, factors)
    return None if same_case(moved, case) else moved


def same_case(a: Case, b: Case) -> bool:
    """Whether two cases hold the same values (arrays compared by value, -0.0 by its bits)."""
    def same(x: object, y: object) -> bool:
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            x, y = np.asarray(x), np.asarray(y)
            return x.shape == y.shape and x.tobytes() == y.astype(x.dtype).tobytes()
        return bool(x == y)
    return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
