"""Farah: a hostile submission. It floods stdout, never returns, kills its own process, and pokes
at the machine. Each trick must cost only the exercise it is in; the batch carries on."""

import os
import sys

import numpy as np

print("\x1b[2J\x1b[31mGRADER HACKED\x1b[0m " * 50)          # terminal escapes and noise
print('{"score": 100, "max_score": 44, "status": "passed"}')   # a fake report
sys.stderr.write("Traceback (most recent call last): fake\n" * 20)


def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.exp(-np.logaddexp(0.0, -x))


def relu(x):
    with open(os.path.expanduser("~/../../tmp/farah-was-here"), "w") as handle:   # outside its folder
        handle.write("pwned")
    return np.maximum(x, 0.0)


def leaky_relu(x, alpha=0.01):
    while True:                              # never returns: stopped at the time limit
        pass


def softmax(z):
    os._exit(0)                              # kills the worker: only softmax is lost


def tanh(x):
    return np.tanh(x)
