"""The trusted code of an exercise set, imported into the grader's own process.

A set's code is the reference (`reference/*.py`, or the installed `grader_reference`), its
catalogued mistakes (`reference/mistakes/`), its trusted helpers (`reference/drivers/`) and its
public helpers (`drivers/` beside the specs, which every student pack carries too). Each folder
is imported as a package under a private name that carries the set's digest, so that its
relative imports work, two sets loaded in one process never mix, and no name a submission
chooses can reach it. Loading also checks every name the specs give against what the code
defines: a missing reference function, mistake or helper is a SpecError naming the spec file.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Mapping

from .spec import Exercise, ExerciseSet, SpecError
from .spec.semantics import exercise_paths

#: a function of the trusted code: the reference's take the exercise's arguments
Function = Callable[..., object]


@dataclass
class TrustedCode:
    """The functions of a set's trusted code, by name."""

    reference: dict[str, Function] = field(default_factory=dict)
    mistakes: dict[str, Function] = field(default_factory=dict)
    #: behaviour drivers, objectives, gradient rules: the public drivers/ first, then
    #: reference/drivers/ (which win a name both define)
    helpers: dict[str, Function] = field(default_factory=dict)
    #: the names among `helpers` that come from the public drivers/
    public_helpers: set[str] = field(default_factory=set)


def _import_folder(directory: Path, name: str) -> types.ModuleType:
    """Import a folder as a package under a private name, so its relative imports work."""
    init = directory / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(directory)])
    if spec is None or spec.loader is None or not init.is_file():
        raise SpecError.at(str(directory), "spec.not_a_package", folder=f"{directory}/")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the set's own code, broken: its author's to fix
        raise _import_failed(init, exc) from None
    return module


def _import_failed(source: Path, exc: Exception) -> SpecError:
    """A module of the set that does not import (a syntax error, a missing module, a raise at
    import time), said on one line at the file and line where Python stopped."""
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    where = f"{getattr(exc, 'filename', None) or source}:{line}" if line else str(source)
    error = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return SpecError.at(where, "spec.import_failed", error=f"{type(exc).__name__}: {error}")


def _import_module(package: str, name: str, source: Path) -> types.ModuleType:
    """`package.name`, the module of the set in file `source`."""
    try:
        return importlib.import_module(f"{package}.{name}")
    except Exception as exc:
        raise _import_failed(source, exc) from None


def _public_functions(module: types.ModuleType) -> dict[str, Function]:
    return {k: v for k, v in vars(module).items()
            if callable(v) and not k.startswith("_") and getattr(v, "__module__", None) == module.__name__}


def _modules_of(directory: Path) -> list[str]:
    """The modules of a folder that hold functions: its .py files, private ones left out."""
    return [source.stem for source in sorted(directory.glob("*.py")) if not source.stem.startswith("_")]


def load_public_helpers(exercise_set: ExerciseSet, code: TrustedCode) -> None:
    """The public drivers/ package: it imports nothing from the reference (grader pack checks)."""
    directory = exercise_set.drivers_dir
    if directory is None:
        return
    package = f"_grader_drivers_{exercise_set.digest[:12]}"
    _import_folder(directory, package)
    for name in _modules_of(directory):
        functions = _public_functions(_import_module(package, name, directory / f"{name}.py"))
        code.helpers.update(functions)
        code.public_helpers.update(functions)


def load_reference(exercise_set: ExerciseSet, code: TrustedCode) -> None:
    """The reference of the modules the specs name, the mistakes, and reference/drivers/."""
    directory = exercise_set.reference_dir
    if directory is None:
        return
    package = f"_grader_reference_{exercise_set.digest[:12]}"
    _import_folder(directory, package)
    _load_reference_modules(exercise_set, directory, package, code)
    _load_mistakes(exercise_set, directory, package, code)
    _load_trusted_drivers(directory, package, code)


def _load_reference_modules(exercise_set: ExerciseSet, directory: Path, package: str,
                            code: TrustedCode) -> None:
    """reference/<module>.py of every module a spec names (one that fails is the spec's error)."""
    for name in sorted({str(ex.reference) for ex in exercise_set.exercises.values() if ex.reference}):
        source = directory / f"{name}.py"
        if not source.is_file():
            spec_file = next(ex.source_file for ex in exercise_set.exercises.values() if ex.reference == name)
            raise SpecError.at(f"{spec_file}: reference", "spec.no_reference_module", module=str(source))
        code.reference.update(_public_functions(_import_module(package, name, source)))


def _load_mistakes(exercise_set: ExerciseSet, directory: Path, package: str, code: TrustedCode) -> None:
    """reference/mistakes/<module>.py of the modules the specs name, those that exist."""
    if not (directory / "mistakes" / "__init__.py").exists():
        return
    named = {str(ex.mistakes_module or ex.reference) for ex in exercise_set.exercises.values()}
    for name in sorted(named):
        source = directory / "mistakes" / f"{name}.py"
        if source.exists():
            code.mistakes.update(_public_functions(_import_module(package, f"mistakes.{name}", source)))


def _load_trusted_drivers(directory: Path, package: str, code: TrustedCode) -> None:
    """reference/drivers/: trusted helpers, which win a name the public drivers/ define too."""
    if not (directory / "drivers" / "__init__.py").exists():
        return
    for name in _modules_of(directory / "drivers"):
        functions = _public_functions(
            _import_module(package, f"drivers.{name}", directory / "drivers" / f"{name}.py"))
        code.helpers.update(functions)
        code.public_helpers.difference_update(functions)


def check_names(exercise_set: ExerciseSet, code: TrustedCode) -> None:
    """Every function a spec names exists in the set's code (SpecError names the spec file)."""
    known = code.helpers | code.reference
    paths = exercise_paths(exercise_set.exercises.values())
    for ex in exercise_set.exercises.values():
        _check_helpers(ex, known)
        for j, check in enumerate(ex.checks):
            if check.of and check.of not in code.reference:
                raise SpecError.at(f"{paths[ex.id]}.checks[{j}].of", "spec.unknown_forward",
                                   name=check.of, module=f"reference/{ex.reference}.py")
        if ex.id not in code.reference:
            raise SpecError(f"{ex.source_file}: exercise {ex.id!r} has no reference function "
                            f"{ex.id} in reference/{ex.reference}.py")
        for mistake in ex.mistakes:
            if mistake.function not in code.mistakes:
                raise SpecError(f"{ex.source_file}: exercise {ex.id!r} lists mistake "
                                f"{mistake.function!r}, which reference/mistakes/ does not define")


def _check_helpers(ex: Exercise, known: Mapping[str, Function]) -> None:
    """The drivers, objectives and gradient rules an exercise's checks name exist."""
    for check in ex.checks:
        for helper in (check.driver, check.objective,
                       check.trajectory.gradient if check.trajectory else None):
            if helper and helper not in known:
                raise SpecError(f"{ex.source_file}: exercise {ex.id!r} names {helper!r}, "
                                f"which neither drivers/, reference/drivers/ nor the "
                                f"reference defines")


def check_properties(exercise_set: ExerciseSet) -> None:
    """Every property a `properties` check lists is one the judge knows (a student pack's too)."""
    from .judge.properties import PROPERTIES

    paths = exercise_paths(exercise_set.exercises.values())
    for ex in exercise_set.exercises.values():
        for j, check in enumerate(ex.checks):
            for k, prop in enumerate(check.properties):
                if prop.name not in PROPERTIES:
                    raise SpecError.at(f"{paths[ex.id]}.checks[{j}].properties[{k}].name",
                                       "spec.unknown_property", name=prop.name,
                                       known=", ".join(sorted(PROPERTIES)))


def load_trusted_code(exercise_set: ExerciseSet) -> TrustedCode:
    """The set's trusted code: none of it for a student pack but its public drivers."""
    check_properties(exercise_set)
    code = TrustedCode()
    load_public_helpers(exercise_set, code)
    if exercise_set.reference_dir is not None:
        load_reference(exercise_set, code)
        check_names(exercise_set, code)
    return code
