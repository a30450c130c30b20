"""The result model: plain dataclasses from a run down to a check. Facts only, no words.

A check records a message code and the facts that fill it (input, expected, actual, worst index,
matched mistake); reporters put them into words in the chosen language. Reporters never decide
a score or a status: everything they print is read from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
    facts: dict[str, Any] = field(default_factory=dict)
    counterexample: dict[str, Any] | None = None
    hint: dict[str, str] | None = None
    mistake: str | None = None
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
    facts: dict[str, Any] = field(default_factory=dict)
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
    notes: list[dict[str, Any]] = field(default_factory=list)
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
