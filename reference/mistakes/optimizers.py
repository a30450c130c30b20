"""Catalogued mistakes of chapter 5 (optimizers)."""

from __future__ import annotations

import numpy as np


def _f(x):
    return np.asarray(x, dtype=np.float64)


def minibatches_no_shuffle(n, batch_size, seed):
    """Cuts range(n) in order: never shuffles."""
    idx = np.arange(n, dtype=np.int64)
    return [idx[i : i + batch_size] for i in range(0, n, batch_size)]


def minibatches_drop_last(n, batch_size, seed):
    """Drops the last partial batch: some samples are never used."""
    idx = np.random.default_rng(seed).permutation(n).astype(np.int64)
    return [idx[i : i + batch_size] for i in range(0, n - batch_size + 1, batch_size)]


def minibatches_global_seed(n, batch_size, seed):
    """np.random.seed(seed) + np.random.permutation: reseeds NumPy's global generator."""
    np.random.seed(seed)
    idx = np.random.permutation(n).astype(np.int64)
    return [idx[i : i + batch_size] for i in range(0, n, batch_size)]


def minibatches_ignores_seed(n, batch_size, seed):
    """np.random.default_rng() without the seed: a different split on every call."""
    idx = np.random.default_rng().permutation(n).astype(np.int64)
    return [idx[i : i + batch_size] for i in range(0, n, batch_size)]


def minibatches_with_replacement(n, batch_size, seed):
    """Draws indices with replacement (rng.integers): repeats some samples, misses others."""
    idx = np.random.default_rng(seed).integers(0, n, size=n).astype(np.int64)
    return [idx[i : i + batch_size] for i in range(0, n, batch_size)]


def minibatches_batch_count_swapped(n, batch_size, seed):
    """np.array_split(perm, batch_size): batch_size batches instead of batches of batch_size."""
    idx = np.random.default_rng(seed).permutation(n).astype(np.int64)
    return list(np.array_split(idx, batch_size))


def sgd_step_adds_gradient(param, grad, lr):
    """param + lr·grad: gradient ascent."""
    return _f(param) + lr * _f(grad)


def sgd_step_in_place(param, grad, lr):
    """param -= lr·grad: right value, but modifies the caller's array."""
    param -= lr * grad
    return param


def momentum_step_lr_in_velocity(param, grad, velocity, lr, momentum=0.9):
    """The other textbook form v ← μv − lr·g, param ← param + v: same param, different velocity."""
    v = momentum * _f(velocity) - lr * _f(grad)
    return _f(param) + v, v


def momentum_step_ema(param, grad, velocity, lr, momentum=0.9):
    """v ← μv + (1 − μ)g (an exponential average, a dampened momentum): steps 1/(1 − μ) smaller."""
    v = momentum * _f(velocity) + (1 - momentum) * _f(grad)
    return _f(param) - lr * v, v


def momentum_step_old_velocity(param, grad, velocity, lr, momentum=0.9):
    """Moves the parameter with the old velocity, then updates v."""
    new_param = _f(param) - lr * _f(velocity)
    return new_param, momentum * _f(velocity) + _f(grad)


def momentum_step_in_place(param, grad, velocity, lr, momentum=0.9):
    """velocity *= μ; velocity += g; param -= lr·velocity: modifies the caller's arrays."""
    velocity *= momentum
    velocity += grad
    param -= lr * velocity
    return param, velocity


def adagrad_step_eps_inside_sqrt(param, grad, sum_sq, lr=0.01, eps=1e-10):
    """param − lr·g / √(G + eps): ε inside the root."""
    g = _f(grad)
    G = _f(sum_sq) + g * g
    return _f(param) - lr * g / np.sqrt(G + eps), G


def adagrad_step_no_accumulation(param, grad, sum_sq, lr=0.01, eps=1e-10):
    """G ← g²: keeps only the current squared gradient instead of the running sum."""
    g = _f(grad)
    G = g * g
    return _f(param) - lr * g / (np.sqrt(G) + eps), G


def adagrad_step_old_sum(param, grad, sum_sq, lr=0.01, eps=1e-10):
    """Divides by the sum before adding g² (on the first step, by ε alone)."""
    g = _f(grad)
    G = _f(sum_sq)
    return _f(param) - lr * g / (np.sqrt(G) + eps), G + g * g


def rmsprop_step_accumulates_like_adagrad(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    """s ← s + g²: a running sum, as in Adagrad, instead of a moving average."""
    g = _f(grad)
    s = _f(sq_avg) + g * g
    return _f(param) - lr * g / (np.sqrt(s) + eps), s


def rmsprop_step_alpha_swapped(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    """s ← (1 − α)s + α·g²: α on the wrong term."""
    g = _f(grad)
    s = (1 - alpha) * _f(sq_avg) + alpha * g * g
    return _f(param) - lr * g / (np.sqrt(s) + eps), s


def rmsprop_step_eps_inside_sqrt(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    """param − lr·g / √(s + eps): ε inside the root."""
    g = _f(grad)
    s = alpha * _f(sq_avg) + (1 - alpha) * g * g
    return _f(param) - lr * g / np.sqrt(s + eps), s


def _adam(param, grad, m, v, t, lr, beta1, beta2, eps, *, correct=True, t_shift=0,
          eps_inside=False, store_hat=False):
    g = _f(grad)
    m = beta1 * _f(m) + (1 - beta1) * g
    v = beta2 * _f(v) + (1 - beta2) * g * g
    with np.errstate(divide="ignore", invalid="ignore"):
        if correct:
            m_hat = m / (1 - beta1 ** (t + t_shift))
            v_hat = v / (1 - beta2 ** (t + t_shift))
        else:
            m_hat, v_hat = m, v
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        new = _f(param) - lr * m_hat / denom
    if store_hat:
        return new, m_hat, v_hat
    return new, m, v


def adam_step_no_bias_correction(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Uses m and v directly, without dividing by 1 − βᵗ."""
    return _adam(param, grad, m, v, t, lr, beta1, beta2, eps, correct=False)


def adam_step_t_from_zero(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Counts steps from 0: bias correction with t − 1, so 1 − β⁰ = 0 on the first step."""
    return _adam(param, grad, m, v, t, lr, beta1, beta2, eps, t_shift=-1)


def adam_step_eps_inside_sqrt(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """The slide's √(v̂ + ε): ε inside the root, where PyTorch and Kingma & Ba put it outside."""
    return _adam(param, grad, m, v, t, lr, beta1, beta2, eps, eps_inside=True)


def adam_step_returns_corrected_moments(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999,
                                        eps=1e-8):
    """Returns the bias-corrected m̂, v̂ as the new state instead of m, v."""
    return _adam(param, grad, m, v, t, lr, beta1, beta2, eps, store_hat=True)


def adam_step_in_place(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Updates m, v and param with *=, += and -=: modifies the caller's arrays."""
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    param -= lr * m_hat / (np.sqrt(v_hat) + eps)
    return param, m, v


def rmsprop_step_ignores_alpha(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    """Always uses α = 0.99, whatever alpha it is given (0.99 is only the default)."""
    g = _f(grad)
    s = 0.99 * _f(sq_avg) + 0.01 * g * g
    return _f(param) - lr * g / (np.sqrt(s) + eps), s


def adam_step_ignores_betas(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Always uses β₁ = 0.9 and β₂ = 0.999, whatever betas it is given (only the defaults)."""
    return _adam(param, grad, m, v, t, lr, 0.9, 0.999, eps)


def momentum_step_lr_in_buffer(param, grad, velocity, lr, momentum=0.9):
    """v ← μv + lr·g, p ← p − v: the buffer holds lr·(PyTorch's buffer) and comes back scaled."""
    v = momentum * _f(velocity) + lr * _f(grad)
    return _f(param) - v, v


def adagrad_step_fixed_eps_inside_sqrt(param, grad, sum_sq, lr=0.01, eps=1e-10):
    """√(G + 1e-7): ε inside the root and fixed, whatever eps is passed."""
    g = _f(grad)
    G = _f(sum_sq) + g * g
    return _f(param) - lr * g / np.sqrt(G + 1e-7), G


def rmsprop_step_fixed_eps_inside_sqrt(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    """√(s + 1e-6): ε inside the root and fixed, whatever eps is passed."""
    g = _f(grad)
    s = alpha * _f(sq_avg) + (1 - alpha) * g * g
    return _f(param) - lr * g / np.sqrt(s + 1e-6), s


def adam_step_folded_correction(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """lr_t = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ), p ← p − lr_t·m/(√v + ε): ε added to √v, not to √v̂."""
    g = _f(grad)
    m = beta1 * _f(m) + (1 - beta1) * g
    v = beta2 * _f(v) + (1 - beta2) * g * g
    step = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    return _f(param) - step * m / (np.sqrt(v) + eps), m, v
