"""compare()'s fast path (judge/compare.py `_close`) never passes what the full comparison fails."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from grader.judge import compare as compare_module
from grader.judge.compare import compare
from grader.spec.schema import Tolerance

TOLERANCES = [Tolerance(), Tolerance(rtol=0.0, atol=0.0), Tolerance(rtol=1e-3, atol=1e-5)]
SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e-300, 1e300, np.inf, -np.inf, np.nan, 1e-6, 0.5 + 1e-12]


def full_way(expected, actual, tol):
    original = compare_module._close
    compare_module._close = lambda *_: False
    try:
        return compare(expected, actual, tol)
    finally:
        compare_module._close = original


def pairs():
    rng = np.random.default_rng(8)
    for size in (0, 1, 3, 12, 64, 65, 200):
        for shape in ((size,), (1, size) if size else (0, 2)):
            e = rng.normal(size=shape) * 10.0 ** rng.integers(-3, 4)
            noise = rng.normal(size=shape) * 10.0 ** rng.integers(-9, 0)
            yield e, e + noise
            yield e, (e + noise).astype(np.float32)
            yield e, e.copy()
            if size:
                for value in SPECIAL:
                    a = e.copy()
                    a.reshape(-1)[size // 2] = value
                    yield e, a
                    yield a, e.copy()
                    yield a, a.copy()
    for x, y in itertools.product(SPECIAL, repeat=2):
        yield x, y
        yield np.asarray(x), np.asarray(y)
        yield np.asarray(x), y
    yield np.arange(5), np.arange(5)
    yield np.arange(5), np.arange(5).astype(np.float32) + 1e-7
    yield np.array([True, False]), np.array([1.0, 0.0])
    yield np.arange(3.0), np.arange(4.0)
    yield 2**60, 2**60 + 1
    yield np.array([2**60]), np.array([2**60 + 1])
    yield True, 1.0
    yield (np.arange(3.0), 1.5), (np.arange(3.0), 1.5)
    yield (np.arange(3.0), 1.5), (np.arange(3.0), np.nan)
    yield {"a": np.ones(2)}, {"a": np.ones(2) + 1e-3}


# the full way divides by a zero tolerance when describing a failure (an old warning, not ours)
@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
@pytest.mark.parametrize("tol", TOLERANCES, ids=["default", "exact", "loose"])
def test_fast_path_agrees_with_the_full_comparison(tol):
    checked = 0
    for expected, actual in pairs():
        fast, full = compare(expected, actual, tol), full_way(expected, actual, tol)
        assert (fast is None) == (full is None), (expected, actual)
        if full is not None:  # a failure is always described the full way
            assert repr(fast) == repr(full)
        checked += 1
    assert checked > 300


def structured_pairs():
    """Tuples, lists and dicts as checks' answers are: an optimizer's (param, state), a gradient's
    dict of layers, and every way `compare` tells them apart."""
    rng = np.random.default_rng(5)
    for _ in range(40):
        p, v = rng.normal(size=3), rng.normal(size=3)
        yield (p, v), (p + 1e-12, v.copy())
        yield (p, v), [p.copy(), v + 1e-3]
        yield (p, v, 0.5), (p.copy(), v.copy(), 0.5 + 1e-12)
        yield {"W": p, "b": v}, {"W": p.copy(), "b": v.copy(), "extra": "ignored"}
        yield {"W": p, "b": v}, {"W": p.copy()}
        yield {"W": (p, v)}, {"W": (p.copy(), v.copy())}
    yield (np.ones(2),), (np.ones(3),)
    yield (np.ones(2), 1.0), (np.ones(2),)
    yield (np.ones(2),), np.ones(2)
    yield {"a": 1.0}, {"__unsupported__": "object"}
    yield (np.array([np.nan]),), (np.array([np.nan]),)
    yield ("s", 1.0), ("s", 1.0)
    deep = np.ones(1)
    for _ in range(6):
        deep = (deep,)
    yield deep, deep  # deeper than close_many looks


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
@pytest.mark.parametrize("tol", TOLERANCES, ids=["default", "exact", "loose"])
def test_close_many_says_close_only_where_the_full_comparison_finds_nothing(tol):
    """The batched test (one NumPy pass per shape, leaves of tuples and dicts included), on every
    pair above shuffled so that shapes, dtypes, numbers and odd values share its groups: a leaf
    pair is decided exactly as `_close` decides it, and no pair is called close that the full
    comparison fails."""
    from grader.judge.compare import _close, close_many

    everything = list(pairs()) * 2 + list(structured_pairs())
    order = np.random.default_rng(3).permutation(len(everything))
    expected = [everything[i][0] for i in order]
    actual = [everything[i][1] for i in order]
    batched = close_many(expected, actual, tol)
    for e, a, surely in zip(expected, actual, batched, strict=True):
        if surely:
            assert full_way(e, a, tol) is None, (e, a)
        if not isinstance(e, (tuple, list, dict)):
            assert surely == _close(e, a, tol), (e, a)
    structured = [s for e, s in zip(expected, batched, strict=True) if isinstance(e, (tuple, dict))]
    assert 60 < sum(structured) < len(structured)  # tuples and dicts decided in the batch, both ways
    assert 50 < sum(batched) < len(batched)


def test_close_many_on_an_int_past_float64_answers_as_close_does():
    from grader.judge.compare import _close, close_many

    expected, actual = [10**400, 1, 2, 3, 4], [10**400, 1, 2, 3, 5]
    tol = Tolerance(rtol=0.0, atol=0.0)
    with pytest.raises(OverflowError):
        _close(expected[0], actual[0], tol)
    with pytest.raises(OverflowError):  # the same error, not another answer
        close_many(expected, actual, tol)
