"""Chapters 2, 4, 5 and the capstone in PyTorch's default float32, as a student using torch writes them.

Gradients come from autograd, the optimizers use torch.optim's own arithmetic (Adam's bias
corrections folded into the step size and the denominator), every function returns tensors.
"""

import math

import numpy as np
import torch

F32 = torch.float32


def f32(a):
    if isinstance(a, torch.Tensor):
        return a.to(F32)
    return torch.as_tensor(np.asarray(a), dtype=F32)


def sigmoid(x):
    return torch.sigmoid(f32(x))


def softmax(z):
    return torch.softmax(f32(z), dim=-1)


# chapter 2

def sign(x):
    x = f32(x)
    return torch.where(x >= 0, torch.ones_like(x), -torch.ones_like(x))


def step(x):
    return (f32(x) > 0).to(F32)


def neuron(x, w, b, activation):
    z = f32(x) @ f32(w) + float(b)
    return {"sign": sign, "step": step, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
            "relu": torch.relu}[activation](z)


def logic_gates():
    return {"AND": (torch.tensor([10.0, 10.0]), -15.0), "OR": (torch.tensor([10.0, 10.0]), -5.0),
            "NAND": (torch.tensor([-10.0, -10.0]), 15.0), "NOR": (torch.tensor([-10.0, -10.0]), 5.0)}


def xor_network():
    # three hidden units (OR, AND, a spare one that is always off); output OR and not AND
    W1 = torch.tensor([[4.0, 4.0, -1.0], [4.0, 4.0, -1.0]])
    b1 = torch.tensor([-2.0, -6.0, -1.0])
    W2 = torch.tensor([[4.0], [-8.0], [3.0]])
    b2 = torch.tensor([-2.0])
    return W1, b1, W2, b2


def mlp_forward(X, W1, b1, W2, b2):
    return torch.sigmoid(torch.sigmoid(f32(X) @ f32(W1) + f32(b1)) @ f32(W2) + f32(b2))


def count_parameters(layer_sizes):
    sizes = [int(s) for s in layer_sizes]
    return sum(a * b for a, b in zip(sizes, sizes[1:])) + sum(sizes[1:])


# chapter 4

def mse_loss(y, y_hat):
    y, y_hat = f32(y), f32(y_hat)
    return ((y - y_hat) ** 2).sum() / (2 * y.shape[0])


def mse_grad(y, y_hat):
    y_hat = f32(y_hat).detach().clone().requires_grad_(True)
    mse_loss(y, y_hat).backward()
    return y_hat.grad


def cross_entropy(y, p):
    y, p = f32(y), f32(p)
    return -torch.where(y > 0, y * torch.log(p), torch.zeros_like(p)).sum()


def binary_cross_entropy(y, p):
    # reduction="sum", as on the slide (torch's default would be the mean)
    return torch.nn.functional.binary_cross_entropy(f32(p), f32(y), reduction="sum")


def softmax_cross_entropy_grad(y, z):
    z = f32(z).detach().clone().requires_grad_(True)
    torch.nn.functional.cross_entropy(z, f32(y), reduction="sum").backward()
    return z.grad


def chain_forward(x, w, b):
    a = [torch.tensor(float(x))]
    for w_l, b_l in zip(f32(w), f32(b)):
        a.append(torch.sigmoid(w_l * a[-1] + b_l))
    return torch.stack(a)


def chain_backward(x, w, b, y):
    w, b = f32(w).detach().clone().requires_grad_(True), f32(b).detach().clone().requires_grad_(True)
    loss = 0.5 * (chain_forward(x, w, b)[-1] - float(y)) ** 2
    loss.backward()
    return w.grad, b.grad


def gd_step(w, grad, lr):
    return f32(w) - lr * f32(grad)


def mlp_backward(X, Y, W1, b1, W2, b2):
    named = (("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2))
    params = {k: f32(v).detach().clone().requires_grad_(True) for k, v in named}
    mse_loss(Y, mlp_forward(X, *params.values())).backward()
    return {k: p.grad for k, p in params.items()}


# chapter 5

def minibatches(n, batch_size, seed):
    order = torch.from_numpy(np.random.default_rng(seed).permutation(n))
    return list(torch.split(order, batch_size)) if n else []


def sgd_step(param, grad, lr):
    return f32(param).add(f32(grad), alpha=-lr)


def momentum_step(param, grad, velocity, lr, momentum=0.9):
    buf = f32(velocity).mul(momentum).add(f32(grad))
    return f32(param).add(buf, alpha=-lr), buf


def adagrad_step(param, grad, sum_sq, lr=0.01, eps=1e-10):
    g = f32(grad)
    state_sum = f32(sum_sq).addcmul(g, g, value=1)
    return f32(param).addcdiv(g, state_sum.sqrt().add(eps), value=-lr), state_sum


def rmsprop_step(param, grad, sq_avg, lr=0.01, alpha=0.99, eps=1e-8):
    g = f32(grad)
    square_avg = f32(sq_avg).mul(alpha).addcmul(g, g, value=1 - alpha)
    return f32(param).addcdiv(g, square_avg.sqrt().add(eps), value=-lr), square_avg


def adam_step(param, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    # torch.optim.Adam's arithmetic, in float32
    g = f32(grad)
    exp_avg = f32(m).mul(beta1).add(g, alpha=1 - beta1)
    exp_avg_sq = f32(v).mul(beta2).addcmul(g, g, value=1 - beta2)
    bias_correction1 = 1 - beta1 ** t
    bias_correction2 = 1 - beta2 ** t
    denom = (exp_avg_sq.sqrt() / math.sqrt(bias_correction2)).add(eps)
    return f32(param).addcdiv(exp_avg, denom, value=-lr / bias_correction1), exp_avg, exp_avg_sq


# capstone

XOR_X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])


def train_xor(seed):
    rng = np.random.default_rng(seed)
    params = [f32(rng.normal(size=(2, 8))), torch.zeros(8), f32(rng.normal(size=(8, 1))), torch.zeros(1)]
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    for step_number in range(1, 501):
        grads = mlp_backward(XOR_X, XOR_Y, *params)
        for i, key in enumerate(("W1", "b1", "W2", "b2")):
            params[i], m, v = adam_step(params[i], grads[key], *moments[i], step_number, lr=0.1)
            moments[i] = (m, v)
    return tuple(params)
