"""The reference's answers kept on disk between runs, beside the plans.

A self-check starts with an empty ExpectedValues memo, so every run computed the reference's
answers again: ~8 000 trusted calls for a complete submission (the drawn inputs, the moved ones of
properties and trajectories, the thousands of perturbed inputs of finite differences), about a
third of judging. They depend only on the inputs and on the reference's code, so the memo's
remembered entries (the plan's inputs and what is derived from them, never one student's: see
ExerciseContext.reference) are written to the cache after a run and read back by the next one.

The file is keyed by everything an answer depends on: the sources of the exercise set's Python
code (reference, mistakes, drivers), the code that turns a call into an outcome and a key (the
in-process caller, the worker's data conversion, the fingerprint), NumPy's, Python's and the
grader's versions. It holds data only (grader.codec, never pickle), read with the same trust as
the plan cache beside it. A missing, stale or damaged file only costs the time to compute again.
"""

from __future__ import annotations

import hashlib
import itertools
import platform
from pathlib import Path
from typing import Any

import numpy as np

from .. import codec
from ..version import __version__
from ..plan import cache_dir, store_in_cache
from ..run.client import CallOutcome
from .context import ExpectedValues

FORMAT = 1
_CODE = ("run/inprocess.py", "run/values.py", "judge/context.py", "codec.py")


def answers_key(sources: list[Path]) -> str:
    """What the reference's answers depend on, as a digest."""
    digest = hashlib.sha256(f"{FORMAT};{__version__};{np.__version__};{platform.python_version()};".encode())
    grader_root = Path(__file__).resolve().parent.parent
    for path in [*(grader_root / name for name in _CODE), *sources]:
        digest.update(str(path.name).encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<missing>")
    return digest.hexdigest()[:32]


def code_of(directories: list[Path | None]) -> list[Path]:
    """Every Python file of the exercise set's code folders, in a stable order."""
    return sorted(p for d in directories if d is not None for p in Path(d).rglob("*.py")
                  if "__pycache__" not in p.parts)


def _row(outcome: CallOutcome) -> list[object]:
    return [outcome.value, outcome.error, list(outcome.warnings), outcome.modified]


def _outcome(row: object) -> CallOutcome | None:
    if not isinstance(row, list) or len(row) != 4:
        return None
    value, error, warnings, modified = row
    return CallOutcome(value=value, error=error if isinstance(error, dict) else None,
                       warnings=[str(w) for w in warnings] if isinstance(warnings, list) else [],
                       modified=modified if isinstance(modified, list) else None)


class StoredAnswers:
    """Loads an ExpectedValues memo from the cache, one file per reference function (so that a
    one-exercise check reads only what it needs), and stores back the functions whose answers
    grew. It watches `expected.run` to know which function each new answer belongs to."""

    def __init__(self, expected: ExpectedValues, sources: list[Path]) -> None:
        self.expected = expected
        self.folder = cache_dir() / "answers" / answers_key(sources)
        self.owner: dict[bytes, str] = {}
        self.grown: set[str] = set()
        self.loaded: set[str] = set()  # read already: a session checking again reads nothing twice
        memo, run = expected.memo.outcomes, expected.run

        def watched(exercise: Any, function: str, cases: list[Any], *args: Any, **kwargs: Any) -> Any:
            before = len(memo)
            outcomes = run(exercise, function, cases, *args, **kwargs)
            if len(memo) > before:
                for key in itertools.islice(reversed(memo), len(memo) - before):
                    self.owner.setdefault(key, function)
                self.grown.add(function)
            return outcomes

        expected.run = watched  # type: ignore[method-assign]

    def _path(self, function: str) -> Path:
        return self.folder / f"{function}.bin"

    def load(self, functions: set[str]) -> None:
        memo = self.expected.memo.outcomes
        for function in sorted(functions - self.loaded):
            self.loaded.add(function)
            try:
                data = codec.decode(self._path(function).read_bytes())
            except (OSError, codec.CodecError):
                continue
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                continue
            keys, rows = data.get("keys"), data.get("outcomes")
            if not isinstance(keys, list) or not isinstance(rows, list) or len(keys) != len(rows):
                continue
            for key, row in zip(keys, rows, strict=True):
                outcome = _outcome(row)
                if not isinstance(key, str) or outcome is None:
                    continue
                try:
                    raw = bytes.fromhex(key)
                except ValueError:
                    continue
                memo.setdefault(raw, outcome)
                self.owner[raw] = function

    def save(self) -> None:
        if not self.grown:
            return
        groups: dict[str, list[tuple[bytes, CallOutcome]]] = {f: [] for f in self.grown}
        for key, outcome in self.expected.memo.outcomes.items():
            group = groups.get(self.owner.get(key, ""))
            if group is not None:
                group.append((key, outcome))
        for function, items in sorted(groups.items()):
            items.sort(key=lambda item: item[0])
            store_in_cache(self._path(function), {
                "format": FORMAT, "keys": [k.hex() for k, _ in items],
                "outcomes": [_row(o) for _, o in items]})
        self.grown.clear()


def functions_of(exercises: list[Any]) -> set[str]:
    """The reference functions a check of these exercises asks for: each exercise's own and the
    forward functions of its gradient checks (anything else is simply computed)."""
    return {ex.function for ex in exercises} | {str(c.of) for ex in exercises for c in ex.checks if c.of}


def for_session(session: Any) -> StoredAnswers | None:
    """The stored answers of a course's reference; None for a student pack (its answers are
    recorded already) or without the cache. Only for a course whose reference nobody replaces
    after loading it (the CLI's): stored answers would stand in for the replacement's."""
    if session.pack is not None or session.exercise_set.reference_dir is None or not session.use_cache:
        return None
    exercise_set = session.exercise_set
    return StoredAnswers(session.expected, code_of([exercise_set.reference_dir, exercise_set.drivers_dir]))
