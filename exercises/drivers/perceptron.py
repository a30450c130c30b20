"""Behaviour drivers of chapter 2: truth tables with a margin (logic_gates, xor_network)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import BOOLEAN_INPUTS, as_float_array, bits, failure, raised, step

TRUTH = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0]}
XOR = [0, 1, 1, 0]


def _weak_point(z: np.ndarray, margin: float) -> int | None:
    """Row of the pre-activation closest to 0, if it is closer than the margin."""
    close = np.abs(z.reshape(len(BOOLEAN_INPUTS), -1)).min(axis=1)
    row = int(np.argmin(close))
    return row if close[row] < margin else None


def _margin_word(value: float) -> str:
    """A pre-activation of exactly 0 ("zero_margin": right only because step(0) = 0) is another
    mistake than one merely too close to 0 ("margin"): the symptoms say which."""
    return "zero_margin" if float(value) == 0.0 else "margin"


def truth_tables(student, cases, params):
    """logic_gates(): every gate's (w, b) gives its truth table under step, with a margin."""
    margin = float(params.get("margin", 0.5))
    [outcome] = student([{}])
    if outcome.error is not None:
        return [raised(outcome, {}, "logic_gates")]
    gates = outcome.value
    if not isinstance(gates, dict) or "__unsupported__" in gates:
        kind = type(gates).__name__ if not isinstance(gates, dict) else gates["__unsupported__"]
        return [failure("gates_wrong_type", {"actual_type": kind, "symptom": "type"}, {}, "logic_gates")]
    problems = []
    for gate, truth in TRUTH.items():
        if gate not in gates:
            problems.append(failure("gates_missing_key", {"key": gate, "symptom": f"missing:{gate}"},
                                    {}, "logic_gates"))
            continue
        pair = gates[gate]
        w = as_float_array(pair[0]) if isinstance(pair, (tuple, list)) and len(pair) == 2 else None
        b = as_float_array(pair[1]) if w is not None else None
        if w is None or b is None or w.shape != (2,) or b.size != 1:
            problems.append(failure("gate_wrong_shape", {
                "gate": gate, "actual": pair, "symptom": f"shape:{gate}"}, {}, "logic_gates"))
            continue
        z = BOOLEAN_INPUTS @ w + float(b.reshape(()))
        got = bits(step(z))
        if got != truth:
            problems.append(failure("gate_truth_table", {
                "gate": gate, "w": w, "b": float(b.reshape(())), "actual_table": got,
                "expected_table": truth, "symptom": f"{gate}:{got}"},
                {}, "logic_gates", expected=truth, actual=got))
            continue
        row = _weak_point(z, margin)
        if row is not None:
            problems.append(failure("gate_margin", {
                "gate": gate, "x": BOOLEAN_INPUTS[row], "value": float(z[row]), "margin": margin,
                "symptom": f"{_margin_word(z[row])}:{gate}"}, {}, "logic_gates"))
    return problems, len(TRUTH)


def _shapes(params_: Any) -> tuple[list[np.ndarray] | None, Any]:
    if not isinstance(params_, (tuple, list)) or len(params_) != 4:
        return None, type(params_).__name__
    arrays = [as_float_array(p) for p in params_]
    if any(a is None for a in arrays):
        return None, "not numbers"
    W1, b1, W2, b2 = arrays  # type: ignore[misc]
    h = W1.shape[1] if W1.ndim == 2 else -1
    shapes = tuple(tuple(a.shape) for a in arrays)  # type: ignore[union-attr]
    ok = h >= 2 and W1.shape == (2, h) and b1.shape == (h,) and W2.shape == (h, 1) and b2.shape == (1,)
    return (arrays if ok else None), shapes  # type: ignore[return-value]


def xor_truth_table(student, cases, params):
    """xor_network(): step(step(X W1 + b1) W2 + b2) is XOR on {0,1}², every |pre-activation| ≥ margin."""
    margin = float(params.get("margin", 0.5))
    [outcome] = student([{}])
    if outcome.error is not None:
        return [raised(outcome, {}, "xor_network")]
    arrays, shapes = _shapes(outcome.value)
    if arrays is None:
        return [failure("xor_shapes", {"shapes": shapes, "symptom": "shapes"}, {}, "xor_network")]
    W1, b1, W2, b2 = arrays
    z1 = BOOLEAN_INPUTS @ W1 + b1
    z2 = step(z1) @ W2 + b2
    got = bits(step(z2))
    if got != XOR:
        return [failure("xor_truth_table", {"actual_table": got, "expected_table": XOR,
                                            "symptom": f"xor:{got}"}, {}, "xor_network",
                        expected=XOR, actual=got)]
    for layer, z in ((1, z1), (2, z2)):
        row = _weak_point(z, margin)
        if row is not None:
            value = z[row][np.argmin(np.abs(z[row]))]
            return [failure("xor_margin", {"layer": layer, "x": BOOLEAN_INPUTS[row],
                                           "value": float(value), "margin": margin,
                                           "symptom": _margin_word(value)}, {}, "xor_network")]
    return []
