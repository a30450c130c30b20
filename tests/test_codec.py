"""The codec decodes hostile bytes into data or a CodecError, never anything else."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from grader import codec


def test_round_trip_of_nested_data_keeps_shapes_dtypes_and_specials():
    value = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "zero_d": np.asarray(1.5),
             "t": (1, 2.5, float("nan"), float("-inf")), "l": [True, None, "s"], "i": np.int64(7)}
    back = codec.decode(codec.encode(value))
    assert back["a"].dtype == np.float32 and back["a"].shape == (2, 3)
    assert back["zero_d"].shape == () and back["zero_d"] == 1.5
    assert isinstance(back["t"], tuple) and np.isnan(back["t"][2]) and back["t"][3] == -np.inf
    assert back["l"] == [True, None, "s"]
    assert back["i"].shape == () and back["i"] == 7


def _message(tree, body=b""):
    header = json.dumps(tree).encode()
    return struct.pack("<Q", len(header)) + header + body


@pytest.mark.parametrize("message,match", [
    (b"", "too short"),
    (struct.pack("<Q", 1000) + b"{}", "header longer"),
    (struct.pack("<Q", 3) + b"{{{", "not JSON"),
    (_message({"__ndarray__": ["|O", [1], 0, 8]}, b"\0" * 8), "may not cross"),
    (_message({"__ndarray__": ["<f8", [10], 0, 8]}, b"\0" * 8), "does not match"),
    (_message({"__ndarray__": ["<f8", [1], 8, 8]}, b"\0" * 8), "does not match"),
    (_message({"__ndarray__": ["<f8", [-1], 0, 8]}, b"\0" * 8), "bad array shape"),
    (_message({"__ndarray__": ["<f8", [10**6, 10**6], 0, 8]}), "too many"),
    (_message({"__ndarray__": "nonsense"}), "bad array reference"),
    (_message({"__ndarray__": [["<f8"], [1], 0, 8]}, b"\0" * 8), "may not cross"),  # unhashable
    (_message({"__float__": "__import__('os')"}), "bad float"),
])
def test_hostile_messages_raise_codec_error(message, match):
    with pytest.raises(codec.CodecError, match=match):
        codec.decode(message)


def test_encoding_refuses_objects():
    with pytest.raises(codec.CodecError):
        codec.encode(np.array([object()]))
    with pytest.raises(codec.CodecError):
        codec.encode({"f": lambda: 0})


def test_decoded_arrays_are_writable_aligned_and_independent():
    value = {"flags": np.array([True, False, True]), "a": np.arange(3.0), "b": np.ones((2, 2))}
    back = codec.decode(codec.encode(value))
    for name in ("a", "b"):  # after 3 bytes of bools: copied where the view would be misaligned
        assert back[name].flags.writeable and back[name].flags.aligned
    back["a"][:] = -1
    assert back["b"].tolist() == [[1.0, 1.0], [1.0, 1.0]] and back["flags"].tolist() == [True, False, True]


# --- bounded before anything is expanded ------------------------------------------------------

def _nested(depth: int) -> bytes:
    header = b"[" * depth + b"0" + b"]" * depth
    return struct.pack("<Q", len(header)) + header


@pytest.mark.parametrize("message,match", [
    (_nested(5000), "nesting too deep"),  # json.loads' own limit, as a CodecError
    (_nested(70), "nesting too deep"),  # the walk's
    (struct.pack("<Q", 2_000_003) + b"[" + b"0," * 1_000_000 + b"0]", "more than 1000000 items"),
    (struct.pack("<Q", 200_003) + b"[" + b"[]," * 66_667 + b"0]", "items"),
])
def test_decoding_is_bounded_before_json_expands_it(message, match):
    limits = {"max_items": 100_000} if match == "items" else {}
    with pytest.raises(codec.CodecError, match=match):
        codec.decode(message, **limits)


def test_the_header_cap_is_checked_before_the_header_is_read():
    header = b" " * 100 + b"0"
    with pytest.raises(codec.CodecError, match="over the 64-byte cap"):
        codec.decode(struct.pack("<Q", len(header)) + header, max_header=64)
    assert codec.decode(struct.pack("<Q", len(header)) + header) == 0


def test_a_dict_shaped_like_a_marker_stays_a_dict():
    value = [{"__float__": "nan"}, {"__ndarray__": "x"}, {"__tuple__": [1]}, {"__dict__": {"a": 1}},
             {"__float__": 1, "other": 2}, {"__stack__": ["<f8", [], 0, 0, []]}, {"__zip__": [[1]]},
             {"__zipdict__": {"a": [1]}}]
    assert codec.decode(codec.encode(value)) == value


def test_decoding_reads_the_bytearray_protocol_recv_fills():
    back = codec.decode(bytearray(codec.encode({"a": np.arange(4.0)})))
    assert back["a"].tolist() == [0.0, 1.0, 2.0, 3.0] and back["a"].flags.writeable


# --- lists of arrays, tuples and dicts: one reference each, the same values back ---------------

def _same(a, b) -> bool:
    """Equal as decoded data: the same types, dtypes, shapes and entries (NaN equal to NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float) and np.isnan(a):
        return np.isnan(b)
    return a == b


def _header(message: bytes) -> bytes:
    (length,) = struct.unpack_from("<Q", message)
    return message[8:8 + length]


def test_a_batch_of_values_crosses_in_one_reference_per_form_and_comes_back_the_same():
    rng = np.random.default_rng(0)
    values = [rng.normal(size=(2, 3)), 0.5, np.full((), 1.5), None, np.zeros((0, 3)),
              rng.normal(size=(4, 6))[:, ::2], np.arange(3, dtype=np.int32), "text", float("nan"),
              rng.normal(size=5)]
    tuples = [(rng.normal(size=n), rng.normal(size=(n, 2)), float(n)) for n in range(1, 7)]
    dicts = [{"w": rng.normal(size=(n, 2)), "b": rng.normal(size=2), "t": n} for n in range(5)]
    message = codec.encode({"values": values, "tuples": tuples, "dicts": dicts})
    back = codec.decode(message)
    assert _same(back, {"values": values, "tuples": tuples, "dicts": dicts})
    header = _header(message)
    # the float64 arrays of `values` in one stack (the int32 one apart), each position of the
    # tuples and each key of the dicts in one list of its own
    assert header.count(b"__ndarray__") == 1
    assert header.count(b"__zip__") == 1 and header.count(b"__zipdict__") == 1
    assert header.count(b"__stack__") == 1 + 2 + 2


def test_arrays_from_a_stack_are_each_their_own():
    arrays = [np.full((2, 2), float(i)) for i in range(6)]
    back = codec.decode(codec.encode(arrays))
    for array in back:
        assert array.flags.owndata and array.flags.writeable and array.flags.c_contiguous
    back[0][:] = -1.0
    back[1].resize((4,), refcheck=False)  # a student may resize an argument it owns
    assert back[2].tolist() == [[2.0, 2.0], [2.0, 2.0]] and back[1].tolist() == [1.0] * 4


def test_lists_that_do_not_pack_travel_item_by_item():
    few = [np.zeros(2)] * (codec.STACK_MIN - 1) + [1.0, 2.0]
    ragged = [(1, 2), (3,), (4, 5), (6, 7)]
    keyed = [{"a": 1}, {"b": 2}, {"a": 3}, {"a": 4}]
    message = codec.encode([few, ragged, keyed])
    assert _same(codec.decode(message), [few, ragged, keyed])
    assert b"__stack__" not in _header(message) and b"__zip" not in _header(message)


_F8 = np.arange(4.0).tobytes()


@pytest.mark.parametrize("ref,body,match", [
    ("nonsense", b"", "bad stack reference"),
    (["<f8", [[4]], 0, 32], _F8, "bad stack reference"),  # no list of the other items
    (["<f8", "x", 0, 32, []], _F8, "bad stack reference"),
    (["<f8", [None], 0, 0, []], b"", "bad stack reference"),  # a hole with nothing to fill it
    (["<f8", [[4]], 0, 32, [1]], _F8, "bad stack reference"),  # an item with no hole
    (["|O", [[4]], 0, 32, []], _F8, "may not cross"),
    (["<f8", [[-1]], 0, 32, []], _F8, "bad array shape"),
    (["<f8", [[True]], 0, 8, []], _F8, "bad array shape"),
    (["<f8", [[2.0]], 0, 16, []], _F8, "bad array shape"),
    (["<f8", [[4], [4]], 0, 32, []], _F8, "does not match"),
    (["<f8", [[4]], 8, 32, []], _F8, "does not match"),
    (["<f8", [[4]], 0, 32.0, []], _F8, "does not match"),
    (["<f8", [[0]] * 200_000, 0, 0, []], b"", "too many"),  # empty arrays still cost an entry
    (["<f8", [[10**6, 10**6]], 0, 8, []], _F8, "too many"),
])
def test_hostile_stacks_raise_codec_error(ref, body, match):
    with pytest.raises(codec.CodecError, match=match):
        codec.decode(_message({"__stack__": ref}, body), max_elements=100_000)


@pytest.mark.parametrize("tree,match", [
    ({"__zip__": []}, "bad zip"),
    ({"__zip__": "x"}, "bad zip"),
    ({"__zip__": [[1, 2], [3]]}, "bad zip"),
    ({"__zip__": [[1], 2]}, "bad zip"),
    ({"__zipdict__": {}}, "bad zip"),
    ({"__zipdict__": [[1]]}, "bad zip"),
    ({"__zipdict__": {"a": [1, 2], "b": [1]}}, "bad zip"),
    ({"__zipdict__": {"a": 1}}, "bad zip"),
])
def test_hostile_zips_raise_codec_error(tree, match):
    with pytest.raises(codec.CodecError, match=match):
        codec.decode(_message(tree))
