"""Every catalogued mistake really is a mistake: it differs from the reference on a small input.

A mistake is mapped to its exercise by its name: the longest reference function name that,
followed by "_", starts the mistake's name (`sigmoid_grad_on_input` → `sigmoid_grad`). It must
live in the mistakes module of the same chapter and have the exercise's signature.

"Differs" means what the grader can observe: a different value or shape (beyond float32
tolerance), an exception, a modified input array, or a RuntimeWarning that the reference does not
emit (`sigmoid_naive` is right in value but overflows). The four exercises graded by properties
rather than by value (logic_gates, xor_network, minibatches, train_xor) are checked against those
properties instead: the reference must satisfy them all, and every mistake must break one.
"""

from __future__ import annotations

import copy
import importlib
import inspect
import pkgutil
import warnings

import numpy as np
import pytest

import grader_reference as reference_pkg
import grader_reference.mistakes as mistakes_pkg

CHAPTERS = sorted(
    name for _, name, is_pkg in pkgutil.iter_modules(reference_pkg.__path__) if not is_pkg
)
REFERENCE = {c: importlib.import_module(f"{reference_pkg.__name__}.{c}") for c in CHAPTERS}
MISTAKE_MODULES = {
    name: importlib.import_module(f"{mistakes_pkg.__name__}.{name}")
    for _, name, is_pkg in pkgutil.iter_modules(mistakes_pkg.__path__)
    if not is_pkg
}


def _public_functions(module):
    return {
        name: f
        for name, f in vars(module).items()
        if inspect.isfunction(f) and f.__module__ == module.__name__ and not name.startswith("_")
    }


EXERCISES = {  # exercise name -> (chapter, reference function)
    name: (chapter, f)
    for chapter, mod in REFERENCE.items()
    for name, f in _public_functions(mod).items()
}
MISTAKES = [  # (chapter, mistake name, function)
    (chapter, name, f)
    for chapter, mod in sorted(MISTAKE_MODULES.items())
    for name, f in sorted(_public_functions(mod).items())
]


def exercise_of(mistake_name):
    matches = [e for e in EXERCISES if mistake_name.startswith(e + "_")]
    return max(matches, key=len) if matches else None


# ----------------------------------------------------------------------------- inputs

_rng = np.random.default_rng(20240601)


def _r(*shape, scale=1.0):
    return scale * _rng.normal(size=shape)


_ONE_HOT = np.eye(3)[[0, 2, 1, 2]]
_KINKS = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])

# exercise -> list of (args, kwargs); every value-graded exercise needs at least one entry
INPUTS = {
    # chapter 3
    "sigmoid": [((np.array([-1000.0, -5.0, -0.5, 0.0, 0.5, 5.0, 1000.0]),), {})],
    "sigmoid_grad": [((np.array([-3.0, -0.5, 0.0, 0.5, 3.0]),), {})],
    "tanh": [((np.array([-1000.0, -2.0, 0.0, 0.7, 1000.0]),), {})],
    "tanh_grad": [((np.array([-3.0, -0.5, 0.0, 0.5, 3.0]),), {})],
    "relu": [((_KINKS,), {})],
    "relu_grad": [((_KINKS,), {})],
    "leaky_relu": [((_KINKS,), {}), ((_KINKS,), {"alpha": 0.2})],
    "leaky_relu_grad": [((_KINKS,), {}), ((_KINKS,), {"alpha": 0.2})],
    "softmax": [((np.array([[1.0, 2.0, 3.0], [1000.0, 1001.0, 999.0], [0.5, -1.0, 0.0]]),), {}),
                ((np.array([1.0, 2.0, 3.0]),), {})],  # a (k,) vector: softmax_axis1 raises on it
    "maxout": [((_r(3, 2), _r(2, 2, 3), _r(2, 3)), {})],
    # chapter 2
    "sign": [((_KINKS,), {})],
    "step": [((_KINKS,), {})],
    "neuron": [
        ((x, np.array([1.0, -1.0]), b, act), {})
        for act in ("sign", "step", "sigmoid", "tanh", "relu")
        for b in (0.0, 0.5)
        for x in (np.array([[1.0, 1.0], [2.0, 0.0], [-1.0, 3.0]]), np.array([1.0, 1.0]))
    ],
    "mlp_forward": [((_r(4, 3), _r(3, 3), _r(3), _r(3, 2), _r(2)), {})],
    "count_parameters": [(([784, 16, 16, 10],), {}), (([2, 3, 1],), {})],
    # chapter 4
    "mse_loss": [((_r(4), _r(4)), {}), ((_r(4, 2), _r(4, 2)), {})],
    "mse_grad": [((_r(4), _r(4)), {}), ((_r(4, 2), _r(4, 2)), {})],
    "cross_entropy": [
        (
            (
                _ONE_HOT,
                np.array([[0.7, 0.3, 0.0], [0.1, 0.1, 0.8], [0.2, 0.5, 0.3], [0.0, 0.4, 0.6]]),
            ),
            {},
        ),
        ((np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])), {}),
    ],
    "binary_cross_entropy": [
        ((np.array([1.0, 0.0, 1.0, 0.0]), np.array([0.9, 0.2, 0.6, 0.4])), {})
    ],
    "softmax_cross_entropy_grad": [((_ONE_HOT, _r(4, 3)), {})],
    "chain_forward": [((0.5, np.array([1.5, -2.0, 0.7]), np.array([0.1, 0.3, -0.2])), {})],
    "chain_backward": [
        ((0.5, np.array([1.5, -2.0, 0.7]), np.array([0.1, 0.3, -0.2]), y), {}) for y in (0.0, 1.0)
    ],
    "gd_step": [((_r(3), _r(3), 0.1), {})],
    "mlp_backward": [
        ((_r(4, 3), _rng.uniform(size=(4, 2)), _r(3, 4), _r(4), _r(4, 2), _r(2)), {})
    ],
    # chapter 5
    "sgd_step": [((_r(3), _r(3), 0.1), {})],
    "momentum_step": [
        ((_r(3), _r(3), _r(3), 0.1), {}),
        ((_r(3), _r(3), np.zeros(3), 0.05), {"momentum": 0.5}),
    ],
    "adagrad_step": [
        ((_r(3), _r(3), np.zeros(3)), {}),
        ((_r(3), _r(3, scale=1e-6), np.zeros(3)), {}),
        ((_r(3), _r(3), _r(3) ** 2), {"lr": 0.1}),
    ],
    "rmsprop_step": [
        ((_r(3), _r(3), _r(3) ** 2), {}),
        ((_r(3), _r(3, scale=1e-6), np.zeros(3)), {"alpha": 0.9}),
    ],
    "adam_step": [
        ((_r(3), _r(3, scale=1e-6), np.zeros(3), np.zeros(3), 1), {}),
        ((_r(3), _r(3), _r(3), _r(3) ** 2, 3), {"lr": 0.01, "beta1": 0.8, "beta2": 0.99}),
    ],
}


# ----------------------------------------------------------------------------- property checks

_BOOL_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_TRUTH = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0]}


def _step(z):
    return (np.asarray(z) > 0).astype(float)


def violations_logic_gates(f):
    gates, bad = f(), []
    if set(gates) != set(_TRUTH):
        return [f"keys {sorted(gates)}"]
    for name, truth in _TRUTH.items():
        w, b = gates[name]
        if np.shape(w) != (2,):
            bad.append(f"{name}: w of shape {np.shape(w)}")
            continue
        z = _BOOL_X @ np.asarray(w, dtype=float) + float(b)
        if not np.array_equal(_step(z), truth):
            bad.append(f"{name}: truth table {_step(z)}")
        if np.any(np.abs(z) < 0.5):
            bad.append(f"{name}: margin {np.min(np.abs(z))}")
    return bad


def violations_xor_network(f):
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in f())
    h = W1.shape[1] if W1.ndim == 2 else -1
    if h < 2 or W1.shape != (2, h) or b1.shape != (h,) or W2.shape != (h, 1) or b2.shape != (1,):
        return [f"shapes {W1.shape} {b1.shape} {W2.shape} {b2.shape}"]
    z1 = _BOOL_X @ W1 + b1
    z2 = _step(z1) @ W2 + b2
    bad = []
    if not np.array_equal(_step(z2)[:, 0], [0, 1, 1, 0]):
        bad.append(f"outputs {_step(z2)[:, 0]}")
    if min(np.min(np.abs(z1)), np.min(np.abs(z2))) < 0.5:
        bad.append("margin below 0.5")
    return bad


def violations_minibatches(f):
    bad = []
    for n, batch_size, seed in [(23, 5, 7), (20, 4, 0), (12, 12, 3)]:
        state = np.random.get_state()
        try:
            batches = f(n, batch_size, seed)
            after = np.random.get_state()
        finally:
            np.random.set_state(state)
        same_state = after[0] == state[0] and np.array_equal(after[1], state[1])
        if not (same_state and after[2:] == state[2:]):
            bad.append("changes NumPy's global random state")
        sizes = [len(b) for b in batches]
        expected_sizes = [batch_size] * (n // batch_size) + [n % batch_size] * (n % batch_size > 0)
        if sizes != expected_sizes:
            bad.append(f"batch sizes {sizes}")
        joined = np.concatenate(batches)
        if not np.array_equal(np.sort(joined), np.arange(n)):
            bad.append("not a permutation of range(n)")
        if any(np.asarray(b).dtype.kind not in "iu" for b in batches):
            bad.append("non-integer indices")
        if batch_size < n and np.array_equal(joined, np.arange(n)):
            bad.append("not shuffled")
        again = f(n, batch_size, seed)
        if len(again) != len(batches) or not all(map(np.array_equal, again, batches)):
            bad.append("the same seed gives a different split")
    return bad


def violations_train_xor(f):
    from grader_reference.perceptron import mlp_forward

    wins = 0
    for seed in range(5):
        out = np.asarray(mlp_forward(_BOOL_X, *f(seed)))
        wins += out.shape == (4, 1) and np.array_equal(out[:, 0] > 0.5, [False, True, True, False])
    return [] if wins >= 4 else [f"classifies XOR for only {wins} of seeds 0..4"]


PROPERTIES = {
    "logic_gates": violations_logic_gates,
    "xor_network": violations_xor_network,
    "minibatches": violations_minibatches,
    "train_xor": violations_train_xor,
}


# ----------------------------------------------------------------------------- comparison


def _same(a, b):
    """Equal as the grader sees results: same structure and shapes, values to float32 accuracy."""
    if isinstance(a, dict) or isinstance(b, dict):
        return (
            isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys()
            and all(_same(a[k], b[k]) for k in a)
        )
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (
            isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b)
            and all(map(_same, a, b))
        )
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-4, atol=1e-6, equal_nan=True))


def _observe(f, args, kwargs):
    """Call f on deep copies; return (outcome, whether it changed its inputs, runtime warnings)."""
    args_copy, kwargs_copy = copy.deepcopy(args), copy.deepcopy(kwargs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
                outcome = ("value", f(*args_copy, **kwargs_copy))
        except Exception as exc:  # a crash is an observable difference
            outcome = ("raised", type(exc).__name__)
    mutated = not _same((args_copy, kwargs_copy), (args, kwargs))
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    return outcome, mutated, runtime


def differences(mistake, reference, inputs):
    found = []
    for args, kwargs in inputs:
        (ref_kind, ref_out), ref_mutated, ref_warned = _observe(reference, args, kwargs)
        assert ref_kind == "value" and not ref_mutated and not ref_warned, (
            f"the reference itself misbehaves on {args} {kwargs}"
        )
        (kind, out), mutated, warned = _observe(mistake, args, kwargs)
        if kind == "raised":
            found.append(f"raises {out}")
        elif not _same(out, ref_out):
            found.append("different value")
        if mutated:
            found.append("modifies its input")
        if warned:
            found.append(f"RuntimeWarning: {warned[0].message}")
    return found


# ----------------------------------------------------------------------------- tests


def test_the_catalogue_is_found():
    assert {"activations", "perceptron", "losses", "optimizers", "capstone"} <= set(CHAPTERS)
    assert set(MISTAKE_MODULES) <= set(CHAPTERS), "a mistakes module without a reference module"
    assert len(MISTAKES) >= 90


def test_every_value_graded_exercise_has_inputs():
    value_graded = set(EXERCISES) - set(PROPERTIES)
    assert value_graded <= set(INPUTS), sorted(value_graded - set(INPUTS))
    assert set(INPUTS) <= value_graded, sorted(set(INPUTS) - value_graded)


@pytest.mark.parametrize("exercise", sorted(PROPERTIES))
def test_reference_satisfies_the_graded_properties(exercise):
    _, reference = EXERCISES[exercise]
    assert PROPERTIES[exercise](reference) == []


@pytest.mark.parametrize("chapter,name,mistake", MISTAKES, ids=[m[1] for m in MISTAKES])
def test_mistake_is_catalogued_properly(chapter, name, mistake):
    exercise = exercise_of(name)
    assert exercise is not None, f"{name} names no exercise"
    exercise_chapter, reference = EXERCISES[exercise]
    assert exercise_chapter == chapter, (
        f"{name} is in mistakes/{chapter}.py but {exercise} in {exercise_chapter}.py"
    )
    assert inspect.signature(mistake) == inspect.signature(reference), (
        f"{name}{inspect.signature(mistake)} vs {exercise}{inspect.signature(reference)}"
    )
    assert (mistake.__doc__ or "").strip(), f"{name} has no docstring saying the mistake"


@pytest.mark.parametrize("chapter,name,mistake", MISTAKES, ids=[m[1] for m in MISTAKES])
def test_mistake_differs_from_the_reference(chapter, name, mistake):
    exercise = exercise_of(name)
    assert exercise is not None, f"{name} names no exercise"
    _, reference = EXERCISES[exercise]
    if exercise in PROPERTIES:
        state = np.random.get_state()
        try:
            found = PROPERTIES[exercise](mistake)
        finally:
            np.random.set_state(state)
    else:
        found = differences(mistake, reference, INPUTS[exercise])
    assert found, f"{name} behaves exactly like the reference {exercise}: not a mistake"
