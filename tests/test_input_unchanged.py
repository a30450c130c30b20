"""Every call says which array arguments it changed in place: input_unchanged needs no second call."""

from __future__ import annotations

import numpy as np

from grader.run.client import WorkerSession
from grader.run.inprocess import InProcessFunctions
from grader.run.values import modified, snapshot

SOURCE = '''
import numpy as np

def touches_second(a, b):
    b[...] = -1.0
    return a

def touches_nothing(a, b):
    return a + b

def touches_then_raises(a, b):
    a += 1
    raise ValueError("after the harm")

def zero_sign(a, b):
    a[a == 0] = 0.0          # -0.0 becomes 0.0: equal values, as np.array_equal says
    b[np.isnan(b)] = np.nan  # NaN stays NaN
    return a
'''


def test_modified_names_the_positions_changed_in_place():
    args = [np.array([1.0, -0.0]), np.array([np.nan, 2.0]), 3.0]
    before = snapshot(args)
    args[0][0] = 5.0
    assert modified(args, before) == [0]
    before = snapshot(args)
    args[0][1] = 0.0  # -0.0 → 0.0
    args[1][0] = np.nan
    assert modified(args, before) == []
    before = snapshot(args)
    args[1].resize(1, refcheck=False)
    assert modified(args, before) == [1]


def test_the_worker_reports_the_arguments_each_call_changed(zygote):
    session = WorkerSession(zygote, [{"name": "calls", "filename": "calls.py", "source": SOURCE}])
    case = {"args": [np.array([0.0, -0.0]), np.array([1.0, np.nan])], "kwargs": {}}
    try:
        session.start()
        [second] = session.call("touches_second", [case], timeout=10.0)
        [nothing] = session.call("touches_nothing", [case], timeout=10.0)
        [raised] = session.call("touches_then_raises", [case], timeout=10.0)
        [signs] = session.call("zero_sign", [case], timeout=10.0)
    finally:
        session.close()
    assert second.modified == [1]
    assert nothing.modified == []
    assert raised.error is not None and raised.modified == [0]
    assert signs.modified == []
    assert case["args"][1][0] == 1.0  # the grader's own copy is never touched


def test_trusted_calls_report_them_too():
    namespace: dict = {}
    exec(SOURCE, namespace)
    calls = InProcessFunctions({"touches_second": namespace["touches_second"]})
    case = {"args": [np.zeros(2), np.ones(2)], "kwargs": {}}
    [outcome] = calls.call("touches_second", [case])
    assert outcome.modified == [1] and case["args"][1].tolist() == [1.0, 1.0]


def test_input_unchanged_makes_no_second_call(grade_source, monkeypatch):
    asked_for_arguments = []
    original = WorkerSession.call

    def call(self, function, cases, timeout, return_args=False, request_key=None):
        asked_for_arguments.append(return_args)
        return original(self, function, cases, timeout, return_args, request_key)

    monkeypatch.setattr(WorkerSession, "call", call)
    result = grade_source('''
        import numpy as np
        def relu(x):
            if isinstance(x, np.ndarray) and x.ndim:
                np.maximum(x, 0, out=x)
            return np.maximum(x, 0.0)
    ''', "relu")
    [props] = [c for c in result.exercises[0].checks if c.kind == "properties"]
    assert props.status == "failed" and props.code == "input_modified" and props.facts["arg"] == "x"
    assert asked_for_arguments and not any(asked_for_arguments)


def test_a_sigmoid_grad_that_overwrites_its_input_fails(grade_source):
    """sigmoid_grad declares no input_unchanged property: the reference check asserts it anyway."""
    result = grade_source('''
        import numpy as np
        def sigmoid_grad(x):
            if isinstance(x, np.ndarray) and x.ndim:
                s = 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
                x *= 0.0
                x += s * (1.0 - s)
                return x
            s = 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
            return s * (1.0 - s)
    ''', "sigmoid_grad")
    [exercise] = result.exercises
    assert exercise.status == "failed"
    [reference] = [c for c in exercise.checks if c.kind == "reference"]
    assert reference.status == "failed" and reference.code == "input_modified"
    assert reference.facts["arg"] == "x" and reference.hint is None


def test_every_exercise_with_array_arguments_guards_them(grade_source):
    """A loss that zeroes its prediction after computing the right value fails too; where a
    properties check declares input_unchanged, that check says it (and the reference check not)."""
    result = grade_source('''
        import numpy as np
        def mse_loss(y, y_hat):
            d = np.asarray(y_hat, dtype=float) - np.asarray(y, dtype=float)
            loss = float(np.sum(d ** 2) / (2 * len(d)))
            if isinstance(y_hat, np.ndarray):
                y_hat[...] = 0.0
            return loss
        def relu(x):
            out = np.maximum(x, 0.0)
            if isinstance(x, np.ndarray) and x.ndim:
                x[...] = 0.0
            return out
    ''', "mse_loss", "relu")
    mse, relu = result.exercises
    [ref] = [c for c in mse.checks if c.kind == "reference"]
    assert ref.code == "input_modified" and ref.facts["arg"] == "y_hat"
    codes = {c.kind: c.code for c in relu.checks if c.status == "failed"}
    assert codes == {"properties": "input_modified"}


def test_a_correct_function_is_not_blamed(grade_source):
    result = grade_source('''
        import numpy as np
        def sigmoid_grad(x):
            s = 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
            return s * (1.0 - s)
    ''', "sigmoid_grad")
    assert all(c.status == "passed" for c in result.exercises[0].checks)
