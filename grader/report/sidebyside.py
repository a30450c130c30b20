"""Expected and actual values side by side, entry by entry, for the terminal and the notebook.

Only formats: which entries differ is read from the check's facts (`positions`, `index`), or,
for values too large to keep whole, from their summaries (the entries where they differ most,
which the judge chose and marked), never recomputed here.
"""

from __future__ import annotations

import ast
import re
from typing import Iterable, Mapping, SupportsInt

import numpy as np

from ..messages import format_value
from ..result import Summary

#: arrays with more entries than this are shown on one line each, not entry by entry
MAX_ENTRIES = 12


def index_text(index: Iterable[SupportsInt]) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def marked_positions(facts: Mapping[str, object]) -> set[tuple[int, ...]]:
    positions = facts.get("positions")
    marked = {tuple(int(i) for i in p) for p in (positions if isinstance(positions, (list, tuple)) else ())
              if isinstance(p, (list, tuple)) and all(isinstance(i, (int, np.integer)) for i in p)}
    index = facts.get("index")
    if isinstance(index, (list, tuple)) and index and all(isinstance(i, int) for i in index):
        marked.add(tuple(index))
    return marked


_STEP = re.compile(r"\[(-?\d+|'[^']*'|\"[^\"]*\")\]")


def part(value: object, path: str) -> object:
    """The piece of a tuple, list or dict that `path` ("[0]", "['W2']", "[1][0]") names, or None."""
    for token in _STEP.findall(path):
        key = ast.literal_eval(token)
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, (list, tuple)) and isinstance(key, int) and -len(value) <= key < len(value):
            value = value[key]
        else:
            return None
    return value


def entries(expected: object, actual: object, facts: Mapping[str, object]) -> list[tuple[str, str, str, bool]] | None:
    """(index, expected, got, differs) per entry, or None when a table would not help.

    For a tuple or dict result, the table is of the part where they differ (`path` in the facts),
    its indices written from the result down: [0][2], ['W2'][0, 0].
    """
    path = str(facts.get("path") or "")
    if path and isinstance(expected, (tuple, list, dict)):
        expected, actual = part(expected, path), part(actual, path)
    expected_summary, actual_summary = Summary.of(expected), Summary.of(actual)
    if expected_summary is not None and actual_summary is not None:
        return summary_entries(path, expected_summary, actual_summary, marked_positions(facts))
    if not (isinstance(expected, np.ndarray) and isinstance(actual, np.ndarray)):
        return None
    if expected.shape != actual.shape or not 2 <= expected.size <= MAX_ENTRIES:
        return None
    marked = marked_positions(facts)
    return [(path + index_text(i), format_value(expected[i].item()), format_value(actual[i].item()),
             i in marked) for i in np.ndindex(expected.shape)]


def summary_entries(path: str, expected: Summary, actual: Summary,
                    marked: set[tuple[int, ...]]) -> list[tuple[str, str, str, bool]] | None:
    """The rows of two summaries made together (the same entries of both, ranked by where they
    differ), or None when they were not."""
    if expected.ranked_by != "difference" or actual.ranked_by != "difference" \
            or expected.shape != actual.shape \
            or [w.index for w in expected.worst] != [w.index for w in actual.worst] or not actual.worst:
        return None
    return [(path + index_text(e.index), format_value(e.value), format_value(a.value),
             bool(a.differs) or a.index in marked) for e, a in zip(expected.worst, actual.worst, strict=True)]
