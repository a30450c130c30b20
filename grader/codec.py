"""A safe binary format for nested data with NumPy arrays: what crosses a process boundary.

Why not pickle or np.save(allow_pickle=True): bytes written by a student's worker are hostile, and
unpickling them runs code. Why not .npz: a zip per message costs more than the call it carries.
A message is a JSON header (the tree, with arrays replaced by references) followed by the raw
array buffers. A list of arrays, tuples or dicts (a batch of calls' values or arguments) travels
packed: its arrays of one dtype in one buffer under one reference, its tuples and dicts as one list
per position or key, which costs each end a fraction of one reference per array. Decoding
checks every dtype against a whitelist and every size against the bytes actually present, so a
hostile message can make decoding fail, never make it do anything else.

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
#: a list holding arrays of one dtype, whatever their shapes (a batch's values, or one argument
#: of every case): one buffer and one reference holding every shape, instead of one reference and
#: one buffer per array, which costs both ends a fraction per array. The list's other items (a
#: float where a call returned one, None where it raised) travel beside them, in order
_STACK = "__stack__"
#: a list of tuples of one length (a batch's values when a function returns a tuple) as one list
#: per position, each of which may be a stack in turn
_ZIP = "__zip__"
#: a list of dicts of the same keys (a batch's values when a function returns a dict) as one list
#: per key
_ZIP_DICT = "__zipdict__"
#: lists with fewer arrays (or tuples, or dicts) than this are sent item by item
STACK_MIN = 4
_TUPLE = "__tuple__"
_FLOAT = "__float__"
#: a dict whose only key is one of the markers above is sent inside this one, so that it is
#: decoded as the dict it is (a student's {"__float__": ...} stays a dict)
_DICT = "__dict__"
_MARKERS = frozenset((_ARRAY, _STACK, _ZIP, _ZIP_DICT, _TUPLE, _FLOAT, _DICT))

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

    def stack_ref(items: list[Any]) -> dict[str, Json] | None:
        """One reference for the arrays of a list that are of its first array's dtype, with its
        other items beside them; None when fewer than STACK_MIN arrays would be in it."""
        nonlocal offset
        dtype = next((item.dtype for item in items if type(item) is np.ndarray), None)
        if dtype is None or dtype.str not in ALLOWED_DTYPES:
            return None
        stacked = [type(item) is np.ndarray and item.dtype == dtype for item in items]
        if stacked.count(True) < STACK_MIN:
            return None
        shapes: list[Json] = []
        others: list[Json] = []
        data = []
        for item, here in zip(items, stacked, strict=True):
            if here:
                shapes.append(list(item.shape))
                data.append(item.tobytes())  # C order, whatever the strides
            else:
                shapes.append(None)
                others.append(walk(item))
        joined = b"".join(data)
        ref: dict[str, Json] = {_STACK: [dtype.str, shapes, offset, len(joined), others]}
        buffers.append(joined)
        offset += len(joined)
        return ref

    def zip_ref(items: list[Any]) -> dict[str, Json] | None:
        """A list of tuples of one length as one list per position; None for any other list."""
        width = len(items[0])
        if width == 0 or any(type(item) is not tuple or len(item) != width for item in items):
            return None
        return {_ZIP: [walk(list(column)) for column in zip(*items, strict=True)]}

    def zip_dict_ref(items: list[Any]) -> dict[str, Json] | None:
        """A list of dicts of the same str keys as one list per key; None for any other list."""
        keys = list(items[0])
        if not keys or any(type(key) is not str for key in keys) \
                or any(type(item) is not dict or list(item) != keys for item in items):
            return None
        return {_ZIP_DICT: {key: walk([item[key] for item in items]) for key in keys}}

    def walk_list(items: list[Any]) -> Json:
        if len(items) >= STACK_MIN:
            first = type(items[0])
            packed = zip_ref(items) if first is tuple else zip_dict_ref(items) if first is dict \
                else stack_ref(items) if first is np.ndarray or first is float or items[0] is None else None
            if packed is not None:
                return packed
        return [walk(v) for v in items]

    def walk(value: Any) -> Json:  # Any: the exact-type tests below do not narrow for mypy
        kind = type(value)  # exact types first: this runs for every value of every message
        if kind is dict:
            items = {k if type(k) is str else str(k): walk(v) for k, v in value.items()}
            return {_DICT: items} if len(items) == 1 and next(iter(items)) in _MARKERS else items
        if kind is list:
            return walk_list(value)
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
            if _STACK in value:
                return _stack(value[_STACK], depth)
            if _ZIP in value:
                return _zip(value[_ZIP], depth)
            if _ZIP_DICT in value:
                return _zip_dict(value[_ZIP_DICT], depth)
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

    def _dtype(name: Any) -> np.dtype[Any]:
        dtype = _DTYPES.get(name) if type(name) is str else None  # a list: unhashable
        if dtype is None:
            raise CodecError(f"dtype {str(name)[:40]!r} may not cross")
        return dtype

    def _size(shape: Any) -> int:
        """The elements of a valid shape (a list of at most 32 non-negative ints)."""
        if type(shape) is not list or len(shape) > 32:
            raise CodecError("bad array shape")
        for n in shape:
            if type(n) is not int or n < 0:
                raise CodecError("bad array shape")
        return math.prod(shape)

    def _spend(elements: int) -> None:
        budget[0] -= elements
        if budget[0] < 0:
            raise CodecError("message holds too many array elements")

    def _bytes(offset: Any, nbytes: Any, expected: int) -> None:
        if type(offset) is not int or type(nbytes) is not int or nbytes != expected or offset < 0 \
                or offset + nbytes > len(body):
            raise CodecError("array size does not match its bytes")

    def _array(ref: Any) -> np.ndarray:
        try:
            name, shape, offset, nbytes = ref
        except (TypeError, ValueError):
            raise CodecError("bad array reference") from None
        dtype = _dtype(name)
        count = _size(shape)
        _spend(count)
        _bytes(offset, nbytes, count * dtype.itemsize)
        return np.frombuffer(body, dtype=dtype, count=count, offset=offset).reshape(shape).copy()

    def _stack(ref: Any, depth: int) -> list[Any]:
        try:
            name, shapes, offset, nbytes, others = ref
        except (TypeError, ValueError):
            raise CodecError("bad stack reference") from None
        dtype = _dtype(name)
        if type(shapes) is not list or len(shapes) > max_items or type(others) is not list \
                or len(others) != shapes.count(None):
            raise CodecError("bad stack reference")
        sizes = [0 if shape is None else _size(shape) for shape in shapes]
        total = sum(sizes)
        _spend(total + sizes.count(0) - len(others))  # an empty array still costs a list entry
        _bytes(offset, nbytes, total * dtype.itemsize)
        flat = np.frombuffer(body, dtype=dtype, count=total, offset=offset)
        rest = iter(others)
        items: list[Any] = []
        start = 0
        for shape, size in zip(shapes, sizes, strict=True):
            if shape is None:
                items.append(walk(next(rest), depth + 1))
            else:  # each array its own, as `_array` makes it (a slice would be a view of `flat`)
                items.append(flat[start:start + size].reshape(shape).copy())
                start += size
        return items

    def _zip(columns: Any, depth: int) -> list[tuple[Any, ...]]:
        if type(columns) is not list or not columns:
            raise CodecError("bad zip reference")
        decoded = [walk(column, depth + 1) for column in columns]
        if any(type(column) is not list or len(column) != len(decoded[0]) for column in decoded):
            raise CodecError("bad zip reference")
        return list(zip(*decoded, strict=True))

    def _zip_dict(columns: Any, depth: int) -> list[dict[str, Any]]:
        if type(columns) is not dict or not columns:
            raise CodecError("bad zip reference")
        decoded = {key: walk(column, depth + 1) for key, column in columns.items()}
        lengths = {len(column) if type(column) is list else -1 for column in decoded.values()}
        if len(lengths) != 1 or -1 in lengths:
            raise CodecError("bad zip reference")
        keys = list(decoded)
        return [dict(zip(keys, row, strict=True)) for row in zip(*decoded.values(), strict=True)]

    return walk(tree)
