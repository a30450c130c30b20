"""Kim: does not even parse (a missing colon), so nothing in it can be graded."""

import numpy as np


def sigmoid(x)
    return 1 / (1 + np.exp(-x))


def relu(x):
    return np.maximum(x, 0)
