"""Catalogued mistakes of chapter 4 (loss functions and backpropagation)."""

from __future__ import annotations

import numpy as np

from ..activations import sigmoid, sigmoid_grad, softmax
from ..losses import chain_forward


def mse_loss_mean_no_half(y, y_hat):
    """mean((y − ŷ)²): PyTorch's MSELoss, without the slide's ½ (and /entries, not /n)."""
    y, y_hat = np.asarray(y, dtype=np.float64), np.asarray(y_hat, dtype=np.float64)
    return float(np.mean((y - y_hat) ** 2))


def mse_loss_divide_by_n(y, y_hat):
    """Σ (y − ŷ)² / n: forgets the ½ of 1/(2n)."""
    y, y_hat = np.asarray(y, dtype=np.float64), np.asarray(y_hat, dtype=np.float64)
    return float(np.sum((y - y_hat) ** 2) / len(y))


def mse_loss_half_mean_over_entries(y, y_hat):
    """0.5·mean((y − ŷ)²): right for 1-d targets, but divides by 2·n·k for (n, k) targets."""
    y, y_hat = np.asarray(y, dtype=np.float64), np.asarray(y_hat, dtype=np.float64)
    return float(0.5 * np.mean((y - y_hat) ** 2))


def mse_loss_no_division(y, y_hat):
    """½ Σ (y − ŷ)²: forgets the 1/n."""
    y, y_hat = np.asarray(y, dtype=np.float64), np.asarray(y_hat, dtype=np.float64)
    return float(0.5 * np.sum((y - y_hat) ** 2))


def mse_grad_sign_flipped(y, y_hat):
    """(y − ŷ) / n: the derivative with respect to y, not ŷ."""
    y, y_hat = np.asarray(y, dtype=np.float64), np.asarray(y_hat, dtype=np.float64)
    return (y - y_hat) / len(y)


def mse_grad_no_division(y, y_hat):
    """ŷ − y: forgets the 1/n."""
    return np.asarray(y_hat, dtype=np.float64) - np.asarray(y, dtype=np.float64)


def mse_grad_factor_two(y, y_hat):
    """2(ŷ − y) / n: the derivative of the loss without the ½."""
    y, y_hat = np.asarray(y, dtype=np.float64), np.asarray(y_hat, dtype=np.float64)
    return 2.0 * (y_hat - y) / len(y)


def mse_grad_divide_by_2n(y, y_hat):
    """(ŷ − y) / (2n): keeps the ½ but forgets the 2 of the square's derivative."""
    y, y_hat = np.asarray(y, dtype=np.float64), np.asarray(y_hat, dtype=np.float64)
    return (y_hat - y) / (2 * len(y))


def cross_entropy_mean(y, p):
    """Mean over the samples (PyTorch's default reduction) instead of the slide's sum."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(np.where(y != 0, y * np.log(p), 0.0)) / len(y))


def cross_entropy_mean_over_entries(y, p):
    """−mean(y·log p) over all n·K entries."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.mean(np.where(y != 0, y * np.log(p), 0.0)))


def cross_entropy_swapped(y, p):
    """−Σ p·log y: the arguments swapped (log 0 of the one-hot zeros gives inf)."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(p * np.log(y)))


def cross_entropy_no_minus(y, p):
    """Σ y·log p: forgets the minus sign (a negative loss)."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(np.where(y != 0, y * np.log(p), 0.0)))


def cross_entropy_naive_log(y, p):
    """−Σ y·log p as written: 0·log 0 = 0·(−inf) = NaN where p is 0 and y is 0."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(y * np.log(p)))


def cross_entropy_clipped(y, p):
    """Clips p to [1e-12, 1] first: finite (≈ 27.6) where the contract asks for inf."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    return float(-np.sum(y * np.log(np.clip(p, 1e-12, 1.0))))


def binary_cross_entropy_missing_negative_term(y, p):
    """−Σ y·log p: forgets the (1 − y)·log(1 − p) term of the negatives."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(np.where(y != 0, y * np.log(p), 0.0)))


def binary_cross_entropy_mean(y, p):
    """Mean over the samples (PyTorch's default reduction) instead of the slide's sum."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def binary_cross_entropy_swapped_terms(y, p):
    """−Σ [y·log(1 − p) + (1 − y)·log p]: the two logs swapped."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(y * np.log(1 - p) + (1 - y) * np.log(p)))


def binary_cross_entropy_no_minus(y, p):
    """Σ [y·log p + (1 − y)·log(1 − p)]: forgets the minus sign."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)))


def softmax_cross_entropy_grad_divided_by_n(y, z):
    """(softmax(z) − y) / n: the gradient of the mean, not of the slide's sum."""
    y = np.asarray(y, dtype=np.float64)
    return (softmax(z) - y) / len(y)


def softmax_cross_entropy_grad_sign_flipped(y, z):
    """y − softmax(z)."""
    return np.asarray(y, dtype=np.float64) - softmax(z)


def softmax_cross_entropy_grad_no_softmax(y, z):
    """z − y: forgets to turn the logits into probabilities."""
    return np.asarray(z, dtype=np.float64) - np.asarray(y, dtype=np.float64)


def chain_forward_without_input(x, w, b):
    """Returns [a², …, a^(L+1)], shape (L,): forgets a¹ = x."""
    a, out = float(x), []
    for wl, bl in zip(np.asarray(w), np.asarray(b), strict=False):
        a = float(sigmoid(wl * a + bl))
        out.append(a)
    return np.array(out)


def chain_forward_bias_outside_sigmoid(x, w, b):
    """aˡ⁺¹ = σ(wₗ aˡ) + bₗ: the bias added after the activation."""
    out = [float(x)]
    for wl, bl in zip(np.asarray(w), np.asarray(b), strict=False):
        out.append(float(sigmoid(wl * out[-1])) + bl)
    return np.array(out)


def chain_forward_input_every_layer(x, w, b):
    """aˡ⁺¹ = σ(wₗ x + bₗ): feeds the input x to every layer instead of the previous activation."""
    out = [float(x)]
    for wl, bl in zip(np.asarray(w), np.asarray(b), strict=False):
        out.append(float(sigmoid(wl * float(x) + bl)))
    return np.array(out)


def _chain_backward(x, w, b, y, *, skip_last_sigma=False, wrong_w=False, times_input=True,
                    sigma_of_activation=False):
    w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
    a = chain_forward(x, w, b)
    L = len(w)
    dw, db = np.zeros(L), np.zeros(L)
    delta = a[L] - y
    for layer in range(L - 1, -1, -1):
        if skip_last_sigma and layer == L - 1:
            s_prime = 1.0
        elif sigma_of_activation:
            s_prime = float(sigmoid_grad(a[layer + 1]))
        else:
            s_prime = a[layer + 1] * (1 - a[layer + 1])
        dz = delta * s_prime
        dw[layer] = dz * a[layer] if times_input else dz
        db[layer] = dz
        if wrong_w:
            delta = dz * w[layer - 1] if layer > 0 else dz * w[layer]
        else:
            delta = dz * w[layer]
    return dw, db


def chain_backward_missing_last_sigma_prime(x, w, b, y):
    """Leaves out the σ′ factor of the output layer (∂a^(L+1)/∂z taken as 1)."""
    return _chain_backward(x, w, b, y, skip_last_sigma=True)


def chain_backward_wrong_layer_w(x, w, b, y):
    """Propagates ∂L/∂aˡ with wₗ₋₁, the weight of the layer below, instead of wₗ."""
    return _chain_backward(x, w, b, y, wrong_w=True)


def chain_backward_dw_missing_activation(x, w, b, y):
    """∂L/∂wₗ taken equal to ∂L/∂zₗ: forgets the factor aˡ."""
    return _chain_backward(x, w, b, y, times_input=False)


def chain_backward_sigma_prime_of_activation(x, w, b, y):
    """σ′ evaluated at the activation aˡ⁺¹ (sigmoid_grad(a)) instead of at the input z."""
    return _chain_backward(x, w, b, y, sigma_of_activation=True)


def gd_step_adds_gradient(w, grad, lr):
    """w + lr·grad: gradient ascent."""
    return np.asarray(w, dtype=np.float64) + lr * np.asarray(grad, dtype=np.float64)


def gd_step_in_place(w, grad, lr):
    """w -= lr·grad: right value, but modifies the caller's array."""
    w -= lr * grad
    return w


def _mlp_backward(X, Y, W1, b1, W2, b2, *, divide=True, out_sigma=True, hidden_sigma=True,
                  bias_mean=False, sigma_of_activation=False):
    X, Y = np.asarray(X, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    n = len(X)
    H = sigmoid(X @ W1 + b1)
    Y_hat = sigmoid(H @ W2 + b2)
    d_out = (Y_hat - Y) / n if divide else Y_hat - Y
    if sigma_of_activation:
        dZ2 = d_out * sigmoid_grad(Y_hat)
    else:
        dZ2 = d_out * Y_hat * (1 - Y_hat) if out_sigma else d_out
    dH = dZ2 @ np.asarray(W2).T
    if sigma_of_activation:
        dZ1 = dH * sigmoid_grad(H)
    else:
        dZ1 = dH * H * (1 - H) if hidden_sigma else dH
    reduce = np.mean if bias_mean else np.sum
    return {"W1": X.T @ dZ1, "b1": reduce(dZ1, axis=0), "W2": H.T @ dZ2, "b2": reduce(dZ2, axis=0)}


def mlp_backward_missing_1_over_n(X, Y, W1, b1, W2, b2):
    """Forgets the 1/n of the loss: ∂L/∂ŷ = ŷ − Y (the gradient of n times the loss)."""
    return _mlp_backward(X, Y, W1, b1, W2, b2, divide=False)


def mlp_backward_missing_output_sigmoid_grad(X, Y, W1, b1, W2, b2):
    """Leaves out the output sigmoid's derivative ŷ(1 − ŷ)."""
    return _mlp_backward(X, Y, W1, b1, W2, b2, out_sigma=False)


def mlp_backward_missing_hidden_sigmoid_grad(X, Y, W1, b1, W2, b2):
    """Leaves out the hidden sigmoid's derivative h(1 − h)."""
    return _mlp_backward(X, Y, W1, b1, W2, b2, hidden_sigma=False)


def mlp_backward_bias_grad_mean(X, Y, W1, b1, W2, b2):
    """Bias gradients averaged over the samples (a second 1/n) instead of summed."""
    return _mlp_backward(X, Y, W1, b1, W2, b2, bias_mean=True)


def mlp_backward_sigmoid_grad_of_activation(X, Y, W1, b1, W2, b2):
    """sigmoid_grad applied to the activations h and ŷ instead of to the pre-activations."""
    return _mlp_backward(X, Y, W1, b1, W2, b2, sigma_of_activation=True)


def cross_entropy_log_eps(y, p):
    """−Σ y·log(p + ε): a small ε added inside the log, finite where the contract asks for inf."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    return float(-np.sum(y * np.log(p + 1e-9)))
