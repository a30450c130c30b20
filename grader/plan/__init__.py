"""The plan stage: the concrete inputs every check of an exercise is run on.

Inputs are drawn by Hypothesis from strategies built from the spec, once, with a pinned seed and
pinned settings (so CI's `ci` profile changes nothing), and cached on disk keyed by the spec's
content, the seed and the library versions: a batch of 500 submissions draws its inputs once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import codec
from ..spec.schema import Exercise

PLAN_FORMAT = 2
DEFAULT_SEED = 20261128
SMOOTH_EXAMPLES = 40
Case = dict[str, Any]


@dataclass
class Plan:
    """Named sets of cases: `random` (drawn), `smooth` (drawn away from kinks), `edge` (fixed)."""

    exercise: str
    seed: int
    random: list[Case] = field(default_factory=list)
    smooth: list[Case] = field(default_factory=list)
    edge: list[Case] = field(default_factory=list)

    def cases(self, name: str) -> list[Case]:
        """One case set, or several joined with "+" ("random+edge")."""
        return [case for part in name.split("+") for case in getattr(self, part)]


def cache_dir() -> Path:
    configured = os.environ.get("GRADER_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "grader"


def needs_smooth(exercise: Exercise) -> bool:
    return any(check.kind == "gradient" for check in exercise.checks)


@functools.lru_cache(maxsize=1)
def _drawing_code_digest() -> str:
    """The code that draws inputs (the strategies, the draw itself): changing it invalidates
    cached and pinned plans; changing anything else in this package does not."""
    import inspect

    digest = hashlib.sha256(f"{SMOOTH_EXAMPLES}".encode())
    for source in ("strategies.py", "stable.py"):
        digest.update((Path(__file__).parent / source).read_bytes())
    for function in (draw, draw_plan, edge_cases):
        digest.update(inspect.getsource(function).encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def library_version(name: str) -> str | None:
    """An installed distribution's version, None when absent; looked up once per process
    (importlib.metadata scans sys.path on every call: ~3 ms, for each of ~40 plans)."""
    from importlib.metadata import PackageNotFoundError, version  # not `import hypothesis`: ~0.3 s

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def plan_key(exercise: Exercise, seed: int) -> str:
    material = {
        "format": PLAN_FORMAT,
        "code": _drawing_code_digest(),
        "args": {k: asdict(v) for k, v in exercise.args.items()},
        "dims": exercise.dims,
        "examples": exercise.examples,
        "smooth": needs_smooth(exercise),
        "seed": seed,
        "hypothesis": library_version("hypothesis"),
        "numpy": np.__version__,
    }
    blob = json.dumps(material, sort_keys=True, default=str).encode()
    return f"{exercise.id}-{hashlib.sha256(blob).hexdigest()[:20]}"


def edge_cases(exercise: Exercise) -> list[Case]:
    """The spec's fixed inputs as arrays: a scalar for an array argument becomes a 0-d array."""
    cases = []
    for raw in exercise.edge_cases:
        case: Case = {}
        for name, value in raw.items():
            arg = exercise.args[name]
            if arg.type in ("array", "one_hot", "simplex", "binary"):
                case[name] = np.array(value, dtype=np.float64)
            elif arg.type == "float":
                case[name] = float(value)
            elif arg.type == "ints":
                case[name] = [int(v) for v in value]
            else:
                case[name] = value
        cases.append(case)
    return cases


def draw(exercise: Exercise, count: int, seed: int, smooth: bool = False) -> list[Case]:
    """Draw `count` cases with Hypothesis, deterministically (pinned seed, no database)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, settings
    from hypothesis import seed as hypothesis_seed

    from .stable import no_local_constants
    from .strategies import case_strategy

    drawn: list[Case] = []

    @settings(max_examples=count, database=None, derandomize=False, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck),
              verbosity=Verbosity.quiet, report_multiple_bugs=False, print_blob=False)
    @hypothesis_seed(seed)
    @given(case_strategy(exercise, smooth=smooth))
    def collect(case: Case) -> None:
        drawn.append(case)

    with no_local_constants():
        collect()
    return drawn


def _load_cached(path: Path) -> dict[str, list[Case]] | None:
    try:
        data = codec.decode(path.read_bytes())
    except (OSError, codec.CodecError):
        return None
    return data if isinstance(data, dict) else None


def store_in_cache(path: Path, data: object) -> None:
    """Write codec data atomically (readers never see half a file); a failure only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(codec.encode(data))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache costs time, never correctness


PINNED_DIR = "plans"


def pinned_key(exercise: Exercise, seed: int) -> str:
    """What a pinned plan answers for: the spec's inputs, the seed and the drawing code, but not
    the library versions, so every machine grades on the same inputs whatever it installed."""
    material = {"format": PLAN_FORMAT, "code": _drawing_code_digest(),
                "args": {k: asdict(v) for k, v in exercise.args.items()}, "dims": exercise.dims,
                "examples": exercise.examples, "smooth": needs_smooth(exercise), "seed": seed}
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def pinned_path(exercise: Exercise) -> Path | None:
    """Where the exercise set keeps this exercise's pinned plan (`plans/` beside the specs)."""
    return Path(exercise.source_file).parent / PINNED_DIR / f"{exercise.id}.bin" if exercise.source_file else None


def _load_pinned(exercise: Exercise, seed: int) -> dict[str, list[Case]] | None:
    path = pinned_path(exercise)
    data = _load_cached(path) if path is not None and path.exists() else None
    if data is None or data.get("key") != pinned_key(exercise, seed):
        return None  # absent, or drawn for another spec, seed or drawing code: draw again
    return {name: cases for name, cases in data.items() if name != "key"}


def draw_plan(exercise: Exercise, seed: int) -> dict[str, list[Case]]:
    data = {"random": draw(exercise, exercise.examples, seed)}
    if needs_smooth(exercise):
        data["smooth"] = draw(exercise, min(exercise.examples, SMOOTH_EXAMPLES), seed + 1, smooth=True)
    return data


def pin_plan(exercise: Exercise, seed: int = DEFAULT_SEED) -> Path:
    """Draw and store the exercise's pinned plan (a maintainer's step: `python -m grader.plan`)."""
    path = pinned_path(exercise)
    assert path is not None, "an exercise loaded from a spec file"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(codec.encode({"key": pinned_key(exercise, seed), **draw_plan(exercise, seed)}))
    return path


def make_plan(exercise: Exercise, seed: int = DEFAULT_SEED, use_cache: bool = True) -> Plan:
    """The pinned plan shipped with the exercise set if it is current, else the cached or a
    freshly drawn one."""
    data = _load_pinned(exercise, seed)
    if data is None:
        path = cache_dir() / "plans" / f"{plan_key(exercise, seed)}.bin"
        data = _load_cached(path) if use_cache else None
        if data is None:
            data = draw_plan(exercise, seed)
            if use_cache:
                store_in_cache(path, data)
    return Plan(exercise=exercise.id, seed=seed, random=data.get("random", []),
                smooth=data.get("smooth", []), edge=edge_cases(exercise))
