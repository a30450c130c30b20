"""Catalogued mistakes of chapter 3 (activation functions)."""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid, tanh


def sigmoid_naive(x):
    """Correct in value but overflows in e^(−x) for x ≪ 0 (a RuntimeWarning, not a wrong value)."""
    x = np.asarray(x, dtype=np.float64)
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_grad_on_input(x):
    """σ′ written as x(1 − x): the formula applied to the input instead of to σ(x)."""
    x = np.asarray(x, dtype=np.float64)
    return x * (1.0 - x)


def sigmoid_grad_mixed(x):
    """σ′ written as σ(x)(1 − x)."""
    x = np.asarray(x, dtype=np.float64)
    return sigmoid(x) * (1.0 - x)


def tanh_naive(x):
    """(eˣ − e⁻ˣ) / (eˣ + e⁻ˣ) as written: inf/inf = NaN for |x| ≳ 710."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))


def tanh_grad_on_input(x):
    """tanh′ written as 1 − x²."""
    x = np.asarray(x, dtype=np.float64)
    return 1.0 - x**2


def tanh_grad_no_square(x):
    """tanh′ written as 1 − tanh(x)."""
    return 1.0 - tanh(x)


def relu_grad_at_zero_one(x):
    """relu′ with x >= 0: 1 at the kink, where the slide takes 0."""
    return (np.asarray(x, dtype=np.float64) >= 0).astype(np.float64)


def relu_as_abs(x):
    """|x| instead of max(0, x)."""
    return np.abs(np.asarray(x, dtype=np.float64))


def leaky_relu_ignores_alpha(x, alpha=0.01):
    """leaky_relu that always uses 0.01, whatever alpha it is given."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x, 0.01 * x)


def leaky_relu_grad_zero_negative(x, alpha=0.01):
    """leaky_relu′ with 0 at the negatives: the ReLU derivative."""
    return (np.asarray(x, dtype=np.float64) > 0).astype(np.float64)


def leaky_relu_grad_at_zero_one(x, alpha=0.01):
    """leaky_relu′ with x >= 0: 1 at the kink, where the convention is alpha."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x >= 0, 1.0, float(alpha))


def softmax_no_shift(z):
    """e^z / Σe^z without subtracting the max: NaN for logits ≳ 710."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / np.sum(e, axis=-1, keepdims=True)


def softmax_axis0(z):
    """Softmax along axis 0 (columns) instead of the last axis."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def softmax_global_sum(z):
    """Normalised by the sum over the whole array instead of each row."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def maxout_min(X, W, b):
    """Takes the minimum over the pieces instead of the maximum."""
    z = np.einsum("id,djp->ijp", X, W) + b
    return np.min(z, axis=-1)


def maxout_no_bias(X, W, b):
    """Forgets the bias b."""
    return np.max(np.einsum("id,djp->ijp", X, W), axis=-1)


def softmax_axis1(z):
    """Normalises along axis 1: right for an (n, k) batch, an AxisError for a (k,) vector."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)
