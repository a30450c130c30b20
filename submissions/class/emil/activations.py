"""Emil hands in a folder: the forward functions here, the derivatives in grads.py."""

import numpy as np


def sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def tanh(x):
    return np.tanh(np.asarray(x, dtype=float))


def relu(x):
    return np.maximum(np.asarray(x, dtype=float), 0.0)


def leaky_relu(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * x)


def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
