"""A complete, correct submission, written differently from the reference on purpose."""

import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    # σ(x) = exp(−log(1 + e^(−x))), with logaddexp so nothing overflows
    return np.exp(-np.logaddexp(0.0, -x))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s - s * s


def tanh(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-2.0 * np.abs(x))
    return np.sign(x) * (1.0 - e) / (1.0 + e)


def tanh_grad(x):
    return 1.0 / np.cosh(np.clip(np.asarray(x, dtype=float), -350, 350)) ** 2


def relu(x):
    x = np.asarray(x, dtype=float)
    return x * (x > 0)


def relu_grad(x):
    return np.where(np.asarray(x) > 0, 1.0, 0.0)


def leaky_relu(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0) + alpha * np.minimum(x, 0.0)


def leaky_relu_grad(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    grad = np.full(x.shape, float(alpha))
    grad[x > 0] = 1.0
    return grad


def softmax(z):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return np.exp(shifted - log_norm)


def maxout(X, W, b):
    n, m = X.shape[0], W.shape[1]
    out = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            out[i, j] = max(X[i] @ W[:, j, p] + b[j, p] for p in range(W.shape[2]))
    return out
