"""Symptom diagnosis: when no catalogued mistake explains a failure, say what the wrong values are.

The student's outputs on the failing inputs are compared with transformations of the expected
ones (the sign flipped, a known factor, transposed, another axis, the value of the forward
function or of another activation's derivative, the right computation with an argument moved
or ignored, a sum of per-sample values, right except in a region of the input). A symptom is
given only when one transformation reproduces the student's value on *every* failing input of
the check (up to MAX_CASES of them), within the check's own tolerance, where the untransformed
value does not on all of them; an argument moved (a fixed ε, t off by one) must also reproduce
the student's values on a sample of the plan's cases: never a guess.

A compound mistake is a catalogued mistake with one of these on top (a mean-reduced clipped
log, ε inside the root and fixed): the same transformations, applied to the mistake's outputs.
Everything here is trusted code; the student's values are only data compared with ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from ..facts import Facts
from ..plan import Case
from ..run.inprocess import InProcessFunctions
from ..spec.schema import CheckSpec, Tolerance
from .compare import compare
from .context import ExerciseContext, Failure, to_call
from .diagnosis import applies

#: the plan's drawn cases a moved argument must explain as well
SAMPLE = 8
#: failing inputs a symptom must explain (a check's first ones, the shown one first)
MAX_CASES = 100
#: failure codes whose `actual` is a value to compare with the expected one
VALUE_CODES = frozenset({"mismatch", "nonfinite", "wrong_shape", "trajectory_mismatch",
                         "trajectory_oracle_mismatch", "gradient_mismatch",
                         "gradient_parts_mismatch"})
#: the derivatives of chapter 3: a student's may be another one's
DERIVATIVES = ("sigmoid_grad", "tanh_grad", "relu_grad", "leaky_relu_grad")
#: values students write instead of a hyperparameter argument (ε, decay rates, rates)
FIXED = {"eps": (1e-8, 1e-7, 1e-6, 1e-10, 1e-12, 1e-5), "alpha": (0.9, 0.99, 0.999, 0.95, 0.01),
         "momentum": (0.9, 0.99, 0.5), "beta1": (0.9, 0.99), "beta2": (0.999, 0.99, 0.9),
         "lr": (0.01, 0.001, 0.1)}
#: the factors an update (the new parameter minus the old) may be off by
STEP_FACTORS = (("2", 2.0), ("½", 0.5), ("−1", -1.0))
#: |x| from which an input counts as large (beyond the drawn ranges, where exp overflows)
LARGE = 100.0

Values = list[object]
#: computes a function's values on cases (None for a call that raised)
Base = Callable[[list[Case]], Values]


@dataclass(frozen=True)
class Symptom:
    """What the wrong values are: a message code (`symptom.*`) and its facts; `mistake` is the
    catalogued mistake it comes on top of (a compound mistake), else None."""

    code: str
    facts: Facts = field(default_factory=dict)
    mistake: str | None = None


@dataclass(frozen=True)
class Observed:
    case: Case
    actual: object


def _leaves(value: object) -> list[np.ndarray] | None:
    """The value's numbers as float arrays, in order (a tuple's items, a dict's by key)."""
    if isinstance(value, (tuple, list)):
        out: list[np.ndarray] = []
        for item in value:
            leaves = _leaves(item)
            if leaves is None:
                return None
            out += leaves
        return out
    if isinstance(value, dict):
        if "__unsupported__" in value:
            return None
        return _leaves([value[k] for k in sorted(value)])
    if isinstance(value, (np.ndarray, float, int)) and not isinstance(value, bool):
        array = np.asarray(value, dtype=np.float64)
        return [array] if array.dtype.kind == "f" else None
    return None


def _map(value: object, fn: Callable[[np.ndarray, int], object], counter: list[int] | None = None) -> object:
    """`value` with each numeric leaf replaced by fn(leaf, its position)."""
    counter = [0] if counter is None else counter
    if isinstance(value, tuple):
        return tuple(_map(v, fn, counter) for v in value)
    if isinstance(value, list):
        return [_map(v, fn, counter) for v in value]
    if isinstance(value, dict):
        return {k: _map(value[k], fn, counter) for k in sorted(value)}
    position = counter[0]
    counter[0] += 1
    return fn(np.asarray(value, dtype=np.float64), position)


def _fits(predicted: Values, observed: list[Observed], tol: Tolerance) -> bool:
    """Every predicted value is the student's (and differs from nothing: none is missing)."""
    if len(predicted) != len(observed):
        return False
    with np.errstate(all="ignore"):
        return all(p is not None and compare(p, o.actual, tol) is None
                   for p, o in zip(predicted, observed, strict=True))


def _sample(expected: object, actual: object) -> Facts:
    """One entry of the expected and the returned value where they differ most."""
    e, a = _leaves(expected), _leaves(actual)
    if not e or not a:
        return {}
    for x, y in zip(e, a, strict=False):
        if x.shape == y.shape and x.size:
            with np.errstate(all="ignore"):
                diff = np.abs(np.where(np.isfinite(x - y), x - y, np.inf))
            i = np.unravel_index(int(np.argmax(diff)), x.shape)
            if diff[i] > 0:
                return {"expected": float(x[i]), "actual": float(y[i])}
    return {"expected": float(e[0].ravel()[0]) if e[0].size else 0.0,
            "actual": float(a[0].ravel()[0]) if a[0].size else 0.0}


def _part_name(ctx: ExerciseContext, spec: CheckSpec, position: int, leaves: int) -> str:
    """The output a numeric leaf is (a trajectory's state names it), "" for a lone value."""
    if leaves <= 1:
        return ""
    traj = spec.trajectory
    if traj is not None and position < 1 + len(traj.state):
        return [traj.param, *traj.state][position]
    return f"[{position}]"


def _factors(ctx: ExerciseContext, case: Case) -> list[tuple[str, float]]:
    """The known factors on this case: 2, ½, n (samples), 1/n, lr, 1/lr, 1/(1 − μ), 1 − μ."""
    known = [("2", 2.0), ("½", 0.5)]
    arrays = [case[n] for n, a in ctx.exercise.args.items() if isinstance(case.get(n), np.ndarray)]
    if arrays and np.ndim(arrays[0]) >= 1:
        n = float(len(arrays[0]))
        known += [("n", n), ("1/n", 1.0 / n), ("2n", 2.0 * n), ("1/(2n)", 0.5 / n)]
    lr = case.get("lr")
    if isinstance(lr, (int, float)) and lr not in (0, 1):
        known += [("lr", float(lr)), ("1/lr", 1.0 / float(lr))]
    mu = case.get("momentum", ctx.exercise.args["momentum"].default
                  if "momentum" in ctx.exercise.args else None)
    if isinstance(mu, (int, float)) and 0 < mu < 1:
        known += [("1/(1 − μ)", 1.0 / (1.0 - mu)), ("1 − μ", 1.0 - mu)]
    return known


def _scaling(k: float, part: int | None) -> Callable[[np.ndarray, int], object]:
    """Times k: every leaf (part None) or only the leaf at `part`."""
    def scale(a: np.ndarray, i: int) -> object:
        return a * k if part in (None, i) else a
    return scale


def _updating(old: np.ndarray, k: float) -> Callable[[np.ndarray, int], object]:
    """The first leaf (the new parameter) with its update from `old` times k."""
    def update(a: np.ndarray, i: int) -> object:
        return old + k * (a - old) if i == 0 and a.shape == old.shape else a
    return update


def _is_number(value: object) -> bool:
    """A float or a float array (not a count, a label or a string)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def _scaling_arg(name: str, k: float) -> Callable[[Case], Case | None]:
    """The case with argument `name` times k."""
    def move(case: Case) -> Case | None:
        return {**case, name: np.asarray(case[name]) * k if isinstance(case[name], np.ndarray)
                else float(case[name]) * k}
    return move


def _setting(name: str, value: object, shift: int = 0) -> Callable[[Case], Case | None]:
    """The case with `name` set to `value` (or, value None, moved by `shift`)."""
    def move(case: Case) -> Case | None:
        return {**case, name: int(case[name]) + shift if value is None else value}
    return move


def _without(name: str) -> Callable[[Case], Case | None]:
    """The case with `name` left out: the function's default is used."""
    def move(case: Case) -> Case | None:
        return {k: v for k, v in case.items() if k != name}
    return move


class Explainer:
    """Tries the transformations, in order, against one base (the reference or a mistake)."""

    def __init__(self, ctx: ExerciseContext, spec: CheckSpec, observed: list[Observed], base: Base,
                 on_reference: bool = True, sample: list[Observed] | None = None):
        self.ctx, self.spec, self.observed, self.base = ctx, spec, observed, base
        #: the student's values on a few of the plan's cases: a moved argument must explain them
        #: too (a fixed lr that happens to fit two tiny-gradient steps is no symptom)
        self.sample = sample or []
        #: False on a mistake's outputs: only what composes with a mistake is tried there
        self.on_reference = on_reference
        self.tol = ctx.tolerance(spec)
        self.cases = [o.case for o in observed]
        self.expected = base(self.cases)

    def first(self) -> Symptom | None:
        if len(self.expected) != len(self.observed) or any(e is None for e in self.expected):
            return None
        if all(_fits([e], [o], self.tol) for e, o in zip(self.expected, self.observed, strict=True)):
            return None  # the base itself gives the values: a transformation explains nothing
        for found in self._tries():
            if found is not None:
                return found
        return None

    def _fact(self, code: str, **facts: object) -> Symptom:
        o, e = self.observed[0], self.expected[0]
        return Symptom(code, {**_sample(e, o.actual), "count": len(self.observed), **facts})

    def _tries(self) -> Iterator[Symptom | None]:
        if not self.on_reference:
            yield from self._moved_arguments()  # on a mistake, a fixed ε first: the likely pair
        yield self._sign()
        yield from self._scaled()
        yield self._step_scaled()
        yield self._transposed()
        yield self._other_axis()
        if self.on_reference:
            yield self._forward()
            yield self._other_derivative()
            yield self._input_negated()
        yield self._per_sample()
        if self.on_reference:
            yield from self._moved_arguments()
        if self.on_reference:
            yield self._region()
            yield self._first_step()
            yield self._constant_factor()

    # -- transformations of the expected value

    def _sign(self) -> Symptom | None:
        predicted = [_map(e, lambda a, _: -a) for e in self.expected]
        return self._fact("symptom.sign", part="") if _fits(predicted, self.observed, self.tol) else None

    def _scaled(self) -> Iterator[Symptom | None]:
        first = _leaves(self.expected[0]) or []
        parts = [None] + (list(range(len(first))) if len(first) > 1 else [])
        names = [name for name, _ in _factors(self.ctx, self.cases[0])]
        for name in names:
            for part in parts:
                predicted = []
                for case, e in zip(self.cases, self.expected, strict=True):
                    k = dict(_factors(self.ctx, case)).get(name)
                    if k is None:
                        break
                    predicted.append(_map(e, _scaling(k, part)))
                if _fits(predicted, self.observed, self.tol):
                    where = "" if part is None else _part_name(self.ctx, self.spec, part, len(first))
                    yield self._fact("symptom.factor", factor=name, part=where)
                    return
            yield None

    def _step_scaled(self) -> Symptom | None:
        """An optimizer's update, new parameter − old, off by a factor (the parameter's output)."""
        name = self.spec.trajectory.param if self.spec.trajectory is not None else None
        names = [n for n, a in self.ctx.exercise.args.items() if not a.keyword]
        name = name or (names[0] if names and "grad" in self.ctx.exercise.args else None)
        if name is None or not all(isinstance(c.get(name), np.ndarray) for c in self.cases):
            return None
        for label, k in STEP_FACTORS:
            predicted = []
            for case, e in zip(self.cases, self.expected, strict=True):
                old = np.asarray(case[name], dtype=np.float64)
                predicted.append(_map(e, _updating(old, k)))
            if _fits(predicted, self.observed, self.tol):
                return self._fact("symptom.step_factor", factor=label, arg=name)
        return None

    def _input_negated(self) -> Symptom | None:
        arg = self._array_arg()
        if arg is None:
            return None
        moved = self._moved(lambda c: {**c, arg: -np.asarray(c[arg])})
        if moved is None or not _fits(moved, self.observed, self.tol):
            return None
        return self._fact("symptom.input_negated", arg=arg)

    def _transposed(self) -> Symptom | None:
        if not all(np.asarray(e).ndim == 2 for e in self.expected):
            return None
        predicted = [np.asarray(e).T for e in self.expected]
        if not _fits(predicted, self.observed, self.tol):
            return None
        return self._fact("symptom.transposed", shape=tuple(np.asarray(self.observed[0].actual).shape))

    def _constant_factor(self) -> Symptom | None:
        """The same unnamed constant everywhere: only with at least three entries that show it."""
        ratios: list[float] = []
        for e, o in zip(self.expected, self.observed, strict=True):
            ea, oa = _leaves(e), _leaves(o.actual)
            if not ea or not oa or len(ea) != len(oa):
                return None
            for x, y in zip(ea, oa, strict=True):
                if x.shape != y.shape:
                    return None
                big = np.abs(x) > 100 * self.tol.atol
                ratios += (y[big] / x[big]).tolist()
        if len(ratios) < 3 or not np.all(np.isfinite(ratios)):
            return None
        c = float(np.median(ratios))
        if abs(c) < 1e-12 or abs(c - 1.0) < 1e-3:
            return None
        predicted = [_map(e, lambda a, _: a * c) for e in self.expected]
        if not _fits(predicted, self.observed, self.tol):
            return None
        return self._fact("symptom.factor_constant", factor=round(c, 6), part="")

    # -- the same computation on moved inputs

    def _moved(self, move: Callable[[Case], Case | None]) -> Values | None:
        cases = [move(c) for c in self.cases]
        if any(c is None for c in cases):
            return None
        return self.base([c for c in cases if c is not None])

    def _moved_fits(self, move: Callable[[Case], Case | None]) -> bool:
        """The computation on moved inputs gives the student's values on the failing cases and on
        the sample (where the student may be right: then so must the moved computation be)."""
        moved = self._moved(move)
        if moved is None or not _fits(moved, self.observed, self.tol):
            return False
        if not self.sample:
            return True
        cases = [move(o.case) for o in self.sample]
        if any(c is None for c in cases):
            return False
        return _fits(self.base([c for c in cases if c is not None]), self.sample, self.tol)

    def _array_arg(self) -> str | None:
        """The one array argument, or None when there are several (or none)."""
        names = [n for n, a in self.ctx.exercise.args.items() if not a.keyword]
        arrays = [n for n in names if isinstance(self.cases[0].get(n), np.ndarray)]
        return arrays[0] if len(arrays) == 1 and len(names) == 1 else None

    def _other_axis(self) -> Symptom | None:
        arg = self._array_arg()
        if arg is None or not all(np.ndim(c[arg]) == 2 for c in self.cases):
            return None
        moved = self._moved(lambda c: {**c, arg: np.ascontiguousarray(np.asarray(c[arg]).T)})
        if moved is None or any(m is None for m in moved):
            return None
        predicted = [np.asarray(m).T for m in moved]
        return self._fact("symptom.other_axis") if _fits(predicted, self.observed, self.tol) else None

    def _reference_of(self, function: str) -> Values | None:
        if function not in self.ctx.exercises:
            return None
        try:
            outcomes = self.ctx.reference(self.cases, function, remember=False)
        except LookupError:
            return None
        return [o.value if o.error is None else None for o in outcomes]

    def _forward(self) -> Symptom | None:
        ex = self.ctx.exercise.id
        if not ex.endswith("_grad") or ex[:-5] not in self.ctx.exercises:
            return None
        values = self._reference_of(ex[:-5])
        if values is None or not _fits(values, self.observed, self.tol):
            return None
        return self._fact("symptom.forward", forward=ex[:-5])

    def _other_derivative(self) -> Symptom | None:
        if self.ctx.exercise.id not in DERIVATIVES:
            return None
        for other in DERIVATIVES:
            if other == self.ctx.exercise.id:
                continue
            values = self._reference_of(other)
            if values is not None and _fits(values, self.observed, self.tol):
                return self._fact("symptom.other_derivative", other=other)
        return None

    def _per_sample(self) -> Symptom | None:
        if not all(np.asarray(e).ndim == 0 for e in self.expected):
            return None
        shapes = [np.asarray(o.actual).shape for o in self.observed]
        if not all(len(s) >= 1 for s in shapes) or _leaves([o.actual for o in self.observed]) is None:
            return None
        for code, reduce in (("symptom.per_sample_sum", np.sum), ("symptom.per_sample_mean", np.mean)):
            predicted_ok = all(
                compare(float(np.asarray(e)), float(reduce(np.asarray(o.actual, dtype=np.float64))),
                        self.tol) is None for e, o in zip(self.expected, self.observed, strict=True))
            if predicted_ok:
                return Symptom(code, {"shape": shapes[0], "count": len(self.observed)})
        return None

    def _moved_arguments(self) -> Iterator[Symptom | None]:
        traj = self.spec.trajectory
        counter = traj.counter if traj is not None else ("t" if "t" in self.ctx.exercise.args else None)
        if counter and all(isinstance(c.get(counter), int) for c in self.cases):
            for shift in (1, -1):
                if shift < 0 and any(int(c[counter]) < 2 for c in self.cases):
                    continue
                if self._moved_fits(_setting(counter, None, shift)):
                    yield self._fact("symptom.counter", arg=counter, shift=f"{shift:+d}")
                    return
        for name, arg in self.ctx.exercise.args.items():
            if not arg.keyword and all(_is_number(c.get(name)) for c in self.cases):
                for label, k in STEP_FACTORS:
                    if self._moved_fits(_scaling_arg(name, k)):
                        yield self._fact("symptom.argument_scaled", arg=name, factor=label)
                        return
            if not arg.keyword or arg.default is None:
                continue
            if name in FIXED:
                for value in FIXED[name]:
                    if all(c.get(name, arg.default) == value for c in self.cases):
                        continue
                    if self._moved_fits(_setting(name, value)):
                        yield self._fact("symptom.fixed_value", arg=name, value=value)
                        return
            if any(name in c and c[name] != arg.default for c in self.cases):
                if self._moved_fits(_without(name)):
                    yield self._fact("symptom.ignored_argument", arg=name, value=arg.default)
                    return
        yield None

    # -- right except in a region of the input

    def _first_step(self) -> Symptom | None:
        """An optimizer wrong only while its state is zero (the first step): every failing input
        has a zero state and, on a trajectory, every later step of the paths is right."""
        trajs = [c.trajectory for c in self.ctx.exercise.checks if c.trajectory is not None]
        if not trajs or not trajs[0].state:
            return None
        traj = trajs[0]
        if not all(all(not np.any(np.asarray(c.get(s, 0.0))) for s in traj.state) for c in self.cases):
            return None
        if self.spec.trajectory is not None:
            from .trajectory import reference_paths, starts_of

            paths = reference_paths(self.ctx, traj, starts_of(self.ctx, traj), self.ctx.helper(traj.gradient))
            later = [step for path in paths for step in path[1:]]
            got = self.ctx.call([case for case, _ in later]) or []
            if len(got) != len(later) or not later or not all(
                    g.error is None and w.error is None and compare(w.value, g.value, self.tol) is None
                    for g, (_, w) in zip(got, later, strict=True)):
                return None
        return self._fact("symptom.first_step", state=", ".join(f"`{s}`" for s in traj.state))

    def _region(self) -> Symptom | None:
        arg = self._array_arg()
        if arg is None:
            return None
        wrong: list[np.ndarray] = []
        for case, e, o in zip(self.cases, self.expected, self.observed, strict=True):
            x, ea, oa = np.asarray(case[arg], dtype=np.float64), _leaves(e), _leaves(o.actual)
            if not ea or not oa or len(ea) != 1 or len(oa) != 1 or ea[0].shape != x.shape \
                    or oa[0].shape != x.shape:
                return None
            with np.errstate(all="ignore"):
                exp, act = ea[0], oa[0]
                bad = ~((np.abs(act - exp) <= self.tol.atol + self.tol.rtol * np.abs(exp))
                        | (np.isnan(act) & np.isnan(exp)) | (act == exp))
            wrong.append(x[bad])
        xs = np.concatenate([w.ravel() for w in wrong]) if wrong else np.zeros(0)
        if not xs.size:
            return None
        for region, inside in (("zero", xs == 0), ("large", np.abs(xs) >= LARGE),
                               ("negative", xs < 0), ("positive", xs > 0),
                               ("nonpositive", xs <= 0), ("nonnegative", xs >= 0)):
            if inside.all():
                return self._fact("symptom.region", region=region, arg=arg, bound=LARGE,
                                  entries=int(xs.size))
        return None


def observed_of(failure: Failure, failures: list[Failure]) -> list[Observed]:
    """The failing values a symptom must explain: the shown one first, each case once."""
    chosen = [failure] + [f for f in failures if f is not failure]
    out: list[Observed] = []
    for f in chosen:
        if f.code not in VALUE_CODES or f.case is None or f.actual is None:
            continue
        if any(o.case is f.case for o in out):
            continue
        out.append(Observed(f.case, f.actual))
        if len(out) >= MAX_CASES:
            break
    return out


def _sample_of(ctx: ExerciseContext, spec: CheckSpec) -> list[Observed]:
    """The student's values on the first of the plan's drawn cases (already memoised)."""
    cases = ctx.plan.random[:SAMPLE]
    outcomes = ctx.call(cases) or []
    return [Observed(c, o.value) for c, o in zip(cases, outcomes, strict=False) if o.error is None]


def _reference_base(ctx: ExerciseContext) -> Base:
    def base(cases: list[Case]) -> Values:
        return [o.value if o.error is None else None
                for o in ctx.reference(cases, remember=False)]
    return base


def _mistake_base(ctx: ExerciseContext, fn: Callable[..., object]) -> Base:
    theirs = InProcessFunctions({ctx.exercise.function: fn})

    def base(cases: list[Case]) -> Values:
        outcomes = theirs.call(ctx.exercise.function, [to_call(ctx.exercise, c) for c in cases]) or []
        return [o.value if o.error is None else None for o in outcomes]
    return base


#: a behaviour driver's symptom that is a region of the answer, and the sentence that says so
_BEHAVIOUR_REGIONS = {"last_batch": "symptom.last_batch"}


def _behaviour_symptom(failure: Failure, failures: list[Failure]) -> Symptom | None:
    """A region a behaviour driver found wrong (the last batch of a split), when every failure of
    the check is that one: the driver compares structure, not values, so it says where."""
    code = _BEHAVIOUR_REGIONS.get(str(failure.facts.get("symptom")))
    if code is None or not all(f.facts.get("symptom") == failure.facts.get("symptom") for f in failures):
        return None
    return Symptom(code, {key: failure.facts.get(key) for key in ("full", "rest", "batch_size")})


def find_symptom(ctx: ExerciseContext, spec: CheckSpec, failure: Failure,
                 failures: list[Failure], compound: bool = True) -> Symptom | None:
    """The transformation of the expected values that explains every failing value, or one of a
    catalogued mistake's (a compound mistake); None when none does."""
    if spec.kind == "behaviour":
        return _behaviour_symptom(failure, failures)
    observed = observed_of(failure, failures)
    if not observed or (observed[0].case is not failure.case):
        return None  # the shown failure is no wrong value (an exception, a type): nothing to say
    sample = _sample_of(ctx, spec)
    found = Explainer(ctx, spec, observed, _reference_base(ctx), sample=sample).first()
    if found is not None or not compound:
        return found
    for mistake in ctx.exercise.mistakes:
        fn = ctx.mistakes.get(mistake.function)
        if fn is None or getattr(fn, "symptoms", None) is not None or not applies(mistake, spec):
            continue
        found = Explainer(ctx, spec, observed, _mistake_base(ctx, fn), on_reference=False,
                          sample=sample).first()
        if found is not None:
            return Symptom(found.code, found.facts, mistake.function)
    return None
