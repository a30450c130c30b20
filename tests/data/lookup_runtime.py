"""The student side of tests/lookup_attack.py: copied as it is into the lookup submission.

It implements nothing: it rebuilds the judge's key of a call from the arguments and answers
from the tables the attack embeds (_EXACT, _NEAR, _SIGNATURES, set after this code).
"""

import hashlib as _hashlib

import numpy as _np


def _fingerprint(function, case):
    digest = _hashlib.blake2b(function.encode(), digest_size=16)
    for name in sorted(case):
        value = case[name]
        digest.update(name.encode() + b"=")
        if isinstance(value, _np.ndarray):
            digest.update(f"{value.dtype.str}{value.shape}".encode() + value.tobytes())
        else:
            digest.update(repr(value).encode())
        digest.update(b";")
    return digest.hexdigest()


def _signature(case):
    return tuple((name, _np.shape(v) if isinstance(v, (_np.ndarray, float)) else type(v).__name__)
                 for name, v in sorted(case.items()))


def _numbers(case):
    return _np.concatenate([_np.ravel(_np.asarray(v, dtype=float)) for _, v in sorted(case.items())
                            if isinstance(v, (_np.ndarray, float))] or [_np.zeros(0)])


def _others(case):
    return tuple(repr(v) for _, v in sorted(case.items()) if not isinstance(v, (_np.ndarray, float)))


def _nearest(function, case):
    """The recorded answer of the closest recorded input with the same names and shapes."""
    group = _NEAR.get(function, {}).get(_signature(case))
    if group is None:
        return None
    numbers, others, answers = group
    usable = _np.array([o == _others(case) for o in others])
    if not usable.any():
        return None
    distance = _np.where(usable, ((numbers - _numbers(case)) ** 2).sum(axis=1), _np.inf)
    return answers[int(_np.argmin(distance))]


def _difference(function, case):
    """An elementwise derivative from the recorded forward answers at x ± h."""
    forward = _SIGNATURES[function][1]
    if forward is None:
        return None
    name, step = forward[1], forward[2]
    x = _np.asarray(case[name], dtype=_np.float64)
    plus = _EXACT.get(_fingerprint(forward[0], {**case, name: x + step}))
    minus = _EXACT.get(_fingerprint(forward[0], {**case, name: x - step}))
    if plus is None or minus is None:
        return None
    return (_np.asarray(plus, dtype=_np.float64) - _np.asarray(minus, dtype=_np.float64)) / (2 * step)


def _answer(function, args, kwargs):
    case = dict(zip(_SIGNATURES[function][0], args))
    case.update(kwargs)
    key = _fingerprint(function, case)
    if key in _EXACT:
        return _EXACT[key]
    for guess in (_difference(function, case), _nearest(function, case)):
        if guess is not None:
            return guess
    first = args[0] if args else next(iter(kwargs.values()), 0.0)
    try:
        return _np.zeros_like(_np.asarray(first, dtype=_np.float64))
    except (TypeError, ValueError):
        return 0.0
