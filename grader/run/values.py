"""What a call's answer may be when it crosses from a worker: bounded plain data, never objects.

A student's return value is converted here into codec-safe data (arrays of plain dtypes,
numbers, strings, lists, tuples, dicts), capped in size before anything is copied, and refused
past a limit with TooLarge; the same conversion serves the grader's in-process calls of trusted
code (grader.run.inprocess) and a student pack's recordings (grader.pack.build), so an answer
means the same wherever it was computed. Every limit here is the worker's; the grader words
TooLarge in the student's language (grader.run.client, messages).
"""

from __future__ import annotations

import sys
from json.encoder import encode_basestring_ascii
from typing import Any

import numpy as np

#: largest array (in elements) a student may return; checked before the array is materialised
MAX_RESULT_ELEMENTS = 5_000_000
MAX_CONTAINER_ITEMS = 1000
#: levels of lists, tuples and dicts inside a returned value
MAX_DEPTH = 8
#: characters kept of a returned string, and of a dict key
MAX_STR_CHARS = 1000
MAX_KEY_CHARS = 100
#: what one reply (every value, argument and error text of a batch of calls) may carry in all:
#: array elements, and bytes of everything else (the JSON header), counted before it is copied
MAX_REPLY_ELEMENTS = 6_000_000
MAX_REPLY_DATA = 8 * 1024 * 1024
#: header bytes charged for a number, a None or a container, and its separator (the repr of a
#: float takes at most 24); a string is charged what its JSON escape takes
_ITEM_BYTES = 32
#: an int longer than this is not carried as a number (JSON could not even write it)
_MAX_INT_BITS = 256


class TooLarge(Exception):
    """A returned value, or a whole reply, over one of the limits above.

    `reason` says which ("array", "items", "depth", "reply_entries", "reply_data"), `size` how
    much it holds and `limit` how much is allowed: the grader words it in the student's language.
    """

    def __init__(self, reason: str, size: int, limit: int) -> None:
        super().__init__(f"{reason}: {size} > {limit}")
        self.reason, self.size, self.limit = reason, size, limit

    def as_error(self) -> dict[str, Any]:
        return {"type": "TooLarge", "message": str(self), "reason": self.reason,
                "size": self.size, "limit": self.limit}


class Budget:
    """What one reply may still carry. A value spends it while it is converted, before anything
    is copied, so conversion stops at the first entry over it (a list of 1000 lists of 1000 …
    is refused after a quarter of a million, not after copying 1000⁸). A value refused gives
    back its array elements (refused unread) but not the data it was walked for: the walk is
    the cost, so a reply walks at most MAX_REPLY_DATA of lists, however many calls it answers."""

    def __init__(self, elements: int = MAX_REPLY_ELEMENTS, data: int = MAX_REPLY_DATA) -> None:
        self.limits = (elements, data)
        self.elements, self.data = elements, data  # left in the reply
        self.taken_elements = self.taken_data = 0  # taken by the value being converted

    def take(self, elements: int = 0, data: int = 0) -> None:
        self.taken_elements += elements
        self.taken_data += data
        if self.taken_elements > self.elements:
            limit = self.limits[0]
            raise TooLarge("reply_entries", limit - self.elements + self.taken_elements, limit)
        if self.taken_data > self.data:
            limit = self.limits[1]
            raise TooLarge("reply_data", limit - self.data + self.taken_data, limit)

    def text(self, value: str) -> None:
        self.take(data=len(encode_basestring_ascii(value)) + 1)

    def commit(self) -> None:
        self.elements -= self.taken_elements
        self.data -= self.taken_data
        self.taken_elements = self.taken_data = 0

    def refund(self) -> None:
        self.data -= self.taken_data
        self.taken_elements = self.taken_data = 0


def to_data(value: Any, budget: Budget | None = None) -> Any:
    """Turn a student's return value into codec-safe data, refusing huge or exotic values.

    `budget` is the reply's (the caller's batch of calls): the value is charged to it only when
    the whole of it fits. TooLarge says which limit it is over.
    """
    budget = budget if budget is not None else Budget()
    try:
        data = _convert(value, 0, budget)
    except BaseException:
        budget.refund()
        raise
    budget.commit()
    return data


def _convert(value: Any, depth: int, budget: Budget) -> Any:
    if depth > MAX_DEPTH:
        raise TooLarge("depth", depth, MAX_DEPTH)
    if type(value) is np.ndarray:  # the common answer, decided before the isinstance chain
        return _array(value, budget)
    if value is None or isinstance(value, bool):
        budget.take(data=_ITEM_BYTES)
        return bool(value) if value is not None else None
    if isinstance(value, str):
        text = str.__str__(value)[:MAX_STR_CHARS]
        budget.text(text)
        return text
    if isinstance(value, (int, float)):  # subclasses of int/float: keep the number only
        budget.take(data=_ITEM_BYTES)
        if isinstance(value, float):
            return float(value)
        number = int(value)
        if number.bit_length() > _MAX_INT_BITS:
            return {"__unsupported__": f"int of {number.bit_length()} bits"}
        return number
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        return _array(value, budget)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        if value.numel() > MAX_RESULT_ELEMENTS:
            raise TooLarge("array", int(value.numel()), MAX_RESULT_ELEMENTS)
        if value.is_complex():
            return {"__unsupported__": f"complex tensor ({value.dtype})"}
        return _array(value.detach().cpu().resolve_conj().resolve_neg().numpy(), budget)
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_CONTAINER_ITEMS:
            raise TooLarge("items", len(value), MAX_CONTAINER_ITEMS)
        budget.take(data=_ITEM_BYTES)
        items = [_convert(v, depth + 1, budget) for v in value]
        return tuple(items) if isinstance(value, tuple) else items
    if isinstance(value, dict):
        if len(value) > MAX_CONTAINER_ITEMS:
            raise TooLarge("items", len(value), MAX_CONTAINER_ITEMS)
        budget.take(data=_ITEM_BYTES)
        converted = {}
        for k, v in value.items():
            key = str(k)[:MAX_KEY_CHARS]
            budget.text(key)
            converted[key] = _convert(v, depth + 1, budget)
        return converted
    return {"__unsupported__": type(value).__name__[:100]}


def _array(value: Any, budget: Budget) -> Any:
    size = int(np.size(value)) if isinstance(value, np.ndarray) else 1
    if size > MAX_RESULT_ELEMENTS:
        raise TooLarge("array", size, MAX_RESULT_ELEMENTS)
    budget.take(elements=size, data=_ITEM_BYTES)
    array = np.array(value, copy=True, subok=False)
    if array.dtype.kind not in "biuf":
        return {"__unsupported__": f"array of dtype {array.dtype}"}
    if not array.dtype.isnative:  # a big-endian array: the same numbers, in this machine's order
        array = array.astype(array.dtype.newbyteorder("="))
    if array.dtype.itemsize > 8:  # float128 and the like may not cross
        return {"__unsupported__": f"array of dtype {array.dtype}"}
    return array


def snapshot(args: list[Any]) -> list[np.ndarray | None]:
    """Copies of the array arguments of a call, taken before it (see `modified`)."""
    return [a.copy() if type(a) is np.ndarray else None for a in args]


def modified(args: list[Any], before: list[np.ndarray | None]) -> list[int]:
    """Positions of the array arguments the call changed in place (what the input_unchanged
    property asks), so that no second call has to send every argument back."""
    changed = []
    for i, (after, copy) in enumerate(zip(args, before, strict=False)):  # `before` may be shorter
        if copy is None:
            continue
        try:
            same = (after.shape == copy.shape and after.dtype == copy.dtype
                    and (after.tobytes() == copy.tobytes() or np.array_equal(after, copy, equal_nan=True)))
        except BaseException:  # an array the call made unreadable has changed
            same = False
        if not same:
            changed.append(i)
    return changed
