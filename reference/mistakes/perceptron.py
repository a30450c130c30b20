"""Catalogued mistakes of chapter 2 (from the perceptron to neural networks)."""

from __future__ import annotations

import numpy as np

from ..activations import relu, sigmoid, tanh
from ..perceptron import sign, step


def sign_np_sign(x):
    """np.sign: sign(0) = 0, where the slide defines sign(0) = 1."""
    return np.sign(np.asarray(x, dtype=np.float64))


def sign_zero_negative(x):
    """x > 0 instead of x >= 0: sign(0) = −1."""
    return np.where(np.asarray(x, dtype=np.float64) > 0, 1.0, -1.0)


def sign_zero_one_valued(x):
    """Returns 1/0 instead of 1/−1 (the step function's values)."""
    return np.where(np.asarray(x, dtype=np.float64) >= 0, 1.0, 0.0)


def step_at_zero_one(x):
    """x >= 0 instead of x > 0: step(0) = 1, where the slide's threshold is strict."""
    return (np.asarray(x, dtype=np.float64) >= 0).astype(np.float64)


def step_minus_one_valued(x):
    """Returns 1/−1 instead of 1/0 (the sign function's values)."""
    return np.where(np.asarray(x, dtype=np.float64) > 0, 1.0, -1.0)


_RIGHT = {"sign": sign, "step": step, "sigmoid": sigmoid, "tanh": tanh, "relu": relu}


def neuron_no_bias(x, w, b, activation):
    """Forgets the bias: f(wᵀx)."""
    return _RIGHT[activation](np.asarray(np.asarray(x) @ np.asarray(w)))


def neuron_bias_after_activation(x, w, b, activation):
    """Adds the bias after the activation: f(wᵀx) + b."""
    return _RIGHT[activation](np.asarray(np.asarray(x) @ np.asarray(w))) + b


def neuron_always_sigmoid(x, w, b, activation):
    """Ignores the activation argument and always applies the sigmoid."""
    return sigmoid(np.asarray(np.asarray(x) @ np.asarray(w) + b))


def neuron_np_sign(x, w, b, activation):
    """Uses np.sign for "sign": 0 where wᵀx + b = 0, where the slide's sign gives 1."""
    z = np.asarray(np.asarray(x) @ np.asarray(w) + b, dtype=np.float64)
    return np.sign(z) if activation == "sign" else _RIGHT[activation](z)


def neuron_step_at_zero_one(x, w, b, activation):
    """Uses z >= 0 for "step": 1 where wᵀx + b = 0, where the slide's step gives 0."""
    z = np.asarray(np.asarray(x) @ np.asarray(w) + b, dtype=np.float64)
    return (z >= 0).astype(np.float64) if activation == "step" else _RIGHT[activation](z)


def neuron_sum_over_samples(x, w, b, activation):
    """Sums x·w over axis 0 (the samples) instead of the features: wrong for a batch."""
    x = np.asarray(x, dtype=np.float64)
    return _RIGHT[activation](np.sum(x * np.asarray(w), axis=0) + b)


def _gates(and_, or_, nand, nor):
    return {
        name: (np.array(wb[:2], dtype=np.float64), float(wb[2]))
        for name, wb in zip(("AND", "OR", "NAND", "NOR"), (and_, or_, nand, nor), strict=True)
    }


def logic_gates_zero_margin():
    """Right truth tables only thanks to step(0) = 0: pre-activations exactly 0 (margin 0)."""
    return _gates((1, 1, -1), (1, 1, 0), (-1, -1, 2), (-1, -1, 1))


def logic_gates_nand_nor_swapped():
    """NAND's weights under "NOR" and NOR's under "NAND"."""
    return _gates((20, 20, -30), (20, 20, -10), (-20, -20, 10), (-20, -20, 30))


def logic_gates_nor_sign_flipped():
    """NOR copied from the slide with the signs lost: w = (20, 20), b = −10, which is OR."""
    return _gates((20, 20, -30), (20, 20, -10), (-20, -20, 30), (20, 20, -10))


def xor_network_or_output():
    """Output unit OR instead of AND of the hidden OR and NAND: 1 on all four rows."""
    W1 = np.array([[20.0, -20.0], [20.0, -20.0]])
    b1 = np.array([-10.0, 30.0])
    return W1, b1, np.array([[20.0], [20.0]]), np.array([-10.0])


def xor_network_zero_margin():
    """Hidden OR as step(x₁ + x₂): right only because step(0) = 0, with margin 0 at (0, 0)."""
    W1 = np.array([[1.0, -1.0], [1.0, -1.0]])
    b1 = np.array([0.0, 1.5])
    return W1, b1, np.array([[1.0], [1.0]]), np.array([-1.5])


def xor_network_flat_w2():
    """Right weights, but W2 of shape (h,) and b2 a float instead of (h, 1) and (1,)."""
    W1 = np.array([[20.0, -20.0], [20.0, -20.0]])
    b1 = np.array([-10.0, 30.0])
    return W1, b1, np.array([20.0, 20.0]), -30.0


def mlp_forward_w1_transposed(X, W1, b1, W2, b2):
    """X @ W1.T, the slide's W¹X copied for row samples (runs only when d = h)."""
    h = sigmoid(np.asarray(X) @ np.asarray(W1).T + b1)
    return sigmoid(h @ np.asarray(W2) + b2)


def mlp_forward_no_hidden_sigmoid(X, W1, b1, W2, b2):
    """Forgets the hidden layer's sigmoid: a linear hidden layer."""
    h = np.asarray(X) @ np.asarray(W1) + b1
    return sigmoid(h @ np.asarray(W2) + b2)


def mlp_forward_no_output_sigmoid(X, W1, b1, W2, b2):
    """Forgets the output layer's sigmoid: returns the logits."""
    h = sigmoid(np.asarray(X) @ np.asarray(W1) + b1)
    return h @ np.asarray(W2) + b2


def mlp_forward_bias_after_sigmoid(X, W1, b1, W2, b2):
    """Adds each bias after the sigmoid: σ(XW1) + b1, σ(hW2) + b2."""
    h = sigmoid(np.asarray(X) @ np.asarray(W1)) + b1
    return sigmoid(h @ np.asarray(W2)) + b2


def count_parameters_no_biases(layer_sizes):
    """Counts the weights only: Σ nᵢ·nᵢ₊₁."""
    s = list(layer_sizes)
    return int(sum(a * b for a, b in zip(s, s[1:], strict=False)))


def count_parameters_biases_of_inputs(layer_sizes):
    """One bias per input unit of each layer instead of per output unit: Σ (nᵢ·nᵢ₊₁ + nᵢ)."""
    s = list(layer_sizes)
    return int(sum(a * b + a for a, b in zip(s, s[1:], strict=False)))


def count_parameters_input_layer_biases(layer_sizes):
    """Gives the input layer biases too: Σ nᵢ·nᵢ₊₁ + Σ nᵢ over all layers."""
    s = list(layer_sizes)
    return int(sum(a * b for a, b in zip(s, s[1:], strict=False)) + sum(s))
