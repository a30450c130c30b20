"""Jun writes PyTorch: tensors in, tensors out (float32), converted from the NumPy inputs."""

import torch


def _t(x):
    return torch.as_tensor(x, dtype=torch.float64)


def sigmoid(x):
    return torch.sigmoid(_t(x))


def sigmoid_grad(x):
    s = torch.sigmoid(_t(x))
    return s * (1 - s)


def tanh(x):
    return torch.tanh(_t(x))


def tanh_grad(x):
    return 1 - torch.tanh(_t(x)) ** 2


def relu(x):
    return torch.relu(_t(x))


def relu_grad(x):
    return (_t(x) > 0).to(torch.float64)


def softmax(z):
    return torch.softmax(_t(z), dim=-1)
