"""Every verdict of a graded class, as canonical JSON: what a speed-up must leave unchanged.

    python benchmarks/verdicts.py GRADEBOOK.sqlite OUT.json

Per student and exercise: status, score, message code; per check: status, score, code, the
matched mistake (and whether it is only likely), the symptom, every other way it fails, and the
shrunk counterexample (by a digest of its values to 12 digits). Timings and paths are left out:
they differ from run to run.
`tests/test_grades_unchanged.py` grades the generated class (benchmarks/classgen.py) and compares
its verdicts with `tests/data/generated_class_verdicts.json`, recorded by this script from the
code before the per-submission cost work of issue 17. Record it again only when a change is
meant to change grades (a new check, a new mistake), and say so in the commit.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import numpy as np


def _number(value: float) -> str:
    """A float to 12 significant digits: a counterexample's values come from NumPy's exp, tanh
    and sums, whose last bit differs from one CPU to another (AVX-512 or not; seen here: 0.7005671424739729
    and 0.700567142473973 for the same sigmoid); any change of a grade's meaning is far larger."""
    return f"{value:.12g}"


def _plain(value: Any) -> Any:
    """Arrays as (dtype, shape, values), tuples as lists, floats to 12 digits (`_number`)."""
    if isinstance(value, np.ndarray):
        return {"array": value.dtype.str, "shape": list(value.shape),
                "values": [_number(float(v)) if value.dtype.kind == "f" else repr(v.item())
                           for v in value.reshape(-1)]}
    if isinstance(value, np.generic):
        return _plain(np.asarray(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return _number(value)
    return value


def _digest(value: Any) -> str | None:
    """A counterexample by the digest of its exact values (the file stays small)."""
    if value is None:
        return None
    text = json.dumps(_plain(value), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check(check: Any) -> dict[str, Any]:
    symptom = check.symptom or {}
    return {"name": check.name, "status": check.status, "score": check.score, "code": check.code,
            "mistake": check.mistake, "likely": check.hint_likely,
            "symptom": symptom.get("code"), "counterexample": _digest(check.counterexample),
            "others": [{"code": o.get("code"), "mistake": o.get("mistake"),
                        "failing": o.get("failing_cases"),
                        "counterexample": _digest(o.get("counterexample"))} for o in check.others]}


def verdicts(gradebook: Path) -> dict[str, Any]:
    """{student: {"score", "exercises": {id: {"status", "score", "code", "failed", "checks"}}}},
    the latest grade of each; "checks" is a digest of every check's verdict (`_check`)."""
    from grader.batch.gradebook import decode_result

    out: dict[str, Any] = {}
    with sqlite3.connect(gradebook) as book:
        rows = book.execute("SELECT student, result FROM grades ORDER BY id").fetchall()
    for student, blob in rows:  # a later grade of the same student replaces an earlier one
        result = decode_result(blob)
        out[student] = {"score": result.score, "exercises": {
            ex.id: {"status": ex.status, "score": ex.score, "code": ex.code,
                    "failed": [c.name for c in ex.checks if c.status != "passed"],
                    "checks": _digest([_check(c) for c in ex.checks])} for ex in result.exercises}}
    return dict(sorted(out.items()))


if __name__ == "__main__":
    found = verdicts(Path(sys.argv[1]))
    lines = [f"{json.dumps(student)}: {json.dumps(found[student], sort_keys=True)}" for student in found]
    Path(sys.argv[2]).write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
