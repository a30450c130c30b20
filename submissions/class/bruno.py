"""Bruno: a partial submission. The sigmoid family and ReLU are done; the rest is still the starter."""

import numpy as np


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)


def relu(x):
    return np.maximum(0.0, x)


def relu_grad(x):
    return (np.asarray(x) > 0).astype(float)


def tanh(x):
    raise NotImplementedError


def tanh_grad(x):
    raise NotImplementedError


def softmax(z):
    raise NotImplementedError
