"""Student packs: what students receive to check their work without the reference solution.

A pack is an exercise-set folder without `reference/`: the specs with only the checks it can
answer (hidden checks and checks that need the set's trusted code are left out), `pack.json`
(what it holds, and the checks only the instructor's run grades), the set's public `drivers/`
(check helpers that hold no solution), the student build of the grader (the grader package
alone, `grader.pack.student_build`), and `expected/<exercise>.bin`, one per exercise, in the
grader's safe codec (never pickle), holding:

- `plan`: every case set of the exercise's plan, pinned: a pack never draws (so a student's
  Hypothesis version changes nothing) and its seed cannot be changed;
- `reference`: a recording of every call of the reference the judge makes while judging the
  exercise, keyed as `ExpectedValues` keys its memo (a fingerprint of function and inputs), with
  derived calls included: σ(−x) for a property, forward(x ± h) for a gradient check, every step
  of an optimizer's path for a trajectory;
- `helpers`: the recorded calls of trusted helpers that are not public (a gradient check's
  objective, on the reference's outputs at the moved inputs), keyed by their arguments;
- `mistakes`: the catalogued mistakes' outputs on every case of the plan (and every step of a
  trajectory's path), for the hints; `symptoms`: what each behaviour driver finds in each
  mistake, for the hints of behaviour checks.

In pack mode `ExpectedValues` answers from the recording (`PackReference`), the mistakes and the
helpers are `RecordedFunction`s; shrinking picks the smallest failing case of the plan, since a
new input would have no recorded answer. A check the pack cannot judge is listed in `pack.json`
and shown as graded by the instructor. `grader.pack.build` makes packs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from .. import codec
from ..judge.context import ExpectedValues, NotRecorded
from ..plan import Plan
from ..run.client import CallOutcome
from ..spec import ExerciseSet, SpecError

PACK_FORMAT = 2
MANIFEST = "pack.json"
EXPECTED = "expected"
DRIVERS = "drivers"


def plan_sets() -> list[str]:
    """The names of a plan's case sets (random, smooth, edge, …), from the Plan dataclass."""
    return [f.name for f in fields(Plan) if f.name not in ("exercise", "seed")]


def outcome_data(outcome: CallOutcome) -> dict[str, object]:
    return {"value": outcome.value, "error": outcome.error, "warnings": list(outcome.warnings)}


def outcome_from(data: object) -> CallOutcome:
    if not isinstance(data, dict):
        raise ValueError("an outcome is a dict")
    error = data.get("error")
    warnings = data.get("warnings") or []
    if error is not None and not isinstance(error, dict):
        raise ValueError("an outcome's error is a dict")
    if not isinstance(warnings, list):
        raise ValueError("an outcome's warnings are a list")
    return CallOutcome(value=data.get("value"), error=error, warnings=[str(w) for w in warnings])


def _digest(digest: hashlib.blake2b, value: object) -> None:
    if isinstance(value, np.ndarray):
        digest.update(f"a{value.dtype.str}{value.shape}".encode() + np.ascontiguousarray(value).tobytes())
    elif isinstance(value, (list, tuple)):
        digest.update(f"{type(value).__name__}{len(value)}[".encode())
        for item in value:
            _digest(digest, item)
        digest.update(b"]")
    elif isinstance(value, dict):
        digest.update(f"d{len(value)}{{".encode())
        for key in sorted(value, key=str):
            digest.update(repr(str(key)).encode() + b":")
            _digest(digest, value[key])
        digest.update(b"}")
    else:
        digest.update(f"{type(value).__name__}:{value!r};".encode())


def call_key(function: str, args: Sequence[object], kwargs: Mapping[str, object],
             normalize: bool = False) -> str:
    """A fingerprint of one call of a trusted function, from the arguments it is given.

    `normalize` first sends the arguments through the codec and back, as a pack's recording
    comes back: for helpers called with values the recording itself answered (an objective of
    the reference's output), so that the call and its replay have the same key."""
    if normalize:
        args, kwargs = codec.decode(codec.encode([list(args), dict(kwargs)]))
    digest = hashlib.blake2b(function.encode() + b"(", digest_size=16)
    _digest(digest, list(args))
    _digest(digest, dict(kwargs))
    return digest.hexdigest()


class _Unrecorded:
    """The caller behind a pack's ExpectedValues: any call not in the recording is an error."""

    def call(self, function: str, cases: Sequence[dict[str, Any]], timeout: float = 0.0,
             return_args: bool = False, request_key: bytes | None = None) -> None:
        raise NotRecorded(function)


class PackReference(ExpectedValues):
    """The reference's answers, from a recording instead of the reference itself."""

    replay = True

    def __init__(self, outcomes: dict[bytes, CallOutcome]) -> None:
        super().__init__(_Unrecorded())
        self.memo.outcomes.update(outcomes)


class RecordedError(Exception):
    """Raised by a RecordedFunction where the function it stands for raised."""


class RecordedFunction:
    """Stands in for a trusted function (a catalogued mistake): answers the recorded calls.

    A call that was not recorded raises NotRecorded, which the caller records as an error: a
    mistake that cannot answer simply does not match.
    """

    def __init__(self, name: str, answers: dict[str, CallOutcome], normalize: bool = False,
                 symptoms: dict[str, list[list[Any]]] | None = None) -> None:
        self.name = name
        self.answers = answers
        self.normalize = normalize
        #: for a mistake: what each behaviour check's driver found in it, {check: [[code, symptom]]}
        self.symptoms = symptoms

    def __call__(self, *args: object, **kwargs: object) -> object:
        answer = self.answers.get(call_key(self.name, args, kwargs, self.normalize))
        if answer is None:
            raise NotRecorded(self.name)
        if answer.error is not None:
            kind = str(answer.error.get("type") or "Exception")
            raise type(kind, (RecordedError,), {})(str(answer.error.get("message", "")))
        return answer.value


@dataclass
class Pack:
    """A loaded student pack."""

    seed: int
    plans: dict[str, Plan]
    expected: PackReference
    mistakes: dict[str, RecordedFunction]
    manifest: dict[str, object] = field(default_factory=dict)
    #: trusted helpers that are not public (objectives), as their recorded calls
    helpers: dict[str, RecordedFunction] = field(default_factory=dict)
    #: per exercise, the checks only the instructor's run grades (see ExerciseContext)
    instructor_checks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def read_manifest(root: Path) -> dict[str, object] | None:
    """The pack's manifest, or None when `root` is not a pack."""
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("kind") == "grader-pack" else None


def load_pack(exercise_set: ExerciseSet) -> Pack:
    """Load the recordings of a pack's exercises; SpecError names what is missing or broken."""
    root = exercise_set.root
    manifest = read_manifest(root)
    if manifest is None:
        raise SpecError(f"{root}: has {EXPECTED}/ but no {MANIFEST}: not a student pack "
                        f"(and there is no reference/ either)")
    if manifest.get("format") != PACK_FORMAT:
        raise SpecError(f"{root / MANIFEST}: pack format {manifest.get('format')!r}; this grader "
                        f"reads format {PACK_FORMAT} (make the pack again with this grader)")
    seed = manifest.get("seed", 0)
    if not isinstance(seed, int):
        raise SpecError(f"{root / MANIFEST}: its seed is not an integer: {seed!r}")
    plans: dict[str, Plan] = {}
    outcomes: dict[bytes, CallOutcome] = {}
    answers: dict[str, dict[str, CallOutcome]] = {}
    helper_answers: dict[str, dict[str, CallOutcome]] = {}
    symptoms: dict[str, dict[str, list[list[Any]]]] = {}
    for ex in exercise_set.exercises.values():
        path = root / EXPECTED / f"{ex.id}.bin"
        try:
            data = codec.decode(path.read_bytes())
            if not isinstance(data, dict) or data.get("exercise") != ex.id:
                raise ValueError(f"it is not the recording of {ex.id!r}")
            raw_plan = data["plan"]
            plans[ex.id] = Plan(exercise=ex.id, seed=seed,
                                **{name: list(raw_plan.get(name) or []) for name in plan_sets()})
            for key, outcome in data["reference"]:
                outcomes[bytes.fromhex(key)] = outcome_from(outcome)
            for name, calls in data["mistakes"].items():
                for key, outcome in calls:
                    answers.setdefault(name, {})[str(key)] = outcome_from(outcome)
            for name, calls in (data.get("helpers") or {}).items():
                for key, outcome in calls:
                    helper_answers.setdefault(name, {})[str(key)] = outcome_from(outcome)
            for name, by_check in (data.get("symptoms") or {}).items():
                answers.setdefault(name, {})
                for check, found in by_check.items():
                    symptoms.setdefault(name, {})[str(check)] = [list(s) for s in found]
        except OSError:
            raise SpecError(f"{path}: missing: the pack has no recorded answers for exercise "
                            f"{ex.id!r}") from None
        except (codec.CodecError, KeyError, TypeError, ValueError) as exc:
            raise SpecError(f"{path}: not a valid recording: {exc}") from None
    mistakes = {name: RecordedFunction(name, calls, symptoms=symptoms.get(name))
                for name, calls in answers.items()}
    helpers = {name: RecordedFunction(name, calls, normalize=True)
               for name, calls in helper_answers.items()}
    instructor: dict[str, list[dict[str, Any]]] = {}
    listed = manifest.get("instructor_checks")
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict) and item.get("exercise") in exercise_set.exercises:
            instructor.setdefault(str(item["exercise"]), []).append(item)
    return Pack(seed=seed, plans=plans, expected=PackReference(outcomes), mistakes=mistakes,
                manifest=manifest, helpers=helpers, instructor_checks=instructor)
