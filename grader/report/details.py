"""The plain-text lines that explain one check or exercise: shared by the CI reporters.

JUnit failure bodies, Gradescope test outputs, GitHub Classroom messages and the Markdown step
summary all say the same thing as the text report's failure blocks: the sentence, how many inputs
fail, the input, expected and actual values, and the hint. No colours, no indentation: each
reporter lays the lines out its own way. Each line is plain text made safe as `text_line` makes
it (student text cannot break it into lines of its own or start a CI command); a reporter adds
its own format's rule on top.
"""

from __future__ import annotations

from ..messages import format_call, format_value, text
from ..result import FAILED, CheckResult, ExerciseResult, SubmissionResult
from .untrusted import text_line
from .words import check_message, check_name, exercise_message, hint


def points(value: float) -> str:
    return f"{value:g}"


def check_lines(check: CheckResult, lang: str) -> list[str]:
    """What went wrong in a check, one statement a line ([] for a check that passed)."""
    lines = [check_message(check, lang)] if check.code else []
    example = check.counterexample or {}
    if check.status == FAILED and example.get("input") is not None:
        facts = check.facts
        if facts.get("failing_cases", 0) > 1:
            key = "report.failing_cases" if facts.get("shrunk") else "report.failing_fixed"
            lines.append(text(key, lang).format(failing=facts["failing_cases"],
                                                total=facts["total_cases"]))
        lines.append(f"{text('report.input', lang)}: "
                     f"{format_call(example.get('function'), example.get('input'), lang)}")
        if example.get("expected") is not None:
            lines.append(f"{text('report.expected', lang)}: {format_value(example['expected'], lang)}")
        if example.get("actual") is not None:
            lines.append(f"{text('report.got', lang)}: {format_value(example['actual'], lang)}")
    if hint(check, lang):
        lines.append(text("report.hint", lang).format(hint=hint(check, lang)))
    return [text_line(line) for line in lines if line]


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
