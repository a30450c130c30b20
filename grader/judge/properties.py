"""Named, reusable properties a spec can list under a `properties` check.

A property may need extra calls (σ(−x) to test σ(−x) = 1 − σ(x)); it derives those inputs from
the cases and asks for them in one batch. Each returns one Failure or None per case.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..plan import Case
from ..run.client import CallOutcome
from ..spec.schema import CheckSpec, PropertySpec, Tolerance
from .compare import compare
from .context import ExerciseContext, Failure
from .failures import error_failure

Property = Callable[[ExerciseContext, PropertySpec, list[Case], list[CallOutcome], Tolerance],
                    list["Failure | None"]]
PROPERTIES: dict[str, Property] = {}


def prop(name: str) -> Callable[[Property], Property]:
    def register(fn: Property) -> Property:
        PROPERTIES[name] = fn
        return fn
    return register


def _arg(ctx: ExerciseContext, spec: PropertySpec) -> str:
    return str(spec.params.get("arg") or next(iter(ctx.exercise.args)))


def _moved(ctx: ExerciseContext, spec: PropertySpec, cases: list[Case], arg: str) -> list[Case]:
    """A relation property's moved inputs (−x, x + c, …), the same objects for every submission
    of a run when `cases` are the plan's (ExerciseContext.derived): keyed once, sent from cache."""
    transform = _moving(spec)
    return ctx.derived(("moved", spec, arg), cases,
                       lambda: [{**c, arg: transform(np.asarray(c[arg]))} for c in cases], _same)


def _same(cases: list[Case]) -> list[Case]:
    return cases


def _derived(ctx: ExerciseContext, spec: PropertySpec, cases: list[Case],
             arg: str) -> tuple[list[Case], list[CallOutcome]]:
    derived = _moved(ctx, spec, cases, arg)
    return derived, ctx.call(derived) or []


def _transform(spec: PropertySpec) -> Callable[[Any], Any] | None:
    """How a relation property moves its argument (one definition, for the property and for
    `PropertiesCheck.inputs`); None for a property that calls on nothing but the cases."""
    if spec.name in ("complement", "odd"):
        return lambda x: -x
    if spec.name in ("shift_invariant", "shift_equivariant"):
        c = float(spec.params.get("shift", 100.0 if spec.name == "shift_invariant" else 1.0))
        return lambda x: x + c
    if spec.name == "monotonic":
        step = float(spec.params.get("step", 0.5))
        return lambda x: x + step
    return None


def _moving(spec: PropertySpec) -> Callable[[Any], Any]:
    """The transform of a relation property, which always has one."""
    move = _transform(spec)
    if move is None:
        raise ValueError(f"{spec.name} moves no argument")
    return move


def _zeroed(ctx: ExerciseContext, spec: PropertySpec, cases: list[Case]) -> list[Case]:
    """still_without_gradient's inputs: the cases with the `zero` arguments set to 0."""
    zero = list(spec.params.get("zero") or ["grad"])
    return ctx.derived(("zeroed", spec), cases,
                       lambda: [{**c, **{name: np.zeros(np.shape(c[name])) for name in zero}} for c in cases],
                       _same)


def _array(value: Any) -> np.ndarray | None:
    if isinstance(value, (np.ndarray, int, float, bool)):
        return np.asarray(value, dtype=np.float64)
    return None


def _relation(ctx: ExerciseContext, spec: PropertySpec, cases: list[Case], got: list[CallOutcome],
              tol: Tolerance, expect: Callable[[np.ndarray], np.ndarray], code: str) -> list[Failure | None]:
    """f(moved x) must equal expect(f(x)), x moved by the property's transform (`_moving`): the
    shape of symmetry and invariance properties."""
    arg = _arg(ctx, spec)
    derived, other = _derived(ctx, spec, cases, arg)
    failures: list[Failure | None] = []
    for case, d_case, base, moved in zip(cases, derived, got, other, strict=False):
        a, b = _array(base.value), _array(moved.value)
        if base.error or moved.error or a is None or b is None:
            failures.append(None)  # errors and wrong types are other checks' business
            continue
        diff = compare(expect(a), b, tol) if a.shape == b.shape else None
        failures.append(None if diff is None else Failure(code, {
            "arg": arg, "other_input": d_case[arg], **diff.facts}, case, ctx.exercise.function,
            expect(a), b))
    return failures


@prop("complement")
def complement(ctx, spec, cases, got, tol):
    """f(−x) = total − f(x), as σ(−x) = 1 − σ(x)."""
    total = float(spec.params.get("total", 1.0))
    return _relation(ctx, spec, cases, got, tol, lambda fx: total - fx,
                     "property_complement")


@prop("odd")
def odd(ctx, spec, cases, got, tol):
    """f(−x) = −f(x), as tanh."""
    return _relation(ctx, spec, cases, got, tol, lambda fx: -fx, "property_odd")


@prop("shift_invariant")
def shift_invariant(ctx, spec, cases, got, tol):
    """f(z + c) = f(z) for a constant c added to every entry, as softmax."""
    return _relation(ctx, spec, cases, got, tol, lambda fz: fz,
                     "property_shift_invariant")


@prop("values_in")
def values_in(ctx, spec, cases, got, tol):
    """Every output is one of the listed values (sign: ±1)."""
    allowed = np.asarray([float(v) for v in spec.params.get("values", [])], dtype=np.float64)
    failures: list[Failure | None] = []
    for case, outcome in zip(cases, got, strict=False):
        a = _array(outcome.value)
        if outcome.error or a is None:
            failures.append(None)
            continue
        ok = np.isclose(a[..., None], allowed, rtol=0.0, atol=tol.atol).any(axis=-1)
        if ok.all():
            failures.append(None)
            continue
        index = tuple(int(i) for i in np.argwhere(~ok)[0])
        failures.append(Failure("property_values_in", {
            "values": [float(v) for v in allowed], "index": index, "actual_value": float(a[index])},
            case, ctx.exercise.function, None, outcome.value))
    return failures


@prop("shift_equivariant")
def shift_equivariant(ctx, spec, cases, got, tol):
    """f(…, arg + c) = f(…, arg) + c for a constant c, as maxout in its bias."""
    c = float(spec.params.get("shift", 1.0))
    return _relation(ctx, spec, cases, got, tol, lambda fa: fa + c,
                     "property_shift_equivariant")


@prop("still_without_gradient")
def still_without_gradient(ctx, spec, cases, got, tol):
    """An optimizer step with a zero gradient (and a zero state) leaves the parameter where it is.

    params: `param` (default the first argument), `zero`: the arguments set to 0 (default
    ["grad"]); the parameter is the output, or its first item when the output is a tuple.
    """
    param = str(spec.params.get("param") or next(iter(ctx.exercise.args)))
    zero = list(spec.params.get("zero") or ["grad"])
    derived = _zeroed(ctx, spec, cases)
    failures: list[Failure | None] = []
    for case, d_case, outcome in zip(cases, derived, ctx.call(derived) or [], strict=False):
        value = outcome.value
        if isinstance(value, (tuple, list)) and value:
            value = value[0]
        moved = _array(value)
        if outcome.error or moved is None:
            failures.append(None)
            continue
        diff = compare(np.asarray(case[param], dtype=np.float64), moved, tol)
        failures.append(None if diff is None else Failure(
            "property_still_without_gradient", {"zeroed": ", ".join(zero), **diff.facts},
            d_case, ctx.exercise.function, case[param], moved))
    return failures


@prop("range")
def value_range(ctx, spec, cases, got, tol):
    """Every output lies in [min, max]."""
    low, high = float(spec.params.get("min", -np.inf)), float(spec.params.get("max", np.inf))
    failures: list[Failure | None] = []
    for case, outcome in zip(cases, got, strict=False):
        a = _array(outcome.value)
        if outcome.error or a is None:
            failures.append(None)
            continue
        with np.errstate(invalid="ignore"):
            bad = ~((a >= low - tol.atol) & (a <= high + tol.atol))
        if not bad.any():
            failures.append(None)
            continue
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        failures.append(Failure("property_range", {"min": low, "max": high, "index": index,
                                                   "actual_value": float(a[index])},
                                case, ctx.exercise.function, None, outcome.value))
    return failures


@prop("monotonic")
def monotonic(ctx, spec, cases, got, tol):
    """x < x' implies f(x) ≤ f(x'), tested with x' = x + step.

    With `strict: true`, f must also increase wherever the reference increases by more than
    float32 can resolve (so a saturated float32 sigmoid is not blamed, and a constant is).
    """
    step = float(spec.params.get("step", 0.5))
    strict = bool(spec.params.get("strict", False))
    arg = _arg(ctx, spec)
    derived, other = _derived(ctx, spec, cases, arg)
    if strict:  # the reference's rises: the run's own, built once a run for its cases
        ref_rise = ctx.derived(("rise", spec), cases, lambda: [
            np.asarray(m.value, dtype=np.float64) - np.asarray(b.value, dtype=np.float64)
            for b, m in zip(ctx.reference(cases), ctx.reference(derived), strict=True)])
    failures: list[Failure | None] = []
    for i, (case, base, moved) in enumerate(zip(cases, got, other, strict=False)):
        a, b = _array(base.value), _array(moved.value)
        if base.error or moved.error or a is None or b is None or a.shape != b.shape:
            failures.append(None)
            continue
        bad = b < a - (tol.atol + tol.rtol * np.abs(a))
        if strict and ref_rise[i].shape == a.shape:
            bad |= (ref_rise[i] > 1e-4 * np.maximum(1.0, np.abs(a))) & ~(b > a)
        if not bad.any():
            failures.append(None)
            continue
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        failures.append(Failure("property_monotonic", {
            "index": index, "step": step, "value": float(a[index]), "value_after": float(b[index])},
            case, ctx.exercise.function, None, base.value))
    return failures


@prop("sums_to_one")
def sums_to_one(ctx, spec, cases, got, tol):
    """Each row (the last axis) sums to 1."""
    failures: list[Failure | None] = []
    for case, outcome in zip(cases, got, strict=False):
        a = _array(outcome.value)
        if outcome.error or a is None:
            failures.append(None)
            continue
        sums = a.sum(axis=-1) if a.ndim else a
        bad = ~(np.abs(sums - 1.0) <= max(tol.atol, 1e-6) + tol.rtol)
        if not np.any(bad):
            failures.append(None)
            continue
        index = tuple(int(i) for i in np.argwhere(np.atleast_1d(bad))[0]) if np.ndim(bad) else ()
        failures.append(Failure("property_sums_to_one", {
            "index": index, "sum": float(np.asarray(sums)[index] if np.ndim(sums) else sums)},
            case, ctx.exercise.function, None, outcome.value))
    return failures


@prop("shape_preserved")
def shape_preserved(ctx, spec, cases, got, tol):
    """The output has the shape of the input."""
    arg = _arg(ctx, spec)
    failures: list[Failure | None] = []
    for case, outcome in zip(cases, got, strict=False):
        a = _array(outcome.value)
        want = np.shape(case[arg])
        if outcome.error or a is None or a.shape == want:
            failures.append(None)
            continue
        failures.append(Failure("wrong_shape", {"expected_shape": tuple(want),
                                                "actual_shape": tuple(a.shape), "hint_code": ""},
                                case, ctx.exercise.function, None, outcome.value))
    return failures


@prop("input_unchanged")
def input_unchanged(ctx, spec, cases, got, tol):
    """The function does not modify its input arrays in place."""
    names = [n for n, a in ctx.exercise.args.items() if not a.keyword]
    if got and all(outcome.modified is not None for outcome in got):
        # the calls already made say which array arguments they changed: no second call
        return [next((Failure("input_modified", {"arg": names[i]}, case, ctx.exercise.function)
                      for i in outcome.modified
                      if i < len(names) and isinstance(case.get(names[i]), np.ndarray)), None)
                for case, outcome in zip(cases, got, strict=False)]
    after = ctx.call(cases, return_args=True) or []
    failures: list[Failure | None] = []
    for case, outcome in zip(cases, after, strict=False):
        changed = None
        for name, value in zip(names, outcome.args_after or [], strict=False):
            before = case[name]
            if isinstance(before, np.ndarray) and not (
                    isinstance(value, np.ndarray) and value.shape == before.shape
                    and np.array_equal(value, before, equal_nan=True)):
                changed = name
                break
        failures.append(None if changed is None else Failure(
            "input_modified", {"arg": changed}, case, ctx.exercise.function))
    return failures


def _unusable(ctx: ExerciseContext, case: Case, outcome: CallOutcome) -> Failure | None:
    """A call that raised or returned no number fails every property at once."""
    if outcome.error is not None:
        return error_failure(outcome.error, case, ctx.exercise.function)
    structured = isinstance(outcome.value, (tuple, list)) or (
        isinstance(outcome.value, dict) and "__unsupported__" not in outcome.value)
    if _array(outcome.value) is None and not structured:  # a tuple is the properties' business
        code = "returned_none" if outcome.value is None else "wrong_type"
        return Failure(code, {"expected_type": "a number or an array",
                              "actual_type": type(outcome.value).__name__}, case, ctx.exercise.function)
    return None


class PropertiesCheck:
    """Every listed property holds on every drawn case."""

    case_set = "random"
    shrinkable = True

    def inputs(self, ctx: ExerciseContext, spec: CheckSpec) -> list[Case]:
        """Every input `evaluate` calls on when all goes well: the drawn cases and the moved ones
        (−x, x + step, zeroed gradients, …); the attempted probe sends them in one request."""
        cases = ctx.plan.cases(self.case_set)
        inputs = list(cases)
        for prop_spec in spec.properties:
            if _transform(prop_spec) is not None:
                inputs += _moved(ctx, prop_spec, cases, _arg(ctx, prop_spec))
            elif prop_spec.name == "still_without_gradient":
                inputs += _zeroed(ctx, prop_spec, cases)
        return inputs

    def evaluate(self, ctx: ExerciseContext, spec: CheckSpec, cases: list[Case]) -> list[Failure | None]:
        got = ctx.call(cases) or []
        tol = ctx.tolerance(spec)
        result: list[Failure | None] = [_unusable(ctx, c, o) for c, o in zip(cases, got, strict=False)]
        for prop_spec in spec.properties:
            if prop_spec.name not in PROPERTIES:
                raise LookupError(f"unknown property {prop_spec.name!r}")
            for i, failure in enumerate(PROPERTIES[prop_spec.name](ctx, prop_spec, cases, got, tol)):
                if result[i] is None and failure is not None:
                    failure.facts.setdefault("property", prop_spec.name)
                    result[i] = failure
        return result
