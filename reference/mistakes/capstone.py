"""Catalogued mistakes of the capstone (training a 2-h-1 MLP on XOR)."""

from __future__ import annotations

import numpy as np

from ..capstone import HIDDEN, LR, STEPS, XOR_X, XOR_Y
from ..losses import mlp_backward
from ..optimizers import adam_step


def _train(seed, *, zero_init=False, grad_sign=1.0, hidden=HIDDEN):
    rng = np.random.default_rng(seed)
    if zero_init:
        params = {"W1": np.zeros((2, hidden)), "b1": np.zeros(hidden),
                  "W2": np.zeros((hidden, 1)), "b2": np.zeros(1)}
    else:
        params = {"W1": rng.normal(0.0, 1.0, (2, hidden)), "b1": np.zeros(hidden),
                  "W2": rng.normal(0.0, 1.0, (hidden, 1)), "b2": np.zeros(1)}
    m = {k: np.zeros_like(p) for k, p in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    for t in range(1, STEPS + 1):
        grads = mlp_backward(XOR_X, XOR_Y, params["W1"], params["b1"], params["W2"], params["b2"])
        for k in params:
            g = grad_sign * grads[k]
            params[k], m[k], v[k] = adam_step(params[k], g, m[k], v[k], t, lr=LR)
    return params["W1"], params["b1"], params["W2"], params["b2"]


def train_xor_zero_init(seed):
    """All weights start at 0: the hidden units stay identical (symmetry never breaks)."""
    return _train(seed, zero_init=True)


def train_xor_gradient_ascent(seed):
    """Steps along +gradient: the loss grows."""
    return _train(seed, grad_sign=-1.0)


def train_xor_one_hidden_unit(seed):
    """h = 1: a 2-1-1 network's output is monotone in one linear function of x, so never XOR."""
    return _train(seed, hidden=1)

