"""Put a result's facts into sentences: shared by every reporter that shows messages."""

from __future__ import annotations

from ..messages import CATALOGUE, format_call, render, text
from ..result import CheckResult, ExerciseResult


def check_name(check: CheckResult, lang: str) -> str:
    if check.name != check.kind:
        code = f"check.{check.name}"
        return text(code, lang) if code in CATALOGUE else check.name
    return text(f"check.{check.kind}", lang)


def check_message(check: CheckResult, lang: str) -> str:
    if not check.code:
        return ""
    example = check.counterexample or {}
    facts = {**check.facts, "call": format_call(example.get("function"), example.get("input"), lang)}
    return render(check.code, facts, lang)


def exercise_message(exercise: ExerciseResult, lang: str) -> str:
    if not exercise.code:
        return ""
    return render(exercise.code, {**exercise.facts, "function": exercise.id}, lang)


def hint(check: CheckResult, lang: str) -> str:
    if not check.hint:
        return ""
    return check.hint.get(lang) or check.hint.get("en", "")
