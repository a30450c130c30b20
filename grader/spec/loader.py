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

from .assignments import FILENAME as ASSIGNMENTS_FILE, Assignment, build_assignments
from .convert import SchemaError, build
from .errors import SpecError, UnknownAssignment, UnknownExercises
from .layout import DRIVERS_DIR, REFERENCE_DIR, check_layout
from .schema import Exercise, SpecFile
from .semantics import check_exercise

ENV_VAR = "GRADER_EXERCISES"
#: the import names of the shipped exercise set and of its reference (see the module's words)
SHIPPED_EXERCISES = "grader_exercises"
SHIPPED_REFERENCE = "grader_reference"


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
    #: the homework of `assignments.yaml` (grader.spec.assignments), by id, in file order
    assignments: dict[str, Assignment] = field(default_factory=dict)

    def assignment(self, assignment_id: str) -> Assignment:
        """The assignment `assignment_id`; UnknownAssignment names the known ones."""
        found = self.assignments.get(assignment_id)
        if found is None:
            raise UnknownAssignment(assignment_id, list(self.assignments))
        return found

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


def read_yaml(path: Path) -> object:
    """The parsed YAML of one spec file; SpecError when it cannot be read or parsed."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML: {exc}") from None


def located(path: Path, exc: SchemaError) -> SpecError:
    """A violation found inside the file `path`, as the SpecError the user sees."""
    if exc.code is not None:
        return SpecError.at(f"{path}: {exc.path}", exc.code, **exc.facts)
    return SpecError(f"{path}: {exc}")


def build_exercises(data: object, source_file: str) -> list[Exercise]:
    """One file's exercises from its YAML, each checked beyond its types (grader.spec.semantics)."""
    header = build(SpecFile, data)
    exercises = []
    for index, raw in enumerate(header.exercises):
        where = f"exercises[{index}]"
        exercise = build(Exercise, raw, where, chapter=header.chapter, reference=header.reference,
                         mistakes_module=header.mistakes, source_file=source_file)
        check_exercise(exercise, where)
        exercises.append(exercise)
    return exercises


def load_spec_file(path: Path) -> list[Exercise]:
    """Load one YAML file strictly; every problem names the file and the key path."""
    data = read_yaml(path)
    try:
        return build_exercises(data, str(path))
    except SchemaError as exc:
        raise located(path, exc) from None


def spec_files(root: Path) -> list[Path]:
    """The set's specs: every `*.yaml` of its folder (but its assignments), in file-name order."""
    files = sorted(p for p in root.glob("*.yaml") if p.name != ASSIGNMENTS_FILE)
    if not files:
        raise SpecError(f"{root}: no .yaml exercise specs in this folder")
    return files


def load_exercises(files: list[Path]) -> dict[str, Exercise]:
    """Every exercise of the files, in catalogue order; an id defined twice is an error."""
    exercises: dict[str, Exercise] = {}
    for file in files:
        for exercise in load_spec_file(file):
            if exercise.id in exercises:
                raise SpecError(f"{file}: exercise {exercise.id!r} is also defined in "
                                f"{exercises[exercise.id].source_file}")
            exercises[exercise.id] = exercise
    return exercises


def load_assignments(root: Path, exercises: dict[str, Exercise]) -> dict[str, Assignment]:
    """The set's `assignments.yaml`, checked against its exercises; none when there is no file."""
    path = root / ASSIGNMENTS_FILE
    if not path.is_file():
        return {}
    try:
        return build_assignments(read_yaml(path), exercises)
    except SchemaError as exc:
        raise located(path, exc) from None


def set_digest(files: list[Path], reference_dir: Path | None, drivers_dir: Path | None) -> str:
    """What the set's grades depend on: its specs, its reference and its public drivers, each
    named as in a checkout (wherever it is installed)."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    if reference_dir is not None:
        for source in sorted(reference_dir.rglob("*.py")):
            name = f"{REFERENCE_DIR}/{source.relative_to(reference_dir).as_posix()}"
            digest.update(name.encode() + b"\0" + source.read_bytes())
    if drivers_dir is not None:
        for source in sorted(drivers_dir.glob("*.py")):
            digest.update(str(source.relative_to(drivers_dir.parent)).encode() + b"\0"
                          + source.read_bytes())
    return digest.hexdigest()


def _package(folder: Path) -> Path | None:
    return folder if (folder / "__init__.py").is_file() else None


def load_exercise_set(path: str | os.PathLike | None = None) -> ExerciseSet:
    """Find the set (`locate_set`), load its specs and check its folders' layout."""
    location = locate_set(path)
    root = location.root
    files = spec_files(root)
    exercises = load_exercises(files)
    check_layout(exercises, location.reference_dir, root / DRIVERS_DIR)
    drivers_dir = _package(root / DRIVERS_DIR)
    expected_dir = root / "expected"
    return ExerciseSet(
        root=root,
        exercises=exercises,
        digest=set_digest(files, location.reference_dir, drivers_dir),
        reference_dir=location.reference_dir,
        expected_dir=expected_dir if expected_dir.is_dir() else None,
        files=files,
        drivers_dir=drivers_dir,
        shipped=location.shipped,
        assignments=load_assignments(root, exercises),
    )
