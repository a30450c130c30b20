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
