"""`grader pack`: record the reference's answers for the public checks and write a student pack.

How a recording is made: the judge judges a few trusted "probe" submissions on each exercise,
in-process, with the plan pinned and shrinking off, while every call it makes to the reference is
recorded (the `ExpectedValues` memo), every call to a catalogued mistake too, and every call to a
trusted helper that is not public (a gradient check's objective, on the reference's outputs).
The probes are the reference itself (the passing path), each catalogued mistake (the failing
paths: a gradient check then also asks for the reference's forward on the whole plan), and a
function returning zeros. The mistakes are also recorded on every case of the plan and every
step of a trajectory's path, for the hints, and each behaviour driver's findings in each mistake.

What a pack can carry: checks that compare with the reference on fixed inputs (the plan, its
derived calls, a trajectory's path from fixed starts: none depends on a student's answers), and
checks whose helpers are public (the set's drivers/, copied into the pack: they import nothing
from the reference) or recordable (an objective's values). A behaviour driver of
reference/drivers/ is trusted code a pack cannot ship: its check is left to the instructor.

Then the pack is checked: it is written, loaded as a student would load it (no reference code,
only the public drivers), and the same probes are judged again from the recording. A check whose
verdict differs for any probe (it needs trusted code, or reference calls that depend on the
student's answers) is left out and named; the rest is recorded again without it. Every check
left out but the hidden ones is listed in pack.json, and a student's report shows it as graded
by the instructor. The student build of the grader (`grader.pack.student_build`) goes in the pack too.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypedDict, Union

import numpy as np
import yaml

from .. import codec
from ..version import __version__
from ..engine import Options
from ..session import GradingSession
from ..judge import attempted, run_check
from ..judge.behaviour import mistake_symptoms
from ..judge.checks import check_kind
from ..judge.context import ExpectedValues, NotRecorded, to_call
from ..plan import Plan
from ..run.client import CallOutcome
from ..run.inprocess import InProcessFunctions
from ..run.values import to_data
from ..spec import Exercise, SpecError, load_exercise_set
from ..spec.loader import _Loader
from . import DRIVERS, EXPECTED, MANIFEST, PACK_FORMAT, call_key, outcome_data, plan_sets, read_manifest
from .student_build import build_student_wheel

ROUNDS = 3
#: a check's verdict on a probe: (status, score, code, mistake), ("not_attempted",), or the
#: exception judging it raised
Verdict = Union[tuple[str, float, str, "str | None"], tuple[str], Exception]
#: the checks a pack keeps, by exercise: their positions in the exercise's checks
Keep = dict[str, list[int]]
#: an exercise's recording, as the codec writes it to expected/<id>.bin
Recording = dict[str, object]
#: recorded calls of one function, by call_key
Store = dict[str, CallOutcome]
Functions = Mapping[str, Callable[..., object]]


class InstructorCheck(TypedDict):
    """A check pack.json lists as the instructor's, with its place among the shown checks."""

    exercise: str
    name: str
    kind: str
    points: float
    position: int
    reason: str


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
    #: the student build of the grader, in the pack
    wheel: Path | None = None


def _zeros(*args: Any, **kwargs: Any) -> Any:
    """A probe that answers zeros shaped like its first argument: fails nearly every check."""
    first = args[0] if args else next(iter(kwargs.values()), 0.0)
    try:
        return np.zeros_like(np.asarray(first, dtype=np.float64))
    except (TypeError, ValueError):
        return 0.0


class _Recorder:
    """Wraps a trusted function; records each call's outcome under its `call_key`."""

    def __init__(self, name: str, function: Callable[..., Any], store: dict[str, CallOutcome],
                 normalize: bool = False) -> None:
        self.name, self.function, self.store, self.normalize = name, function, store, normalize

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = call_key(self.name, args, kwargs, self.normalize)  # before: it may modify its arguments
        try:
            value = self.function(*args, **kwargs)
        except Exception as exc:
            self.store[key] = CallOutcome(error={"type": type(exc).__name__, "message": str(exc)})
            raise
        self.store[key] = CallOutcome(value=to_data(value))
        return value


def _pin(session: GradingSession, exercise: Exercise) -> Plan:
    """The exercise's plan as a student will load it: through the codec and back."""
    plan = session.plan(exercise)
    sets = codec.decode(codec.encode({name: getattr(plan, name) for name in plan_sets()}))
    pinned = Plan(exercise=plan.exercise, seed=plan.seed, **sets)
    session.pin(exercise, pinned)  # every check now uses these
    return pinned


def _probes(session: GradingSession, exercise: Exercise) -> list[dict[str, Callable[..., Any]]]:
    reference = dict(session.reference_functions)
    probes = [reference]
    for mistake in exercise.mistakes:
        if mistake.function in session.mistake_functions:
            probes.append({**reference, exercise.function: session.mistake_functions[mistake.function]})
    probes.append({**reference, exercise.function: _zeros})
    return probes


def _verdicts(session: GradingSession, exercise: Exercise, functions: dict[str, Callable[..., Any]]) -> list[Verdict]:
    """Judge trusted `functions` on `exercise`, check by check, as the course answers."""
    ctx = session.context(exercise, InProcessFunctions(functions), Options(shrink=False))
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


def _helpers(session: GradingSession, exercise: Exercise) -> list[str]:
    """The trusted helpers the exercise's checks call that are not public: a pack records them."""
    named = {check.objective for check in exercise.checks if check.objective}
    named |= {check.trajectory.gradient for check in exercise.checks if check.trajectory}
    return sorted(name for name in named if name not in session.public_helpers)


def _extra_cases(session: GradingSession, exercise: Exercise) -> list[Any]:
    """Inputs beyond the plan's where the mistakes are recorded (a trajectory's path)."""
    ctx = session.context(exercise, InProcessFunctions(session.reference_functions), Options(shrink=False))
    cases: list[Any] = []
    for spec in exercise.checks:
        extra = getattr(check_kind(spec.kind), "recorded_cases", None)
        if extra is not None:
            cases += extra(ctx, spec)
    return cases


def _symptoms(session: GradingSession, exercise: Exercise) -> dict[str, dict[str, list[list[Any]]]]:
    """What each behaviour check's driver finds in each catalogued mistake, for a pack's hints."""
    found: dict[str, dict[str, list[list[Any]]]] = {}
    behaviour = [spec for spec in exercise.checks if spec.kind == "behaviour"]
    if not behaviour:
        return found
    ctx = session.context(exercise, InProcessFunctions(session.reference_functions), Options(shrink=False))
    for mistake in exercise.mistakes:
        fn = session.mistake_functions.get(mistake.function)
        if fn is None:
            continue
        for spec in behaviour:
            symptoms = mistake_symptoms(ctx, spec, fn) or set()
            found.setdefault(mistake.function, {})[spec.title] = sorted(
                ([code, symptom] for code, symptom in symptoms), key=repr)
    return found


def _record(session: GradingSession, exercise: Exercise) -> tuple[Recording, list[list[Verdict]]]:
    """The exercise's recording (codec-ready) and the probes' verdicts, check by check."""
    plan = _pin(session, exercise)
    plan_data = {name: getattr(plan, name) for name in plan_sets()}
    if not exercise.checks:  # every check is the instructor's: the plan tells "not attempted"
        return {"exercise": exercise.id, "seed": plan.seed, "plan": plan_data,
                "reference": [], "mistakes": {}}, []
    recording = ExpectedValues(InProcessFunctions(session.reference_functions))
    mistakes, mistake_stores = _recorders(session.mistake_functions,
                                          [m.function for m in exercise.mistakes])
    helpers, helper_stores = _recorders(session.driver_functions, _helpers(session, exercise),
                                        session.trusted, normalize=True)
    with _recording_into(session, recording, mistakes, helpers):
        verdicts = [_verdicts(session, exercise, probe) for probe in _probes(session, exercise)]
        cases = [case for name in plan_sets() for case in getattr(plan, name)]
        cases += _extra_cases(session, exercise)
    for name in mistake_stores:  # the hints: each mistake on every input a failure may show
        InProcessFunctions({name: mistakes[name]}).call(name, [to_call(exercise, c) for c in cases])
    return {
        "exercise": exercise.id,
        "seed": plan.seed,
        "plan": plan_data,
        "reference": [[key.hex(), outcome_data(outcome)]
                      for key, outcome in sorted(recording.memo.outcomes.items())],
        "mistakes": _stored(mistake_stores),
        "helpers": _stored(helper_stores),
        "symptoms": _symptoms(session, exercise),
    }, verdicts


def _recorders(functions: Functions, names: list[str],
               find: Callable[[str], Callable[..., object]] | None = None,
               normalize: bool = False) -> tuple[dict[str, Callable[..., object]], dict[str, Store]]:
    """`functions` with each of `names` wrapped in a recorder (found in `functions`, else by
    `find`; a name neither knows is skipped), and each recorder's store."""
    wrapped: dict[str, Callable[..., object]] = dict(functions)
    stores: dict[str, Store] = {}
    for name in names:
        function = functions.get(name) if find is None else find(name)
        if function is None:
            continue
        store = stores.setdefault(name, {})
        wrapped[name] = _Recorder(name, function, store, normalize=normalize)
    return wrapped, stores


@contextlib.contextmanager
def _recording_into(session: GradingSession, expected: ExpectedValues,
                    mistakes: dict[str, Callable[..., object]],
                    helpers: dict[str, Callable[..., object]]) -> Iterator[None]:
    """While judging the probes, the session's reference, mistakes and helpers record."""
    saved = session.expected, session.mistake_functions, session.driver_functions
    session.expected, session.mistake_functions, session.driver_functions = expected, mistakes, helpers
    try:
        yield
    finally:
        session.expected, session.mistake_functions, session.driver_functions = saved


def _stored(stores: dict[str, Store]) -> dict[str, list[list[object]]]:
    """Recorded outcomes as codec-ready data, by function, in a stable order."""
    return {name: [[key, outcome_data(outcome)] for key, outcome in sorted(store.items())]
            for name, store in sorted(stores.items())}


def _spec_files(session: GradingSession, keep: Keep, shown: set[str]) -> dict[str, str]:
    """The YAML of each spec file with only the kept checks of the exercises `shown`."""
    written: dict[str, str] = {}
    for path in session.exercise_set.files:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        exercises = []
        for raw_ex in raw.get("exercises") or []:
            indices = keep.get(str(raw_ex.get("id")))
            if str(raw_ex.get("id")) not in shown or indices is None:
                continue
            raw_ex = dict(raw_ex)
            raw_ex["checks"] = [raw_ex["checks"][i] for i in indices]
            raw_ex.pop("points", None)  # the checks left add up to what the pack grades
            exercises.append(raw_ex)
        if not exercises:
            continue
        raw = {**raw, "exercises": exercises}
        header = (f"# Student pack made by grader {__version__} from {path.name}: the public checks "
                  f"only.\n# The expected answers are in {EXPECTED}/; do not edit. Checks graded by "
                  f"your instructor only are listed in {MANIFEST}.\n")
        written[path.name] = header + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False,
                                                     width=100, default_flow_style=None)
    return written


def _instructor_checks(session: GradingSession, summary: PackSummary) -> list[InstructorCheck]:
    """The checks left out but not hidden, each with its place among the exercise's shown checks."""
    why = {(item.exercise, item.check): item.reason for item in summary.left_out
           if item.reason != "pack.reason.hidden"}
    listed: list[InstructorCheck] = []
    for ex in session.exercise_set.exercises.values():
        position = 0
        for check in ex.checks:
            if check.visibility == "hidden":
                continue
            reason = why.get((ex.id, check.title))
            if reason is not None:
                listed.append({"exercise": ex.id, "name": check.title, "kind": check.kind,
                               "points": check.points, "position": position, "reason": reason})
            position += 1
    return listed


def public_driver_problems(source: str) -> list[str]:
    """What in a public driver's source would take reference code into a pack (imports)."""
    problems = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.ImportFrom):  # relative: siblings in drivers/ only
            module = node.module or ""
            siblings = [module] if module else [alias.name for alias in node.names]
            if node.level > 1 or any(name.split(".")[0] == "reference" for name in siblings):
                problems.append(f"line {node.lineno}: imports {'.' * node.level}{module} "
                                f"(only siblings: from ._common import …)")
            continue
        else:
            continue
        for name in names:
            if name.split(".")[0] in ("grader", "grader_reference", "grader_exercises") \
                    or "reference" in name.split("."):
                problems.append(f"line {node.lineno}: imports {name}")
    return problems


def _copy_drivers(session: GradingSession, staging: Path) -> None:
    """The set's public drivers/ into the pack, once checked to import nothing of the reference."""
    source = session.exercise_set.drivers_dir
    if source is None:
        return
    target = staging / DRIVERS
    target.mkdir()
    for path in sorted(source.glob("*.py")):
        text_ = path.read_text(encoding="utf-8")
        problems = public_driver_problems(text_)
        if problems:
            raise SpecError(f"{path}: a public driver (copied into student packs) imports nothing "
                            f"from the reference: {'; '.join(problems)}")
        (target / path.name).write_text(text_, encoding="utf-8")


def _write(staging: Path, session: GradingSession, keep: Keep,
           recordings: dict[str, Recording], summary: PackSummary) -> None:
    for child in staging.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    instructor = _instructor_checks(session, summary)
    shown = {ex_id for ex_id, indices in keep.items() if indices} | {i["exercise"] for i in instructor}
    for name, content in _spec_files(session, keep, shown).items():
        (staging / name).write_text(content, encoding="utf-8")
    if session.exercise_set.assignments:  # the due dates and totals travel with the exercises
        from ..spec.assignments import FILENAME, pack_data

        (staging / FILENAME).write_text(yaml.safe_dump(pack_data(session.exercise_set.assignments, shown),
                                                       allow_unicode=True, sort_keys=False), encoding="utf-8")
    _copy_drivers(session, staging)
    (staging / EXPECTED).mkdir()
    for ex_id, data in recordings.items():
        if ex_id in shown:
            (staging / EXPECTED / f"{ex_id}.bin").write_bytes(codec.encode(data))
    summary.wheel = build_student_wheel(staging)
    manifest = _manifest(session, keep, instructor, summary, summary.wheel)
    (staging / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                    encoding="utf-8")


def _manifest(session: GradingSession, keep: Keep, instructor: list[InstructorCheck],
              summary: PackSummary, wheel: Path) -> dict[str, object]:
    """pack.json: what made the pack, what it grades, what it leaves to the instructor."""
    from importlib.metadata import version

    return {
        "kind": "grader-pack",
        "format": PACK_FORMAT,
        "grader_version": __version__,
        "seed": session.seed,
        "source_digest": session.exercise_set.digest,
        "made_with": {"numpy": np.__version__, "hypothesis": version("hypothesis")},
        "grader_wheel": {"file": wheel.name, "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()},
        "exercises": {ex_id: [session.exercise_set.exercises[ex_id].checks[i].title for i in indices]
                      for ex_id, indices in keep.items() if indices},
        "instructor_checks": instructor,
        "left_out": [dataclasses.asdict(item) for item in summary.left_out
                     if item.reason != "pack.reason.hidden"],
        "hidden_checks": sum(1 for item in summary.left_out if item.reason == "pack.reason.hidden"),
    }


def _reason(full: Verdict, replayed: Verdict) -> str | None:
    """Why a check cannot go in the pack (a message code), or None when it replays the same."""
    if not isinstance(full, Exception) and full[2:3] != ("internal_error",) and replayed == full:
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


def build_pack(session: GradingSession, out: str | os.PathLike[str]) -> PackSummary:
    """Write the student pack of `session` (which must have its reference) to `out`."""
    out = Path(out).resolve()
    _require_reference(session)
    _prepare(out)
    summary = PackSummary(path=out)
    keep = _select_checks(session, summary)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        _write_replaying(session, staging, keep, summary)
        _publish(staging, out, summary)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    _count(session, keep, summary)
    return summary


def _require_reference(session: GradingSession) -> None:
    """A pack records the reference's answers: an exercise set without one (or a pack) cannot."""
    if session.pack is not None or not session.reference_functions:
        raise SpecError(f"{session.exercise_set.root}: a pack is made from an exercise set with its "
                        f"reference/ (this one has none)")


def _select_checks(session: GradingSession, summary: PackSummary) -> Keep:
    """The checks a pack may try to carry, by exercise; the others go to `summary.left_out`."""
    keep: Keep = {}
    for ex in session.exercise_set.exercises.values():
        keep[ex.id] = []
        for i, check in enumerate(ex.checks):
            if check.visibility == "hidden":
                summary.left_out.append(LeftOut(ex.id, check.title, "pack.reason.hidden"))
            elif check.driver and check.driver not in session.public_helpers:
                # a driver of reference/drivers/: trusted code that takes the student's calls
                summary.left_out.append(LeftOut(ex.id, check.title, "pack.reason.needs_code"))
            else:
                keep[ex.id].append(i)
    return keep


def _write_replaying(session: GradingSession, staging: Path, keep: Keep, summary: PackSummary) -> None:
    """Record, write and replay the pack in `staging` until every check it keeps replays the
    same (at most ROUNDS times: each round leaves out the checks that did not)."""
    for _ in range(ROUNDS):
        recordings, full = _record_all(session, keep)
        if not any(keep.values()):
            raise SpecError(f"{session.exercise_set.root}: no public check to put in a pack")
        _write(staging, session, keep, recordings, summary)
        packed = GradingSession(load_exercise_set(staging), session.seed, session.use_cache)
        if not _drop_unreplayed(session, packed, keep, full, summary):
            return
    raise SpecError(f"{session.exercise_set.root}: the pack does not replay its own checks")


def _record_all(session: GradingSession, keep: Keep) -> tuple[dict[str, Recording], dict[str, list[list[Verdict]]]]:
    """Each exercise's recording with its kept checks only, and the probes' verdicts."""
    recordings, full = {}, {}
    for ex in session.exercise_set.exercises.values():
        shown = dataclasses.replace(ex, checks=[ex.checks[i] for i in keep[ex.id]], points=None)
        recordings[ex.id], full[ex.id] = _record(session, shown)
    return recordings, full


def _drop_unreplayed(session: GradingSession, packed: GradingSession, keep: Keep,
                     full: dict[str, list[list[Verdict]]], summary: PackSummary) -> bool:
    """Judge the probes again in the written pack; leave out each check whose verdict differs.
    Whether any was left out (the pack must then be recorded again)."""
    dropped = False
    for ex_id, verdicts in full.items():
        ex = session.exercise_set.exercises[ex_id]
        if not keep[ex_id] or ex_id not in packed.exercise_set.exercises:
            continue
        replayed = [_verdicts(packed, packed.exercise_set.exercises[ex_id], probe)
                    for probe in _probes(session, ex)]
        bad = _unreplayed(verdicts, replayed)
        for position in sorted(bad, reverse=True):
            index = keep[ex_id].pop(position)
            summary.left_out.append(LeftOut(ex_id, ex.checks[index].title, bad[position]))
            dropped = True
    return dropped


def _unreplayed(verdicts: list[list[Verdict]], replayed: list[list[Verdict]]) -> dict[int, str]:
    """The positions of the checks some probe's verdict differs on, each with why (the first)."""
    bad: dict[int, str] = {}
    for mine, theirs in zip(verdicts, replayed, strict=True):
        for position, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            reason = _reason(a, b)
            if reason and position not in bad:
                bad[position] = reason
    return bad


def _publish(staging: Path, out: Path, summary: PackSummary) -> None:
    """Move the finished pack from `staging` to `out`, readable as the umask allows."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)  # mkdtemp's 0700 would hide the pack from a course group
    if out.exists():
        shutil.rmtree(out)
    os.replace(staging, out)
    if summary.wheel is not None:
        summary.wheel = out / summary.wheel.name


def _count(session: GradingSession, keep: Keep, summary: PackSummary) -> None:
    """What the pack grades: exercises, checks and points."""
    for ex_id, indices in keep.items():
        if indices:
            summary.exercises += 1
            summary.checks += len(indices)
            summary.points += sum(session.exercise_set.exercises[ex_id].checks[i].points for i in indices)
