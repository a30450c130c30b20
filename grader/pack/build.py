"""`grader pack`: record the reference's answers for the public checks and write a student pack.

How a recording is made: the judge judges a few trusted "probe" submissions on each exercise,
in-process, with the plan pinned and shrinking off, while every call it makes to the reference is
recorded (the `ExpectedValues` memo) and every call to a catalogued mistake too. The probes are
the reference itself (the passing path), each catalogued mistake (the failing paths: a gradient
check then also asks for the reference's forward on the whole plan), and a function returning
zeros. The mistakes are also recorded on every case of the plan, for the hints.

Then the pack is checked: it is written, loaded as a student would load it (no reference code,
no trusted helpers), and the same probes are judged again from the recording. A check whose
verdict differs for any probe (it needs trusted code, or reference calls that depend on the
student's answers) is left out of the pack and named; the rest is recorded again without it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import yaml

from .. import __version__, codec
from ..engine import Course, Options
from ..judge import attempted, run_check
from ..judge.context import ExpectedValues, NotRecorded, to_call
from ..plan import Plan
from ..run.client import CallOutcome
from ..run.inprocess import InProcessFunctions
from ..run.worker import to_data
from ..spec import Exercise, SpecError, load_exercise_set
from ..spec.loader import _Loader
from . import EXPECTED, MANIFEST, PACK_FORMAT, call_key, outcome_data, plan_sets, read_manifest

ROUNDS = 3
#: a check naming one of these runs trusted code of the exercise set, which no pack ships
TRUSTED_HELPERS = ("driver", "objective", "trajectory")
Verdict = Any  # (status, score, code, mistake), or the exception a check raised


@dataclass
class LeftOut:
    exercise: str
    check: str
    reason: str  # a message code: pack.reason.hidden, .needs_code, .differs


@dataclass
class PackSummary:
    path: Path
    exercises: int = 0
    checks: int = 0
    points: float = 0.0
    left_out: list[LeftOut] = field(default_factory=list)


def _zeros(*args: Any, **kwargs: Any) -> Any:
    """A probe that answers zeros shaped like its first argument: fails nearly every check."""
    first = args[0] if args else next(iter(kwargs.values()), 0.0)
    try:
        return np.zeros_like(np.asarray(first, dtype=np.float64))
    except (TypeError, ValueError):
        return 0.0


class _Recorder:
    """Wraps a trusted function; records each call's outcome under its `call_key`."""

    def __init__(self, name: str, function: Callable[..., Any], store: dict[str, CallOutcome]) -> None:
        self.name, self.function, self.store = name, function, store

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = call_key(self.name, args, kwargs)  # before the call: it may modify its arguments
        try:
            value = self.function(*args, **kwargs)
        except Exception as exc:
            self.store[key] = CallOutcome(error={"type": type(exc).__name__, "message": str(exc)})
            raise
        self.store[key] = CallOutcome(value=to_data(value))
        return value


def _pin(course: Course, exercise: Exercise) -> Plan:
    """The exercise's plan as a student will load it: through the codec and back."""
    plan = course.plan(exercise)
    sets = codec.decode(codec.encode({name: getattr(plan, name) for name in plan_sets()}))
    pinned = Plan(exercise=plan.exercise, seed=plan.seed, **sets)
    course._plans[exercise.id] = pinned  # the engine's plan memo: every check now uses these
    return pinned


def _probes(course: Course, exercise: Exercise) -> list[dict[str, Callable[..., Any]]]:
    reference = dict(course.reference_functions)
    probes = [reference]
    for mistake in exercise.mistakes:
        if mistake.function in course.mistake_functions:
            probes.append({**reference, exercise.function: course.mistake_functions[mistake.function]})
    probes.append({**reference, exercise.function: _zeros})
    return probes


def _verdicts(course: Course, exercise: Exercise, functions: dict[str, Callable[..., Any]]) -> list[Verdict]:
    """Judge trusted `functions` on `exercise`, check by check, as the course answers."""
    ctx = course.context(exercise, InProcessFunctions(functions), Options(shrink=False))
    try:
        if not attempted(ctx):
            return [("not_attempted",)] * len(exercise.checks)
    except Exception as exc:  # noqa: BLE001 - whatever it is, the pack cannot rely on it
        return [exc] * len(exercise.checks)
    verdicts: list[Verdict] = []
    for spec in exercise.checks:
        try:
            check = run_check(ctx, spec)
            verdicts.append((check.status, check.score, check.code, check.mistake))
        except Exception as exc:  # noqa: BLE001 - a missing trusted helper, no recorded answer, …
            verdicts.append(exc)
    return verdicts


def _record(course: Course, exercise: Exercise) -> tuple[dict[str, Any], list[list[Verdict]]]:
    """The exercise's recording (codec-ready) and the probes' verdicts, check by check."""
    plan = _pin(course, exercise)
    recording = ExpectedValues(InProcessFunctions(course.reference_functions))
    stores: dict[str, dict[str, CallOutcome]] = {}
    recorders = dict(course.mistake_functions)
    for mistake in exercise.mistakes:
        if mistake.function in course.mistake_functions:
            store = stores.setdefault(mistake.function, {})
            recorders[mistake.function] = _Recorder(mistake.function,
                                                    course.mistake_functions[mistake.function], store)
    saved = course.expected, course.mistake_functions
    course.expected, course.mistake_functions = recording, recorders
    try:
        verdicts = [_verdicts(course, exercise, probe) for probe in _probes(course, exercise)]
    finally:
        course.expected, course.mistake_functions = saved
    cases = [case for name in plan_sets() for case in getattr(plan, name)]
    for name, recorder in recorders.items():
        if name in stores:
            InProcessFunctions({name: recorder}).call(name, [to_call(exercise, c) for c in cases])
    data = {
        "exercise": exercise.id,
        "seed": plan.seed,
        "plan": {name: getattr(plan, name) for name in plan_sets()},
        "reference": [[key.hex(), outcome_data(outcome)]
                      for key, outcome in sorted(recording.memo.outcomes.items())],
        "mistakes": {name: [[key, outcome_data(outcome)] for key, outcome in sorted(store.items())]
                     for name, store in sorted(stores.items())},
    }
    return data, verdicts


def _spec_files(course: Course, keep: dict[str, list[int]]) -> dict[str, str]:
    """The YAML of each spec file with only the kept checks of the kept exercises."""
    written: dict[str, str] = {}
    for path in course.set.files:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        exercises = []
        for raw_ex in raw.get("exercises") or []:
            indices = keep.get(str(raw_ex.get("id")))
            if not indices:
                continue
            raw_ex = dict(raw_ex)
            raw_ex["checks"] = [raw_ex["checks"][i] for i in indices]
            raw_ex.pop("points", None)  # the checks left add up to what the pack grades
            exercises.append(raw_ex)
        if not exercises:
            continue
        raw = {**raw, "exercises": exercises}
        header = (f"# Student pack made by grader {__version__} from {path.name}: the public checks "
                  f"only.\n# The expected answers are in {EXPECTED}/; do not edit.\n")
        written[path.name] = header + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False,
                                                     width=100, default_flow_style=None)
    return written


def _write(staging: Path, course: Course, keep: dict[str, list[int]],
           recordings: dict[str, dict[str, Any]], summary: PackSummary) -> None:
    for child in staging.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    for name, content in _spec_files(course, keep).items():
        (staging / name).write_text(content, encoding="utf-8")
    (staging / EXPECTED).mkdir()
    for ex_id, data in recordings.items():
        if keep.get(ex_id):
            (staging / EXPECTED / f"{ex_id}.bin").write_bytes(codec.encode(data))
    from importlib.metadata import version

    manifest = {
        "kind": "grader-pack",
        "format": PACK_FORMAT,
        "grader_version": __version__,
        "seed": course.seed,
        "source_digest": course.set.digest,
        "made_with": {"numpy": np.__version__, "hypothesis": version("hypothesis")},
        "exercises": {ex_id: [course.set.exercises[ex_id].checks[i].title for i in indices]
                      for ex_id, indices in keep.items() if indices},
        "left_out": [dataclasses.asdict(item) for item in summary.left_out
                     if item.reason != "pack.reason.hidden"],
        "hidden_checks": sum(1 for item in summary.left_out if item.reason == "pack.reason.hidden"),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")


def _reason(full: Verdict, replayed: Verdict) -> str | None:
    """Why a check cannot go in the pack (a message code), or None when it replays the same."""
    if not isinstance(full, Exception) and replayed == full:
        return None
    if isinstance(replayed, LookupError) and not isinstance(replayed, NotRecorded):
        return "pack.reason.needs_code"  # a trusted helper (driver, objective) the pack lacks
    return "pack.reason.differs"


class NotAPackFolder(SpecError):
    """The output folder holds something else than a pack: never overwritten."""


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SpecError(f"{out}: not a folder")
    if out.is_dir() and any(out.iterdir()) and read_manifest(out) is None:
        raise NotAPackFolder(str(out))


def build_pack(course: Course, out: str | os.PathLike) -> PackSummary:
    """Write the student pack of `course` (which must have its reference) to `out`."""
    out = Path(out).resolve()
    if course.pack is not None or not course.reference_functions:
        raise SpecError(f"{course.set.root}: a pack is made from an exercise set with its "
                        f"reference/ (this one has none)")
    _prepare(out)
    summary = PackSummary(path=out)
    keep: dict[str, list[int]] = {}
    for ex in course.set.exercises.values():
        keep[ex.id] = []
        for i, check in enumerate(ex.checks):
            if check.visibility == "hidden":
                summary.left_out.append(LeftOut(ex.id, check.title, "pack.reason.hidden"))
            elif any(getattr(check, name, None) for name in TRUSTED_HELPERS):
                summary.left_out.append(LeftOut(ex.id, check.title, "pack.reason.needs_code"))
            else:
                keep[ex.id].append(i)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for _ in range(ROUNDS):
            recordings, full = {}, {}
            for ex in course.set.exercises.values():
                if keep[ex.id]:
                    shown = dataclasses.replace(ex, checks=[ex.checks[i] for i in keep[ex.id]],
                                                points=None)
                    recordings[ex.id], full[ex.id] = _record(course, shown)
            if not recordings:
                raise SpecError(f"{course.set.root}: no public check to put in a pack")
            _write(staging, course, keep, recordings, summary)
            packed = Course(load_exercise_set(staging), course.seed, course.use_cache)
            dropped = False
            for ex_id, verdicts in full.items():
                ex = course.set.exercises[ex_id]
                probes = _probes(course, ex)
                replayed = [_verdicts(packed, packed.set.exercises[ex_id], probe) for probe in probes]
                bad: dict[int, str] = {}
                for mine, theirs in zip(verdicts, replayed):
                    for position, (a, b) in enumerate(zip(mine, theirs)):
                        reason = _reason(a, b)
                        if reason and position not in bad:
                            bad[position] = reason
                for position in sorted(bad, reverse=True):
                    index = keep[ex_id].pop(position)
                    summary.left_out.append(LeftOut(ex_id, ex.checks[index].title, bad[position]))
                    dropped = True
            if not dropped:
                break
        else:
            raise SpecError(f"{course.set.root}: the pack does not replay its own checks")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp's 0700 would hide the pack from a course group
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    for ex_id, indices in keep.items():
        if indices:
            summary.exercises += 1
            summary.checks += len(indices)
            summary.points += sum(course.set.exercises[ex_id].checks[i].points for i in indices)
    return summary
