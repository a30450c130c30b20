"""Chapter 4, loss functions and backpropagation (损失函数与反向传播): reference implementations.

Conventions follow the slides: the MSE carries 1/(2n) with n the number of samples, and the
cross-entropies are sums over the samples (PyTorch's default would be the mean). Scalar losses are
returned as Python floats; nothing here modifies its input.
"""

from __future__ import annotations

import numpy as np

from .activations import sigmoid, softmax


def _as_float(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _same_shape(y, y_hat, names=("y", "y_hat")):
    if y.shape != y_hat.shape:
        raise ValueError(f"{names[0]} has shape {y.shape} but {names[1]} has shape {y_hat.shape}")


def _n_samples(y: np.ndarray) -> int:
    if y.ndim == 0:
        raise ValueError("expected at least one sample axis, got a 0-d array")
    return y.shape[0]


def _xlogy(a, p):
    """a·log p elementwise, with 0 where a == 0 (0·log 0 = 0) and −inf where p == 0 < a."""
    with np.errstate(divide="ignore"):
        logp = np.log(np.where(a != 0, p, 1.0))
    return np.where(a != 0, a * logp, 0.0)


def _xlog1my(a, p):
    """a·log(1 − p) elementwise, with 0 where a == 0 and −inf where p == 1 and a > 0."""
    with np.errstate(divide="ignore"):
        log1mp = np.log1p(-np.where(a != 0, p, 0.0))
    return np.where(a != 0, a * log1mp, 0.0)


def mse_loss(y, y_hat):
    """The slide's 1/(2n) Σ (y − ŷ)², n = len(y); 2-d targets are summed over all entries."""
    y, y_hat = _as_float(y), _as_float(y_hat)
    _same_shape(y, y_hat)
    n = _n_samples(y)
    d = y - y_hat
    return float(np.sum(d * d) / (2 * n))


def mse_grad(y, y_hat):
    """∂ mse_loss / ∂ŷ = (ŷ − y) / n, shape of y_hat."""
    y, y_hat = _as_float(y), _as_float(y_hat)
    _same_shape(y, y_hat)
    return (y_hat - y) / _n_samples(y)


def cross_entropy(y, p):
    """−Σᵢ Σₖ yᵢₖ log pᵢₖ, a sum over samples; 0·log 0 counts as 0, y > 0 = p gives inf."""
    y, p = _as_float(y), _as_float(p)
    _same_shape(y, p, ("y", "p"))
    return float(-np.sum(_xlogy(y, p))) + 0.0  # + 0.0 turns −0.0 into 0.0


def binary_cross_entropy(y, p):
    """−Σᵢ [yᵢ log pᵢ + (1 − yᵢ) log(1 − pᵢ)], a sum over samples."""
    y, p = _as_float(y), _as_float(p)
    _same_shape(y, p, ("y", "p"))
    return float(-np.sum(_xlogy(y, p) + _xlog1my(1.0 - y, p))) + 0.0


def softmax_cross_entropy_grad(y, z):
    """∂ cross_entropy(y, softmax(z)) / ∂z = softmax(z) − y, (n, K); no 1/n, the loss is a sum."""
    y, z = _as_float(y), _as_float(z)
    _same_shape(y, z, ("y", "z"))
    return softmax(z) - y


def chain_forward(x, w, b):
    """One-neuron layers: a¹ = x, aˡ⁺¹ = σ(wₗ aˡ + bₗ); returns [a¹, …, a^(L+1)], shape (L+1,)."""
    w, b = _as_float(w), _as_float(b)
    a = np.empty(w.shape[0] + 1, dtype=np.float64)
    a[0] = float(x)
    for layer in range(w.shape[0]):
        a[layer + 1] = sigmoid(w[layer] * a[layer] + b[layer])
    return a


def chain_backward(x, w, b, y):
    """(∂L/∂w, ∂L/∂b) for L = ½ (a^(L+1) − y)², by the chain rule with σ′(zₗ) = aˡ⁺¹(1 − aˡ⁺¹)."""
    w, b = _as_float(w), _as_float(b)
    a = chain_forward(x, w, b)
    n_layers = w.shape[0]
    dw = np.empty(n_layers, dtype=np.float64)
    db = np.empty(n_layers, dtype=np.float64)
    delta = a[n_layers] - float(y)  # ∂L/∂a^(L+1)
    for layer in range(n_layers - 1, -1, -1):
        dz = delta * a[layer + 1] * (1.0 - a[layer + 1])  # ∂L/∂zₗ
        dw[layer] = dz * a[layer]
        db[layer] = dz
        delta = dz * w[layer]  # ∂L/∂aˡ
    return dw, db


def gd_step(w, grad, lr):
    """One gradient-descent step w − lr·grad, as a new array."""
    return _as_float(w) - lr * _as_float(grad)


def mlp_backward(X, Y, W1, b1, W2, b2):
    """Gradients of mse_loss(Y, mlp_forward(X, W1, b1, W2, b2)) by backpropagation, as a dict."""
    X, Y = _as_float(X), _as_float(Y)
    W1, b1, W2, b2 = _as_float(W1), _as_float(b1), _as_float(W2), _as_float(b2)
    n = _n_samples(X)
    H = sigmoid(X @ W1 + b1)
    Y_hat = sigmoid(H @ W2 + b2)
    _same_shape(Y, Y_hat, ("Y", "mlp_forward(X, ...)"))
    dZ2 = (Y_hat - Y) / n * Y_hat * (1.0 - Y_hat)
    dZ1 = (dZ2 @ W2.T) * H * (1.0 - H)
    return {
        "W1": X.T @ dZ1,
        "b1": np.sum(dZ1, axis=0),
        "W2": H.T @ dZ2,
        "b2": np.sum(dZ2, axis=0),
    }
