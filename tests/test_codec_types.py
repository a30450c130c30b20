"""The codec's exact-type fast path and its fallback for subclasses give the same data."""

from __future__ import annotations

import enum
from collections import namedtuple

import numpy as np

from grader import codec


class Level(enum.IntEnum):
    HIGH = 3


class Name(str):
    pass


Pair = namedtuple("Pair", "a b")


def test_subclasses_and_numpy_scalars_cross_as_their_plain_kind():
    value = {
        "f64": np.float64(1.5), "i32": np.int32(-4), "flag": np.bool_(True), "enum": Level.HIGH,
        "name": Name("x"), "pair": Pair(np.arange(2.0), 2.5), 7: "int key",
        "view": np.arange(12.0).reshape(3, 4)[:, 1], "nan": float("nan"), "bools": [True, False, None],
    }
    back = codec.decode(codec.encode(value))
    assert back["f64"].shape == () and back["f64"].dtype == np.float64 and back["f64"] == 1.5
    assert back["i32"].dtype == np.int32 and back["i32"] == -4
    assert back["flag"].dtype == np.bool_ and bool(back["flag"])
    assert back["enum"] == 3 and type(back["enum"]) is int
    assert back["name"] == "x" and type(back["name"]) is str
    assert type(back["pair"]) is tuple and back["pair"][0].tolist() == [0.0, 1.0] and back["pair"][1] == 2.5
    assert back["7"] == "int key"
    assert back["view"].tolist() == [1.0, 5.0, 9.0]
    assert np.isnan(back["nan"]) and back["bools"] == [True, False, None]


def test_decoded_arrays_are_private_copies():
    back = codec.decode(codec.encode([np.zeros(3), np.ones(3)]))
    back[0][:] = 7.0
    assert back[1].tolist() == [1.0, 1.0, 1.0] and back[0].flags.writeable


def test_a_stored_result_is_the_same_bytes_as_through_dataclasses_asdict():
    """gradebook.as_tree skips asdict's deep copy; what the gradebook stores must not change."""
    import collections
    import dataclasses

    import numpy as np

    from grader.batch.gradebook import as_tree, encode_result
    from grader.result import CheckResult, ExerciseResult, SubmissionResult, Summary, WorstEntry

    Pair = collections.namedtuple("Pair", "left right")
    summary = Summary(kind="array", shape=(3, 4), size=12, dtype="float64", head=[0.5, float("nan")],
                      worst=[WorstEntry(index=(2, 1), value=np.float64(3.5), differs=True)])
    check = CheckResult(
        name="matches", kind="reference", status="failed", score=0.0, max_score=2.0, code="value",
        facts={"tolerance": 1e-6, "shape": (3, 4), "nested": {"a": [1, (2, 3)], 4: Pair("l", "r")}},
        counterexample={"input": {"x": np.arange(6.0).reshape(2, 3), "pair": Pair(1, [2.5])},
                        "expected": summary, "actual": [summary, None, True]},
        others=[{"code": "nan", "failing_cases": 3, "counterexample": {"x": np.zeros(2, dtype=np.int32)}}])
    result = SubmissionResult(
        submission="s.py", seed=7, notes=[{"code": "note", "facts": {"n": 1}}],
        exercises=[ExerciseResult(id="relu", title={"en": "ReLU", "zh": "ReLU 函数"}, chapter=3, status="failed",
                                  score=0.0, max_score=4.0, checks=[check], location={"line": 3})])
    assert codec.encode(as_tree(result)) == codec.encode(dataclasses.asdict(result))
    assert encode_result(result) == codec.encode(dataclasses.asdict(result))
    tree = as_tree(result)
    assert tree["exercises"][0]["checks"][0]["counterexample"]["expected"]["worst"][0]["index"] == (2, 1)
    assert tree["exercises"][0]["checks"][0]["counterexample"]["input"]["x"] is check.counterexample["input"]["x"]
