"""The result model: plain dataclasses from a run down to a check. Facts only, no words.

What a check, an exercise and a submission produced. The judge fills it; every reporter, the
gradebook and the batch read it; none of them imports another for it (this module imports
nothing of the grader). A check records a message code and the facts that fill it (input,
expected, actual, worst index, matched mistake); reporters put them into words in the chosen
language. Reporters never decide a score or a status: everything they print is read from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from .facts import Facts, Note

PASSED, FAILED, ERROR, TIMEOUT, NOT_ATTEMPTED = "passed", "failed", "error", "timeout", "not_attempted"
#: a check a student pack cannot judge (it needs the exercise set's trusted code): the instructor's
#: run grades it. Worth 0 of 0 points here, never a failure; an exercise with only such checks
#: has this status too.
INSTRUCTOR = "instructor"


@dataclass
class CheckResult:
    name: str
    kind: str
    status: str
    score: float
    max_score: float
    code: str = ""
    facts: Facts = field(default_factory=dict)
    counterexample: dict[str, Any] | None = None
    hint: dict[str, str] | None = None
    mistake: str | None = None
    #: the hint's mistake explains the shown case but not every failing one: said as "looks like"
    hint_likely: bool = False
    #: what the wrong values show when no catalogued mistake explains them all (grader.judge.symptoms):
    #: {"code": "symptom.*", "facts": {...}, "compound": on top of the hint's mistake}
    symptom: dict[str, Any] | None = None
    #: every other way the check fails, beside the shown one: {"code", "facts", "failing_cases",
    #: "counterexample"} each, with its smallest input (an exception on 1-d input, NaN on large),
    #: and "mistake", "hint" when a catalogued mistake explains every case of that way
    others: list[dict[str, Any]] = field(default_factory=list)
    visibility: str = "public"


@dataclass
class ExerciseResult:
    id: str
    title: dict[str, str]
    chapter: int
    status: str
    score: float
    max_score: float
    checks: list[CheckResult] = field(default_factory=list)
    code: str = ""
    facts: Facts = field(default_factory=dict)
    seconds: float = 0.0
    location: dict[str, Any] | None = None


@dataclass
class SubmissionResult:
    submission: str
    exercises: list[ExerciseResult]
    grader_version: str = ""
    #: the seed of the inputs, or "private:<fingerprint>" for the course secret's (grader.secret)
    seed: int | str = 0
    spec_digest: str = ""
    sandbox: dict[str, bool] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""
    load_errors: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    #: things to tell the student that are not a grade, as {"code": ..., "facts": {...}}
    #: (a notebook's top-level code that was not run)
    notes: list[Note] = field(default_factory=list)
    #: the score a gate (`--fail-under`) requires, in points; None: every exercise must pass
    required_score: float | None = None

    @property
    def private_inputs(self) -> str | None:
        """The course secret's fingerprint when graded on its private inputs, else None."""
        if isinstance(self.seed, str) and self.seed.startswith("private:"):
            return self.seed.split(":", 1)[1]
        return None

    @property
    def score(self) -> float:
        return round(sum(e.score for e in self.exercises), 6)

    @property
    def max_score(self) -> float:
        return round(sum(e.max_score for e in self.exercises), 6)

    @property
    def all_passed(self) -> bool:
        return all(e.status in (PASSED, INSTRUCTOR) for e in self.exercises)

    @property
    def passed(self) -> bool:
        """The run's verdict: the required score reached, or else every exercise passed."""
        if self.required_score is not None:
            return self.score >= self.required_score - 1e-9
        return self.all_passed


#: the key of a summary in stored data (see Summary)
SUMMARY = "__summary__"
SUMMARY_KINDS = ("array", "list", "tuple", "dict")


@dataclass(frozen=True)
class WorstEntry:
    index: tuple[int, ...]
    value: Any
    #: whether the entry differs from the compared value's (a summary ranked by difference)
    differs: bool | None = None


@dataclass(frozen=True)
class Summary:
    """What a CheckResult keeps of a value too large to keep whole (grader.judge.summary makes
    it): what the value is, how it starts, where it is worst. Stored as plain data,
    ``{"__summary__": {...}}`` (`as_data`), so the JSON report and the gradebook carry it as any
    other value; `Summary.of` reads it back, and is the only way reporters recognise one.

    - kind: "array", "list", "tuple" or "dict"; shape: an array's shape, (items,) otherwise;
      size: how many entries (items) it has; dtype: an array's dtype, "" otherwise
    - head: its first entries, in row-major order (a dict's: [key, value] pairs), each bounded
    - worst: up to a few entries by index, ranked by `ranked_by`: "difference" (from the value it
      is compared with: the expected and the actual summary list the same indices, largest error
      first) or "magnitude" (NaN and ±inf first, then the largest |entry|)
    - nan, posinf, neginf: how many entries are NaN, +inf and −inf
    """

    kind: str
    shape: tuple[int, ...]
    size: int
    dtype: str = ""
    head: tuple[Any, ...] = ()
    worst: tuple[WorstEntry, ...] = ()
    ranked_by: str = "magnitude"
    nan: int = 0
    posinf: int = 0
    neginf: int = 0

    def as_data(self) -> dict[str, Any]:
        return {SUMMARY: {
            "kind": self.kind, "shape": list(self.shape), "size": self.size, "dtype": self.dtype,
            "head": list(self.head),
            "worst": [{"index": list(w.index), "value": w.value, "differs": w.differs}
                      for w in self.worst],
            "ranked_by": self.ranked_by, "nan": self.nan, "posinf": self.posinf,
            "neginf": self.neginf}}

    @classmethod
    def of(cls, value: object) -> "Summary | None":
        """The summary `value` stores, or None: a whole value, or data that is not a well-formed
        summary (a gradebook of another version)."""
        if type(value) is not dict or len(value) != 1 or type(value.get(SUMMARY)) is not dict:
            return None
        data = value[SUMMARY]
        try:
            kind, ranked_by = data["kind"], data.get("ranked_by", "magnitude")
            if kind not in SUMMARY_KINDS or ranked_by not in ("difference", "magnitude"):
                return None
            worst = tuple(WorstEntry(tuple(_index(w["index"])), w["value"],
                                     w.get("differs") if type(w.get("differs")) is bool else None)
                          for w in data.get("worst") or [])
            return cls(kind=kind, shape=tuple(_index(data["shape"])), size=_natural(data["size"]),
                       dtype=str(data.get("dtype") or ""), head=tuple(data.get("head") or ()),
                       worst=worst, ranked_by=ranked_by, nan=_natural(data.get("nan", 0)),
                       posinf=_natural(data.get("posinf", 0)), neginf=_natural(data.get("neginf", 0)))
        except (KeyError, TypeError, ValueError):
            return None


def _natural(value: object) -> int:
    if type(value) is not int or value < 0:
        raise ValueError(value)
    return value


def _index(value: object) -> list[int]:
    if not isinstance(value, (list, tuple)) or len(value) > 64:
        raise ValueError(value)
    return [_natural(i) for i in value]
