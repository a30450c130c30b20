"""A submission's fingerprints as a plain, versioned record that can be stored and compared later.

`fingerprint(student, modules, exercises)` is everything that looks at a student's code: it
splits it into units (grader/similarity/units.py), undoes the cheap disguises (rewrite.py),
turns each unit into normalised tokens (tokens.py) and winnows them (winnow.py). The record keeps
per unit only what ranking and highlighting need: how many tokens, the fingerprints, and for
each fingerprint the lines it covers. Two records are comparable when their `method` is equal;
a record of another method or version is recomputed, never compared.

`to_tree()` is a tree of dicts, lists, ints and strings: `json.dumps` and `grader.codec.encode`
both take it. `from_tree` checks every field, since a stored record is read back from a file.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .rewrite import rewrite
from .tokens import Names, unit_tokens
from .units import OTHER, split_units
from .winnow import fingerprints

RECORD_VERSION = 1
#: bump when tokens.py or rewrite.py change what a unit normalises to
NORMALISER_VERSION = 1
#: a unit's tokens beyond this are not compared (a generated 2 MB function is not a student's)
MAX_UNIT_TOKENS = 20_000
#: a submission's tokens beyond this are not compared
MAX_SUBMISSION_TOKENS = 200_000


class RecordError(ValueError):
    """A stored record that is not one this version can read."""


@dataclass(frozen=True)
class Method:
    """What the fingerprints depend on: records compare only under the same method."""

    k: int = 5
    window: int = 4
    normaliser: int = NORMALISER_VERSION

    def to_tree(self) -> dict[str, int]:
        return {"k": self.k, "window": self.window, "normaliser": self.normaliser}


@dataclass
class UnitPrints:
    name: str
    tokens: int
    hashes: np.ndarray                      # int64, in source order, possibly repeated
    spans: np.ndarray                       # (n, 3) int32: module, first line, last line
    extents: list[tuple[int, int, int]] = field(default_factory=list)  # the unit's statements

    def to_tree(self, arrays: bool = False) -> dict[str, Any]:
        return {"name": self.name, "tokens": self.tokens,
                "hashes": self.hashes if arrays else self.hashes.tolist(),
                "spans": self.spans if arrays else self.spans.tolist(),
                "extents": [list(e) for e in self.extents]}


@dataclass
class ModuleInfo:
    filename: str
    digest: str  # sha256 of the source compared: the view checks it against what it shows
    lines: int


@dataclass
class FingerprintRecord:
    student: str
    method: Method
    units: dict[str, UnitPrints] = field(default_factory=dict)
    modules: list[ModuleInfo] = field(default_factory=list)
    #: why nothing of the submission was compared ({"code", "facts"}), or None
    problem: dict[str, Any] | None = None
    #: what was left out of an otherwise compared submission ({"code", "facts"} each)
    notes: list[dict[str, Any]] = field(default_factory=list)
    version: int = RECORD_VERSION

    def to_tree(self, arrays: bool = False) -> dict[str, Any]:
        """Plain data; with `arrays`, the fingerprints and spans stay NumPy arrays (for
        `grader.codec`, which stores them as raw buffers: the gradebook's form)."""
        return {"version": self.version, "method": self.method.to_tree(), "student": self.student,
                "units": [u.to_tree(arrays) for u in self.units.values()],
                "modules": [{"filename": m.filename, "digest": m.digest, "lines": m.lines} for m in self.modules],
                "problem": self.problem, "notes": self.notes}

    @classmethod
    def from_tree(cls, tree: Any) -> "FingerprintRecord":
        try:
            return _from_tree(tree)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
            raise RecordError(f"not a fingerprint record: {type(exc).__name__}: {exc}") from None


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return int(value)


def _from_tree(tree: dict[str, Any]) -> FingerprintRecord:
    if _int(tree["version"]) != RECORD_VERSION:
        raise RecordError(f"record version {tree['version']}, this grader reads {RECORD_VERSION}")
    method = Method(**{key: _int(tree["method"][key]) for key in ("k", "window", "normaliser")})
    units: dict[str, UnitPrints] = {}
    for item in tree["units"]:
        hashes = np.asarray(item["hashes"], dtype=np.int64).reshape(-1)
        spans = np.asarray(item["spans"], dtype=np.int32).reshape(-1, 3)
        if len(spans) != len(hashes):
            raise ValueError("a unit has not one span per fingerprint")
        extents = [(_int(e[0]), _int(e[1]), _int(e[2])) for e in item["extents"]]
        units[str(item["name"])] = UnitPrints(str(item["name"]), _int(item["tokens"]), hashes, spans, extents)
    modules = [ModuleInfo(str(m["filename"]), str(m["digest"]), _int(m["lines"])) for m in tree["modules"]]
    problem = tree["problem"]
    if problem is not None and not (isinstance(problem, dict) and isinstance(problem.get("code"), str)):
        raise TypeError("problem is not a message")
    notes = list(tree["notes"])
    return FingerprintRecord(str(tree["student"]), method, units, modules, problem, notes)


def _digest(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprint(student: str, modules: list[dict[str, str]], exercises: frozenset[str],
                method: Method = Method()) -> FingerprintRecord:
    """The record of one submission, from its modules as `grader.submission` reads them."""
    record = FingerprintRecord(student, method, modules=[
        ModuleInfo(m["filename"], _digest(m["source"]), m["source"].count("\n") + 1) for m in modules])
    split = split_units(modules, exercises)
    record.notes += split.notes
    names = Names(split.aliases, split.helpers, exercises)
    budget = MAX_SUBMISSION_TOKENS
    for unit in split.units.values():
        if budget <= 0:
            record.notes.append({"code": "similarity.truncated",
                                 "facts": {"unit": unit.name, "limit": MAX_SUBMISSION_TOKENS}})
            continue
        try:
            groups = [rewrite(_compared_part(stmt, unit.name != OTHER)).body for _, stmt in unit.statements]
            tokens, lines, ends = unit_tokens(groups, names)
        except (RecursionError, MemoryError):
            record.notes.append({"code": "similarity.too_complex",
                                 "facts": {"file": modules[unit.statements[0][0]]["filename"],
                                           "line": unit.statements[0][1].lineno, "message": unit.name}})
            continue
        limit = min(MAX_UNIT_TOKENS, budget)
        if len(tokens) > limit:
            record.notes.append({"code": "similarity.truncated", "facts": {"unit": unit.name, "limit": limit}})
            tokens, lines = tokens[:limit], lines[:limit]
        budget -= len(tokens)
        modules_of = np.repeat([module for module, _ in unit.statements],
                               np.diff([0, *ends]))[:len(tokens)].tolist()
        hashes, starts = fingerprints(tokens, method.k, method.window)
        record.units[unit.name] = UnitPrints(unit.name, len(tokens), hashes,
                                             _spans(starts, method.k, lines, modules_of), unit.extents())
    return record


def _compared_part(stmt: ast.stmt, exercise: bool) -> ast.Module:
    """What of a unit's statement is compared, as a tree to rewrite: an exercise function's body
    only (its signature is the spec's), any other statement whole."""
    if exercise and isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return ast.Module(body=stmt.body, type_ignores=[])
    return ast.Module(body=[stmt], type_ignores=[])


def _spans(starts: np.ndarray, k: int, lines: list[int], modules_of: list[int]) -> np.ndarray:
    """(module, first line, last line) of the k tokens of each fingerprint."""
    spans = np.zeros((len(starts), 3), dtype=np.int32)
    for row, start in enumerate(starts.tolist()):
        module = modules_of[start]
        covered = [lines[i] for i in range(start, start + k) if modules_of[i] == module]
        spans[row] = (module, min(covered), max(covered))
    return spans


__all__ = ["FingerprintRecord", "UnitPrints", "ModuleInfo", "Method", "RecordError", "fingerprint",
           "RECORD_VERSION"]
