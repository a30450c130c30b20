"""What a run computes once for all its submissions (issue 17): the keys of its cases, what checks
derive from them, the reference's numerical derivatives and paths, and the encoded requests.

Each memo must make a second submission cheaper and change nothing about any submission's grade:
the cost is counted here (fingerprints, encodings), the grades compared (and on a whole varied
class by tests/test_grades_unchanged.py).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from grader import codec
from grader.engine import Options, grade
from grader.judge import context as context_module
from grader.judge.context import StableCases
from grader.plan import Plan
from grader.run.client import EncodedRequests
from grader.session import GradingSession

from support import ROOT

#: an elementwise derivative, a gradient of a scalar, properties, a trajectory with an oracle
EXERCISES = ("sigmoid", "sigmoid_grad", "mse_grad", "momentum_step")
CORRECT = (ROOT / "submissions" / "correct.py").read_text(encoding="utf-8")
WRONG = CORRECT + textwrap.dedent('''

    def sigmoid(x):
        return 1 / (1 + np.exp(x))

    def mse_grad(y_pred, y_true):
        return 2 * (y_pred - y_true)
''')


def _verdicts(result):
    return [(ex.id, ex.status, ex.score, [(c.name, c.status, c.code, c.mistake) for c in ex.checks])
            for ex in result.exercises]


@pytest.fixture
def fresh(tmp_path: Path, zygote):
    """A session of its own (no other test warmed its memos), grading sources through `zygote`."""
    session = GradingSession.load()

    def run(source: str, name: str = "student.py"):
        path = tmp_path / name
        path.write_text(source, encoding="utf-8")
        return grade(session, path, zygote, Options(exercises=EXERCISES))

    run.session = session
    return run


def test_a_second_submission_keys_none_of_the_runs_cases(fresh, monkeypatch):
    keyed = []
    original = context_module.fingerprint
    monkeypatch.setattr(context_module, "fingerprint", lambda f, c: keyed.append(f) or original(f, c))
    first = fresh(CORRECT, "first.py")
    on_first = len(keyed)
    keyed.clear()
    second = fresh(CORRECT, "second.py")
    assert on_first > 500  # plan cases, moved inputs, perturbations, trajectory steps
    assert keyed == []
    assert _verdicts(first) == _verdicts(second) and second.score == second.max_score


def test_a_second_submission_is_sent_requests_encoded_once(fresh, monkeypatch):
    encoded = []
    original = codec.encode

    def counting(obj):
        if isinstance(obj, dict) and obj.get("op") == "call":
            encoded.append(obj["function"])
        return original(obj)

    monkeypatch.setattr(codec, "encode", counting)
    fresh(CORRECT, "first.py")
    on_first = len(encoded)
    encoded.clear()
    fresh(CORRECT, "second.py")
    assert on_first >= len(EXERCISES)
    assert encoded == []
    assert fresh.session.encoded_requests.held > 0


def test_students_of_one_run_keep_their_own_answers(fresh, tmp_path):
    """Memos shared by a run hold the run's inputs, never a student's answers: a wrong student
    graded between two right ones fails as in a session of its own, and they both pass."""
    right, wrong, right_again = fresh(CORRECT, "a.py"), fresh(WRONG, "b.py"), fresh(CORRECT, "c.py")
    path = tmp_path / "alone.py"
    path.write_text(WRONG, encoding="utf-8")
    alone = GradingSession.load()
    try:
        wrong_alone = grade(alone, path, alone.zygote, Options(exercises=EXERCISES))
    finally:
        alone.close()
    assert right.score == right.max_score and right_again.score == right.max_score
    assert wrong.score < wrong.max_score
    assert _verdicts(wrong) == _verdicts(wrong_alone)
    assert [codec.encode(c.counterexample) for ex in wrong.exercises for c in ex.checks] == \
        [codec.encode(c.counterexample) for ex in wrong_alone.exercises for c in ex.checks]


def _plan() -> Plan:
    return Plan(exercise="x", seed=1, random=[{"x": np.arange(3.0)}, {"x": np.ones(2)}],
                edge=[{"x": 0.0}])


def test_derived_cases_are_built_once_for_the_runs_cases_and_held_from_then_on():
    stable, plan = StableCases(), _plan()
    stable.hold_plan(plan)
    builds = []

    def moved():
        builds.append(1)
        return [{"x": -c["x"]} for c in plan.random]

    first = stable.derived(("negated",), plan.random, moved, lambda cases: cases)
    again = stable.derived(("negated",), list(plan.random), moved, lambda cases: cases)
    assert again is first and len(builds) == 1
    assert stable.holds(first) and stable.key("f", first[0]) is not None
    other = stable.derived(("other",), plan.random, moved, lambda cases: cases)
    assert other is not first and len(builds) == 2  # another derivation, another build


def test_cases_the_run_does_not_hold_are_derived_every_time():
    stable, plan = StableCases(), _plan()
    stable.hold_plan(plan)
    shrunk = [{"x": np.zeros(1)}]  # a shrink's input: one student's, never the run's
    builds = []
    for _ in range(2):
        stable.derived(("negated",), shrunk, lambda: builds.append(1) or [{"x": -shrunk[0]["x"]}],
                       lambda cases: cases)
    assert len(builds) == 2
    assert stable.key("f", shrunk[0]) is None and not stable.holds(shrunk)


def test_a_copy_of_a_held_case_is_not_the_held_case():
    """Held by identity: an equal dict made by someone else is keyed afresh, never taken for it."""
    stable, plan = StableCases(), _plan()
    stable.hold_plan(plan)
    copy = dict(plan.random[0])
    assert stable.key("f", copy) is None
    assert stable.key("f", plan.random[0]) == context_module.fingerprint("f", plan.random[0])


def test_encoded_requests_past_their_bound_are_encoded_every_time():
    requests = EncodedRequests(max_bytes=10)
    message = {"op": "call", "function": "f", "cases": [{"args": [np.arange(4.0)], "kwargs": {}}]}
    payload = requests.payload(b"k", message)
    assert codec.decode(payload)["function"] == "f"
    assert requests.held == 0 and requests.payload(b"k", message) == payload
    roomy = EncodedRequests()
    assert roomy.payload(b"k", message) is roomy.payload(b"k", {"op": "other"})  # by key, once


def test_a_request_encoded_before_is_sent_without_making_its_calls_or_columns_again(fresh, monkeypatch):
    """The second submission's requests are the run's encodings: neither its cases' calls
    (`to_call`, grader.judge.context.Calls) nor the request's columns are made again."""
    from grader.run import protocol

    made = []
    for module, name in ((context_module, "to_call"), (protocol, "call_cases")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _name=name, _original=original: made.append(_name)
                            or _original(*a))
    fresh(CORRECT, "first.py")
    assert {"to_call", "call_cases"} <= set(made)
    made.clear()
    fresh(CORRECT, "second.py")
    assert made == []
