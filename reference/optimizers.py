"""Chapter 5, optimizers (优化器): reference implementations.

Each step takes the parameter, its gradient and the optimizer state and returns the new parameter
and the new state as fresh float64 arrays; the inputs are left unchanged. Conventions and defaults
are those of torch.optim (ε outside the square root, momentum as v ← μv + g).
"""

from __future__ import annotations

import numpy as np


def _as_float(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def minibatches(n, batch_size, seed):
    """Shuffle range(n) with np.random.default_rng(seed); cut in batches, the last one the rest."""
    n, batch_size = int(n), int(batch_size)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = np.random.default_rng(seed).permutation(n).astype(np.int64)
    return [order[i : i + batch_size].copy() for i in range(0, n, batch_size)]


def sgd_step(param, grad, lr):
    """param − lr·grad."""
    return _as_float(param) - lr * _as_float(grad)


def momentum_step(param, grad, velocity, lr, momentum=0.9):
    """PyTorch's form: v ← μ·v + g, param ← param − lr·v; returns (param, v)."""
    v = momentum * _as_float(velocity) + _as_float(grad)
    return _as_float(param) - lr * v, v


def adagrad_step(param, grad, sum_sq, lr=0.01, eps=1e-10):
    """G ← G + g², param ← param − lr·g / (√G + eps) (ε outside the root); returns (param, G)."""
    g = _as_float(grad)
    G = _as_float(sum_sq) + g * g
    return _as_float(param) - lr * g / (np.sqrt(G) + eps), G


def rmsprop_step(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    """s ← α·s + (1 − α)·g², param ← param − lr·g / (√s + eps); returns (param, s)."""
    g = _as_float(grad)
    s = alpha * _as_float(sq_avg) + (1.0 - alpha) * g * g
    return _as_float(param) - lr * g / (np.sqrt(s) + eps), s


def adam_step(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam, t the 1-based step: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), param − lr·m̂/(√v̂ + eps)."""
    if int(t) != t or t < 1:
        raise ValueError(f"t is the 1-based step number, got {t!r}")
    g = _as_float(grad)
    m = beta1 * _as_float(m) + (1.0 - beta1) * g
    v = beta2 * _as_float(v) + (1.0 - beta2) * g * g
    m_hat = m / (1.0 - beta1**t)
    v_hat = v / (1.0 - beta2**t)
    return _as_float(param) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
