"""The plain-text lines that explain one check or exercise: shared by the CI reporters.

JUnit failure bodies, Gradescope test outputs, GitHub Classroom messages and the Markdown step
summary all say the same thing as the text report's failure blocks, from the same parts
(grader.report.failed_check): the sentence, how many inputs fail, the input, expected and actual
values, and the hint. No colours, no indentation: each reporter lays the lines out its own way.
Each line is plain text made safe as `text_line` makes it (student text cannot break it into
lines of its own or start a CI command); a reporter adds its own format's rule on top.
"""

from __future__ import annotations

from ..messages import text
from ..result import CheckResult, ExerciseResult, SubmissionResult
from .failed_check import failed_check, plain_lines, points
from .untrusted import text_line
from .words import check_name, exercise_message

__all__ = ["check_lines", "exercise_lines", "points", "score_line", "test_name", "title"]


def check_lines(check: CheckResult, lang: str) -> list[str]:
    """What went wrong in a check, one statement a line ([] for a check that passed)."""
    return [text_line(line) for line in plain_lines(failed_check(check, lang))]


def exercise_lines(exercise: ExerciseResult, lang: str) -> list[str]:
    """Why a whole exercise got no checks run (not attempted, import error, timeout)."""
    message = exercise_message(exercise, lang)
    return [text_line(message)] if message else []


def title(exercise: ExerciseResult, lang: str) -> str:
    return exercise.title.get(lang) or exercise.title.get("en", exercise.id)


def test_name(exercise: ExerciseResult, check: CheckResult | None, lang: str) -> str:
    """`sigmoid · edge cases`, or `sigmoid · Sigmoid` for an exercise that ran no check."""
    return f"{exercise.id} · {check_name(check, lang) if check else title(exercise, lang)}"


def score_line(result: SubmissionResult, lang: str) -> str:
    line = text("report.score", lang).format(score=points(result.score),
                                             max_score=points(result.max_score))
    if result.required_score is not None:
        line += " · " + text("report.required", lang).format(required=points(result.required_score))
    return line
