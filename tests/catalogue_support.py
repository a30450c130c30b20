"""Shared by the tests of the exercise catalogue: one validation run per session, student sources.

Plans are drawn once per session into the private cache tests/conftest.py sets up; the whole
`grader validate` run (reference, every mistake, the zeros probe, in-process) is computed once
and shared by every test that reads it.
"""

from __future__ import annotations

import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORRECT = ROOT / "submissions" / "correct.py"
TORCH_FLOAT32 = ROOT / "tests" / "data" / "catalogue_torch_float32.py"
CHAPTERS = {2: "perceptron", 4: "losses", 5: "optimizers", 6: "capstone"}


@functools.lru_cache(maxsize=None)
def session():
    """A course of its own (tests that patch a course build a fresh one)."""
    from grader.session import GradingSession
    return GradingSession.load()


@functools.lru_cache(maxsize=None)
def validation():
    from grader.suite_validation import validate

    return validate(session())


#: the course secret of the tests: the catalogue must hold on private inputs too (grader.secret)
TEST_KEY = bytes(range(32))


@functools.lru_cache(maxsize=None)
def private_session():
    """The shipped set on the private inputs of TEST_KEY, pinned in the session's plan cache."""
    from grader.session import GradingSession
    from grader.plan import cache_dir
    from grader.secret import Secret

    from grader.pinning import pin_private_inputs

    private = GradingSession.load(secret=Secret(TEST_KEY, cache_dir() / "test-secret", "tests"))
    pin_private_inputs(private)  # as `grader secret init` does: torch.optim's paths too
    return private


@functools.lru_cache(maxsize=None)
def private_validation():
    from grader.suite_validation import validate

    return validate(private_session(), coverage=False)


def with_overrides(source: str) -> str:
    """The complete correct submission with some functions redefined after it (a student's bugs)."""
    return CORRECT.read_text(encoding="utf-8") + "\n\n# ---- the student's own versions\n" + source


def hint_of(exercise_id: str, mistake: str, lang: str = "en") -> str:
    ex = session().exercise_set.exercises[exercise_id]
    [found] = [m for m in ex.mistakes if m.function == mistake]
    return found.hint.get(lang)
