"""A submission with the mistakes students really make (one or more per function)."""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))          # right values, but overflows for x ≪ 0


def sigmoid_grad(x):
    return x * (1 - x)                   # the formula applied to x instead of σ(x)


def tanh(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))   # NaN for |x| ≳ 710


def tanh_grad(x):
    return 1 - np.tanh(x)                # forgot the square


def relu(x):
    return np.maximum(0, x)


def relu_grad(x):
    return (x >= 0).astype(float)        # 1 at the kink


def leaky_relu(x, alpha=0.01):
    return np.where(x > 0, x, 0.01 * x)  # ignores alpha


def leaky_relu_grad(x, alpha=0.01):
    return (x > 0).astype(float)         # 0 at the negatives


def softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=0)             # no shift, and the wrong axis


def maxout(X, W, b):
    return np.max(np.einsum("id,djp->ijp", X, W), axis=-1)   # forgot b
