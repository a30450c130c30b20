"""A complete submission of a student who uses PyTorch: chapter 3 in torch (float32, autograd for
tanh_grad), the other chapters in NumPy (as submissions/correct.py, with NumPy helpers of its own).

Benchmark data (benchmarks/run.py, section 2): a torch import in the worker is what it costs.
"""

import numpy as np
import torch


def _t(x):
    return torch.as_tensor(np.asarray(x), dtype=torch.float32)


def sigmoid(x):
    return torch.sigmoid(_t(x))


def sigmoid_grad(x):
    s = torch.sigmoid(_t(x))
    return s * (1 - s)


def tanh(x):
    return torch.tanh(_t(x))


def tanh_grad(x):
    t = _t(x).requires_grad_(True)
    (g,) = torch.autograd.grad(torch.tanh(t).sum(), t)
    return g


def relu(x):
    return torch.relu(_t(x))


def relu_grad(x):
    return (_t(x) > 0).float()


def leaky_relu(x, alpha=0.01):
    return torch.nn.functional.leaky_relu(_t(x), negative_slope=alpha)


def leaky_relu_grad(x, alpha=0.01):
    t = _t(x)
    return torch.where(t > 0, torch.ones_like(t), torch.full_like(t, alpha))


def softmax(z):
    return torch.softmax(_t(z), dim=-1)


def maxout(X, W, b):
    z = torch.einsum("id,djp->ijp", _t(X), _t(W)) + _t(b)
    return z.max(dim=-1).values


def _np_sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x))


def _np_softmax(z):
    z = np.asarray(z, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    return np.exp(shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True)))


# ----------------------------------------------------------------------------- chapter 2


def sign(x):
    x = np.asarray(x, dtype=float)
    return 1.0 - 2.0 * (x < 0)          # sign(0) = 1, as on the slide


def step(x):
    return np.heaviside(np.asarray(x, dtype=float), 0.0)   # step(0) = 0


ACTIVATIONS = {"sign": sign, "step": step, "sigmoid": sigmoid, "tanh": tanh, "relu": relu}


def neuron(x, w, b, activation):
    z = np.dot(np.asarray(x, dtype=float), np.asarray(w, dtype=float)) + b
    return ACTIVATIONS[activation](z)


def logic_gates():
    # every pre-activation is ±1 or ±3: at least 1 away from 0
    return {
        "AND": (np.array([2.0, 2.0]), -3.0),
        "OR": (np.array([2.0, 2.0]), -1.0),
        "NAND": (np.array([-2.0, -2.0]), 3.0),
        "NOR": (np.array([-2.0, -2.0]), 1.0),
    }


def xor_network():
    # hidden units: OR and AND; output: OR and not AND
    W1 = np.array([[2.0, 2.0], [2.0, 2.0]])
    b1 = np.array([-1.0, -3.0])
    W2 = np.array([[2.0], [-4.0]])
    b2 = np.array([-1.0])
    return W1, b1, W2, b2


def mlp_forward(X, W1, b1, W2, b2):
    a = np.asarray(X, dtype=float)
    for W, b in ((W1, b1), (W2, b2)):
        a = _np_sigmoid(a @ W + b)
    return a


def count_parameters(layer_sizes):
    sizes = np.asarray(layer_sizes, dtype=np.int64)
    return int(sizes[:-1] @ sizes[1:] + sizes[1:].sum())


# ----------------------------------------------------------------------------- chapter 4


def mse_loss(y, y_hat):
    d = (np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)).ravel()
    return float(d @ d / (2 * len(y)))


def mse_grad(y, y_hat):
    return (np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)) / np.shape(y)[0]


def cross_entropy(y, p):
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    hit = y > 0                          # 0·log 0 counts as 0: skip those terms
    with np.errstate(divide="ignore"):   # log(0) where y = 1 is −inf: the loss is inf
        return float(-np.sum(y[hit] * np.log(p[hit])))


def binary_cross_entropy(y, p):
    y, p = np.asarray(y, dtype=float), np.asarray(p, dtype=float)
    return float(-np.sum(np.log(np.where(y == 1, p, 1.0 - p))))


def softmax_cross_entropy_grad(y, z):
    return _np_softmax(z) - np.asarray(y, dtype=float)


def chain_forward(x, w, b):
    activations = [float(x)]
    for w_l, b_l in zip(w, b, strict=False):
        activations.append(float(_np_sigmoid(w_l * activations[-1] + b_l)))
    return np.array(activations)


def chain_backward(x, w, b, y):
    a = chain_forward(x, w, b)
    dw, db = np.zeros(len(w)), np.zeros(len(w))
    upstream = a[-1] - y                 # ∂loss/∂a^(L+1)
    for layer in reversed(range(len(w))):
        dz = upstream * a[layer + 1] * (1.0 - a[layer + 1])
        dw[layer], db[layer] = dz * a[layer], dz
        upstream = dz * w[layer]
    return dw, db


def gd_step(w, grad, lr):
    return np.subtract(w, lr * np.asarray(grad, dtype=float))


def mlp_backward(X, Y, W1, b1, W2, b2):
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    H = _np_sigmoid(X @ W1 + b1)
    Y_hat = _np_sigmoid(H @ W2 + b2)
    dZ2 = (Y_hat - Y) * Y_hat * (1.0 - Y_hat) / len(X)
    dZ1 = np.einsum("nk,hk->nh", dZ2, W2) * H * (1.0 - H)
    return {"W1": np.einsum("nd,nh->dh", X, dZ1), "b1": dZ1.sum(axis=0),
            "W2": np.einsum("nh,nk->hk", H, dZ2), "b2": dZ2.sum(axis=0)}


# ----------------------------------------------------------------------------- chapter 5


def minibatches(n, batch_size, seed):
    order = np.arange(n)
    np.random.default_rng(seed).shuffle(order)
    cuts = np.arange(batch_size, n, batch_size)
    return [batch for batch in np.split(order, cuts) if len(batch)]


def sgd_step(param, grad, lr):
    return np.asarray(param, dtype=float) - lr * np.asarray(grad, dtype=float)


def momentum_step(param, grad, velocity, lr, momentum=0.9):
    v = momentum * np.asarray(velocity, dtype=float) + grad      # PyTorch's form
    return param - lr * v, v


def adagrad_step(param, grad, sum_sq, lr=0.01, eps=1e-10):
    G = sum_sq + np.square(grad)
    return param - lr * grad / (np.sqrt(G) + eps), G


def rmsprop_step(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    s = sq_avg + (1.0 - alpha) * (np.square(grad) - sq_avg)       # = α·s + (1 − α)·g²
    return param - lr * grad / (np.sqrt(s) + eps), s


def adam_step(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1.0 - beta1) * grad
    v = beta2 * v + (1.0 - beta2) * np.square(grad)
    # torch.optim.Adam's arithmetic: the bias corrections folded into the step size
    step_size = lr / (1.0 - beta1**t)
    denom = np.sqrt(v) / np.sqrt(1.0 - beta2**t) + eps
    return param - step_size * m / denom, m, v


# ----------------------------------------------------------------------------- capstone

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([[0.0], [1.0], [1.0], [0.0]])


def train_xor(seed, hidden=6, steps=400, lr=0.1):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(2, hidden)), "b1": np.zeros(hidden),
              "W2": rng.normal(size=(hidden, 1)), "b2": np.zeros(1)}
    moments = {k: (np.zeros_like(p), np.zeros_like(p)) for k, p in params.items()}
    for t in range(1, steps + 1):
        grads = mlp_backward(XOR_X, XOR_Y, params["W1"], params["b1"], params["W2"], params["b2"])
        for k in params:
            m, v = moments[k]
            params[k], m, v = adam_step(params[k], grads[k], m, v, t, lr=lr)
            moments[k] = (m, v)
    return params["W1"], params["b1"], params["W2"], params["b2"]
