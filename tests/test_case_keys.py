"""CaseKeys gives fingerprint()'s keys, computed once per case object and function."""

from __future__ import annotations

import numpy as np

from grader.judge import context
from grader.judge.context import CaseKeys, fingerprint


def test_keys_are_fingerprints_computed_once_per_case_and_function(monkeypatch):
    keys = CaseKeys()
    case = {"x": np.arange(3.0), "alpha": 0.5}
    same_content = {"x": np.arange(3.0), "alpha": 0.5}
    computed = []
    monkeypatch.setattr(context, "fingerprint", lambda f, c: computed.append(f) or fingerprint(f, c))
    assert keys("relu", case) == fingerprint("relu", case)
    assert keys("relu", case) == fingerprint("relu", case)
    assert keys("relu", same_content) == fingerprint("relu", case)
    assert keys("sigmoid", case) == fingerprint("sigmoid", case) != fingerprint("relu", case)
    assert computed == ["relu", "relu", "sigmoid"]  # the repeat of the same object is remembered
