"""Wire the stages for one run: load the course (trusted), then grade submissions one by one.

`Course` holds everything trusted and shared by every submission of a run: specs, reference
and mistakes (imported here, in the grader), plans and the reference's answers. `grade` runs
one submission through a fresh sandboxed worker and judges each selected exercise.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
import time
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .judge import ExerciseContext, judge_exercise
from .judge.context import ExpectedValues
from .plan import DEFAULT_SEED, Plan, make_plan
from .plan.private import private_plan
from .report.model import ERROR, NOT_ATTEMPTED, TIMEOUT, ExerciseResult, SubmissionResult
from .run.client import WorkerBadReply, WorkerCrashed, WorkerError, WorkerSession, WorkerTimeout, Zygote
from .run.inprocess import InProcessFunctions
from .run.policy import Limits, worker_policy
from .secret import Secret
from .spec import Exercise, ExerciseSet, SpecError, load_exercise_set
from .submission import Submission, load_submission


@dataclass
class Options:
    exercises: tuple[str, ...] = ()
    seed: int = DEFAULT_SEED
    shrink: bool = True
    time_limit: float | None = None
    import_timeout: float = 30.0
    use_cache: bool = True
    limits: Limits = field(default_factory=Limits)


def _load_package(directory: Path, name: str) -> types.ModuleType:
    """Import a folder as a package under a private name, so its relative imports work."""
    spec = importlib.util.spec_from_file_location(
        name, directory / "__init__.py", submodule_search_locations=[str(directory)])
    if spec is None or spec.loader is None:
        raise SpecError(f"{directory}: not a Python package (it needs an __init__.py)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _public_functions(module: types.ModuleType) -> dict[str, Callable[..., Any]]:
    return {k: v for k, v in vars(module).items()
            if callable(v) and not k.startswith("_") and getattr(v, "__module__", None) == module.__name__}


class Course:
    """The trusted side of a run: exercise set, reference, mistakes, plans, expected values.

    With a course `secret` (grader.secret) it grades on private inputs: plans drawn with the
    secret's seed and edge cases moved by it (grader.plan.private), which no student pack holds.
    `seed` is then the secret's and is never shown: reports show `seed_label` instead."""

    def __init__(self, exercise_set: ExerciseSet, seed: int = DEFAULT_SEED, use_cache: bool = True,
                 secret: Secret | None = None) -> None:
        self.set = exercise_set
        self.secret = secret if exercise_set.reference_dir is not None else None
        self.seed = self.secret.seed if self.secret is not None else seed
        self.use_cache = use_cache
        self.reference_functions: dict[str, Callable[..., Any]] = {}
        self.mistake_functions: dict[str, Callable[..., Any]] = {}
        #: trusted helpers: behaviour drivers, objectives, gradient rules; from the set's public
        #: drivers/*.py (which a student pack carries too), then reference/drivers/*.py
        self.driver_functions: dict[str, Callable[..., Any]] = {}
        #: the names among them that come from the public drivers/
        self.public_helpers: set[str] = set()
        if exercise_set.drivers_dir is not None:
            self._load_drivers(exercise_set.drivers_dir)
        if exercise_set.reference_dir is not None:
            self._load_reference(exercise_set.reference_dir)
        self.expected = ExpectedValues(InProcessFunctions(self.reference_functions))
        self._plans: dict[str, Plan] = {}
        #: a student pack (grader.pack): the reference's answers and the plans, recorded as data
        self.pack = None
        if exercise_set.reference_dir is None and exercise_set.expected_dir is not None:
            from .pack import load_pack

            self.pack = load_pack(exercise_set)
            self.seed = self.pack.seed
            self.expected = self.pack.expected
            self.mistake_functions = dict(self.pack.mistakes)
            self._plans.update(self.pack.plans)

    @classmethod
    def load(cls, path: str | Path | None = None, seed: int = DEFAULT_SEED, use_cache: bool = True,
             secret: Secret | None = None) -> "Course":
        return cls(load_exercise_set(path), seed, use_cache, secret)

    @property
    def seed_label(self) -> int | str:
        """What a report shows as the seed: the seed itself, or "private:<fingerprint>"."""
        return self.secret.label if self.secret is not None else self.seed

    def hidden_paths(self) -> list[str]:
        """What a submission's worker must not read: this exercise set and its reference
        (wherever installed), the set installed with the grader (another set's course may share
        its reference), the private folder, and the caches where private inputs and the
        reference's answers on them are kept."""
        from .plan import cache_dir
        from .spec.loader import shipped_set

        paths = [self.set.root, cache_dir() / "private", cache_dir() / "answers"]
        if self.set.reference_dir is not None:
            paths.append(self.set.reference_dir)
        shipped = shipped_set()
        if shipped is not None:
            paths += [shipped.root] + ([shipped.reference_dir] if shipped.reference_dir else [])
        if self.secret is not None and self.secret.folder is not None:
            paths.append(self.secret.folder)
        return [str(p) for p in dict.fromkeys(paths)]

    def _load_drivers(self, directory: Path) -> None:
        """The public drivers/ package: it imports nothing from the reference (see its README)."""
        package = f"_grader_drivers_{self.set.digest[:12]}"
        try:
            _load_package(directory, package)
            for source in sorted(directory.glob("*.py")):
                if not source.stem.startswith("_"):
                    module = importlib.import_module(f"{package}.{source.stem}")
                    functions = _public_functions(module)
                    self.driver_functions.update(functions)
                    self.public_helpers.update(functions)
        except ImportError as exc:
            raise SpecError(f"{directory}: cannot import the drivers: {exc}") from None

    def _load_reference(self, directory: Path) -> None:
        package = f"_grader_reference_{self.set.digest[:12]}"
        _load_package(directory, package)
        modules = {ex.reference for ex in self.set.exercises.values() if ex.reference}
        for name in sorted(modules):
            try:
                module = importlib.import_module(f"{package}.{name}")
            except ImportError as exc:
                raise SpecError(f"{directory}/{name}.py: cannot import the reference: {exc}") from None
            self.reference_functions.update(_public_functions(module))
        if (directory / "mistakes" / "__init__.py").exists():
            for ex_module in sorted({ex.mistakes_module or ex.reference for ex in self.set.exercises.values()}):
                path = directory / "mistakes" / f"{ex_module}.py"
                if path.exists():
                    module = importlib.import_module(f"{package}.mistakes.{ex_module}")
                    self.mistake_functions.update(_public_functions(module))
        drivers = directory / "drivers"
        if (drivers / "__init__.py").exists():
            for source in sorted(drivers.glob("*.py")):
                if not source.stem.startswith("_"):
                    module = importlib.import_module(f"{package}.drivers.{source.stem}")
                    functions = _public_functions(module)
                    self.driver_functions.update(functions)
                    self.public_helpers.difference_update(functions)
        for ex in self.set.exercises.values():
            for check in ex.checks:
                for helper in (check.driver, check.objective,
                               check.trajectory.gradient if check.trajectory else None):
                    if helper and helper not in self.driver_functions | self.reference_functions:
                        raise SpecError(f"{ex.source_file}: exercise {ex.id!r} names {helper!r}, "
                                        f"which neither drivers/, reference/drivers/ nor the "
                                        f"reference defines")
            if ex.id not in self.reference_functions:
                raise SpecError(f"{ex.source_file}: exercise {ex.id!r} has no reference function "
                                f"{ex.id} in reference/{ex.reference}.py")
            for mistake in ex.mistakes:
                if mistake.function not in self.mistake_functions:
                    raise SpecError(f"{ex.source_file}: exercise {ex.id!r} lists mistake "
                                    f"{mistake.function!r}, which reference/mistakes/ does not define")

    def trusted(self, name: str) -> Callable[..., Any]:
        """A trusted helper by name: drivers/ and reference/drivers/ first, then the reference
        itself; in a student pack, the helpers' recorded answers (an objective's values)."""
        found = self.driver_functions.get(name) or self.reference_functions.get(name)
        if found is None and self.pack is not None:
            found = self.pack.helpers.get(name)
        if found is None:
            raise LookupError(f"no trusted function {name!r} in drivers/, reference/drivers/ or "
                              f"the reference")
        return found

    def plan(self, exercise: Exercise) -> Plan:
        if exercise.id not in self._plans:
            if self.secret is not None:
                self._plans[exercise.id] = private_plan(exercise, self.secret, self.seed, self.keeps_meaning)
            else:
                self._plans[exercise.id] = make_plan(exercise, self.seed, self.use_cache)
        return self._plans[exercise.id]

    def hidden_plan(self, exercise: Exercise) -> Plan | None:
        """Fresh inputs for the exercise's hidden checks (another seed); None when it has none."""
        if not any(check.visibility == "hidden" for check in exercise.checks):
            return None
        key = f"{exercise.id}#hidden"
        if key not in self._plans:
            if self.secret is not None:
                self._plans[key] = private_plan(exercise, self.secret, hidden_seed(self.seed),
                                                self.keeps_meaning, hidden=True)
            else:
                self._plans[key] = make_plan(exercise, hidden_seed(self.seed), self.use_cache)
        return self._plans[key]

    def keeps_meaning(self, exercise: Exercise, public: dict[str, Any], moved: dict[str, Any]) -> bool:
        """Whether a moved edge case of a private plan tells apart what the spec's case does,
        judged with the reference and the exercise's catalogued mistakes (grader.judge.meaning)."""
        from .judge.meaning import keeps_meaning

        mistakes = {m.function: self.mistake_functions[m.function] for m in exercise.mistakes
                    if m.function in self.mistake_functions}
        return keeps_meaning(exercise, self.reference_functions[exercise.function], mistakes,
                             public, moved)

    def pinned_dir(self) -> Path | None:
        """Where this course's private plans are pinned (torch.optim's paths go beside them);
        None for public plans, pinned beside the specs."""
        if self.secret is None:
            return None
        from .plan.private import private_plans_dir

        return private_plans_dir(self.secret)

    def context(self, exercise: Exercise, caller: Any, options: Options) -> ExerciseContext:
        return ExerciseContext(
            exercise=exercise, plan=self.plan(exercise), hidden_plan=self.hidden_plan(exercise),
            student=caller, expected=self.expected,
            mistakes=self.mistake_functions, shrink=options.shrink,
            time_limit=options.time_limit or exercise.time_limit,
            exercises=self.set.exercises, trusted=self.trusted, plan_of=self.plan,
            pinned_dir=self.pinned_dir(),
            instructor_checks=(self.pack.instructor_checks.get(exercise.id, [])
                               if self.pack is not None else []))


def hidden_seed(seed: int) -> int:
    """The seed of the hidden checks' inputs: far from `seed` and `seed + 1` (smooth draws)."""
    return (seed * 1_000_003 + 0x5EC2E7) % 2**32


def _fail_all(exercises: list[Exercise], status: str, code: str, facts: dict[str, Any]) -> list[ExerciseResult]:
    return [ExerciseResult(id=ex.id, title={"en": ex.title.en, "zh": ex.title.zh}, chapter=ex.chapter,
                           status=status, score=0.0, max_score=ex.max_score, code=code, facts=dict(facts))
            for ex in exercises]


def _worker_failure(ex: Exercise, exc: WorkerError, partial: ExerciseResult | None = None) -> ExerciseResult:
    if isinstance(exc, WorkerTimeout):
        status, code, facts = TIMEOUT, "timeout", {"seconds": exc.seconds}
    elif isinstance(exc, WorkerCrashed) and exc.how.get("signal") == signal.SIGXCPU:
        status, code, facts = TIMEOUT, "cpu_limit", {"how": str(exc)}
    elif isinstance(exc, WorkerBadReply):
        status, code, facts = ERROR, "bad_reply", {"how": str(exc)}
    else:
        assert isinstance(exc, WorkerCrashed)
        status, code = ERROR, "crashed"
        facts = {"how": str(exc), "stderr": exc.stderr[-2000:]}
    [result] = _fail_all([ex], status, code, facts)
    return result


def grade(course: Course, submission: Submission | str | Path, zygote: Zygote,
          options: Options | None = None) -> SubmissionResult:
    """Grade one submission: one sandboxed worker, restarted after a timeout or a crash."""
    options = options or Options()
    started = time.monotonic()
    if not isinstance(submission, Submission):
        submission = load_submission(submission)
    exercises = course.set.select(options.exercises)
    result = SubmissionResult(submission=submission.label, exercises=[], grader_version=__version__,
                              seed=course.seed_label, spec_digest=course.set.digest)
    result.notes = list(submission.notes)
    if submission.error:
        result.exercises = _fail_all(exercises, ERROR, submission.error, submission.error_facts)
        return result
    cpu_budget = options.import_timeout + sum(options.time_limit or ex.time_limit for ex in exercises)
    session = WorkerSession(zygote, submission.modules, torch=submission.needs_torch,
                            import_timeout=options.import_timeout,
                            policy=worker_policy(options.limits, course.hidden_paths(), cpu_budget))
    try:
        _grade_in_session(course, session, exercises, options, result)
    finally:
        session.close()
        result.stdout = "".join(session.stdout)[-8000:]
        result.stderr = "".join(session.stderr)[-8000:]
        result.seconds = time.monotonic() - started
    if submission.notebooks:
        _point_into_notebooks(submission, result)
    return result


def _point_into_notebooks(submission: Submission, result: SubmissionResult) -> None:
    """Lines of a notebook's generated module become (file, cell, line in cell) facts."""
    def relocate(facts: dict[str, Any] | None, file_key: str = "file") -> None:
        if facts and facts.get("line") is not None:
            where = submission.locate(facts.get(file_key), facts.get("line"))
            if where is not None:
                facts.update(where if file_key == "file" else
                             {file_key: where["file"], "cell": where["cell"], "line": where["line"]})

    for ex in result.exercises:
        relocate(ex.facts)
        relocate(ex.location, "module")
        for check in ex.checks:
            relocate(check.facts)


def _start(session: WorkerSession, result: SubmissionResult) -> dict[str, Any] | None:
    """Start (or restart) the worker; None when it could not import the submission at all."""
    try:
        report = session.start()
    except WorkerError as exc:
        return {"error": exc}
    result.sandbox = report.sandbox
    result.load_errors = report.errors
    return {"functions": report.functions}


def _grade_in_session(course: Course, session: WorkerSession, exercises: list[Exercise],
                      options: Options, result: SubmissionResult) -> None:
    loaded = _start(session, result)
    for ex in exercises:
        if loaded is None or "error" in loaded:
            exc = loaded["error"] if loaded else WorkerCrashed({})
            code = "import_timeout" if isinstance(exc, WorkerTimeout) else "import_crashed"
            result.exercises.append(_fail_all([ex], TIMEOUT if code == "import_timeout" else ERROR,
                                              code, {"how": str(exc)})[0])
            continue
        functions = loaded["functions"]
        if ex.function not in functions:
            if result.load_errors:
                err = result.load_errors[0]
                result.exercises.append(_fail_all([ex], ERROR, "import_error", {
                    "type": err.get("type"), "message": err.get("message"),
                    "file": err.get("filename"), "line": err.get("line")})[0])
            else:
                result.exercises.append(_fail_all([ex], NOT_ATTEMPTED, "not_attempted", {})[0])
            continue
        started = time.monotonic()
        for attempt in (1, 2):
            answered = session.answered
            try:
                exercise_result = judge_exercise(course.context(ex, session, options))
                break
            except (RecursionError, MemoryError) as exc:  # outside a check: see judge.run_check
                code = "judge_recursion" if isinstance(exc, RecursionError) else "judge_memory"
                exercise_result = _fail_all([ex], ERROR, code, {})[0]
                break
            except WorkerError as exc:
                first_request = session.answered == answered
                exercise_result = _worker_failure(ex, exc)
                loaded = _start(session, result)
                # A worker that dies on an exercise's very first request may have been broken by
                # the exercise before it (which got all its answers in one request): judge this
                # one again, once, in the fresh worker, so that it costs only its own grade.
                if not (attempt == 1 and first_request and isinstance(exc, WorkerCrashed)
                        and loaded is not None and "error" not in loaded):
                    break
        exercise_result.seconds = time.monotonic() - started
        exercise_result.location = functions.get(ex.function)
        result.exercises.append(exercise_result)


def grade_in_process(course: Course, functions: dict[str, Callable[..., Any]], label: str,
                     options: Options | None = None) -> SubmissionResult:
    """Judge TRUSTED functions (reference, a catalogued mistake, a probe) without a worker.

    The seam `grader validate` uses: the same judge, fed by InProcessFunctions instead of a
    sandboxed worker. Never give it a student's code.
    """
    options = options or Options()
    started = time.monotonic()
    caller = InProcessFunctions(functions)
    result = SubmissionResult(submission=label, exercises=[], grader_version=__version__,
                              seed=course.seed_label, spec_digest=course.set.digest)
    for ex in course.set.select(options.exercises):
        if ex.function not in functions:
            result.exercises.append(_fail_all([ex], NOT_ATTEMPTED, "not_attempted", {})[0])
            continue
        begun = time.monotonic()
        try:
            exercise_result = judge_exercise(course.context(ex, caller, options))
        except WorkerError as exc:  # a time limit, measured in-process too
            exercise_result = _worker_failure(ex, exc)
        exercise_result.seconds = time.monotonic() - begun
        result.exercises.append(exercise_result)
    result.seconds = time.monotonic() - started
    return result
