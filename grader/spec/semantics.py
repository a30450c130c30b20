"""What the types of schema.py cannot say about an exercise, checked when its spec is loaded.

Ids are names, dimensions exist, bounds are ordered, edge cases hold values their arguments can
take, checks name arguments the exercise has, points add up. Each function checks one section
of an exercise and raises a SchemaError at the key path of the first problem, so that an author
learns of it from `grader validate` (or any command), never from a student's run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .convert import SchemaError
from .schema import ArgSpec, CheckSpec, Exercise

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: the argument types whose edge values become float arrays (grader.plan.edge_cases)
ARRAY_TYPES = ("array", "one_hot", "simplex", "binary")


def check_exercise(ex: Exercise, where: str) -> None:
    """Every section of one exercise (`where`: its key path, `exercises[i]`)."""
    if not _ID.match(ex.id):
        raise SchemaError(f"{where}.id", f"expected a Python function name, got {ex.id!r}")
    for name, arg in ex.args.items():
        check_arg(ex, name, arg, f"{where}.args.{name}")
    check_dims(ex, where)
    for i, case in enumerate(ex.edge_cases):
        check_edge_case(ex, case, f"{where}.edge_cases[{i}]")
    for i, check in enumerate(ex.checks):
        check_check(ex, check, f"{where}.checks[{i}]")
    check_points(ex, where)


def exercise_paths(exercises: Iterable[Exercise]) -> dict[str, str]:
    """Each exercise's place in its file, `file: exercises[i]`, by id: where a problem found
    after loading (in the reference, in the registry of properties) is said to be."""
    index: dict[str, int] = {}
    paths = {}
    for ex in exercises:
        index[ex.source_file] = index.get(ex.source_file, -1) + 1
        paths[ex.id] = f"{ex.source_file}: exercises[{index[ex.source_file]}]"
    return paths


def _arguments(ex: Exercise) -> str:
    return ", ".join(ex.args)


def check_arg(ex: Exercise, name: str, arg: ArgSpec, where: str) -> None:
    """One argument: its shape, its bounds (min ≤ max), its values."""
    if isinstance(arg.shape, list):
        for i, dim in enumerate(arg.shape):
            if isinstance(dim, str) and dim not in ex.dims:
                raise SchemaError(f"{where}.shape[{i}]",
                                  f"unknown dimension {dim!r} (declare it under dims)")
    elif arg.shape not in (None, "any"):
        raise SchemaError(f"{where}.shape", f"expected 'any' or a list of sizes, got {arg.shape!r}")
    if arg.type == "choice" and not arg.values:
        raise SchemaError(f"{where}.values", "a choice needs a list of values")
    if arg.type in ("array", "float", "ints") and (arg.min is None or arg.max is None):
        raise SchemaError(where, f"an {arg.type} argument needs min and max")
    if arg.min is not None and arg.max is not None and arg.min > arg.max:
        raise SchemaError.coded(f"{where}.min", "spec.min_above_max", min=arg.min, max=arg.max)
    if arg.type == "ints" and not (isinstance(arg.shape, list) and len(arg.shape) == 1):
        raise SchemaError(f"{where}.shape", "a list of ints has one size: [length]")
    if arg.grid is not None and arg.grid <= 0:
        raise SchemaError(f"{where}.grid", "expected a number > 0")


def check_dims(ex: Exercise, where: str) -> None:
    for name, bounds in ex.dims.items():
        if len(bounds) != 2 or bounds[0] > bounds[1] or bounds[0] < 0:
            raise SchemaError(f"{where}.dims.{name}", "expected [low, high] with 0 ≤ low ≤ high")


def check_edge_case(ex: Exercise, case: dict[str, Any], where: str) -> None:
    """An edge case names arguments of the exercise, each with a value its type can take."""
    unknown = set(case) - set(ex.args)
    if unknown:
        raise SchemaError(where, f"unknown argument {sorted(unknown)[0]!r} "
                                 f"(arguments: {_arguments(ex)})")
    for name, value in case.items():
        arg = ex.args[name]
        if not edge_value_fits(arg, value):
            raise SchemaError.coded(f"{where}.{name}", f"spec.edge_value.{_value_kind(arg)}",
                                    value=repr(value), type=arg.type,
                                    values=", ".join(repr(v) for v in arg.values or []))


def _value_kind(arg: ArgSpec) -> str:
    """Which sentence says what an argument of this type takes."""
    return "array" if arg.type in ARRAY_TYPES else arg.type


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _array_shape(value: object) -> tuple[int, ...] | None:
    """The shape of a number or of nested lists of numbers, all rows alike; None if it has none."""
    if _is_number(value):
        return ()
    if not isinstance(value, list) or not value:
        return (0,) if value == [] else None
    shapes = {_array_shape(item) for item in value}
    if len(shapes) != 1 or None in shapes:
        return None
    (inner,) = shapes
    return None if inner is None else (len(value), *inner)


def edge_value_fits(arg: ArgSpec, value: object) -> bool:
    """Whether `grader.plan.edge_cases` can turn `value` into an input of argument `arg`."""
    if arg.type in ARRAY_TYPES:
        return _array_shape(value) is not None
    if arg.type == "float":
        return _is_number(value)
    if arg.type == "int":
        return _is_integer(value)
    if arg.type == "ints":
        return isinstance(value, list) and all(_is_integer(v) for v in value)
    if arg.type == "choice":
        return value in (arg.values or [])
    return True


def check_check(ex: Exercise, check: CheckSpec, where: str) -> None:
    """One check: the fields its kind needs, and the arguments it names."""
    if check.points < 0:
        raise SchemaError(f"{where}.points", "expected a number ≥ 0")
    if check.kind == "gradient" and not check.of:
        raise SchemaError(f"{where}.of", "a gradient check names its forward function")
    if check.kind == "behaviour" and not check.driver:
        raise SchemaError(f"{where}.driver", "a behaviour check names its driver")
    for j, arg_name in enumerate(check.wrt):
        if arg_name not in ex.args:
            raise SchemaError(f"{where}.wrt[{j}]",
                              f"unknown argument {arg_name!r} (arguments: {_arguments(ex)})")
    if check.kind == "trajectory":
        check_trajectory(ex, check, f"{where}.trajectory")
    if check.kind == "properties" and not check.properties:
        raise SchemaError(f"{where}.properties", "list at least one property")


def check_trajectory(ex: Exercise, check: CheckSpec, where: str) -> None:
    """A trajectory chains arguments the exercise has; its oracle maps onto them."""
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
                              f"unknown argument {arg_name!r} (arguments: {_arguments(ex)})")
    if traj.steps < 1 or traj.starts < 0:
        raise SchemaError(where, "expected steps ≥ 1 and starts ≥ 0")
    if traj.oracle is None:
        return
    for key, value in traj.oracle.args.items():
        for mapped in (value if isinstance(value, list) else [value]):
            if isinstance(mapped, str) and mapped not in ex.args:
                raise SchemaError(f"{where}.oracle.args.{key}", f"unknown argument {mapped!r}")
    for state_name in traj.oracle.state:
        if state_name not in traj.state:
            raise SchemaError(f"{where}.oracle.state.{state_name}",
                              f"not one of the trajectory's state arguments {traj.state}")


def check_points(ex: Exercise, where: str) -> None:
    if ex.points is not None and abs(ex.points - ex.max_score) > 1e-9:
        raise SchemaError(f"{where}.points",
                          f"is {ex.points:g} but the checks' points add up to {ex.max_score:g}")
