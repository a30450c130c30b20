"""The baseline: how many courses autograde today (GitHub Classroom's Python grader).

A pytest file of Hypothesis tests, run as one `pytest` process per submission, that imports the
student's module and compares it with the reference in the same process. It grades the same
exercises with the same checks as the grader:

- exercises, arguments, example counts, edge cases, tolerances and checks are read from the
  grader's own YAML (`exercises/*.yaml`, with plain `yaml.safe_load`), so nothing drifts;
- expected values come from the course's reference (`reference/`, installed as
  `grader_reference`), behaviour drivers, objectives and gradient rules from the public
  `exercises/drivers/` and the trusted `reference/drivers/`;
- the checks themselves are written here as ordinary pytest + Hypothesis code: one test per
  check of the spec, Hypothesis driving the student's function one example at a time;
- settings: database=None, deadline=None, derandomize=True (deterministic), the health check
  `too_slow` off (the machine is shared); nothing else changed from Hypothesis's defaults.

What it does not do (and the grader does): sandboxing, shrinking budgets counted in evaluations,
hints from catalogued mistakes, telling a wrong derivative from a wrong forward.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import pkgutil
import re
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

COURSE = Path(__file__).resolve().parents[2] / "exercises"
REFERENCE = "grader_reference"
SMOOTH_EXAMPLES = 40  # gradient checks run on this many inputs drawn away from kinks
KINK_MARGIN = 0.1
GRADIENT_RTOL, GRADIENT_ATOL = 1e-4, 1e-5
DEFAULT_RTOL, DEFAULT_ATOL = 1e-4, 1e-6


def hypothesis_settings(examples: int) -> settings:
    return settings(max_examples=examples, database=None, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow], print_blob=False)


# ----------------------------------------------------------------------------- the course's data


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # YAML 1.1 reads 1e-4 as a string
    pass


_Loader.add_implicit_resolver("tag:yaml.org,2002:float",
                              re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)$"),
                              list("-+0123456789."))


def _load_course() -> list[dict[str, Any]]:
    exercises = []
    for path in sorted(COURSE.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
        for ex in data["exercises"]:
            ex.setdefault("reference", data["reference"])
            exercises.append(ex)
    return exercises


EXERCISES = _load_course()
BY_ID = {ex["id"]: ex for ex in EXERCISES}
SELECTED = [ex for ex in EXERCISES if not os.environ.get("BASELINE_EXERCISES")
            or ex["id"] in os.environ["BASELINE_EXERCISES"].split(",")]  # a subset: run.py --quick
_modules: dict[str, Any] = {}


def _module(name: str) -> Any:
    if name not in _modules:
        _modules[name] = importlib.import_module(f"{REFERENCE}.{name}")
    return _modules[name]


def reference(name: str):
    return getattr(_module(BY_ID[name]["reference"]), name)


def _driver_modules() -> list[Any]:
    """The course's drivers: exercises/drivers/ and reference/drivers/."""
    if "drivers" not in _modules:
        found = []
        for package in ("grader_exercises.drivers", f"{REFERENCE}.drivers"):
            try:
                spec = importlib.util.find_spec(package)
            except ModuleNotFoundError:
                continue
            if spec is None or not spec.submodule_search_locations:
                continue
            for info in pkgutil.iter_modules(spec.submodule_search_locations):
                if not info.name.startswith("_"):
                    found.append(importlib.import_module(f"{package}.{info.name}"))
        _modules["drivers"] = found
    return _modules["drivers"]


def trusted(name: str):
    """A driver, objective or gradient rule: the course's drivers first, then the reference."""
    for module in _driver_modules():
        found = getattr(module, name, None)
        if found is not None:
            return found
    for ex in EXERCISES:
        found = getattr(_module(ex["reference"]), name, None)
        if found is not None:
            return found
    raise LookupError(name)


# ----------------------------------------------------------------------------- inputs


def _f32_bounds(low: float, high: float) -> tuple[float, float]:
    lo, hi = np.float32(low), np.float32(high)
    if lo < low:
        lo = np.nextafter(lo, np.float32(np.inf))
    if hi > high:
        hi = np.nextafter(hi, np.float32(-np.inf))
    return float(lo), float(hi)


def _floats(arg: dict, smooth: bool):
    low, high = _f32_bounds(float(arg["min"]), float(arg["max"]))
    floats = st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False,
                       width=32)
    if arg.get("grid"):
        grid = float(arg["grid"])
        floats = floats.map(lambda x: (lambda y: y if low <= y <= high else x)(round(x / grid) * grid))
    if smooth and arg.get("avoid"):
        kinks = [float(k) for k in arg["avoid"]]

        def away(x: float) -> float:
            for k in kinks:
                if abs(x - k) < KINK_MARGIN:
                    return k + KINK_MARGIN if x >= k else k - KINK_MARGIN
            return x
        floats = floats.map(away)
    return floats


def _shape(arg: dict, dims: dict[str, int]):
    shape = arg.get("shape")
    if shape in (None, "any"):
        return hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=5)
    return st.just(tuple(dims[d] if isinstance(d, str) else d for d in shape))


def _argument(arg: dict, dims: dict[str, int], smooth: bool):
    kind = arg["type"]
    if kind == "float":
        return _floats(arg, smooth)
    if kind == "int":
        return st.integers(int(arg.get("min", 0)), int(arg.get("max", 10)))
    if kind == "choice":
        return st.sampled_from(list(arg["values"]))
    if kind == "ints":
        ints = st.integers(int(arg["min"]), int(arg["max"]))
        return _shape(arg, dims).flatmap(lambda s: st.lists(ints, min_size=s[0], max_size=s[0]))
    shape = _shape(arg, dims)
    if kind == "array":
        elements = _floats(arg, smooth)
        return shape.flatmap(lambda s: hnp.arrays(np.float64, s, elements=elements))
    if kind == "binary":
        return shape.flatmap(lambda s: hnp.arrays(np.float64, s, elements=st.sampled_from([0.0, 1.0])))
    if kind == "one_hot":
        return shape.flatmap(lambda s: hnp.arrays(np.int64, s[:-1], elements=st.integers(0, s[-1] - 1))
                             .map(lambda y, k=s[-1]: np.eye(k)[y]))
    if kind == "simplex":
        positive = st.floats(float(arg.get("min", 0.01)), 1.0, allow_subnormal=False)
        return shape.flatmap(lambda s: hnp.arrays(np.float64, s, elements=positive)
                             .map(lambda a: a / a.sum(axis=-1, keepdims=True)))
    raise ValueError(kind)


def cases(ex: dict, smooth: bool = False):
    """One call's arguments by name; named dimensions drawn first and shared."""
    @st.composite
    def case(draw):
        dims = {name: draw(st.integers(lo, hi)) for name, (lo, hi) in (ex.get("dims") or {}).items()}
        return {name: draw(_argument(arg, dims, smooth)) for name, arg in (ex.get("args") or {}).items()}
    return case()


def edge_cases(ex: dict) -> list[dict]:
    out = []
    for raw in ex.get("edge_cases") or []:
        case = {}
        for name, value in raw.items():
            kind = ex["args"][name]["type"]
            if kind in ("array", "one_hot", "simplex", "binary"):
                case[name] = np.array(value, dtype=np.float64)
            elif kind == "float":
                case[name] = float(value)
            elif kind == "ints":
                case[name] = [int(v) for v in value]
            else:
                case[name] = value
        out.append(case)
    return out


# ----------------------------------------------------------------------------- calling


def call(fn, ex: dict, case: dict) -> Any:
    """fn with the case's arguments: positional in signature order, keyword ones by name."""
    args, kwargs = [], {}
    for name, arg in (ex.get("args") or {}).items():
        if name in case:
            (kwargs.__setitem__(name, case[name]) if arg.get("keyword") else args.append(case[name]))
    return fn(*args, **kwargs)


def copy_case(case: dict) -> dict:
    return {k: (v.copy() if isinstance(v, np.ndarray) else list(v) if isinstance(v, list) else v)
            for k, v in case.items()}


def data(value: Any) -> Any:
    """torch tensors and NumPy scalars as arrays, containers recursively."""
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().cpu().numpy()
    if isinstance(value, np.generic):
        return np.asarray(value)
    if isinstance(value, (list, tuple)):
        return type(value)(data(v) for v in value)
    if isinstance(value, dict):
        return {k: data(v) for k, v in value.items()}
    return value


def student_value(student, ex: dict, case: dict, name: str | None = None) -> Any:
    fn = getattr(student, name or ex["id"], None)
    if fn is None:
        pytest.fail(f"{name or ex['id']} is not defined")
    return data(call(fn, BY_ID.get(name, ex) if name else ex, copy_case(case)))


def reference_value(name: str, case: dict) -> Any:
    return call(reference(name), BY_ID[name], copy_case(case))


def tolerance(ex: dict, check: dict | None = None) -> tuple[float, float]:
    tol = (check or {}).get("tolerance") or ex.get("tolerance") or {}
    return float(tol.get("rtol", DEFAULT_RTOL)), float(tol.get("atol", DEFAULT_ATOL))


def assert_matches(expected: Any, actual: Any, rtol: float, atol: float, where: str = "") -> None:
    """actual equals expected within atol + rtol·|expected|, shapes and structure included."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(actual, (tuple, list)) and len(actual) == len(expected), \
            f"{where}: expected a sequence of {len(expected)}, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_matches(e, a, rtol, atol, f"{where}[{i}]")
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected a dict, got {type(actual).__name__}"
        for key in expected:
            assert key in actual, f"{where}: missing key {key!r}"
            assert_matches(expected[key], actual[key], rtol, atol, f"{where}[{key!r}]")
        return
    if expected is None or isinstance(expected, str):
        assert actual == expected, f"{where}: expected {expected!r}, got {actual!r}"
        return
    assert actual is not None, f"{where}: returned None"
    exp = np.asarray(expected, dtype=np.float64)
    act = np.asarray(actual, dtype=np.float64)
    assert act.shape == exp.shape, f"{where}: shape {act.shape}, expected {exp.shape}"
    np.testing.assert_allclose(act, exp, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)


# ----------------------------------------------------------------------------- checks


def check_reference(student, ex: dict, check: dict) -> None:
    rtol, atol = tolerance(ex, check)

    @hypothesis_settings(ex.get("examples", 100))
    @given(cases(ex))
    def test(case):
        assert_matches(reference_value(ex["id"], case), student_value(student, ex, case), rtol, atol)
    test()


def check_edge_cases(student, ex: dict, check: dict, stable: bool = False) -> None:
    rtol, atol = tolerance(ex, check)
    for case in edge_cases(ex):
        with warnings.catch_warnings():
            if stable:  # the stability check: the same inputs without floating-point warnings
                warnings.simplefilter("error")
            got = student_value(student, ex, case)
        assert_matches(reference_value(ex["id"], case), got, rtol, atol, f"{ex['id']}({case})")


def _array(value: Any) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _first_arg(ex: dict, prop: dict) -> str:
    return (prop.get("params") or {}).get("arg") or next(iter(ex["args"]))


def check_property(student, ex: dict, prop: dict, case: dict, fx: Any, rtol: float, atol: float) -> None:
    name, params = prop["name"], prop.get("params") or {}
    a = _array(fx)
    if name == "range":
        low, high = float(params.get("min", -np.inf)), float(params.get("max", np.inf))
        assert np.all((a >= low - atol) & (a <= high + atol)), f"outside [{low}, {high}]"
    elif name in ("complement", "odd", "shift_invariant", "shift_equivariant"):
        arg = _first_arg(ex, prop)
        shift = float(params.get("shift", 100.0 if name == "shift_invariant" else 1.0))
        moved = {**case, arg: (-np.asarray(case[arg]) if name in ("complement", "odd")
                               else np.asarray(case[arg]) + shift)}
        b = _array(student_value(student, ex, moved))
        expect = {"complement": lambda: float(params.get("total", 1.0)) - a, "odd": lambda: -a,
                  "shift_invariant": lambda: a, "shift_equivariant": lambda: a + shift}[name]()
        assert_matches(expect, b, rtol, atol, name)
    elif name == "monotonic":
        step, arg = float(params.get("step", 0.5)), _first_arg(ex, prop)
        moved = {**case, arg: np.asarray(case[arg]) + step}
        b = _array(student_value(student, ex, moved))
        assert b.shape == a.shape
        assert not np.any(b < a - (atol + rtol * np.abs(a))), "decreases"
        if params.get("strict"):
            rise = _array(reference_value(ex["id"], moved)) - _array(reference_value(ex["id"], case))
            assert not np.any((rise > 1e-4 * np.maximum(1.0, np.abs(a))) & ~(b > a)), "not increasing"
    elif name == "shape_preserved":
        assert a.shape == np.shape(case[_first_arg(ex, prop)])
    elif name == "input_unchanged":
        before = copy_case(case)
        fn = getattr(student, ex["id"])
        call(fn, ex, case)  # on the case itself: it must come back unchanged
        for key, value in before.items():
            if isinstance(value, np.ndarray):
                assert np.array_equal(case[key], value, equal_nan=True), f"{key} was modified"
    elif name == "sums_to_one":
        sums = a.sum(axis=-1) if a.ndim else a
        assert np.all(np.abs(sums - 1.0) <= max(atol, 1e-6) + rtol)
    elif name == "values_in":
        allowed = np.asarray([float(v) for v in params.get("values", [])])
        assert np.isclose(a[..., None], allowed, rtol=0.0, atol=atol).any(axis=-1).all()
    elif name == "still_without_gradient":
        param = params.get("param") or next(iter(ex["args"]))
        zeroed = {**case, **{n: np.zeros(np.shape(case[n])) for n in params.get("zero") or ["grad"]}}
        value = student_value(student, ex, zeroed)
        moved = value[0] if isinstance(value, (tuple, list)) else value
        assert_matches(np.asarray(case[param], dtype=np.float64), moved, rtol, atol, name)
    else:
        raise LookupError(f"unknown property {name}")


def check_properties(student, ex: dict, check: dict) -> None:
    rtol, atol = tolerance(ex, check)

    @hypothesis_settings(ex.get("examples", 100))
    @given(cases(ex))
    def test(case):
        fx = student_value(student, ex, case)
        assert fx is not None and (_array(fx) is not None or isinstance(fx, (tuple, list)))
        for prop in check.get("properties") or []:
            check_property(student, ex, prop, case, fx, rtol, atol)
    test()


def _scalar(check: dict, case: dict, output: Any) -> float:
    value = trusted(check["objective"])(case, output) if check.get("objective") else output
    return float(np.asarray(value, dtype=np.float64).reshape(()))


def numeric_gradient(ex: dict, check: dict, case: dict) -> Any:
    """Central differences of the reference forward (or its objective), in float64."""
    forward, h = check["of"], float(check.get("step", 1e-6))
    if not check.get("wrt"):
        arg = next(iter(ex["args"]))
        x = np.asarray(case[arg], dtype=np.float64)
        plus = _array(reference_value(forward, {**case, arg: x + h}))
        minus = _array(reference_value(forward, {**case, arg: x - h}))
        return (plus - minus) / (2 * h)
    grads = {}
    for name in check["wrt"]:
        base = np.asarray(case[name], dtype=np.float64)
        grad = np.zeros(base.shape)
        for flat in range(base.size):
            moved = []
            for delta in (h, -h):
                value = base.copy()
                value.reshape(-1)[flat] += delta
                moved_case = {**case, name: value if isinstance(case[name], np.ndarray) else float(value)}
                moved.append(_scalar(check, moved_case, reference_value(forward, moved_case)))
            grad.reshape(-1)[flat] = (moved[0] - moved[1]) / (2 * h)
        grads[name] = grad
    if check.get("outputs"):
        return tuple(grads[name] for name in check["wrt"])
    return grads[check["wrt"][0]] if len(check["wrt"]) == 1 else grads


def check_gradient(student, ex: dict, check: dict) -> None:
    tol = check.get("tolerance") or {}
    rtol, atol = float(tol.get("rtol", GRADIENT_RTOL)), float(tol.get("atol", GRADIENT_ATOL))

    @hypothesis_settings(min(ex.get("examples", 100), SMOOTH_EXAMPLES))
    @given(cases(ex, smooth=True))
    def test(case):
        assert_matches(numeric_gradient(ex, check, case), student_value(student, ex, case), rtol, atol)
    test()


class Outcome:
    """What a behaviour driver expects of a call: .value or .error."""

    def __init__(self, value: Any = None, error: dict | None = None) -> None:
        self.value, self.error = value, error


class DriverStudent:
    """The student as a behaviour driver sees it: called with a list of cases, plus trusted()."""

    def __init__(self, student, ex: dict) -> None:
        self.student, self.ex = student, ex

    def __call__(self, calls: list[dict], function: str | None = None, fresh: bool = False) -> list[Outcome]:
        outcomes = []
        for case in calls:
            try:
                outcomes.append(Outcome(student_value(self.student, self.ex, case, function)))
            except Exception as exc:  # noqa: BLE001 - the driver reports it as the student's
                outcomes.append(Outcome(error={"type": type(exc).__name__, "message": str(exc)}))
        return outcomes

    def trusted(self, name: str):
        """The reference's function of that name (the capstone judges weights with mlp_forward)."""
        return reference(name) if name in BY_ID else None

    def agrees(self, function: str) -> bool:
        return False  # only asked when trusted() has no answer, which never happens here


def check_behaviour(student, ex: dict, check: dict) -> None:
    driver, params = trusted(check["driver"]), dict(check.get("params") or {})
    run = DriverStudent(student, ex)

    def verdict(case_list: list[dict]) -> None:
        result = driver(run, case_list, params)
        failures = result[0] if isinstance(result, tuple) else result
        assert not failures, failures[0]

    if not ex.get("args") or ex.get("examples", 100) == 1:  # nothing to draw: one run
        verdict([])
        return
    needs = int(params.get("cases", 0))  # a driver that uses `cases` of the inputs (seeding)
    examples = needs or ex.get("examples", 100)

    @hypothesis_settings(examples)
    @given(cases(ex))
    def test(case):
        if needs:
            assume(int(case.get("n", 0)) >= 8)  # the seeding driver's inputs: n ≥ 8
        verdict([case])
    test()
    if not needs:
        verdict(edge_cases(ex))


def _unpack(value: Any, state: list[str]) -> tuple[np.ndarray, list[np.ndarray]]:
    if not state:
        return np.asarray(value, dtype=np.float64), []
    assert isinstance(value, (tuple, list)) and len(value) == 1 + len(state), "wrong outputs"
    arrays = [np.asarray(v, dtype=np.float64) for v in value]
    return arrays[0], arrays[1:]


def _torch_path(ex: dict, traj: dict, start: dict, gradient) -> list[tuple[np.ndarray, dict]]:
    import torch

    oracle = traj["oracle"]
    param = traj["param"]
    alias = {**start, "param": start[param], "grad": start[traj.get("grad", "grad")]}

    def resolve(value):
        if isinstance(value, list):
            return tuple(resolve(v) for v in value)
        if isinstance(value, str):
            return float(start[value] if value in start else ex["args"][value]["default"])
        return value
    p = torch.tensor(np.asarray(start[param], dtype=np.float64), dtype=torch.float64, requires_grad=True)
    optimizer = getattr(torch.optim, oracle["optimizer"])([p], **{k: resolve(v) for k, v in
                                                                  (oracle.get("args") or {}).items()})
    path = []
    for k in range(1, int(traj.get("steps", 8)) + 1):
        g = gradient(p.detach().numpy().copy(), k, alias)
        p.grad = torch.tensor(np.asarray(g, dtype=np.float64), dtype=torch.float64)
        optimizer.step()
        path.append((p.detach().numpy().copy(),
                     {name: optimizer.state[p][key].detach().numpy().copy()
                      for name, key in (oracle.get("state") or {}).items()}))
    return path


def run_trajectory(student, ex: dict, check: dict, case: dict, rtol: float, atol: float) -> None:
    """K steps along the reference's own path from this start: at every step the student's step
    on the reference's inputs must give the reference's step, and torch.optim's."""
    traj = check["trajectory"]
    param, grad, state = traj["param"], traj.get("grad", "grad"), list(traj.get("state") or [])
    counter, gradient = traj.get("counter"), trusted(traj["gradient"])
    start = dict(case)
    for name in state:
        start[name] = np.zeros(np.shape(case[param]))
    if counter:
        start[counter] = 1
    alias = {**start, "param": start[param], "grad": start[grad]}
    oracle = _torch_path(ex, traj, start, gradient) if traj.get("oracle") else None
    current = dict(start)
    for k in range(1, int(traj.get("steps", 8)) + 1):
        current[grad] = np.asarray(gradient(current[param], k, alias), dtype=np.float64)
        if counter:
            current[counter] = k
        expected = reference_value(ex["id"], current)
        got = student_value(student, ex, current)
        assert_matches(expected, got, rtol, atol, f"step {k}")
        if oracle is not None:
            o_param, o_state = oracle[k - 1]
            if state:
                mine = (o_param, *[o_state.get(n, got[1 + j]) for j, n in enumerate(state)])
            else:
                mine = o_param
            assert_matches(mine, got, rtol, atol, f"step {k} vs torch.optim")
        new_param, new_state = _unpack(expected, state)
        current = {**current, param: new_param, **dict(zip(state, new_state, strict=True))}


def check_trajectory(student, ex: dict, check: dict) -> None:
    rtol, atol = tolerance(ex, check)

    @hypothesis_settings(int(check["trajectory"].get("starts", 20)))
    @given(cases(ex))
    def test(case):
        run_trajectory(student, ex, check, case, rtol, atol)
    test()
    for case in edge_cases(ex):
        run_trajectory(student, ex, check, case, rtol, atol)


KINDS = {
    "reference": check_reference,
    "edge_cases": check_edge_cases,
    "stability": lambda student, ex, check: check_edge_cases(student, ex, check, stable=True),
    "properties": check_properties,
    "gradient": check_gradient,
    "behaviour": check_behaviour,
    "trajectory": check_trajectory,
}

CHECKS = [pytest.param(ex["id"], i, id=f"{ex['id']}-{check.get('name') or check['kind']}")
          for ex in SELECTED for i, check in enumerate(ex["checks"])]


@pytest.mark.parametrize("exercise_id, index", CHECKS)
def test_check(student, exercise_id: str, index: int) -> None:
    ex = BY_ID[exercise_id]
    check = ex["checks"][index]
    KINDS[check["kind"]](student, ex, check)
