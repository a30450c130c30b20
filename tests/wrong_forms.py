"""Wrong functions written by us whose real mistake is known: the precision suite of diagnosis.

Each entry of FORMS is (exercise id, wrong function, the catalogued mistake it has or None).
A hint given on one of them must name that mistake (a hint is never wrong); every failing
exercise should get a hint or a symptom (tests/test_diagnosis.py measures how many do). They are
varied on purpose: catalogued mistakes written another way, forms found in courses and
libraries, and subtle mutants no catalogue lists (a factor, a sign, an axis, a region).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def _f(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _sigmoid(x: Any) -> np.ndarray:
    x = _f(x)
    return np.exp(-np.logaddexp(0.0, -x))


def _softmax(z: Any) -> np.ndarray:
    z = _f(z)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


# ----------------------------------------------------------------------------- chapter 2

def sign_positive_only(x):
    return np.where(_f(x) > 0, 1.0, -1.0)  # sign(0) = −1: catalogued as sign_zero_negative


def step_sign_valued(x):
    return np.where(_f(x) > 0, 1.0, -1.0)  # catalogued as step_minus_one_valued


def neuron_bias_twice(x, w, b, activation):
    z = _f(x) @ _f(w) + 2 * b
    return {"sigmoid": _sigmoid, "step": lambda v: (v > 0).astype(float),
            "sign": lambda v: np.where(v >= 0, 1.0, -1.0)}[activation](z)


def mlp_forward_no_output_sigmoid_v2(X, W1, b1, W2, b2):
    h = _sigmoid(_f(X) @ _f(W1) + _f(b1))
    return h @ _f(W2) + _f(b2)  # catalogued as mlp_forward_no_output_sigmoid


def count_parameters_without_biases(layer_sizes):
    s = list(layer_sizes)
    return int(sum(s[i] * s[i + 1] for i in range(len(s) - 1)))


def logic_gates_small_margin():
    """Right tables, but AND's pre-activation is only 0.2 from 0: not a zero margin."""
    return {"AND": (np.array([1.0, 1.0]), -1.8), "OR": (np.array([20.0, 20.0]), -10.0),
            "NAND": (np.array([-20.0, -20.0]), 30.0), "NOR": (np.array([-20.0, -20.0]), 10.0)}


# ----------------------------------------------------------------------------- chapter 3

def sigmoid_grad_negated(x):
    s = _sigmoid(x)
    return s * (s - 1.0)


def sigmoid_grad_in_place(x):
    s = _sigmoid(x)
    if isinstance(x, np.ndarray) and x.ndim:
        x[...] = s * (1.0 - s)
        return x
    return s * (1.0 - s)


def sigmoid_grad_returns_sigmoid(x):
    return _sigmoid(x)


def sigmoid_grad_doubled(x):
    s = _sigmoid(x)
    return 2.0 * s * (1.0 - s)


def tanh_grad_returns_tanh(x):
    return np.tanh(_f(x))


def tanh_grad_sigmoid_grad(x):
    s = _sigmoid(x)
    return s * (1.0 - s)


def tanh_grad_of_input(x):
    x = _f(x)
    return 1.0 - x * x  # catalogued as tanh_grad_on_input


def relu_grad_half_at_negative(x):
    x = _f(x)
    return np.where(x > 0, 1.0, 0.5)


def relu_grad_ge(x):
    return (_f(x) >= 0).astype(np.float64)  # catalogued as relu_grad_at_zero_one


def relu_negated(x):
    return np.minimum(_f(x), 0.0) * -1.0  # −min(x, 0): the negative part, sign flipped


def leaky_relu_fixed_alpha(x, alpha=0.01):
    x = _f(x)
    return np.maximum(x, 0.01 * x)  # catalogued as leaky_relu_ignores_alpha


def leaky_relu_grad_alpha_everywhere(x, alpha=0.01):
    x = _f(x)
    return np.where(x > 0, 1.0, 0.01)


def softmax_axis_one(z):
    z = _f(z)
    e = np.exp(z - np.max(z, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def softmax_axis_one_no_shift(z):
    """The issue's example: AxisError on a vector, NaN on large logits, right on small batches."""
    z = _f(z)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / np.sum(e, axis=1, keepdims=True)


def softmax_columns(z):
    z = _f(z)
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)  # catalogued as softmax_axis0


def tanh_negated(x):
    return -np.tanh(_f(x))


# ----------------------------------------------------------------------------- chapter 4

def mse_loss_doubled(y, y_hat):
    d = _f(y) - _f(y_hat)
    return float(np.sum(d * d) / len(d))  # catalogued as mse_loss_divide_by_n


def mse_loss_per_sample(y, y_hat):
    d = _f(y) - _f(y_hat)
    per = 0.5 * d * d / len(d)
    return per.reshape(len(d), -1).sum(axis=1)


def mse_grad_twice(y, y_hat):
    return 2.0 * (_f(y_hat) - _f(y))


def mse_grad_flipped(y, y_hat):
    return (_f(y) - _f(y_hat)) / len(_f(y))  # catalogued as mse_grad_sign_flipped


def cross_entropy_log_eps(y, p):
    return float(-np.sum(_f(y) * np.log(_f(p) + 1e-9)))


def cross_entropy_batch_mean(y, p):
    y, p = _f(y), _f(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(y > 0, y * np.log(np.where(y > 0, p, 1.0)), 0.0)
    return float(-np.sum(terms) / (len(y) if y.ndim > 1 else 1))


def cross_entropy_mean_and_clipped(y, p):
    y, p = _f(y), _f(p)
    n = len(y) if y.ndim > 1 else 1
    return float(-np.sum(y * np.log(np.clip(p, 1e-12, 1.0))) / n)


def binary_cross_entropy_negated(y, p):
    y, p = _f(y), _f(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(y > 0, y * np.log(np.where(y > 0, p, 1.0)), 0.0) \
            + np.where(y < 1, (1 - y) * np.log(np.where(y < 1, 1 - p, 1.0)), 0.0)
    return float(np.sum(t))  # catalogued as binary_cross_entropy_no_minus


def softmax_cross_entropy_grad_flipped(y, z):
    return _f(y) - _softmax(z)  # catalogued as softmax_cross_entropy_grad_sign_flipped


def softmax_cross_entropy_grad_times_n(y, z):
    y = _f(y)
    return (_softmax(z) - y) * (len(y) if y.ndim > 1 else 1) * 2.0


def gd_step_plus(w, grad, lr):
    return _f(w) + lr * _f(grad)  # catalogued as gd_step_adds_gradient


def gd_step_half_lr(w, grad, lr):
    return _f(w) - 0.5 * lr * _f(grad)


# ----------------------------------------------------------------------------- chapter 5

def sgd_step_double(param, grad, lr):
    return _f(param) - 2.0 * lr * _f(grad)


def momentum_step_lr_inside(param, grad, velocity, lr, momentum=0.9):
    """v ← μv + lr·g, p ← p − v (numpy-ml's form): the velocity comes back scaled by lr."""
    v = momentum * _f(velocity) + lr * _f(grad)
    return _f(param) - v, v


def momentum_step_negative_velocity(param, grad, velocity, lr, momentum=0.9):
    v = momentum * _f(velocity) - lr * _f(grad)
    return _f(param) + v, v  # catalogued as momentum_step_lr_in_velocity


def adagrad_step_fixed_eps_inside(param, grad, sum_sq, lr=0.01, eps=1e-10):
    g = _f(grad)
    G = _f(sum_sq) + g * g
    return _f(param) - lr * g / np.sqrt(G + 1e-7), G


def adagrad_step_root_eps(param, grad, sum_sq, lr=0.01, eps=1e-10):
    g = _f(grad)
    G = _f(sum_sq) + g * g
    return _f(param) - lr * g / np.sqrt(G + eps), G  # catalogued as adagrad_step_eps_inside_sqrt


def rmsprop_step_fixed_eps_inside(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    g = _f(grad)
    s = alpha * _f(sq_avg) + (1 - alpha) * g * g
    return _f(param) - lr * g / np.sqrt(s + 1e-6), s


def rmsprop_step_fixed_alpha(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    g = _f(grad)
    s = 0.9 * _f(sq_avg) + 0.1 * g * g
    return _f(param) - lr * g / (np.sqrt(s) + eps), s


def rmsprop_step_first_square(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    """Starts the average at g² on the first step (a zero state) instead of (1 − α)·g²."""
    g, s = _f(grad), _f(sq_avg)
    s = g * g if not np.any(s) else alpha * s + (1 - alpha) * g * g
    return _f(param) - lr * g / (np.sqrt(s) + eps), s


def adam_step_folded_correction(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """The bias correction folded into the step size, ε added to √v (not to √v̂), as CS231n-style
    notes write it: one scalar alpha_t, then the update."""
    m_new = _f(m) * beta1 + _f(grad) * (1 - beta1)
    v_new = _f(v) * beta2 + _f(grad) ** 2 * (1 - beta2)
    alpha_t = lr * (1 - beta2 ** t) ** 0.5 / (1 - beta1 ** t)
    return _f(param) - alpha_t * m_new / (v_new ** 0.5 + eps), m_new, v_new


def adam_step_t_plus_one(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    g = _f(grad)
    m = beta1 * _f(m) + (1 - beta1) * g
    v = beta2 * _f(v) + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return _f(param) - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_step_uncorrected(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    g = _f(grad)
    m = beta1 * _f(m) + (1 - beta1) * g
    v = beta2 * _f(v) + (1 - beta2) * g * g
    return _f(param) - lr * m / (np.sqrt(v) + eps), m, v  # catalogued: adam_step_no_bias_correction


#: the mistake a form has: one catalogued mistake, a pair of them (a compound), or none
Known = str | tuple[str, ...] | None

def adagrad_step_fixed_eps_1e6(param, grad, sum_sq, lr=0.01, eps=1e-10):
    g = _f(grad)
    G = _f(sum_sq) + g * g
    return _f(param) - lr * g / np.sqrt(G + 1e-6), G  # ε inside the root and fixed: a pair


def binary_cross_entropy_mean_v2(y, p):
    y, p = _f(y), _f(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(y > 0, y * np.log(np.where(y > 0, p, 1.0)), 0.0) \
            + np.where(y < 1, (1 - y) * np.log(np.where(y < 1, 1 - p, 1.0)), 0.0)
    return float(-np.mean(t))


def relu_leaky_by_accident(x):
    x = _f(x)
    return np.where(x > 0, x, 0.1 * x)


def maxout_mean(X, W, b):
    z = np.einsum("id,djp->ijp", _f(X), _f(W)) + _f(b)
    return np.mean(z, axis=-1)


def minibatches_rest_merged(n, batch_size, seed):
    """The rest folded into the last full batch: right up to the end, wrong only at the last batch."""
    order = np.random.default_rng(seed).permutation(n)
    full = n // batch_size
    batches = [order[i * batch_size:(i + 1) * batch_size] for i in range(full)]
    rest = order[full * batch_size:]
    if len(rest) and batches:
        batches[-1] = np.concatenate([batches[-1], rest])
    elif len(rest):
        batches.append(rest)
    return batches


FORMS: list[tuple[str, Callable[..., Any], Known]] = [
    ("sign", sign_positive_only, "sign_zero_negative"),
    ("step", step_sign_valued, "step_minus_one_valued"),
    ("neuron", neuron_bias_twice, None),
    ("mlp_forward", mlp_forward_no_output_sigmoid_v2, "mlp_forward_no_output_sigmoid"),
    ("count_parameters", count_parameters_without_biases, "count_parameters_no_biases"),
    ("logic_gates", logic_gates_small_margin, None),
    ("sigmoid_grad", sigmoid_grad_negated, None),
    ("sigmoid_grad", sigmoid_grad_in_place, None),
    ("sigmoid_grad", sigmoid_grad_returns_sigmoid, None),
    ("sigmoid_grad", sigmoid_grad_doubled, None),
    ("tanh_grad", tanh_grad_returns_tanh, None),
    ("tanh_grad", tanh_grad_sigmoid_grad, None),
    ("tanh_grad", tanh_grad_of_input, "tanh_grad_on_input"),
    ("relu_grad", relu_grad_half_at_negative, None),
    ("relu_grad", relu_grad_ge, "relu_grad_at_zero_one"),
    ("relu", relu_negated, None),
    ("leaky_relu", leaky_relu_fixed_alpha, "leaky_relu_ignores_alpha"),
    ("leaky_relu_grad", leaky_relu_grad_alpha_everywhere, None),
    ("softmax", softmax_axis_one, "softmax_axis1"),
    ("softmax", softmax_columns, "softmax_axis0"),
    ("softmax", softmax_axis_one_no_shift, ("softmax_axis1", "softmax_no_shift")),
    ("tanh", tanh_negated, None),
    ("mse_loss", mse_loss_doubled, "mse_loss_divide_by_n"),
    ("mse_loss", mse_loss_per_sample, None),
    ("mse_grad", mse_grad_twice, None),
    ("mse_grad", mse_grad_flipped, "mse_grad_sign_flipped"),
    ("cross_entropy", cross_entropy_log_eps, "cross_entropy_log_eps"),
    ("cross_entropy", cross_entropy_batch_mean, "cross_entropy_mean"),
    ("cross_entropy", cross_entropy_mean_and_clipped, ("cross_entropy_mean", "cross_entropy_clipped")),
    ("binary_cross_entropy", binary_cross_entropy_negated, "binary_cross_entropy_no_minus"),
    ("softmax_cross_entropy_grad", softmax_cross_entropy_grad_flipped,
     "softmax_cross_entropy_grad_sign_flipped"),
    ("softmax_cross_entropy_grad", softmax_cross_entropy_grad_times_n, None),
    ("gd_step", gd_step_plus, "gd_step_adds_gradient"),
    ("gd_step", gd_step_half_lr, None),
    ("sgd_step", sgd_step_double, None),
    ("minibatches", minibatches_rest_merged, None),
    ("momentum_step", momentum_step_lr_inside, "momentum_step_lr_in_buffer"),
    ("momentum_step", momentum_step_negative_velocity, "momentum_step_lr_in_velocity"),
    ("adagrad_step", adagrad_step_fixed_eps_inside, "adagrad_step_fixed_eps_inside_sqrt"),
    ("adagrad_step", adagrad_step_root_eps, "adagrad_step_eps_inside_sqrt"),
    ("rmsprop_step", rmsprop_step_fixed_eps_inside, "rmsprop_step_fixed_eps_inside_sqrt"),
    ("rmsprop_step", rmsprop_step_fixed_alpha, None),
    ("rmsprop_step", rmsprop_step_first_square, None),
    ("adam_step", adam_step_folded_correction, "adam_step_folded_correction"),
    ("adam_step", adam_step_t_plus_one, None),
    ("adam_step", adam_step_uncorrected, "adam_step_no_bias_correction"),
    ("adagrad_step", adagrad_step_fixed_eps_1e6, ("adagrad_step_eps_inside_sqrt",
                                                  "adagrad_step_fixed_eps_inside_sqrt")),
    ("binary_cross_entropy", binary_cross_entropy_mean_v2, "binary_cross_entropy_mean"),
    ("relu", relu_leaky_by_accident, None),
    ("maxout", maxout_mean, None),
]
