"""What a check needs while it judges one exercise of one submission.

Calls are memoised by the content of their inputs and sent in batches: a check asks for many
cases at once, and whatever was already computed (the plan's cases, by any earlier check) is
never sent to the worker again.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Callable, Iterator, Protocol, TypeVar, overload

import numpy as np

from ..plan import Case, Plan
from ..run.client import CallOutcome, WorkerTimeout
from ..spec.schema import CheckSpec, Exercise, Tolerance
from .summary import entries


class Caller(Protocol):
    """A WorkerSession (student code) or InProcessFunctions (trusted code)."""

    def call(self, function: str, cases: Sequence[dict[str, Any]], timeout: float,
             return_args: bool = False, request_key: bytes | None = None) -> list[CallOutcome] | None:
        """`request_key`: the cases' content keys, for a caller that keeps encoded requests."""


def fingerprint(function: str, case: Case) -> bytes:
    digest = hashlib.blake2b(function.encode(), digest_size=16)
    for name in sorted(case):
        value = case[name]
        digest.update(name.encode() + b"=")
        if isinstance(value, np.ndarray):
            digest.update(f"{value.dtype.str}{value.shape}".encode() + value.tobytes())
        else:
            digest.update(repr(value).encode())
        digest.update(b";")
    return digest.digest()


def _by_identity(part: object) -> object:
    """A derivation's name part as a key: plain values by value, anything else (a spec, which
    StableCases keeps alive with the derivation) by identity."""
    return part if part is None or type(part) in (str, int, float, bool) else ("id", id(part))


#: what a derivation builds (StableCases.derived)
_Derived = TypeVar("_Derived")


class StableCases:
    """The cases a run holds from its first submission to its last (its plans' cases, and what
    checks derive from them the same way for everyone), with their keys computed once per run.

    Every check of every submission asks for the same plan cases and builds the same moved ones
    (a property's −x, a gradient's ±h): ~9 000 fingerprints and the dicts they hash, per complete
    submission, most of them the run's. A case is held by identity and kept alive here, so its id
    is never reused while the run lasts; nothing may change a held case (the judge never does,
    and the reference is called on copies, grader.run.inprocess)."""

    def __init__(self) -> None:
        self._held: dict[int, tuple[Case, dict[str, bytes]]] = {}
        self._plans: set[int] = set()
        self._derived: dict[tuple[object, ...], tuple[object, list[Case], object]] = {}

    def hold_plan(self, plan: Plan) -> None:
        """Hold every case of `plan` (a plan lives as long as its session)."""
        if id(plan) in self._plans:
            return
        self._plans.add(id(plan))
        self._derived[("plan", id(plan))] = (plan, [], None)  # keeps the plan's id unique too
        for case in (*plan.random, *plan.smooth, *plan.edge):
            self._held.setdefault(id(case), (case, {}))

    def holds(self, cases: list[Case]) -> bool:
        held = self._held
        return all((entry := held.get(id(case))) is not None and entry[0] is case for case in cases)

    def keys(self, function: str, cases: list[Case]) -> list[bytes] | None:
        """Every case's key for `function` when the run holds them all (the common request, in
        one pass: `holds` and `key` of each); None otherwise."""
        held = self._held
        keys = []
        for case in cases:
            entry = held.get(id(case))
            if entry is None or entry[0] is not case:
                return None
            key = entry[1].get(function)
            if key is None:
                key = entry[1][function] = fingerprint(function, case)
            keys.append(key)
        return keys

    def key(self, function: str, case: Case) -> bytes | None:
        """The case's key for `function`, when the run holds the case; None otherwise."""
        entry = self._held.get(id(case))
        if entry is None or entry[0] is not case:
            return None
        key = entry[1].get(function)
        if key is None:
            key = entry[1][function] = fingerprint(function, case)
        return key

    def derived(self, how: object, cases: list[Case], build: Callable[[], _Derived],
                new_cases: Callable[[_Derived], list[Case]] = lambda built: []) -> _Derived:
        """What `build` derives from `cases` (moved inputs, a numerical derivative of the
        reference), built once per run when the run holds every case; `new_cases` says which
        cases of it the run holds from then on. `how` names the derivation: an object that lives
        as long as the run (a check's spec) or a tuple of plain values and such objects."""
        if not self.holds(cases):
            return build()
        key = (*map(_by_identity, how if type(how) is tuple else (how,)), *map(id, cases))
        found = self._derived.get(key)
        if found is not None:
            return found[2]  # type: ignore[return-value]
        built = build()
        made = new_cases(built)
        for case in made:
            self._held.setdefault(id(case), (case, {}))
        self._derived[key] = (how, list(cases), built)
        return built


class CaseKeys:
    """fingerprint(function, case), remembered by the case's identity while one exercise is
    judged: the run's own cases from `StableCases`, the others (a shrink's, one student's
    trajectory) computed here. It holds each case it keyed, so no id is reused meanwhile; the
    judge never changes a case once it has asked for it."""

    def __init__(self, stable: StableCases | None = None) -> None:
        self.seen: dict[tuple[str, int], tuple[Case, bytes]] = {}
        self.stable = stable

    def __call__(self, function: str, case: Case) -> bytes:
        if self.stable is not None:
            key = self.stable.key(function, case)
            if key is not None:
                return key
        entry = self.seen.get((function, id(case)))
        if entry is not None and entry[0] is case:
            return entry[1]
        key = fingerprint(function, case)
        self.seen[(function, id(case))] = (case, key)
        return key


def to_call(exercise: Exercise, case: Case) -> dict[str, Any]:
    """Positional arguments in signature order; keyword-only-by-convention ones by name."""
    args, kwargs = [], {}
    for name, spec in exercise.args.items():
        if name not in case:
            continue
        if spec.keyword:
            kwargs[name] = case[name]
        else:
            args.append(case[name])
    return {"args": args, "kwargs": kwargs}


class Calls(Sequence[dict[str, Any]]):
    """The calls of `cases` (`to_call` of each), made on first use: a caller that sends a request
    it has encoded before (grader.run.client.EncodedRequests) needs only how many there are."""

    def __init__(self, exercise: Exercise, cases: list[Case]) -> None:
        self.exercise, self.cases = exercise, cases
        self._made: list[dict[str, Any]] | None = None

    def _calls(self) -> list[dict[str, Any]]:
        if self._made is None:
            self._made = [to_call(self.exercise, case) for case in self.cases]
        return self._made

    def __len__(self) -> int:
        return len(self.cases)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self._calls()[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._calls())


@dataclass
class Failure:
    """One failing case: a message code with its facts, and the call it is about."""

    code: str
    facts: dict[str, Any] = field(default_factory=dict)
    case: Case | None = None
    function: str | None = None
    expected: Any = None
    actual: Any = None


#: entries (array elements, numbers, strings) of the values one memo holds at most: a student
#: returning millions of entries per call is asked again instead of being kept (honest: ~10⁵)
MEMO_ENTRIES = 4_000_000


class _Memo:
    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self.outcomes: dict[bytes, CallOutcome] = {}
        self.missing: set[str] = set()
        self.held = 0  # entries of the values in `outcomes`

    def _keep(self, new: dict[bytes, CallOutcome]) -> None:
        for key, outcome in new.items():
            if type(outcome.value) is np.ndarray and outcome.args_after is None:
                size = outcome.value.size + 1  # what `entries` counts for (array, None), at once
            else:
                size = entries((outcome.value, outcome.args_after), MEMO_ENTRIES - self.held)
            if self.held + size <= MEMO_ENTRIES:
                self.outcomes[key] = outcome
                self.held += size

    def run(self, exercise: Exercise, function: str, cases: list[Case], timeout: float,
            return_args: bool = False, fresh: bool = False,
            remember: bool = True, keys_of: Callable[[str, Case], bytes] = fingerprint,
            recurring: list[bytes] | None = None) -> list[CallOutcome] | None:
        """The outcomes of `function` on `cases`, asking the caller only for the new ones;
        `recurring`: the keys of cases that are the run's (every submission is sent them), so
        the request is named by them for a caller that keeps encoded requests."""
        if function in self.missing:
            return None
        case_keys = recurring if recurring is not None else [keys_of(function, c) for c in cases]
        keys = [k + b"+args" for k in case_keys] if return_args else case_keys
        todo = [(k, c) for k, c in zip(keys, cases, strict=True) if fresh or k not in self.outcomes]
        unique = list(dict((k, c) for k, c in todo).items())
        if unique:
            calls = Calls(exercise, [c for _, c in unique])
            if recurring is not None:
                outcomes = self.caller.call(function, calls, timeout, return_args,
                                            request_key=b"".join(k for k, _ in unique))
            else:
                outcomes = self.caller.call(function, calls, timeout, return_args)
            if outcomes is None:
                self.missing.add(function)
                return None
            new = {key: outcome for (key, _), outcome in zip(unique, outcomes, strict=False)}
            if remember:  # not: inputs that depend on one student's answers, no use to the next
                self._keep(new)
            return [new[k] if k in new else self.outcomes[k] for k in keys]
        return [self.outcomes[k] for k in keys]


class MissingTrustedCode(LookupError):
    """A check needs trusted code this session does not hold (a reference function or a helper
    a student pack cannot carry): by design, not a bug; a pack leaves such a check out."""


class NotRecorded(LookupError):
    """A student pack holds no answer of the reference for this call (grader.pack)."""

    def __init__(self, function: str) -> None:
        super().__init__(f"no recorded answer of {function!r} for these inputs")
        self.function = function


class GradedByInstructor(Exception):
    """A check that cannot be judged here (a student pack lacks what it needs): the instructor's
    run grades it. `reason_code` is a message code saying why; `facts` fill it."""

    def __init__(self, reason_code: str, facts: dict[str, Any] | None = None) -> None:
        super().__init__(reason_code)
        self.reason_code = reason_code
        self.facts = dict(facts or {})


class ExpectedValues:
    """The reference's answers, memoised; shared by every submission of a run."""

    #: True when the answers come from a student pack's recording, not from running the reference
    replay = False

    def __init__(self, reference: Caller) -> None:
        self.memo = _Memo(reference)

    def run(self, exercise: Exercise, function: str, cases: list[Case],
            remember: bool = True, keys_of: Callable[[str, Case], bytes] = fingerprint,
            ) -> list[CallOutcome] | None:
        return self.memo.run(exercise, function, cases, timeout=0.0, remember=remember,
                             keys_of=keys_of)


@dataclass
class ExerciseContext:
    """One exercise of one submission being judged."""

    exercise: Exercise
    plan: Plan
    student: Caller
    expected: ExpectedValues
    mistakes: dict[str, Callable[..., Any]] = field(default_factory=dict)
    shrink: bool = True
    time_limit: float = 10.0
    #: fresh inputs for the spec's hidden checks, never shipped in a student pack (None: no hidden)
    hidden_plan: Plan | None = None
    started: float = field(default_factory=time.monotonic)
    #: every exercise of the set by function name: a call to another function (a gradient's
    #: forward) passes that function's arguments, picked by name from the case
    exercises: dict[str, Exercise] = field(default_factory=dict)
    #: trusted helpers of the exercise set by name (drivers, objectives, gradient rules)
    trusted: Callable[[str], Callable[..., Any]] | None = None
    #: the plan of another exercise of the set (whose function a check calls too)
    plan_of: Callable[[Exercise], Plan] | None = None
    #: a student pack's checks of this exercise that only the instructor's run grades, as
    #: {"position", "name", "kind", "points", "reason"} (grader.pack)
    instructor_checks: list[dict[str, Any]] = field(default_factory=list)
    #: where the plan is pinned when it is not beside the specs (a private plan: grader.plan.private)
    pinned_dir: Path | None = None
    #: the run's cases and what is derived from them, shared by every submission of the run
    stable: StableCases = field(default_factory=StableCases)

    def __post_init__(self) -> None:
        self._student = _Memo(self.student)
        self.stable.hold_plan(self.plan)
        if self.hidden_plan is not None:
            self.stable.hold_plan(self.hidden_plan)
        self._keys = CaseKeys(self.stable)  # both memos' keys, by case identity
        self._transient: dict[bytes, CallOutcome] = {}  # reference answers kept for this context only
        self.forget = False  # while True (shrinking), no reference answer enters the run's memory

    @contextlib.contextmanager
    def exploring(self) -> Iterator[None]:
        """Inputs made up for one student (shrinking): keep their answers out of the shared memo."""
        previous, self.forget = self.forget, True
        try:
            yield
        finally:
            self.forget = previous

    def remaining(self) -> float:
        left = self.time_limit - (time.monotonic() - self.started)
        if left <= 0:
            raise WorkerTimeout(self.time_limit)
        return left

    def signature_of(self, function: str) -> Exercise:
        """The exercise whose arguments a call of `function` takes (this one by default)."""
        return self.exercises.get(function, self.exercise) if function != self.exercise.function \
            else self.exercise

    def call(self, cases: list[Case], function: str | None = None,
             return_args: bool = False, fresh: bool = False) -> list[CallOutcome] | None:
        """The student's outcomes on `cases` (None if the function is not defined).

        `fresh` calls again even where an outcome is memoised (to see if a call is repeatable).
        """
        function = function or self.exercise.function
        return self._student.run(self.signature_of(function), function, cases,
                                 self.remaining(), return_args, fresh, keys_of=self._keys,
                                 recurring=self.stable.keys(function, cases))

    def reference(self, cases: list[Case], function: str | None = None,
                  remember: bool = True) -> list[CallOutcome]:
        """The reference's outcomes, memoised for the whole run unless `remember` is False
        (inputs built from one student's answers, which no other submission will ask for)."""
        function = function or self.exercise.function
        if not remember or self.forget:
            keys = [self._keys(function, c) for c in cases]
            todo = list({k: c for k, c in zip(keys, cases, strict=True) if k not in self._transient}.items())
            if todo:
                got = self.expected.run(self.signature_of(function), function,
                                        [c for _, c in todo], remember=False, keys_of=self._keys)
                if got is None:
                    raise MissingTrustedCode(f"the reference has no function {function!r}")
                self._transient.update((k, o) for (k, _), o in zip(todo, got, strict=False))
            return [self._transient[k] for k in keys]
        outcomes = self.expected.run(self.signature_of(function), function, cases, remember,
                                     keys_of=self._keys)
        if outcomes is None:
            raise MissingTrustedCode(f"the reference has no function {function!r}")
        return outcomes

    def derived(self, how: object, cases: list[Case], build: Callable[[], _Derived],
                new_cases: Callable[[_Derived], list[Case]] = lambda built: []) -> _Derived:
        """`build()`, once per run when `cases` are the run's (StableCases.derived)."""
        return self.stable.derived(how, cases, build, new_cases)

    def helper(self, name: str) -> Callable[..., Any]:
        """A trusted helper of the exercise set (a driver, an objective, a gradient rule)."""
        if self.trusted is None:
            raise MissingTrustedCode(f"no trusted helpers are loaded (looking for {name!r})")
        return self.trusted(name)

    def agrees(self, function: str) -> bool:
        """Whether the student's `function` (another exercise of the set) gives the reference's
        answers on that exercise's drawn inputs: then a check may use it in the reference's
        place (a student pack has no reference code). False when that cannot be told."""
        from .compare import compare

        exercise = self.exercises.get(function)
        if exercise is None or self.plan_of is None:
            return False
        cases = self.plan_of(exercise).random
        try:
            expected = self.reference(cases, function)
        except LookupError:  # not in the pack's recording either
            return False
        got = self.call(cases, function)
        if not cases or got is None or len(got) != len(expected):
            return False
        return all(g.error is None and w.error is None
                   and compare(w.value, g.value, exercise.tolerance) is None
                   for g, w in zip(got, expected, strict=True))

    def tolerance(self, check: CheckSpec) -> Tolerance:
        return check.tolerance or self.exercise.tolerance
