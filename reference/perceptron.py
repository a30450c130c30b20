"""Chapter 2, from the perceptron to neural networks (从感知机到神经网络): reference implementations.

Elementwise functions accept arrays of any shape (0-d included). Nothing here modifies its input;
every array returned is a new float64 array.
"""

from __future__ import annotations

import numpy as np

from .activations import relu, sigmoid, tanh


def _as_float(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def sign(x):
    """1 where x >= 0, else −1: the slide's sign function, so sign(0) = 1 (np.sign(0) is 0)."""
    return np.where(_as_float(x) >= 0, 1.0, -1.0)


def step(x):
    """The slide's threshold activation: 1 where x > 0, else 0 (strict, so step(0) = 0)."""
    return np.where(_as_float(x) > 0, 1.0, 0.0)


_ACTIVATIONS = {"sign": sign, "step": step, "sigmoid": sigmoid, "tanh": tanh, "relu": relu}


def neuron(x, w, b, activation):
    """One neuron y = f(wᵀx + b); x is (n, d), a sample a row, or (d,); returns (n,) or ()."""
    try:
        f = _ACTIVATIONS[activation]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {activation!r}; expected one of {sorted(_ACTIVATIONS)}"
        ) from None
    return f(np.asarray(_as_float(x) @ _as_float(w) + float(b)))


def logic_gates():
    """Weights (w, b) per gate such that step(w·x + b) is its truth table, every |w·x + b| ≥ 10."""
    def gate(w1, w2, b):
        return np.array([w1, w2], dtype=np.float64), float(b)

    return {
        "AND": gate(20.0, 20.0, -30.0),
        "OR": gate(20.0, 20.0, -10.0),
        "NAND": gate(-20.0, -20.0, 30.0),
        "NOR": gate(-20.0, -20.0, 10.0),  # the slide's NOR
    }


def xor_network():
    """XOR = AND(OR(x), NAND(x)): hidden units OR and NAND (h = 2), output AND; margins ≥ 10."""
    W1 = np.array([[20.0, -20.0], [20.0, -20.0]])  # column 0: OR, column 1: NAND
    b1 = np.array([-10.0, 30.0])
    W2 = np.array([[20.0], [20.0]])  # AND of the two hidden units
    b2 = np.array([-30.0])
    return W1, b1, W2, b2


def mlp_forward(X, W1, b1, W2, b2):
    """Two-layer MLP, samples as rows: h = σ(X W1 + b1), y = σ(h W2 + b2); returns (n, k)."""
    h = sigmoid(_as_float(X) @ _as_float(W1) + _as_float(b1))
    return sigmoid(h @ _as_float(W2) + _as_float(b2))


def count_parameters(layer_sizes):
    """Weights and biases of a fully connected network: Σ (nᵢ·nᵢ₊₁ + nᵢ₊₁); returns an int."""
    sizes = [int(s) for s in layer_sizes]
    return int(sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False)))
