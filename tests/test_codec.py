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
             {"__float__": 1, "other": 2}]
    assert codec.decode(codec.encode(value)) == value


def test_decoding_reads_the_bytearray_protocol_recv_fills():
    back = codec.decode(bytearray(codec.encode({"a": np.arange(4.0)})))
    assert back["a"].tolist() == [0.0, 1.0, 2.0, 3.0] and back["a"].flags.writeable
