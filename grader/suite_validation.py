"""`grader validate`: check the exercise suite itself, for instructors who write exercises.

For every selected exercise:

1. its spec loads (a spec error stops everything: exit 2);
2. the reference gets full marks;
3. every listed mistake is rejected by at least one check, and the hint shown for it is its own
   (the mutation score: caught / listed);
4. every check can fail: none passes for a function that returns zeros shaped like the
   reference's output;
5. every keyword argument of the signature is drawn with values other than its default and
   omitted (so the default is used) in at least one edge case; the signature and the declared
   arguments agree with the reference function;
6. the diagnosis coverage, reported (not a problem): each catalogued mistake gets its own hint
   or a symptom, and of a family of perturbations of the reference (the sign flipped, a factor 2,
   the other axis, wrong where x < 0), how many get a hint or a symptom (PERTURBATIONS).

Everything judged here is trusted code (reference, mistakes, the zeros probe), run in-process
through `engine.grade_in_process`, with the same judge a student's submission meets.
"""

from __future__ import annotations

import ast
import inspect
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .engine import grade_in_process

from .engine import Options
from .session import GradingSession
from .result import PASSED, ExerciseResult
from .spec.schema import Exercise

Problem = tuple[str, dict[str, Any]]  # a message code and its facts


@dataclass
class MistakeOutcome:
    function: str
    failed_checks: list[str]
    diagnosed_as: list[str]
    #: a failing check shows a symptom (grader.judge.symptoms)
    symptom: bool = False

    @property
    def explained(self) -> bool:
        return self.hinted or self.symptom

    @property
    def caught(self) -> bool:
        return bool(self.failed_checks)

    @property
    def hinted(self) -> bool:
        return self.function in self.diagnosed_as


@dataclass
class ExerciseValidation:
    exercise: Exercise
    reference: ExerciseResult | None = None
    mistakes: list[MistakeOutcome] = field(default_factory=list)
    zeros_passing: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    #: perturbation name → whether the judge explained it (a hint or a symptom), for those
    #: that apply to the exercise and that some check catches
    perturbations: dict[str, bool] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Validation:
    exercises: list[ExerciseValidation]
    seconds: float = 0.0

    @property
    def listed(self) -> int:
        return sum(len(e.mistakes) for e in self.exercises)

    @property
    def caught(self) -> int:
        return sum(m.caught for e in self.exercises for m in e.mistakes)

    @property
    def hinted(self) -> int:
        return sum(m.hinted for e in self.exercises for m in e.mistakes)

    @property
    def problems(self) -> int:
        return sum(len(e.problems) for e in self.exercises)

    @property
    def explained(self) -> int:
        return sum(m.explained for e in self.exercises for m in e.mistakes)

    @property
    def perturbed(self) -> int:
        return sum(len(e.perturbations) for e in self.exercises)

    @property
    def perturbed_explained(self) -> int:
        return sum(sum(e.perturbations.values()) for e in self.exercises)

    @property
    def ok(self) -> bool:
        return self.problems == 0


# ----------------------------------------------------------------------------- the zeros probe


def zeros_like(value: object) -> object:
    """Zeros with the structure, shapes and dtypes of `value`."""
    if isinstance(value, np.ndarray):
        return np.zeros_like(value)
    if isinstance(value, np.generic):
        return type(value)(0)
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return type(value)(0)
    if isinstance(value, tuple):
        return tuple(zeros_like(v) for v in value)
    if isinstance(value, list):
        return [zeros_like(v) for v in value]
    if isinstance(value, dict):
        return {k: zeros_like(v) for k, v in value.items()}
    return value


def zeros_probe(reference: Callable[..., object]) -> Callable[..., object]:
    def zeros(*args: object, **kwargs: object) -> object:
        return zeros_like(reference(*args, **kwargs))
    return zeros


# ----------------------------------------------------------------------------- perturbations


def _leafwise(value: object, fn: Callable[[np.ndarray], np.ndarray]) -> object:
    """`value` with fn applied to each numeric leaf (a tuple's items, a dict's values)."""
    if isinstance(value, tuple):
        return tuple(_leafwise(v, fn) for v in value)
    if isinstance(value, list):
        return [_leafwise(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _leafwise(v, fn) for k, v in value.items()}
    if isinstance(value, (np.ndarray, float, int)) and not isinstance(value, bool):
        out = fn(np.asarray(value, dtype=np.float64))
        return float(out) if np.ndim(out) == 0 and not isinstance(value, np.ndarray) else out
    return value


def _negated(reference: Callable[..., object]) -> Callable[..., object]:
    def negated(*args: object, **kwargs: object) -> object:
        return _leafwise(reference(*args, **kwargs), lambda a: -a)
    return negated


def _doubled(reference: Callable[..., object]) -> Callable[..., object]:
    def doubled(*args: object, **kwargs: object) -> object:
        return _leafwise(reference(*args, **kwargs), lambda a: 2.0 * a)
    return doubled


def _other_axis(reference: Callable[..., object]) -> Callable[..., object]:
    def other_axis(x: object) -> object:
        batch = np.asarray(x, dtype=np.float64)
        if batch.ndim != 2:
            return reference(batch)
        return np.asarray(reference(np.ascontiguousarray(batch.T))).T
    return other_axis


def _wrong_below_zero(reference: Callable[..., object]) -> Callable[..., object]:
    def wrong_below_zero(x: object, *args: object, **kwargs: object) -> object:
        out = reference(x, *args, **kwargs)
        a, inputs = np.asarray(out, dtype=np.float64), np.asarray(x)
        if a.shape != inputs.shape:
            return out
        a = np.where(inputs < 0, a + 0.5, a)
        return a if isinstance(out, np.ndarray) or a.ndim else float(a)
    return wrong_below_zero


def perturbations(ex: Exercise, reference: Callable[..., object]) -> dict[str, Callable[..., object]]:
    """The perturbations of the reference that apply to this exercise: sign and factor always (on
    every numeric output), the other axis for one array argument, a region for elementwise ones."""
    positional = [name for name, arg in ex.args.items() if not arg.keyword]
    arrays = [name for name in positional if ex.args[name].type == "array"]
    found = {"sign": _negated(reference), "factor": _doubled(reference)}
    if len(positional) == 1 and arrays:
        found["axis"] = _other_axis(reference)
        found["region"] = _wrong_below_zero(reference)
    return found


# ----------------------------------------------------------------------------- signatures


def _signature_params(signature: str) -> list[tuple[str, object]] | None:
    """(name, default or inspect.Parameter.empty) for each parameter of "f(a, b=1)"."""
    try:
        tree = ast.parse(f"def {signature}: pass")
        fn = tree.body[0]
        assert isinstance(fn, ast.FunctionDef)
    except (SyntaxError, AssertionError):
        return None
    names = [a.arg for a in fn.args.args]
    defaults: list[object] = [inspect.Parameter.empty] * (len(names) - len(fn.args.defaults))
    try:
        defaults += [ast.literal_eval(d) for d in fn.args.defaults]
    except ValueError:
        return None
    return list(zip(names, defaults, strict=True))


def _differs(value: object, default: object) -> bool:
    """Meaningfully other than the default (not just its float32 rounding)."""
    if isinstance(value, (int, float)) and isinstance(default, (int, float)):
        return not np.isclose(float(value), float(default), rtol=1e-6, atol=0.0)
    return bool(value != default)


def coverage_problems(session: GradingSession, ex: Exercise) -> list[Problem]:
    """The signature agrees with the args and the reference; keyword args are truly exercised."""
    problems: list[Problem] = []
    params = _signature_params(ex.signature)
    if params is None or not ex.signature.startswith(f"{ex.id}("):
        return [("validate.bad_signature", {"signature": ex.signature})]
    names = [n for n, _ in params]
    if names != list(ex.args):
        problems.append(("validate.args_order", {"params": names, "args": list(ex.args)}))
    reference = session.reference_functions.get(ex.id)
    if reference is not None:
        ref_params = [(p.name, p.default) for p in inspect.signature(reference).parameters.values()]
        if ref_params != params:
            problems.append(("validate.reference_signature", {
                "signature": ex.signature, "reference_signature": f"{ex.id}{inspect.signature(reference)}"}))
    plan = session.plan(ex)
    for name, default in params:
        if default is inspect.Parameter.empty or name not in ex.args:
            continue
        arg = ex.args[name]
        if not arg.keyword or arg.default is None:
            problems.append(("validate.keyword_not_declared", {"arg": name, "default": default}))
            continue
        if arg.default != default:
            problems.append(("validate.keyword_default", {
                "arg": name, "spec_default": arg.default, "default": default}))
        if not any(name in case and _differs(case[name], default) for case in plan.random):
            problems.append(("validate.keyword_not_drawn", {"arg": name, "default": default}))
        if not any(name not in case for case in ex.edge_cases):
            problems.append(("validate.keyword_never_omitted", {"arg": name}))
    return problems


def private_problems(session: GradingSession, ex: Exercise) -> list[Problem]:
    """On a course secret's private inputs: a check judged on the edge cases alone whose every
    case keeps the spec's values (nothing in them could move) is answered by a student pack."""
    if session.secret is None or not ex.edge_cases:
        return []
    from .judge.checks import check_kind
    from .plan import edge_cases
    from .plan.jitter import same_case

    if not all(same_case(a, b) for a, b in zip(session.plan(ex).edge, edge_cases(ex), strict=True)):
        return []
    return [("validate.edge_public", {"check": check.title}) for check in ex.checks
            if check_kind(check.kind).case_set == "edge"]


# ----------------------------------------------------------------------------- one exercise


def _judge(session: GradingSession, ex: Exercise, functions: dict[str, Callable[..., Any]],
           label: str, options: Options) -> ExerciseResult:
    result = grade_in_process(session, functions, label,
                              Options(exercises=(ex.id,), shrink=False, time_limit=options.time_limit))
    return result.exercises[0]


def validate_exercise(session: GradingSession, ex: Exercise, options: Options,
                      coverage: bool = True) -> ExerciseValidation:
    started = time.monotonic()
    report = ExerciseValidation(exercise=ex)
    report.problems += coverage_problems(session, ex)
    report.problems += private_problems(session, ex)
    reference = session.reference_functions[ex.id]
    report.reference = _judge(session, ex, dict(session.reference_functions), "reference", options)
    for check in report.reference.checks:
        if check.status != PASSED:
            report.problems.append(("validate.reference_fails", {
                "check": check.name, "code": check.code, "facts": check.facts,
                "counterexample": check.counterexample}))
    if report.reference.status != PASSED and not report.reference.checks:
        report.problems.append(("validate.reference_fails", {
            "check": report.reference.status, "code": report.reference.code,
            "facts": report.reference.facts, "counterexample": None}))
    for mistake in ex.mistakes:
        fn = session.mistake_functions[mistake.function]
        result = _judge(session, ex, {**session.reference_functions, ex.id: fn},
                        mistake.function, options)
        failed = [c.name for c in result.checks if c.status != PASSED]
        if not result.checks and result.status != PASSED:
            failed = [result.status]
        outcome = MistakeOutcome(mistake.function, failed,
                                 [c.mistake for c in result.checks if c.mistake],
                                 any(c.symptom for c in result.checks if c.status != PASSED))
        report.mistakes.append(outcome)
        if not outcome.caught:
            report.problems.append(("validate.mistake_missed", {"mistake": mistake.function}))
        elif not outcome.hinted:
            report.problems.append(("validate.mistake_wrong_hint", {
                "mistake": mistake.function,
                "diagnosed": ", ".join(outcome.diagnosed_as) or "—"}))
    zeros = _judge(session, ex, {**session.reference_functions, ex.id: zeros_probe(reference)},
                   "zeros", options)
    report.zeros_passing = [c.name for c in zeros.checks if c.status == PASSED]
    for name in report.zeros_passing:
        report.problems.append(("validate.zeros_pass", {"check": name}))
    for name, perturbed in (perturbations(ex, reference) if coverage else {}).items():
        result = _judge(session, ex, {**session.reference_functions, ex.id: perturbed}, name, options)
        failing = [c for c in result.checks if c.status != PASSED]
        if failing:  # a perturbation no check catches (an odd function's sign) says nothing
            report.perturbations[name] = any(c.hint or c.symptom for c in failing)
    report.seconds = time.monotonic() - started
    return report


def validate(session: GradingSession, ids: tuple[str, ...] = (), options: Options | None = None,
             progress: Callable[[ExerciseValidation], None] | None = None,
             coverage: bool = True) -> Validation:
    """Validate the selected exercises; `coverage` also judges the reference's perturbations
    (the diagnosis coverage: one more judged function per perturbation that applies)."""
    options = options or Options()
    started = time.monotonic()
    reports = []
    for ex in session.exercise_set.select(ids):
        report = validate_exercise(session, ex, options, coverage)
        reports.append(report)
        if progress is not None:
            progress(report)
    return Validation(reports, time.monotonic() - started)


# ----------------------------------------------------------------------------- words


def exercise_lines(report: ExerciseValidation, lang: str) -> list[str]:
    from .messages import render

    ex = report.exercise
    ref = report.reference
    caught = sum(m.caught for m in report.mistakes)
    hinted = sum(m.hinted for m in report.mistakes)
    checks = len(ex.checks)
    lines = [render("validate.exercise", {
        "mark": "✓" if report.ok else "✗", "chapter": ex.chapter, "id": ex.id,
        "score": ref.score if ref else 0, "max_score": ex.max_score,
        "caught": caught, "hinted": hinted, "listed": len(report.mistakes),
        "zero_failing": checks - len(report.zeros_passing), "checks": checks,
        "seconds": round(report.seconds, 2)}, lang)]
    if report.perturbations or report.mistakes:
        lines.append("    " + render("validate.diagnosis", {
            "explained": sum(m.explained for m in report.mistakes), "listed": len(report.mistakes),
            "perturbed_explained": sum(report.perturbations.values()),
            "perturbed": len(report.perturbations),
            "unexplained": ", ".join(n for n, ok in report.perturbations.items() if not ok) or "—"},
            lang))
    for code, facts in report.problems:
        shown = dict(facts)
        if code == "validate.reference_fails":
            shown["message"] = _check_message(facts, lang)
        lines.append("    " + render(code, shown, lang))
    return lines


def _check_message(facts: dict[str, Any], lang: str) -> str:
    from .messages import format_call, render

    example = facts.get("counterexample") or {}
    inner = {**(facts.get("facts") or {}),
             "call": format_call(example.get("function"), example.get("input"))}
    return render(str(facts.get("code") or ""), inner, lang)


def summary_lines(validation: Validation, lang: str) -> list[str]:
    from .messages import render

    listed = validation.listed
    percent = f"{100.0 * validation.caught / listed:.0f}%" if listed else "—"
    lines = [render("validate.summary", {
        "caught": validation.caught, "hinted": validation.hinted, "listed": listed,
        "percent": percent, "count": len(validation.exercises),
        "seconds": round(validation.seconds, 1)}, lang)]
    if validation.perturbed or validation.listed:
        lines.append(render("validate.diagnosis_summary", {
        "explained": validation.explained, "listed": listed,
            "perturbed_explained": validation.perturbed_explained, "perturbed": validation.perturbed},
            lang))
    if validation.ok:
        lines.append(render("validate.ok", {"count": len(validation.exercises)}, lang))
    else:
        lines.append(render("validate.problems", {"problems": validation.problems}, lang))
    return lines
