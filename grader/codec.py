"""A safe binary format for nested data with NumPy arrays: what crosses a process boundary.

Why not pickle or np.save(allow_pickle=True): bytes written by a student's worker are hostile, and
unpickling them runs code. Why not .npz: a zip per message costs more than the call it carries.
A message is a JSON header (the tree, with arrays replaced by references) followed by the raw
array buffers. Decoding checks every dtype against a whitelist and every size against the bytes
actually present, so a hostile message can make decoding fail, never make it do anything else.

Decoding is bounded before anything is expanded: the header's size, an upper bound of its items
(counted in the raw bytes, before json.loads builds anything), its nesting, and the total number
of array elements each have a cap, so what a message can cost the reader is known in advance.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any, Union

import numpy as np

#: the JSON header's tree, what `json` writes and reads
Json = Union[None, bool, int, float, str, list["Json"], dict[str, "Json"]]

#: dtypes that may cross the boundary; object, void, datetime and string arrays never do.
ALLOWED_DTYPES = frozenset(
    np.dtype(name).str
    for name in (
        "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float16", "float32", "float64",
    )
)
_DTYPES = {name: np.dtype(name) for name in ALLOWED_DTYPES}
_HEADER = struct.Struct("<Q")
_ARRAY = "__ndarray__"
_TUPLE = "__tuple__"
_FLOAT = "__float__"
#: a dict whose only key is one of the markers above is sent inside this one, so that it is
#: decoded as the dict it is (a student's {"__float__": ...} stays a dict)
_DICT = "__dict__"
_MARKERS = frozenset((_ARRAY, _TUPLE, _FLOAT, _DICT))

#: the decoder's caps, each a default of `decode`; see docs/security-bounded-data.md
MAX_HEADER_BYTES = 16 * 1024 * 1024
#: JSON items (list and dict entries, and containers), bounded above by counting ',', '[' and '{'
MAX_ITEMS = 1_000_000
MAX_DEPTH = 64
MAX_ELEMENTS = 50_000_000


class CodecError(ValueError):
    """A message is malformed, too large, or holds something that may not cross."""


def encode(obj: object) -> bytes:
    """Encode a tree of dict (str keys) / list / tuple / ndarray / scalar / str / None."""
    buffers: list[bytes] = []
    offset = 0

    def array_ref(value: np.ndarray) -> dict[str, Json]:
        nonlocal offset
        array = value if value.flags.c_contiguous else value.copy(order="C")  # keeps 0-d
        dtype = array.dtype.str
        if dtype not in ALLOWED_DTYPES:
            raise CodecError(f"dtype {array.dtype} may not cross")
        data = array.tobytes()
        ref: dict[str, Json] = {_ARRAY: [dtype, list(array.shape), offset, len(data)]}
        buffers.append(data)
        offset += len(data)
        return ref

    def walk(value: Any) -> Json:  # Any: the exact-type tests below do not narrow for mypy
        kind = type(value)  # exact types first: this runs for every value of every message
        if kind is dict:
            items = {k if type(k) is str else str(k): walk(v) for k, v in value.items()}
            return {_DICT: items} if len(items) == 1 and next(iter(items)) in _MARKERS else items
        if kind is list:
            return [walk(v) for v in value]
        if kind is np.ndarray:
            return array_ref(value)
        if kind is float:
            return value if math.isfinite(value) else {_FLOAT: repr(value)}
        if kind is str or kind is int or kind is bool or value is None:
            return value
        if kind is tuple:
            return {_TUPLE: [walk(v) for v in value]}
        # subclasses and NumPy scalars, in the order that decides what they become
        if isinstance(value, np.ndarray):
            return array_ref(value)
        if isinstance(value, np.generic):
            return walk(np.asarray(value))
        if isinstance(value, bool) or isinstance(value, str):
            return value
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {_FLOAT: repr(value)}
        if isinstance(value, tuple):
            return {_TUPLE: [walk(v) for v in value]}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return walk(dict(value))
        raise CodecError(f"cannot encode {type(value).__name__}")

    header = json.dumps(walk(obj), separators=(",", ":"), allow_nan=False).encode()
    return b"".join([_HEADER.pack(len(header)), header, *buffers])


def decode(message: bytes | bytearray | memoryview, *, max_elements: int = MAX_ELEMENTS,
           max_items: int = MAX_ITEMS, max_header: int = MAX_HEADER_BYTES) -> Any:
    """Decode a message from `encode`, trusting nothing in it; CodecError for anything else.

    The caps are checked before the part they bound is expanded: the header's length before it
    is read, its items before json.loads, each array's elements before it is copied.
    """
    view = memoryview(message)
    if len(view) < _HEADER.size:
        raise CodecError("message too short")
    (header_len,) = _HEADER.unpack_from(view)
    if header_len > len(view) - _HEADER.size:
        raise CodecError("header longer than the message")
    if header_len > max_header:
        raise CodecError(f"header of {header_len} bytes is over the {max_header}-byte cap")
    start = _HEADER.size + header_len
    header = bytes(view[_HEADER.size:start])
    # every item is followed by a ',' or is the first of a '[' or '{' (commas inside strings
    # only add to the count): an upper bound, taken at C speed, of what json.loads would build
    items = header.count(b",") + header.count(b"[") + header.count(b"{")
    if items > max_items:
        raise CodecError(f"header holds more than {max_items} items")
    try:
        tree = json.loads(header)
    except RecursionError:  # json's C scanner refuses deep nesting cleanly, before we would
        raise CodecError("nesting too deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CodecError(f"header is not JSON: {str(exc)[:200]}") from None
    body = view[start:]
    budget = [max_elements]

    def walk(value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise CodecError("nesting too deep")
        kind = type(value)  # json.loads makes only dict, list, str, int, float, bool and None
        if kind is list:
            return [walk(v, depth + 1) for v in value]
        if kind is not dict:
            return value
        if len(value) == 1:
            if _ARRAY in value:
                return _array(value[_ARRAY])
            if _TUPLE in value and type(value[_TUPLE]) is list:
                return tuple(walk(v, depth + 1) for v in value[_TUPLE])
            if _FLOAT in value:
                text = value[_FLOAT]
                if text not in ("nan", "inf", "-inf"):
                    raise CodecError("bad float")
                return float(text)
            if _DICT in value and type(value[_DICT]) is dict:
                return {k: walk(v, depth + 1) for k, v in value[_DICT].items()}
        return {k: walk(v, depth + 1) for k, v in value.items()}  # JSON keys are str already

    def _array(ref: Any) -> np.ndarray:
        try:
            dtype_str, shape, offset, nbytes = ref
            shape = tuple(map(int, shape))
            offset, nbytes = int(offset), int(nbytes)
        except (TypeError, ValueError):
            raise CodecError("bad array reference") from None
        dtype = _DTYPES.get(dtype_str) if type(dtype_str) is str else None  # a list: unhashable
        if dtype is None:
            raise CodecError(f"dtype {str(dtype_str)[:40]!r} may not cross")
        if len(shape) > 32 or (shape and min(shape) < 0):
            raise CodecError("bad array shape")
        count = math.prod(shape)
        budget[0] -= count
        if budget[0] < 0:
            raise CodecError("message holds too many array elements")
        if count * dtype.itemsize != nbytes or offset < 0 or offset + nbytes > len(body):
            raise CodecError("array size does not match its bytes")
        return np.frombuffer(body, dtype=dtype, count=count, offset=offset).reshape(shape).copy()

    return walk(tree)
