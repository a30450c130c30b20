"""What a diagnosis is: a catalogued mistake named for a failure, and how sure the judge is.

Shared by the default matcher (diagnose.py) and the check kinds that match in their own way
(behaviour.py), so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..run.client import CallOutcome
from ..spec.schema import CheckSpec, Mistake, Tolerance
from .compare import compare


@dataclass(frozen=True)
class Diagnosis:
    """A catalogued mistake that explains a failure; `likely` when it explains only part of it."""

    mistake: Mistake
    likely: bool = False


def applies(mistake: Mistake, spec: CheckSpec) -> bool:
    """Whether a mistake may be diagnosed on this check (its `checks:` list, if any)."""
    return not mistake.checks or spec.kind in mistake.checks or spec.title in mistake.checks


def same_outcome(student: CallOutcome, mistake: CallOutcome, tol: Tolerance) -> bool:
    """The mistake's call gives what the student's gave: the same value, or both raised."""
    if (student.error is None) != (mistake.error is None):
        return False
    return student.error is not None or compare(mistake.value, student.value, tol) is None


