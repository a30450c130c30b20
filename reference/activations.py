"""Chapter 3, activation functions (激活函数): reference implementations.

Every function is elementwise unless said otherwise, accepts arrays of any shape (0-d included),
never modifies its input and returns a new float64 array of the input's shape.
"""

from __future__ import annotations

import numpy as np


def _as_float(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def sigmoid(x):
    """σ(x) = 1 / (1 + e^(−x)), in the form that never overflows: e^(−|x|) ≤ 1."""
    x = _as_float(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    """σ′(x) = σ(x)(1 − σ(x))."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ); np.tanh is stable for every finite x."""
    return np.tanh(_as_float(x))


def tanh_grad(x):
    """tanh′(x) = 1 − tanh²(x)."""
    t = np.tanh(_as_float(x))
    return 1.0 - t * t


def relu(x):
    """max(0, x)."""
    return np.maximum(_as_float(x), 0.0)


def relu_grad(x):
    """1 where x > 0, else 0: the slide's sub-gradient 0 at the kink x = 0."""
    return (_as_float(x) > 0).astype(np.float64)


def leaky_relu(x, alpha=0.01):
    """x where x > 0, else alpha·x."""
    x = _as_float(x)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x, alpha=0.01):
    """1 where x > 0, else alpha (alpha at the kink, matching relu_grad's choice)."""
    x = _as_float(x)
    return np.where(x > 0, 1.0, float(alpha))


def softmax(z):
    """Softmax along the last axis, with the row maximum subtracted so e^z never overflows."""
    z = _as_float(z)
    if z.ndim == 0:
        return np.ones_like(z)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def maxout(X, W, b):
    """Maxout units: z[i, j, p] = X[i] @ W[:, j, p] + b[j, p]; returns max over p, shape (n, m)."""
    z = np.einsum("id,djp->ijp", _as_float(X), _as_float(W)) + _as_float(b)
    return np.max(z, axis=-1)
