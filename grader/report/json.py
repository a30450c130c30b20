"""--format json: the stable, documented shape other tools read (schema_version 2).

Version 2: a value (input, expected, actual, a fact) past 256 entries is stored as a summary,
``{"__summary__": {...}}`` (grader.result.Summary), where version 1 held it whole.

Strings are data here, kept as the submission produced them (what it printed, its exception
messages); `untrusted.json_dumps` only makes the document valid UTF-8 and safe to print.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..messages import render
from ..result import SubmissionResult
from .untrusted import json_dumps
from .words import check_message, check_name, exercise_message, hint, other_ways, symptom

SCHEMA_VERSION = 2


def jsonable(value: Any) -> Any:
    """Arrays to nested lists; NaN and ±inf to the strings "NaN", "Infinity", "-Infinity"."""
    if isinstance(value, (np.ndarray, np.generic)):
        return jsonable(np.asarray(value).tolist())
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def as_dict(result: SubmissionResult, lang: str = "en") -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "submission": result.submission,
        "score": result.score,
        "max_score": result.max_score,
        "grader_version": result.grader_version,
        "seed": result.seed,
        "spec_digest": result.spec_digest,
        "sandbox": result.sandbox,
        "seconds": round(result.seconds, 3),
        "exercises": [
            {
                "id": ex.id,
                "title": ex.title.get(lang) or ex.title.get("en"),
                "chapter": ex.chapter,
                "score": ex.score,
                "max_score": ex.max_score,
                "status": ex.status,
                "message": exercise_message(ex, lang),
                "location": ex.location,
                "seconds": round(ex.seconds, 3),
                "checks": [
                    {
                        "name": check_name(c, lang),
                        "kind": c.kind,
                        "status": c.status,
                        "score": c.score,
                        "max_score": c.max_score,
                        "message": check_message(c, lang),
                        "hint": hint(c, lang) or None,
                        "hint_likely": c.hint_likely,
                        "symptom": symptom(c, lang) or None,
                        "symptom_code": (c.symptom or {}).get("code"),
                        "others": [{"code": o.get("code"), "message": message,
                                    "mistake": o.get("mistake"),
                                    "failing_cases": o.get("failing_cases"),
                                    "counterexample": jsonable(o.get("counterexample"))}
                                   for o, message in zip(c.others, other_ways(c, lang), strict=True)],
                        "mistake": c.mistake,
                        "code": c.code or None,
                        "facts": jsonable(c.facts),
                        "counterexample": jsonable(c.counterexample),
                    }
                    for c in ex.checks
                ],
            }
            for ex in result.exercises
        ],
        "notes": [{"code": n["code"], "message": render(n["code"], n["facts"], lang),
                   "facts": jsonable(n["facts"])} for n in result.notes],
        "stdout": result.stdout,
        "stderr": result.stderr,
    }


def render_json(result: SubmissionResult, lang: str = "en") -> str:
    return json_dumps(as_dict(result, lang), indent=2)
