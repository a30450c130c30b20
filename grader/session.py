"""The grading session: everything trusted and shared by every submission graded in one process.

One place builds it (`open_session`), for every command that grades or judges: `check` (and its
`--watch`), `grade` (the parent and each grader process of its pool), the notebook API, `pack`,
`validate`, `explain`. A session holds

- the exercise set and its trusted code (grader.trusted), or a student pack's recordings;
- the inputs it grades on: public plans drawn with a seed, or, with a course secret
  (grader.secret), private plans no student pack reveals (grader.plan.private);
- the reference's answers, memoised for the whole run (and kept between runs: `stored_answers`);
- the grading options, and the zygote that forks a sandboxed worker per submission (started on
  first use, or at once so that it warms up while the set loads).

Which inputs (`open_session`): `seed` given, the public inputs of that seed; else, unless
`private=False`, the course secret's when the set has its reference and a secret; else the
public inputs of the default seed. A student pack's inputs are its own: another seed is an error.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import engine
from .engine import Options
from .judge import ExerciseContext
from .judge.context import Caller, ExpectedValues, MissingTrustedCode, StableCases
from .plan import DEFAULT_SEED, Plan, make_plan
from .plan.private import private_plan
from .run.choice import launcher
from .run.client import EncodedRequests, Launcher
from .run.inprocess import InProcessFunctions
from .secret import Secret, find_secret
from .spec import Exercise, ExerciseSet, SpecError, load_exercise_set
from .trusted import load_trusted_code

if TYPE_CHECKING:
    from .judge.answers import StoredAnswers
    from .pack import Pack
    from .result import SubmissionResult
    from .submission import Submission


class SeedFixed(SpecError):
    """Another seed asked of a student pack, whose inputs are recorded with its own."""

    code = "pack.seed_fixed"

    def __init__(self, seed: int) -> None:
        super().__init__(f"The inputs of a student pack are fixed (seed {seed}); --seed cannot "
                         f"change them.")
        self.facts = {"seed": seed}


def hidden_seed(seed: int) -> int:
    """The seed of the hidden checks' inputs: far from `seed` and `seed + 1` (smooth draws)."""
    return (seed * 1_000_003 + 0x5EC2E7) % 2**32


def instructor_secret(exercise_set: ExerciseSet) -> Secret | None:
    """The course secret an instructor's run grades with: none for a student pack or a set
    without its reference (nothing private can be made there), or when the set has none yet."""
    if exercise_set.reference_dir is None:
        return None
    return find_secret(exercise_set.root)


class GradingSession:
    """The trusted side of a run: exercise set, reference, mistakes, plans, expected values,
    options and the zygote.

    With a course `secret` it grades on private inputs: plans drawn with the secret's seed and
    edge cases moved by it (grader.plan.private). `seed` is then the secret's and is never
    shown: reports show `seed_label` instead."""

    def __init__(self, exercise_set: ExerciseSet, seed: int = DEFAULT_SEED, use_cache: bool = True,
                 secret: Secret | None = None, options: Options | None = None,
                 zygote: Launcher | None = None) -> None:
        self.exercise_set = exercise_set
        self.secret = secret if exercise_set.reference_dir is not None else None
        self.seed = self.secret.seed if self.secret is not None else seed
        self.use_cache = use_cache
        self.options = options or Options()
        self._zygote = zygote
        code = load_trusted_code(exercise_set)
        self.reference_functions = code.reference
        self.mistake_functions: dict[str, Callable[..., Any]] = code.mistakes
        #: trusted helpers: behaviour drivers, objectives, gradient rules (grader.trusted)
        self.driver_functions = code.helpers
        #: the names among them that come from the public drivers/
        self.public_helpers = code.public_helpers
        self.expected = ExpectedValues(InProcessFunctions(self.reference_functions))
        self._plans: dict[str, Plan] = {}
        #: the plans' cases and what checks derive from them, keyed once for the whole run
        self.stable_cases = StableCases()
        #: the requests every submission's worker is sent, encoded once for the run
        self.encoded_requests = EncodedRequests()
        #: a student pack (grader.pack): the reference's answers and the plans, recorded as data
        self.pack: Pack | None = None
        if exercise_set.reference_dir is None and exercise_set.expected_dir is not None:
            from .pack import load_pack

            self.pack = load_pack(exercise_set)
            self.seed = self.pack.seed
            self.expected = self.pack.expected
            self.mistake_functions = dict(self.pack.mistakes)
            self._plans.update(self.pack.plans)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, seed: int = DEFAULT_SEED,
             use_cache: bool = True, secret: Secret | None = None) -> GradingSession:
        """A session on exactly these inputs (no secret looked up: see `open_session`)."""
        return cls(load_exercise_set(path), seed, use_cache, secret)

    def recipe(self) -> SessionRecipe:
        """What opens this same session in another process (without its zygote)."""
        return SessionRecipe(str(self.exercise_set.root), self.seed, self.secret, self.options,
                             self.use_cache)

    def on_private_inputs(self, secret: Secret) -> GradingSession:
        """The same set graded on the private inputs of `secret` (`grader validate` checks both)."""
        return GradingSession(self.exercise_set, use_cache=self.use_cache, secret=secret,
                              options=self.options)

    # --- the worker side ------------------------------------------------------------------

    @property
    def zygote(self) -> Launcher:
        """What starts each submission's worker (the zygote, or the portable launcher where fork
        is missing or unsafe: grader.run.choice), started on first use."""
        if self._zygote is None:
            self._zygote = launcher()
            self._zygote.start()
        return self._zygote

    def close(self) -> None:
        """Stop the zygote (and so every worker); the trusted side stays usable."""
        if self._zygote is not None:
            self._zygote.close()
            self._zygote = None

    def __enter__(self) -> GradingSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def grade(self, submission: Submission | str | os.PathLike[str],
              options: Options | None = None) -> SubmissionResult:
        """Grade one submission in a sandboxed worker (grader.engine)."""
        return engine.grade(self, submission, self.zygote, options or self.options)


    @functools.cached_property
    def _stored_answers(self) -> StoredAnswers | None:
        """Opened once a session: a session checking again (a resident grader) reads nothing twice."""
        from .judge.answers import for_session

        return for_session(self)

    @contextmanager
    def stored_answers(self, exercises: Iterable[Exercise]) -> Iterator[None]:
        """The reference's answers of earlier runs on these exercises, loaded from the cache,
        and what this run adds stored back (grader.judge.answers). Only for a session whose
        reference nobody replaces after loading it: stored answers would stand in for it."""
        from .judge.answers import functions_of

        answers = self._stored_answers
        if answers is not None:
            answers.load(functions_of(list(exercises)))
        yield
        if answers is not None:
            answers.save()

    # --- what is graded, and on which inputs --------------------------------------------

    def select(self, ids: Iterable[str] = ()) -> list[Exercise]:
        """The exercises of `ids` in their order (every one when empty); UnknownExercises."""
        return self.exercise_set.select(ids)

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

        paths = [self.exercise_set.root, cache_dir() / "private", cache_dir() / "answers"]
        if self.exercise_set.reference_dir is not None:
            paths.append(self.exercise_set.reference_dir)
        shipped = shipped_set()
        if shipped is not None:
            paths += [shipped.root] + ([shipped.reference_dir] if shipped.reference_dir else [])
        if self.secret is not None and self.secret.folder is not None:
            paths.append(self.secret.folder)
        return [str(p) for p in dict.fromkeys(paths)]

    def trusted(self, name: str) -> Callable[..., Any]:
        """A trusted helper by name: drivers/ and reference/drivers/ first, then the reference
        itself; in a student pack, the helpers' recorded answers (an objective's values)."""
        found = self.driver_functions.get(name) or self.reference_functions.get(name)
        if found is None and self.pack is not None:
            found = self.pack.helpers.get(name)
        if found is None:
            raise MissingTrustedCode(f"no trusted function {name!r} in drivers/, reference/drivers/ or "
                              f"the reference")
        return found

    def plan(self, exercise: Exercise) -> Plan:
        if exercise.id not in self._plans:
            if self.secret is not None:
                self._plans[exercise.id] = private_plan(exercise, self.secret, self.seed, self.keeps_meaning)
            else:
                self._plans[exercise.id] = make_plan(exercise, self.seed, self.use_cache)
        return self._plans[exercise.id]

    def pin(self, exercise: Exercise, plan: Plan, hidden: bool = False) -> None:
        """Grade `exercise` on `plan` from now on (a student pack's plan, as it will be read; the
        plans a `grader grade --cluster` client drew), its hidden checks' plan when `hidden`."""
        self._plans[f"{exercise.id}#hidden" if hidden else exercise.id] = plan

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
        judged with the reference and the exercise's catalogued mistakes (grader.judge.meaning):
        the step of building private plans that needs trusted code, so the plan stage takes it
        as a callback."""
        from .judge.meaning import keeps_meaning

        mistakes = {m.function: self.mistake_functions[m.function] for m in exercise.mistakes
                    if m.function in self.mistake_functions}
        return keeps_meaning(exercise, self.reference_functions[exercise.function], mistakes,
                             public, moved)

    def pinned_dir(self) -> Path | None:
        """Where this session's private plans are pinned (torch.optim's paths go beside them);
        None for public plans, pinned beside the specs."""
        if self.secret is None:
            return None
        from .plan.private import private_plans_dir

        return private_plans_dir(self.secret)

    def context(self, exercise: Exercise, caller: Caller, options: Options | None = None) -> ExerciseContext:
        """What the judge needs to judge `exercise` of one submission, answered by `caller`."""
        options = options or self.options
        return ExerciseContext(
            exercise=exercise, plan=self.plan(exercise), hidden_plan=self.hidden_plan(exercise),
            student=caller, expected=self.expected,
            mistakes=self.mistake_functions, shrink=options.shrink,
            time_limit=options.time_limit_of(exercise),
            exercises=self.exercise_set.exercises, trusted=self.trusted, plan_of=self.plan,
            pinned_dir=self.pinned_dir(), stable=self.stable_cases,
            instructor_checks=(self.pack.instructor_checks.get(exercise.id, [])
                               if self.pack is not None else []))


@dataclass(frozen=True)
class SessionRecipe:
    """A session's inputs as decided (set, seed, course secret) and its options, to open the same
    session in another process: each grader process of `grader grade`'s pool. Picklable."""

    exercises: str
    seed: int
    secret: Secret | None
    options: Options
    use_cache: bool = True

    def open(self, warm_zygote: bool = False) -> GradingSession:
        return _opened(lambda zygote: GradingSession(load_exercise_set(self.exercises), self.seed,
                                                     self.use_cache, self.secret, self.options, zygote),
                       warm_zygote)


def _opened(build: Callable[[Launcher | None], GradingSession], warm_zygote: bool) -> GradingSession:
    """`build` a session; with `warm_zygote` its zygote starts first, warming up meanwhile."""
    zygote = None
    if warm_zygote:
        zygote = launcher()
        zygote.start()
    try:
        return build(zygote)
    except BaseException:
        if zygote is not None:
            zygote.close()
        raise


def open_session(exercises: str | os.PathLike[str] | None = None, *, seed: int | None = None,
                 private: bool = True, options: Options | None = None,
                 warm_zygote: bool = False, use_cache: bool = True) -> GradingSession:
    """The session a command grades in (see the module's words for which inputs).

    `exercises` is --exercises (else $GRADER_EXERCISES, else the set installed with the
    grader); `options.exercises` are checked to exist (UnknownExercises). `warm_zygote` starts
    the zygote first, so that it warms up while the set loads."""
    options = options or Options()

    def build(zygote: Launcher | None) -> GradingSession:
        exercise_set = load_exercise_set(exercises)
        secret = instructor_secret(exercise_set) if private and seed is None else None
        session = GradingSession(exercise_set, DEFAULT_SEED if seed is None else seed, use_cache,
                                 secret, options, zygote)
        session.select(options.exercises)
        if seed is not None and session.pack is not None and seed != session.seed:
            raise SeedFixed(session.seed)
        return session

    return _opened(build, warm_zygote)
