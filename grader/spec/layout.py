"""The folders of an exercise set and the one rule they follow: a folder of Python code is a package.

    <set>/*.yaml                the specs
    <set>/drivers/              public check helpers (a student pack carries them): a package
    <set>/plans/                pinned plans (`python -m grader.plan`), no code
    <set>/reference/            the reference, one module per spec's `reference:`: a package
    <set>/reference/mistakes/   the catalogued mistakes: a package
    <set>/reference/drivers/    trusted check helpers: a package

Each package is imported under a private name (grader.trusted), so each needs an `__init__.py`
(an empty one will do). A folder the specs need but Python cannot import is said at load time,
naming the spec key that needs it, with what to add; one no spec needs is left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .errors import SpecError
from .schema import Exercise
from .semantics import exercise_paths

#: a custom set's reference: this folder beside its specs
REFERENCE_DIR = "reference"
#: the public check helpers, beside the specs
DRIVERS_DIR = "drivers"
MISTAKES_DIR = "mistakes"


def _first_key(exercises: dict[str, Exercise], key_of: Callable[[Exercise], str | None]) -> str | None:
    """`file: exercises[i].key` of the first exercise for which `key_of` names a key, else None."""
    paths = exercise_paths(exercises.values())
    for ex in exercises.values():
        key = key_of(ex)
        if key is not None:
            return f"{paths[ex.id]}.{key}"
    return None


def _mistakes_key(ex: Exercise) -> str | None:
    return "mistakes" if ex.mistakes else None


def _helper_key(ex: Exercise) -> str | None:
    """The key of the first trusted helper an exercise's checks name (a driver, an objective,
    a trajectory's gradient)."""
    for j, check in enumerate(ex.checks):
        for key, name in (("driver", check.driver), ("objective", check.objective),
                          ("trajectory.gradient", check.trajectory.gradient if check.trajectory else None)):
            if name:
                return f"checks[{j}].{key}"
    return None


def _require_package(folder: Path, where: str | None) -> None:
    """`folder` must import as a package when a spec needs it (`where` is that spec's key)."""
    if where is None or (folder / "__init__.py").is_file():
        return
    raise SpecError.at(where, "spec.not_a_package", folder=f"{folder}/")


def _holds_code(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("*.py"))


def check_layout(exercises: dict[str, Exercise], reference_dir: Path | None, drivers_dir: Path) -> None:
    """Every folder of Python code that the specs need is a package (see the module's words)."""
    if reference_dir is not None and exercises:
        first = next(iter(exercises.values()))
        _require_package(reference_dir, f"{first.source_file}: reference")
        mistakes = reference_dir / MISTAKES_DIR
        if _holds_code(mistakes):
            _require_package(mistakes, _first_key(exercises, _mistakes_key))
        if _holds_code(reference_dir / DRIVERS_DIR):
            _require_package(reference_dir / DRIVERS_DIR, _first_key(exercises, _helper_key))
    if _holds_code(drivers_dir):
        _require_package(drivers_dir, _first_key(exercises, _helper_key))
