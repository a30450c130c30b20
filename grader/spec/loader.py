"""Find and load an exercise set: a folder of YAML specs, with its reference somewhere.

The shipped set is two packages installed beside the grader (pyproject.toml maps them):
`grader_exercises` (the checkout's `exercises/`: specs, public drivers, pinned plans) and
`grader_reference` (the checkout's `reference/`: the reference, its mistakes, trusted drivers).
Both are found by import machinery (`importlib.util.find_spec`, which imports neither), so a
plain `pip install .` and an editable install find them alike.

`--exercises DIR` or $GRADER_EXERCISES point at another set: an instructor's own (its
`reference/` beside its specs) or a student pack (expected outputs instead of reference code).
The student build of the grader (`grader pack`) has neither package: it needs one of those two.
A set may also hold `drivers/`, public check helpers that a student pack carries too.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .schema import Exercise, SpecFile
from .convert import SchemaError, build

ENV_VAR = "GRADER_EXERCISES"
#: the import names of the shipped exercise set and of its reference (see the module's words)
SHIPPED_EXERCISES = "grader_exercises"
SHIPPED_REFERENCE = "grader_reference"
#: a custom set's reference: this folder beside its specs
REFERENCE_DIR = "reference"
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SpecError(Exception):
    """A spec that cannot be used, with the file and key path: shown as is, never a traceback.

    One the user asked for (an unknown exercise) also carries `code` and `facts`: the message of
    the catalogue that says it in the user's language (grader.commands.usage_message)."""

    code: str | None = None
    facts: dict[str, object] = {}


class UnknownExercises(SpecError):
    """Exercise ids the set does not have."""

    code = "unknown_exercise"

    def __init__(self, ids: list[str]) -> None:
        super().__init__(f"unknown exercise: {', '.join(ids)} (see `grader list`)")
        self.ids = ids
        self.facts = {"ids": ", ".join(ids)}


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.1 reads `1e-4` (no dot) as a string; numbers like that are common in specs."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)$"),
    list("-+0123456789."),
)


@dataclass
class ExerciseSet:
    """All exercises of a set, in catalogue order, and where their reference lives."""

    root: Path
    exercises: dict[str, Exercise]
    digest: str
    reference_dir: Path | None = None
    expected_dir: Path | None = None
    files: list[Path] = field(default_factory=list)
    #: public check helpers (behaviour drivers, gradient rules), shipped in student packs too
    drivers_dir: Path | None = None
    #: the set installed with the grader (see SetLocation)
    shipped: bool = False

    def select(self, ids: Iterable[str] = ()) -> list[Exercise]:
        """The exercises of `ids` in their order (every one when empty); UnknownExercises."""
        ids = tuple(ids)
        unknown = [i for i in ids if i not in self.exercises]
        if unknown:
            raise UnknownExercises(unknown)
        return [self.exercises[i] for i in ids] if ids else list(self.exercises.values())


def installed_package_dir(name: str) -> Path | None:
    """The folder of an installed top-level package, found without importing it; None when
    it is not installed (the student build)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(locations[0]).resolve() if locations else None


@dataclass(frozen=True)
class SetLocation:
    """Where an exercise set's specs are, and its reference (None: a student pack, or a set
    without one)."""

    root: Path
    reference_dir: Path | None
    #: the set installed with the grader (its course secret lives in the user's data folder)
    shipped: bool = False


def shipped_set() -> SetLocation | None:
    """The exercise set installed with the grader, or None in its student build."""
    root = installed_package_dir(SHIPPED_EXERCISES)
    if root is None:
        return None
    return SetLocation(root, installed_package_dir(SHIPPED_REFERENCE), shipped=True)


def locate_set(path: str | os.PathLike | None = None) -> SetLocation:
    """--exercises, else $GRADER_EXERCISES, else the set installed with the grader."""
    chosen = path or os.environ.get(ENV_VAR)
    if not chosen:
        shipped = shipped_set()
        if shipped is None:  # a student build of the grader: no exercise set installed
            raise SpecError(f"no exercise set: pass --exercises or ${ENV_VAR} (this grader "
                            f"ships without one; a student pack is one)")
        return shipped
    root = Path(chosen).expanduser().resolve()
    if not root.is_dir():
        raise SpecError(f"{root}: exercise set not found (expected a folder of .yaml specs)")
    shipped = shipped_set()
    if shipped is not None and shipped.root == root:
        return shipped
    reference = root / REFERENCE_DIR
    return SetLocation(root, reference if reference.is_dir() else None)


def load_spec_file(path: Path) -> list[Exercise]:
    """Load one YAML file strictly; every problem names the file and the key path."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML: {exc}") from None
    try:
        header = build(SpecFile, data)
        exercises = []
        for index, raw in enumerate(header.exercises):
            where = f"exercises[{index}]"
            exercise = build(Exercise, raw, where, chapter=header.chapter,
                             reference=header.reference, mistakes_module=header.mistakes,
                             source_file=str(path))
            _check_semantics(exercise, where)
            exercises.append(exercise)
    except SchemaError as exc:
        raise SpecError(f"{path}: {exc}") from None
    return exercises


def _check_semantics(ex: Exercise, where: str) -> None:
    """What types cannot say: ids are names, dims exist, points add up."""
    if not _ID.match(ex.id):
        raise SchemaError(f"{where}.id", f"expected a Python function name, got {ex.id!r}")
    for name, arg in ex.args.items():
        if isinstance(arg.shape, list):
            for i, dim in enumerate(arg.shape):
                if isinstance(dim, str) and dim not in ex.dims:
                    raise SchemaError(f"{where}.args.{name}.shape[{i}]",
                                      f"unknown dimension {dim!r} (declare it under dims)")
        elif arg.shape not in (None, "any"):
            raise SchemaError(f"{where}.args.{name}.shape",
                              f"expected 'any' or a list of sizes, got {arg.shape!r}")
        if arg.type == "choice" and not arg.values:
            raise SchemaError(f"{where}.args.{name}.values", "a choice needs a list of values")
        if arg.type in ("array", "float", "ints") and (arg.min is None or arg.max is None):
            raise SchemaError(f"{where}.args.{name}", f"an {arg.type} argument needs min and max")
        if arg.type == "ints" and not (isinstance(arg.shape, list) and len(arg.shape) == 1):
            raise SchemaError(f"{where}.args.{name}.shape", "a list of ints has one size: [length]")
        if arg.grid is not None and arg.grid <= 0:
            raise SchemaError(f"{where}.args.{name}.grid", "expected a number > 0")
    for name, bounds in ex.dims.items():
        if len(bounds) != 2 or bounds[0] > bounds[1] or bounds[0] < 0:
            raise SchemaError(f"{where}.dims.{name}", "expected [low, high] with 0 ≤ low ≤ high")
    for i, case in enumerate(ex.edge_cases):
        unknown = set(case) - set(ex.args)
        if unknown:
            raise SchemaError(f"{where}.edge_cases[{i}]",
                              f"unknown argument {sorted(unknown)[0]!r} "
                              f"(arguments: {', '.join(ex.args)})")
    for i, check in enumerate(ex.checks):
        if check.points < 0:
            raise SchemaError(f"{where}.checks[{i}].points", "expected a number ≥ 0")
        if check.kind == "gradient" and not check.of:
            raise SchemaError(f"{where}.checks[{i}].of", "a gradient check names its forward function")
        if check.kind == "behaviour" and not check.driver:
            raise SchemaError(f"{where}.checks[{i}].driver", "a behaviour check names its driver")
        for j, arg_name in enumerate(check.wrt):
            if arg_name not in ex.args:
                raise SchemaError(f"{where}.checks[{i}].wrt[{j}]",
                                  f"unknown argument {arg_name!r} (arguments: {', '.join(ex.args)})")
        if check.kind == "trajectory":
            _check_trajectory(ex, check, f"{where}.checks[{i}].trajectory")
        if check.kind == "properties" and not check.properties:
            raise SchemaError(f"{where}.checks[{i}].properties", "list at least one property")
    if ex.points is not None and abs(ex.points - ex.max_score) > 1e-9:
        raise SchemaError(f"{where}.points",
                          f"is {ex.points:g} but the checks' points add up to {ex.max_score:g}")


def _check_trajectory(ex: Exercise, check, where: str) -> None:
    traj = check.trajectory
    if traj is None:
        raise SchemaError(where, "a trajectory check says how its steps chain (param, gradient, …)")
    named = [("param", traj.param), ("grad", traj.grad)] + [
        (f"state[{k}]", s) for k, s in enumerate(traj.state)]
    if traj.counter:
        named.append(("counter", traj.counter))
    for key, arg_name in named:
        if arg_name not in ex.args:
            raise SchemaError(f"{where}.{key}",
                              f"unknown argument {arg_name!r} (arguments: {', '.join(ex.args)})")
    if traj.steps < 1 or traj.starts < 0:
        raise SchemaError(where, "expected steps ≥ 1 and starts ≥ 0")
    if traj.oracle is not None:
        for key, value in traj.oracle.args.items():
            for arg_name in (value if isinstance(value, list) else [value]):
                if isinstance(arg_name, str) and arg_name not in ex.args:
                    raise SchemaError(f"{where}.oracle.args.{key}", f"unknown argument {arg_name!r}")
        for arg_name in traj.oracle.state:
            if arg_name not in traj.state:
                raise SchemaError(f"{where}.oracle.state.{arg_name}",
                                  f"not one of the trajectory's state arguments {traj.state}")


def load_exercise_set(path: str | os.PathLike | None = None) -> ExerciseSet:
    """Load every `*.yaml` in the set's folder, in file-name order."""
    location = locate_set(path)
    root = location.root
    files = sorted(root.glob("*.yaml"))
    if not files:
        raise SpecError(f"{root}: no .yaml exercise specs in this folder")
    exercises: dict[str, Exercise] = {}
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
        for exercise in load_spec_file(file):
            if exercise.id in exercises:
                raise SpecError(f"{file}: exercise {exercise.id!r} is also defined in "
                                f"{exercises[exercise.id].source_file}")
            exercises[exercise.id] = exercise
    reference_dir = location.reference_dir
    if reference_dir is not None:  # named as beside the specs, wherever it is installed
        for source in sorted(reference_dir.rglob("*.py")):
            name = f"{REFERENCE_DIR}/{source.relative_to(reference_dir).as_posix()}"
            digest.update(name.encode() + b"\0" + source.read_bytes())
    drivers_dir = root / "drivers"
    if (drivers_dir / "__init__.py").is_file():
        for source in sorted(drivers_dir.glob("*.py")):
            digest.update(str(source.relative_to(root)).encode() + b"\0" + source.read_bytes())
    expected_dir = root / "expected"
    return ExerciseSet(
        root=root,
        exercises=exercises,
        digest=digest.hexdigest(),
        reference_dir=reference_dir,
        expected_dir=expected_dir if expected_dir.is_dir() else None,
        files=files,
        drivers_dir=drivers_dir if (drivers_dir / "__init__.py").is_file() else None,
        shipped=location.shipped,
    )
