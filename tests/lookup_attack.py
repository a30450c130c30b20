"""A hostile submission built ONLY from a student pack: the pack's recorded answers, looked up.

What a student who has the pack (and nothing else) can do to score without implementing
anything: read every recorded answer of the reference in `expected/*.bin` (the pack's own grader
decodes them), key each by the fingerprint the judge uses (function name and argument bytes),
and embed the table in the submission. Each function then rebuilds the key from its own
arguments and returns the recorded answer (tests/data/lookup_runtime.py). Where the exact key
misses, it tries harder:

- an elementwise derivative is taken as central differences of the recorded forward answers
  at x ± h (the pack records them for the gradient checks);
- otherwise the recorded answer of the nearest recorded input with the same names and shapes
  is returned (the fixed edge cases' answers, when the inputs were only moved a little), else
  zeros shaped like the first argument.

Used by tests/test_pack_lookup_attack.py against the real commands.
"""

from __future__ import annotations

import base64
import pickle
import zlib
from pathlib import Path
from typing import Any

import numpy as np

RUNTIME = Path(__file__).parent / "data" / "lookup_runtime.py"


def _runtime() -> dict[str, Any]:
    """The student side's helpers, for building its tables exactly as it reads them."""
    namespace: dict[str, Any] = {}
    exec(compile(RUNTIME.read_text(encoding="utf-8"), str(RUNTIME), "exec"), namespace)
    return namespace


def _signatures(pack: Path) -> dict[str, tuple[list[str], tuple[str, str, float] | None]]:
    """Each exercise's positional argument names, and for an elementwise derivative its
    forward (function, argument, step), from the pack's specs."""
    from grader.spec import load_exercise_set

    found = {}
    for ex in load_exercise_set(pack).exercises.values():
        positional = [name for name, arg in ex.args.items() if not arg.keyword]
        forward = None
        for check in ex.checks:
            if check.kind == "gradient" and check.of and not check.wrt:
                forward = (str(check.of), str(check.params.get("wrt") or next(iter(ex.args))),
                           float(check.step))
        found[ex.id] = (positional, forward)
    return found


def _tables(pack: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(every recorded answer of the reference by key, each exercise's recorded answers on the
    pack's own inputs, grouped by the inputs' names and shapes, for the nearest-input guess)."""
    from grader import codec
    from grader.spec import load_exercise_set

    runtime = _runtime()
    exact: dict[str, Any] = {}
    near: dict[str, dict[Any, tuple[Any, list[Any], list[Any]]]] = {}
    for ex in load_exercise_set(pack).exercises.values():
        data = codec.decode((pack / "expected" / f"{ex.id}.bin").read_bytes())
        recorded = {key: outcome["value"] for key, outcome in data["reference"]
                    if isinstance(outcome, dict) and outcome.get("error") is None}
        exact.update(recorded)
        groups: dict[Any, tuple[list[Any], list[Any], list[Any]]] = {}
        for name in ("edge", "random", "smooth"):
            for case in data["plan"].get(name) or []:
                key = runtime["_fingerprint"](ex.function, case)
                if key in recorded:
                    numbers, others, answers = groups.setdefault(runtime["_signature"](case), ([], [], []))
                    numbers.append(runtime["_numbers"](case))
                    others.append(runtime["_others"](case))
                    answers.append(recorded[key])
        near[ex.function] = {sig: (np.array(n), o, a) for sig, (n, o, a) in groups.items()}
    return exact, near


def lookup_source(pack: Path) -> str:
    """The source of the lookup submission for `pack`: one function per exercise of the pack."""
    exact, near = _tables(pack)
    signatures = _signatures(pack)
    blob = base64.b64encode(zlib.compress(pickle.dumps((exact, near, signatures)), 9)).decode()
    lines = [RUNTIME.read_text(encoding="utf-8"), "",
             "import base64 as _b64, pickle as _pickle, zlib as _zlib", "",
             f"_EXACT, _NEAR, _SIGNATURES = _pickle.loads(_zlib.decompress(_b64.b64decode({blob!r})))"]
    for function in signatures:
        lines += ["", "", f"def {function}(*args, **kwargs):",
                  f"    return _answer({function!r}, args, kwargs)"]
    return "\n".join(lines) + "\n"


def write_lookup_submission(pack: Path, path: Path) -> Path:
    path.write_text(lookup_source(pack), encoding="utf-8")
    return path
