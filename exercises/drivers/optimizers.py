"""Drivers of chapter 5: properties of a mini-batch split, and the gradients of a trajectory."""

from __future__ import annotations

import numpy as np

from ._common import failure, raised

#: a shuffle of n ≥ this many samples lands on a given order with probability ≤ 1/8! (2.5e-5)
SHUFFLE_MIN_N = 8


def _batches(value):
    """The student's batches as integer arrays, or (None, problem symptom)."""
    if isinstance(value, np.ndarray) and value.ndim == 2:
        value = list(value)
    if not isinstance(value, (list, tuple)):
        return None, "type"
    batches = []
    for batch in value:
        if isinstance(batch, dict):
            return None, "type"
        array = np.asarray(batch)
        if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
            return None, "not_integer" if array.ndim == 1 else "type"
        batches.append(array.astype(np.int64))
    return batches, None


def _expected_sizes(n: int, batch_size: int) -> list[int]:
    return [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else [])


def _sizes_symptom(sizes, expected, batch_size):
    """How a split's sizes are wrong, as precisely as a hint needs (a mistake's hint is given when
    it shows the same symptoms): "batch_count" when there are batch_size batches
    (np.array_split(order, batch_size)); "last_batch" when every batch before the last full one
    is right and only the end differs (the rest merged into the last full batch, split, padded);
    else "sizes"."""
    if len(sizes) == batch_size:
        return "batch_count"
    full = len([s for s in expected if s == batch_size])
    if full and len(expected) > full and sizes[:full - 1] == expected[:full - 1]:
        return "last_batch"
    return "sizes"


def minibatch_split(student, cases, params):
    """Each split is a partition of range(n) into batches of batch_size (the last holds the rest), shuffled."""
    fn = "minibatches"
    problems = []
    for case, outcome in zip(cases, student(cases) or [], strict=False):
        n, batch_size = int(case["n"]), int(case["batch_size"])
        if outcome.error is not None:
            problems.append(raised(outcome, case, fn))
            continue
        batches, problem = _batches(outcome.value)
        if batches is None:
            code = "minibatches_not_integer" if problem == "not_integer" else "minibatches_wrong_type"
            problems.append(failure(code, {"symptom": problem}, case, fn, actual=outcome.value))
            continue
        joined = np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)
        counts = np.bincount(joined[(joined >= 0) & (joined < n)], minlength=n) if n else np.zeros(0)
        outside = joined[(joined < 0) | (joined >= n)]
        missing = np.flatnonzero(counts == 0)
        repeated = np.flatnonzero(counts > 1)
        if len(missing) or len(repeated) or len(outside):
            problems.append(failure("minibatches_not_partition", {
                "n": n, "missing_count": len(missing), "missing": missing[:5],
                "repeated_count": len(repeated) + len(outside),
                "repeated": np.concatenate([repeated, outside])[:5],
                "symptom": "repeated" if len(repeated) or len(outside) else "missing"},
                case, fn, actual=outcome.value))
            continue
        sizes, expected = [len(b) for b in batches], _expected_sizes(n, batch_size)
        if sizes != expected:
            symptom = _sizes_symptom(sizes, expected, batch_size)
            problems.append(failure("minibatches_sizes", {
                "actual_sizes": sizes, "expected_sizes": expected, "symptom": symptom,
                "full": n // batch_size, "rest": n % batch_size, "batch_size": batch_size},
                case, fn, expected=expected, actual=sizes))
            continue
        if n >= SHUFFLE_MIN_N and batch_size < n and np.array_equal(joined, np.arange(n)):
            problems.append(failure("minibatches_in_order", {"symptom": "in_order"}, case, fn,
                                    actual=outcome.value))
    return problems, len(cases)


def _order(outcome):
    if outcome is None or outcome.error is not None:
        return None
    batches, _ = _batches(outcome.value)
    if batches is None:
        return None
    return np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)


def minibatch_seeding(student, cases, params):
    """The same seed gives the same split; another seed another order; default_rng, not the global generator."""
    fn = "minibatches"
    count = int(params.get("cases", 10))
    chosen = [c for c in cases if int(c["n"]) >= SHUFFLE_MIN_N][:count]
    first = student(chosen) or []
    again = student(chosen, fresh=True) or []
    others = [{**c, "seed": int(c["seed"]) + 1} for c in chosen]
    other = student(others) or []
    problems = []
    for case, a, b, o, o_case in zip(chosen, first, again, other, others, strict=False):
        if a.error is not None:
            problems.append(raised(a, case, fn))
            continue
        order, order_again, order_other = _order(a), _order(b), _order(o)
        if order is None:  # not a split at all: nothing here is seeded shuffling either
            problems.append(failure("minibatches_wrong_type", {"symptom": "type"}, case, fn,
                                    actual=a.value))
            continue
        if order_again is None or not np.array_equal(order, order_again):
            problems.append(failure("minibatches_not_reproducible", {
                "seed": case["seed"], "symptom": "unseeded"}, case, fn,
                expected=a.value, actual=b.value))
            continue
        n, seed = int(case["n"]), int(case["seed"])
        if order_other is not None and np.array_equal(order, order_other):
            problems.append(failure("minibatches_seed_ignored", {
                "seed": seed, "other_seed": o_case["seed"], "symptom": "seed_ignored"}, case, fn,
                actual=a.value))
            continue
        if 0 <= seed < 2**32 and np.array_equal(order, np.random.RandomState(seed).permutation(n)):
            problems.append(failure("minibatches_global_generator", {
                "seed": seed, "symptom": "global"}, case, fn, actual=a.value))
    return problems, len(chosen)


_WIGGLE = (1.0, 0.6, -0.4, 1.3, 0.9, -1.1, 0.5, 1.2, -0.7, 0.8)


def wiggly_bowl(param, step, start):
    """The gradient fed at `step` of a trajectory begun at `start`: the drawn gradient g₀ scaled
    by a fixed sequence (sign changes test the averaging), plus a pull back to the start
    proportional to |g₀| (so it depends on where the optimizer went, and tiny g₀ stay tiny)."""
    g0 = np.asarray(start["grad"], dtype=np.float64)
    p0 = np.asarray(start["param"], dtype=np.float64)
    scale = float(np.max(np.abs(g0))) if g0.size else 0.0
    return _WIGGLE[(step - 1) % len(_WIGGLE)] * g0 + scale * (np.asarray(param, dtype=np.float64) - p0)
