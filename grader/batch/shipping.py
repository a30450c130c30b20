"""What travels between a `grader grade --cluster` client and its Dask workers, as codec bytes.

A worker need not see the client's disk: the client reads each submission itself (the one
bounded reader, `grader.submission.read_submission`) and sends its files' bytes; the worker
rebuilds the same Submission from them (`submission_from_files`), so what is graded is what the
local path grades. The plans the client drew travel once, with the worker plugin, so every
worker grades on the client's inputs whatever its Hypothesis. Results come back as the
gradebook's own encoding (`encode_result`). Everything is `grader.codec`: JSON and raw buffers,
never pickle, and decoding trusts nothing in the bytes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import codec
from ..plan import Plan
from ..submission import SourceFile, Submission, read_submission, submission_from_files

if TYPE_CHECKING:
    from ..session import GradingSession
    from ..spec import Exercise

HIDDEN = "#hidden"


class ShippingError(ValueError):
    """Bytes that are not what `pack_submission` or `pack_plans` writes."""


def pack_submission(path: str) -> bytes:
    """The submission at `path` as bytes: its path (a name only), and its files or why it cannot
    be read."""
    read = read_submission(path)
    if isinstance(read, Submission):
        return codec.encode({"path": path, "error": read.error, "facts": read.error_facts})
    files, in_folder = read
    return codec.encode({"path": path, "folder": in_folder,
                         "files": [{"name": f.name, "data": np.frombuffer(f.data, dtype=np.uint8)}
                                   for f in files]})


def unpack_submission(blob: bytes) -> Submission:
    """The Submission `pack_submission` read (ShippingError for anything else)."""
    try:
        data = codec.decode(blob)
    except codec.CodecError as exc:
        raise ShippingError(str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("path"), str):
        raise ShippingError("not a submission")
    path = Path(data["path"])
    if "error" in data:
        facts = data.get("facts")
        if not isinstance(data["error"], str) or not isinstance(facts, dict):
            raise ShippingError("a bad error")
        return Submission(path=path, error=data["error"], error_facts=facts)
    files = data.get("files")
    if not isinstance(files, list) or not isinstance(data.get("folder"), bool):
        raise ShippingError("no files")
    sources = []
    for entry in files:
        if not (isinstance(entry, dict) and isinstance(entry.get("name"), str)
                and isinstance(entry.get("data"), np.ndarray) and entry["data"].dtype == np.uint8):
            raise ShippingError("a bad file")
        sources.append(SourceFile(entry["name"], entry["data"].tobytes()))
    return submission_from_files(path, sources, data["folder"])


def pack_plans(session: GradingSession, exercises: list[Exercise]) -> bytes:
    """The plans `session` grades `exercises` on (and their hidden checks'), as bytes."""
    plans = {ex.id: dataclasses.asdict(session.plan(ex)) for ex in exercises}
    for ex in exercises:
        hidden = session.hidden_plan(ex)
        if hidden is not None:
            plans[ex.id + HIDDEN] = dataclasses.asdict(hidden)
    return codec.encode(plans)


def pin_plans(session: GradingSession, blob: bytes) -> int:
    """Grade on the plans of `pack_plans` from now on; how many were pinned."""
    try:
        plans = codec.decode(blob)
    except codec.CodecError as exc:
        raise ShippingError(str(exc)) from None
    if not isinstance(plans, dict):
        raise ShippingError("not plans")
    by_id = session.exercise_set.exercises
    for key, fields in plans.items():
        exercise_id, hidden = (key[:-len(HIDDEN)], True) if key.endswith(HIDDEN) else (key, False)
        if exercise_id not in by_id or not isinstance(fields, dict):
            raise ShippingError(f"a plan for an unknown exercise {exercise_id[:60]!r}")
        try:
            plan = Plan(**fields)
        except TypeError:
            raise ShippingError("a bad plan") from None
        session.pin(by_id[exercise_id], plan, hidden=hidden)
    return len(plans)
