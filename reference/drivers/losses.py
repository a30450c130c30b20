"""Objectives of chapter 4: the scalars whose gradients the exercises compute."""

from __future__ import annotations

import numpy as np

from ..losses import cross_entropy, mse_loss


def cross_entropy_of_softmax(case, probabilities):
    """cross_entropy(y, softmax(z)), given softmax(z): softmax_cross_entropy_grad's loss."""
    return cross_entropy(case["y"], probabilities)


def chain_loss(case, activations):
    """½ (a^(L+1) − y)², given the chain's activations [a¹, …, a^(L+1)]."""
    last = float(np.asarray(activations, dtype=np.float64).reshape(-1)[-1])
    return 0.5 * (last - float(case["y"])) ** 2


def mlp_loss(case, outputs):
    """mse_loss(Y, mlp_forward(X, W1, b1, W2, b2)), given the network's outputs."""
    return mse_loss(case["Y"], outputs)
