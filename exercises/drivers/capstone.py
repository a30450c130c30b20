"""Behaviour driver of the capstone: train_xor's weights classify XOR, for enough seeds.

The weights are judged by the network's outputs on the four XOR inputs: with the reference's
mlp_forward where the reference is (the instructor's run), and in a student pack, which has no
reference code, with the student's own mlp_forward once it gives the reference's answers on the
mlp_forward exercise's inputs (else the check is left to the instructor's run).
"""

from __future__ import annotations

import numpy as np

from ._common import BOOLEAN_INPUTS, as_float_array, failure, raised

XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])
FORWARD = "mlp_forward"


def _weights(value):
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        return None
    arrays = [as_float_array(v) for v in value]
    if any(a is None for a in arrays):
        return None
    W1, b1, W2, b2 = arrays
    h = W1.shape[1] if W1.ndim == 2 else -1
    if h < 1 or W1.shape != (2, h) or b1.shape != (h,) or W2.shape != (h, 1) or b2.shape != (1,):
        return None
    return arrays


def _symptom(W1, b1, W2, b2, outputs) -> str:
    """What went wrong with a network that does not classify XOR, in a word."""
    if W1.shape[1] == 1:
        return "one_hidden_unit"
    if np.allclose(W1, W1[:, :1]) and np.allclose(b1, b1[0]) and np.allclose(W2, W2[0]):
        return "symmetric"
    constant = float(np.sum((0.5 - XOR_Y) ** 2))  # the squared error of answering 0.5 everywhere
    if float(np.sum((np.asarray(outputs, dtype=np.float64) - XOR_Y) ** 2)) > constant + 8e-9:
        return "loss_up"
    return "undertrained"


def _forward(student):
    """outputs(list of weight tuples) -> list of (4, 1) arrays or None; or None when it cannot judge."""
    trusted = student.trusted(FORWARD) if hasattr(student, "trusted") else None
    if trusted is not None:
        return lambda all_weights: [np.asarray(trusted(BOOLEAN_INPUTS, *w), dtype=np.float64)
                                    for w in all_weights]
    if not (hasattr(student, "agrees") and student.agrees(FORWARD)):
        return None

    def own(all_weights):
        calls = [{"X": BOOLEAN_INPUTS, "W1": W1, "b1": b1, "W2": W2, "b2": b2}
                 for W1, b1, W2, b2 in all_weights]
        outcomes = student(calls, function=FORWARD) or []
        return [as_float_array(o.value) if o.error is None else None for o in outcomes]

    return own


def xor_training(student, cases, params):
    """train_xor(seed) for each seed: mlp_forward(X, weights) > 0.5 is XOR for at least `needed` seeds."""
    fn = "train_xor"
    seeds = [int(s) for s in params.get("seeds", [0, 1, 2, 3, 4])]
    needed = int(params.get("needed", len(seeds) - 1))
    calls = [{"seed": s} for s in seeds]
    outcomes = student(calls) or []
    wins, failed, trained = 0, [], []
    for case, outcome in zip(calls, outcomes, strict=False):
        if outcome.error is not None:
            failed.append(raised(outcome, case, fn))
            continue
        weights = _weights(outcome.value)
        if weights is None:
            shapes = ([tuple(np.shape(v)) for v in outcome.value]
                      if isinstance(outcome.value, (tuple, list)) else type(outcome.value).__name__)
            failed.append(failure("train_xor_shapes", {"shapes": shapes, "symptom": "shapes"},
                                  case, fn, actual=outcome.value))
            continue
        trained.append((case, weights))
    if trained:
        forward = _forward(student)
        if forward is None:
            return [failure("graded_by_instructor", {"reason_code": "pack.reason.own_forward",
                                                     "function": FORWARD})], len(seeds)
        for (case, weights), outputs in zip(trained, forward([w for _, w in trained]), strict=False):
            if outputs is None or outputs.shape != XOR_Y.shape:
                return [failure("graded_by_instructor", {"reason_code": "pack.reason.own_forward",
                                                         "function": FORWARD})], len(seeds)
            if np.array_equal(outputs[:, 0] > 0.5, XOR_Y[:, 0] > 0.5):
                wins += 1
                continue
            failed.append(failure("train_xor_failed", {
                "outputs": outputs[:, 0], "symptom": _symptom(*weights, outputs)},
                case, fn, expected=XOR_Y[:, 0], actual=outputs[:, 0]))
    if wins >= needed:
        return [], len(seeds)
    failed.sort(key=lambda f: seeds.index(int(f["case"]["seed"])))
    for f in failed:
        f["facts"].update(wins=wins, total=len(seeds), needed=needed)
    return failed, len(seeds)
