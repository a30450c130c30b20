"""Trajectory checks: an optimizer's step along K steps of a path from a fixed start.

Each trajectory starts from a drawn (or edge) case with the optimizer state at zero, as a fresh
`torch.optim` optimizer starts; at step k the gradient is a trusted rule of where the optimizer
is (`trajectory.gradient`), the state is what the previous step returned, and a `counter`
argument (Adam's t) is k. The path is the reference's own, walked from the start (all
trajectories advance together, one batch per step): it depends on the start only, never on a
student's answers, so it is computed once for a whole batch, and a student pack records it.

The student's step is called at every step of that path, on the step's inputs (the parameter and
state the reference holds after k − 1 steps), all in one batch, and must return the reference's
step there — parameter and state: the expected value shown always answers the input shown; a
step that returns what could not be fed back (a wrong structure) fails where it does. (Feeding
the student's own outputs back in instead would make the expected values depend on each
student's answers: nothing a batch could share or a pack record.) Where the spec names an
optimizer and PyTorch is installed, every step is also compared with `torch.optim` run from the
same start on the same gradients: an independent oracle of the reference. Its paths are
computed once and cached beside the plans, so a warm run never imports torch; a student pack
skips it (its recorded path was checked against it when the pack was made). The first step where
the student goes wrong is reported with that step's inputs; a mistake is then diagnosed on those
inputs like any other failure.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import weakref
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .. import codec
from ..plan import Case, cache_dir, library_version, store_in_cache
from ..run.client import CallOutcome
from ..spec.schema import CheckSpec, OracleSpec, TrajectorySpec
from .context import ExerciseContext, Failure, fingerprint
from .compare import close_many
from .failures import outcome_failure

Step = tuple[Case, CallOutcome]


def _alias(traj: TrajectorySpec, start: Case) -> Case:
    """The start as a gradient rule sees it: with `param` and `grad` under those names."""
    return {**start, "param": start[traj.param], "grad": start[traj.grad]}


def _fresh(traj: TrajectorySpec, case: Case) -> Case:
    """A start: the case with the optimizer state at zero and the step counter at 1."""
    start = dict(case)
    zeros = np.zeros(np.shape(case[traj.param]), dtype=np.float64)
    for name in traj.state:
        start[name] = zeros.copy()
    if traj.counter:
        start[traj.counter] = 1
    return start


def starts_of(ctx: ExerciseContext, traj: TrajectorySpec) -> list[Case]:
    """The paths' starts: the same objects for every submission of a run (ExerciseContext.derived)."""
    cases = ctx.plan.random[:traj.starts] + ctx.plan.edge
    return ctx.derived(("starts", traj), cases, lambda: [_fresh(traj, c) for c in cases], _same)


def _same(cases: list[Case]) -> list[Case]:
    return cases


def _steps(paths: list[list[Step]]) -> list[Case]:
    return [case for path in paths for case, _ in path]


def _unpack(value: Any, traj: TrajectorySpec) -> tuple[np.ndarray, list[np.ndarray]] | None:
    """(param, [state…]) from a step's return value, or None when it cannot be fed back."""
    try:
        if not traj.state:
            if isinstance(value, (tuple, list, dict)):
                return None
            return np.asarray(value, dtype=np.float64), []
        if not isinstance(value, (tuple, list)) or len(value) != 1 + len(traj.state):
            return None
        arrays = [np.asarray(v, dtype=np.float64) for v in value]
        return arrays[0], arrays[1:]
    except (TypeError, ValueError):
        return None


def walk(call: Callable[[list[Case]], list[CallOutcome] | None], traj: TrajectorySpec,
         starts: list[Case], gradient: Callable[..., Any]) -> list[list[Step]]:
    """Every trajectory's steps (inputs, outcome), advanced together one batch per step."""
    paths: list[list[Step]] = [[] for _ in starts]
    current = [dict(s) for s in starts]
    alive = list(range(len(starts)))
    for k in range(1, traj.steps + 1):
        if not alive:
            break
        for i in alive:
            current[i][traj.grad] = np.asarray(
                gradient(current[i][traj.param], k, _alias(traj, starts[i])), dtype=np.float64)
            if traj.counter:
                current[i][traj.counter] = k
        outcomes = call([current[i] for i in alive]) or []
        still = []
        for i, outcome in zip(alive, outcomes, strict=False):
            paths[i].append((current[i], outcome))
            unpacked = _unpack(outcome.value, traj) if outcome.error is None else None
            if unpacked is None:
                continue
            param, state = unpacked
            current[i] = {**current[i], traj.param: param,
                          **{name: s for name, s in zip(traj.state, state, strict=False)}}
            still.append(i)
        alive = still
    return paths


def _output_name(traj: TrajectorySpec, path: str) -> str:
    if not traj.state:
        return traj.param
    names = [traj.param, *traj.state]
    for j, name in enumerate(names):
        if path.startswith(f"[{j}]"):
            return name
    return ""


def _step_failure(ctx: ExerciseContext, spec: CheckSpec, traj: TrajectorySpec, k: int,
                  case: Case, outcome: CallOutcome, expected: Any, code: str,
                  extra: dict[str, Any]) -> Failure | None:
    failure = outcome_failure(outcome, expected, ctx.tolerance(spec), case, ctx.exercise.function)
    if failure is None:
        return None
    failure.facts.update(step=k, steps=traj.steps, **extra)
    if failure.code == "mismatch":
        failure.facts["output"] = _output_name(traj, str(failure.facts.get("path", "")))
        failure.facts["path"] = ""
        failure.code = code
    return failure


def _oracle_expected(traj: TrajectorySpec, oracle_step: tuple[Any, dict[str, Any]],
                     outcome: CallOutcome) -> Any:
    """The oracle's step shaped like the exercise's output; unmapped state as the student's own."""
    param, state = oracle_step
    if not traj.state:
        return param
    value = outcome.value if isinstance(outcome.value, (tuple, list)) else ()
    theirs = list(value[1:]) + [None] * len(traj.state)
    return (param, *[state.get(name, theirs[j]) for j, name in enumerate(traj.state)])


#: the reference's paths, by the answers they come from (one ExpectedValues a run) and by what
#: they depend on: they are walked once a run, not twice a submission
_REFERENCE_PATHS: "weakref.WeakKeyDictionary[Any, dict[tuple[str, str, bytes], list[list[Step]]]]" = \
    weakref.WeakKeyDictionary()


def reference_paths(ctx: ExerciseContext, traj: TrajectorySpec, starts: list[Case],
                    gradient: Callable[..., Any]) -> list[list[Step]]:
    """The reference's path from every start: remembered for the whole run (no student in it),
    its steps held by the run too, so they are keyed once, not once per submission."""
    return ctx.derived(("reference_paths", traj, gradient), starts,
                       lambda: _reference_paths(ctx, traj, starts, gradient), _steps)


def _reference_paths(ctx: ExerciseContext, traj: TrajectorySpec, starts: list[Case],
                     gradient: Callable[..., Any]) -> list[list[Step]]:
    key = (ctx.exercise.function, json.dumps(asdict(traj), sort_keys=True, default=str) + repr(gradient),
           b"".join(fingerprint("", start) for start in starts))
    known = _REFERENCE_PATHS.setdefault(ctx.expected, {})
    if key not in known:
        known[key] = walk(lambda cs: ctx.reference(cs), traj, starts, gradient)
    return known[key]


class TrajectoryCheck:
    """The step matches the reference's at every step of its path, and torch.optim's path."""

    case_set = "random+edge"
    shrinkable = False

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        traj = spec.trajectory
        assert traj is not None  # the loader insists
        gradient = ctx.helper(traj.gradient)
        starts = starts_of(ctx, traj)
        ours = reference_paths(ctx, traj, starts, gradient)
        theirs = ctx.call([case for path in ours for case, _ in path]) or []
        oracle = (oracle_paths(ctx, traj, starts, gradient)
                  if traj.oracle and not ctx.expected.replay else None)
        starts_at = [sum(len(path) for path in ours[:i]) for i in range(len(ours))]
        steps = [(i, k, case, expected, outcome) for i, path in enumerate(ours)
                 for k, ((case, expected), outcome) in enumerate(
                     zip(path, theirs[starts_at[i]:starts_at[i] + len(path)], strict=False), start=1)]
        tol = ctx.tolerance(spec)
        # the steps that surely match, decided together (compare.close_many); the rest one by one
        right = close_many([e.value for _, _, _, e, _ in steps], [o.value for *_, o in steps], tol)
        by_oracle = ([_oracle_expected(traj, oracle[i][k - 1], o) for i, k, _, _, o in steps]
                     if oracle is not None else [])
        oracle_right = close_many(by_oracle, [o.value for *_, o in steps], tol) if by_oracle else []
        failures: list[Failure | None] = [None] * len(ours)
        stopped: set[int] = set()
        for n, (i, k, case, expected, outcome) in enumerate(steps):
            if i in stopped:
                continue
            failure = None
            if not (right[n] and outcome.error is None):
                failure = _step_failure(ctx, spec, traj, k, case, outcome, expected.value,
                                        "trajectory_mismatch", {})
            if failure is None and oracle is not None and traj.oracle is not None \
                    and not (oracle_right[n] and outcome.error is None):
                failure = _step_failure(ctx, spec, traj, k, case, outcome, by_oracle[n],
                                        "trajectory_oracle_mismatch", {"optimizer": traj.oracle.optimizer})
            if failure is not None:
                failures[i] = failure
                stopped.add(i)
        found = [f for f in failures if f is not None]
        if found:
            found[0].facts.setdefault("failing_cases", len(found))
            found[0].facts.setdefault("total_cases", len(starts))
        return failures

    def inputs(self, ctx: ExerciseContext, spec: CheckSpec) -> list[Case]:
        """Every input the student's step is called on: the steps of the reference's paths (the
        attempted probe sends them with the exercise's other inputs, in one request)."""
        return self.recorded_cases(ctx, spec)

    def recorded_cases(self, ctx: ExerciseContext, spec: CheckSpec) -> list[Case]:
        """Inputs beyond the plan's where a student pack records the catalogued mistakes (for the
        hints): every step of the reference's paths, where a failure is shown."""
        traj = spec.trajectory
        assert traj is not None
        starts = starts_of(ctx, traj)
        paths = reference_paths(ctx, traj, starts, ctx.helper(traj.gradient))
        return [case for path in paths for case, _ in path]


# ----------------------------------------------------------------------------- torch.optim oracle


@functools.lru_cache(maxsize=64)
def _source_of(function: Callable[..., Any]) -> bytes:
    try:
        return inspect.getsource(function).encode()
    except (OSError, TypeError):
        return repr(function).encode()


def _oracle_key(ctx: ExerciseContext, traj: TrajectorySpec, starts: list[Case],
                gradient: Callable[..., Any]) -> str | None:
    torch_version = library_version("torch")
    if torch_version is None:
        return None
    digest = hashlib.sha256()
    digest.update(json.dumps(asdict(traj), sort_keys=True, default=str).encode())
    digest.update(torch_version.encode() + np.__version__.encode())
    digest.update(_source_of(gradient))
    for start in starts:
        digest.update(fingerprint("", start))
    for name, arg in ctx.exercise.args.items():
        digest.update(f"{name}={arg.default!r};".encode())
    return f"{ctx.exercise.id}-{digest.hexdigest()[:24]}"


def _resolve(value: Any, start: Case, ctx: ExerciseContext) -> Any:
    if isinstance(value, list):
        return tuple(_resolve(v, start, ctx) for v in value)
    if isinstance(value, str):
        raw = start[value] if value in start else ctx.exercise.args[value].default
        return float(raw)  # type: ignore[arg-type]
    return value


def _torch_paths(ctx: ExerciseContext, traj: TrajectorySpec, oracle: OracleSpec,
                 starts: list[Case], gradient: Callable[..., Any]) -> list[list[Any]] | None:
    try:
        import torch
    except ImportError:
        return None
    paths = []
    for start in starts:
        p = torch.tensor(np.asarray(start[traj.param], dtype=np.float64), dtype=torch.float64,
                         requires_grad=True)
        kwargs = {key: _resolve(v, start, ctx) for key, v in oracle.args.items()}
        optimizer = getattr(torch.optim, oracle.optimizer)([p], **kwargs)
        path = []
        for k in range(1, traj.steps + 1):
            g = gradient(p.detach().numpy().copy(), k, _alias(traj, start))
            p.grad = torch.tensor(np.asarray(g, dtype=np.float64), dtype=torch.float64)
            optimizer.step()
            state = {name: optimizer.state[p][key].detach().numpy().copy()
                     for name, key in oracle.state.items()}
            path.append((p.detach().numpy().copy(), state))
        paths.append(path)
    return paths


#: torch.optim's paths by cache file, for this process: read (or computed) once, not per submission
_ORACLE_PATHS: dict[str, list[list[Any]]] = {}

#: set while the reference is judged to pin torch.optim's paths (grader.pinning): the paths
#: a check uses are written beside the pinned plans, so no machine has to import torch to compare
#: with them again; with REPIN_ORACLE (`python -m grader.plan`) they are computed afresh first
PIN_ORACLE = False
REPIN_ORACLE = False


def _pinned_oracle_file(ctx: ExerciseContext, traj: TrajectorySpec, starts: list[Case],
                        gradient: Callable[..., Any]) -> Path | None:
    """Where the exercise set pins torch.optim's path from the pinned starts (no torch version in
    the key: the path was computed once by torch.optim, and the tests compare it with live torch);
    beside the private plans for a private plan's starts."""
    if not ctx.exercise.source_file and ctx.pinned_dir is None:
        return None
    digest = hashlib.sha256(json.dumps(asdict(traj), sort_keys=True, default=str).encode())
    digest.update(_source_of(gradient))
    for start in starts:
        digest.update(fingerprint("", start))
    for name, arg in ctx.exercise.args.items():
        digest.update(f"{name}={arg.default!r};".encode())
    plans = ctx.pinned_dir or Path(ctx.exercise.source_file).parent / "plans"
    return plans / "oracle" / f"{ctx.exercise.id}-{digest.hexdigest()[:24]}.bin"


def oracle_paths(ctx: ExerciseContext, traj: TrajectorySpec, starts: list[Case],
                 gradient: Callable[..., Any]) -> list[list[Any]] | None:
    """torch.optim's path from every start: pinned, cached or computed (None without torch);
    looked up once a run when the starts are the run's."""
    return ctx.derived(("oracle_paths", traj, gradient, PIN_ORACLE, REPIN_ORACLE), starts,
                       lambda: _oracle_paths(ctx, traj, starts, gradient))


def _oracle_paths(ctx: ExerciseContext, traj: TrajectorySpec, starts: list[Case],
                  gradient: Callable[..., Any]) -> list[list[Any]] | None:
    assert traj.oracle is not None
    pinned = _pinned_oracle_file(ctx, traj, starts, gradient)
    if pinned is not None and not REPIN_ORACLE:
        if str(pinned) in _ORACLE_PATHS:  # read once, not for every submission of a batch
            return _ORACLE_PATHS[str(pinned)]
        stored = _read_paths(pinned, len(starts))
        if stored is not None:
            _ORACLE_PATHS[str(pinned)] = stored
            return stored
    key = _oracle_key(ctx, traj, starts, gradient)
    if key is None:
        return None
    path = cache_dir() / "oracle" / f"{key}.bin"
    paths = None if REPIN_ORACLE else _ORACLE_PATHS.get(str(path)) or _read_paths(path, len(starts))
    if paths is None:
        paths = _torch_paths(ctx, traj, traj.oracle, starts, gradient)
        if paths is None:
            return None
        store_in_cache(path, paths)
    _ORACLE_PATHS[str(path)] = paths  # a batch asks again for every submission
    if PIN_ORACLE and pinned is not None:
        pinned.parent.mkdir(parents=True, exist_ok=True)
        pinned.write_bytes(codec.encode(paths))
    return paths


def _read_paths(path: Path, starts: int) -> list[list[Any]] | None:
    try:
        stored = codec.decode(path.read_bytes())
    except (OSError, codec.CodecError):
        return None
    return stored if isinstance(stored, list) and len(stored) == starts else None
