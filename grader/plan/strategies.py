"""Hypothesis strategies built from an exercise's `args` and `dims`: one case = one call's inputs.

Imported only when inputs must be drawn or a failure shrunk: Hypothesis costs ~0.3 s to import,
and a self-check with cached plans that passes never needs it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ..spec.schema import ArgSpec, Exercise

#: a drawn point is moved at least this far from a declared kink, so that central differences
#: with steps up to 1e-3 (used for float32 forwards) never straddle it (100·h, as the spec asks)
KINK_MARGIN = 0.1
ANY_SHAPE = dict(min_dims=0, max_dims=3, min_side=1, max_side=5)


def _float32_bounds(low: float, high: float) -> tuple[float, float]:
    """The float32 values closest to [low, high] from the inside."""
    lo, hi = np.float32(low), np.float32(high)
    if lo < low:
        lo = np.nextafter(lo, np.float32(np.inf))
    if hi > high:
        hi = np.nextafter(hi, np.float32(-np.inf))
    return float(lo), float(hi)


def _floats(arg: ArgSpec) -> st.SearchStrategy[float]:
    """Values exactly representable in float32, computed with in float64.

    A student who computes in torch's default float32 then sees exactly our input: a drawn
    1e-166 would otherwise become 0 on their side and land on the other side of a kink.
    """
    assert arg.min is not None and arg.max is not None
    low, high = _float32_bounds(arg.min, arg.max)
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False,
                     allow_subnormal=False, width=32)


def _on_grid(arg: ArgSpec):
    """Round to multiples of `arg.grid` (staying inside [min, max])."""
    grid, low, high = float(arg.grid or 0.0), float(arg.min), float(arg.max)  # type: ignore[arg-type]

    def snap(x: float) -> float:
        y = round(x / grid) * grid
        return y if low <= y <= high else x
    return snap


def _away_from(points: list[float]):
    def move(x: float) -> float:
        for k in points:
            if abs(x - k) < KINK_MARGIN:
                return k + KINK_MARGIN if x >= k else k - KINK_MARGIN
        return x
    return move


def _shape(arg: ArgSpec, dims: dict[str, int]) -> st.SearchStrategy[tuple[int, ...]]:
    if arg.shape in (None, "any"):
        return hnp.array_shapes(**ANY_SHAPE)
    return st.just(tuple(dims[d] if isinstance(d, str) else d for d in arg.shape))


def arg_strategy(arg: ArgSpec, dims: dict[str, int], smooth: bool) -> st.SearchStrategy[Any]:
    """The strategy for one argument, given the case's drawn dimensions."""
    if arg.type == "float":
        floats = _floats(arg).map(_on_grid(arg)) if arg.grid else _floats(arg)
        return floats.map(_away_from(arg.avoid)) if smooth and arg.avoid else floats
    if arg.type == "ints":
        size = _shape(arg, dims).map(lambda s: s[0])
        ints = st.integers(int(arg.min), int(arg.max))  # type: ignore[arg-type]
        return size.flatmap(lambda n: st.lists(ints, min_size=n, max_size=n))
    if arg.type == "int":
        return st.integers(int(arg.min if arg.min is not None else 0),
                           int(arg.max if arg.max is not None else 10))
    if arg.type == "choice":
        return st.sampled_from(list(arg.values or []))
    shape = _shape(arg, dims)
    if arg.type == "array":
        elements = _floats(arg).map(_on_grid(arg)) if arg.grid else _floats(arg)
        if smooth and arg.avoid:
            elements = elements.map(_away_from(arg.avoid))
        return shape.flatmap(lambda s: hnp.arrays(np.float64, s, elements=elements))
    if arg.type == "binary":
        return shape.flatmap(lambda s: hnp.arrays(np.float64, s, elements=st.sampled_from([0.0, 1.0])))
    if arg.type == "one_hot":
        def one_hot(s: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
            labels = hnp.arrays(np.int64, s[:-1], elements=st.integers(0, s[-1] - 1))
            return labels.map(lambda y: np.eye(s[-1])[y])
        return shape.flatmap(one_hot)
    if arg.type == "simplex":
        low = arg.min if arg.min is not None else 0.01
        positive = st.floats(min_value=low, max_value=1.0, allow_subnormal=False)

        def normalise(a: np.ndarray) -> np.ndarray:
            return a / a.sum(axis=-1, keepdims=True)
        return shape.flatmap(lambda s: hnp.arrays(np.float64, s, elements=positive).map(normalise))
    raise ValueError(f"unknown argument type {arg.type!r}")  # schema.ArgType lists them all


def case_strategy(exercise: Exercise, smooth: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """All arguments of one call; named dimensions are drawn first and shared between them."""

    @st.composite
    def case(draw: st.DrawFn) -> dict[str, Any]:
        dims = {name: draw(st.integers(lo, hi), label=name) for name, (lo, hi) in exercise.dims.items()}
        return {name: draw(arg_strategy(arg, dims, smooth)) for name, arg in exercise.args.items()}

    return case()
