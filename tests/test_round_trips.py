"""Judging an exercise asks the worker as few times as it can: round trips cost most on a busy machine."""

from __future__ import annotations

from grader.run.client import WorkerSession
from grader.run.protocol import request_cases


def test_plan_cases_of_every_check_travel_in_the_first_request(grade_source, monkeypatch):
    requests = []
    original = WorkerSession.request

    def request(self, message, timeout, key=None):
        made = message() if callable(message) else message  # a call's request is made on demand
        requests.append((made.get("op"), len(request_cases(made)) if made.get("op") == "call" else 0))
        return original(self, message, timeout, key)

    monkeypatch.setattr(WorkerSession, "request", request)
    result = grade_source('''
        import numpy as np
        def sigmoid(x):
            return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))
        def sigmoid_grad(x):
            s = sigmoid(x)
            return s * (1 - s)
    ''', "sigmoid_grad")
    assert result.exercises[0].status == "passed"
    calls = [n for op, n in requests if op == "call"]
    assert len(calls) == 1  # drawn, edge and smooth inputs: reference, edge_cases and gradient
    assert calls[0] > 100


def test_moved_inputs_of_properties_and_trajectory_steps_travel_with_them(grade_source, monkeypatch):
    calls = []
    original = WorkerSession.call

    def call(self, function, cases, timeout, return_args=False, request_key=None):
        calls.append((function, len(cases)))
        return original(self, function, cases, timeout, return_args, request_key)

    monkeypatch.setattr(WorkerSession, "call", call)
    result = grade_source('''
        import numpy as np
        def sigmoid(x):
            return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))
        def sgd_step(param, grad, lr):
            return np.asarray(param, dtype=float) - lr * np.asarray(grad, dtype=float)
    ''', "sigmoid", "sgd_step")
    assert [e.status for e in result.exercises] == ["passed", "passed"]
    # sigmoid: drawn, edge, −x and x + step; sgd_step: drawn, edge, zeroed gradients and every
    # step of the reference's trajectories: one request each
    assert [f for f, _ in calls] == ["sigmoid", "sgd_step"]


def test_a_batch_of_cases_travels_as_columns_and_comes_back_as_cases():
    """One list per argument, so that each array argument of a batch crosses as one stack
    (grader.codec); cases that pass different arguments travel as they are."""
    import struct

    import numpy as np

    from grader import codec
    from grader.run.protocol import call_cases

    uniform = [{"args": [np.full(n, 1.0), float(n)], "kwargs": {"alpha": 0.1 * n}} for n in range(1, 9)]
    mixed = [{"args": [np.zeros(2)], "kwargs": {}}, {"args": [np.zeros(2)], "kwargs": {"alpha": 1.0}}]
    for cases, form in ((uniform, "count"), (mixed, "cases"), ([], "cases")):
        message = codec.decode(codec.encode({"op": "call", **call_cases(cases)}))
        assert form in message
        back = request_cases(message)
        assert len(back) == len(cases)
        for sent, got in zip(cases, back, strict=True):
            assert list(got["kwargs"].items()) == list(sent["kwargs"].items())
            assert [np.asarray(a).tolist() for a in got["args"]] == [np.asarray(a).tolist() for a in sent["args"]]
    encoded = codec.encode({"op": "call", **call_cases(uniform)})
    (length,) = struct.unpack_from("<Q", encoded)
    assert encoded[8:8 + length].count(b"__ndarray__") == 0
