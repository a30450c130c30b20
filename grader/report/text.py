"""--format text: a summary table for a person, then what went wrong, one block per failure."""

from __future__ import annotations

import unicodedata

import click

from ..messages import format_call, format_value, render, text, tiny_note
from ..result import FAILED, INSTRUCTOR, PASSED, CheckResult, ExerciseResult, SubmissionResult
from .untrusted import text_block, text_line
from .words import (FILE_WIDE, SAID, check_message, check_name, exercise_message, file_problems, hint,
                    printed_lines)

#: the lines of printed output shown (the first and the last ones; the JSON report has it all)
MAX_SHOWN_OUTPUT_LINES = 20

_COLOURS = {"passed": "green", "failed": "red", "error": "red", "timeout": "yellow",
            "not_attempted": "bright_black", "instructor": "cyan"}


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


def _points(value: float) -> str:
    return f"{value:g}"


def render_text(result: SubmissionResult, lang: str = "en") -> str:
    title = text("report.title", lang).format(submission=text_line(result.submission))
    lines = [click.style(title, bold=True), ""]
    rows = [(ex.id, ex.title.get(lang) or ex.title["en"], ex.status,
             f"{_points(ex.score)}/{_points(ex.max_score)}") for ex in result.exercises]
    headers = (text("report.exercise", lang), "", text("report.status", lang), text("report.points", lang))
    widths = [max(_width(h), *(_width(r[i] if i != 2 else text(f'status.{r[2]}', lang)) for r in rows))
              for i, h in enumerate(headers)] if rows else [0, 0, 0, 0]
    lines.append("  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for ex_id, title, status, points in rows:
        shown = _pad(text(f"status.{status}", lang), widths[2])
        lines.append("  ".join([_pad(ex_id, widths[0]), _pad(title, widths[1]),
                                click.style(shown, fg=_COLOURS.get(status)), points]).rstrip())
    score = text("report.score", lang).format(score=_points(result.score), max_score=_points(result.max_score))
    lines += ["", click.style(score, bold=True)]
    for note in result.notes:
        lines += ["", click.style("ℹ ", fg="cyan") + text_line(render(note["code"], note["facts"], lang))]

    for problem in file_problems(result, lang):  # a syntax error: once, not once per exercise
        lines += ["", click.style(f"✗ {text('report.file_problem', lang)}", fg="red", bold=True),
                  "  " + text_line(problem.message), "  " + text_line(problem.not_graded(lang))]
    for ex in result.exercises:
        if ex.code not in FILE_WIDE:  # said once, above
            lines += exercise_lines(ex, lang)
    printed = printed_lines(result.stdout, lang, MAX_SHOWN_OUTPUT_LINES)
    if printed:
        lines += ["", text("report.stdout", lang)]
        lines += [click.style("  " + line, dim=True) if ours else text_block(line, "  | ")
                  for line, ours in printed]
    if result.exercises and result.all_passed and any(ex.status == PASSED for ex in result.exercises):
        lines += ["", click.style(text("report.all_passed", lang), fg="green", bold=True)]
    return "\n".join(lines)


def exercise_lines(ex: ExerciseResult, lang: str) -> list[str]:
    """What went wrong in one exercise: its own message, then a block per failed check."""
    lines: list[str] = []
    if ex.status not in (PASSED,) and ex.code and (ex.status != "not_attempted" or ex.code in SAID):
        lines += ["", click.style(f"✗ {ex.id}", fg="red", bold=True), "  " + text_line(exercise_message(ex, lang))]
    for check in ex.checks:
        if check.status == INSTRUCTOR:  # a student pack cannot judge it: say so, not a failure
            lines += ["", click.style(f"◦ {ex.id} · {check_name(check, lang)}", fg="cyan", bold=True),
                      "  " + text_line(check_message(check, lang))]
        elif check.status != PASSED:
            lines += check_lines(ex, check, lang)
    return lines


def check_lines(ex: ExerciseResult, check: CheckResult, lang: str, title: str | None = None) -> list[str]:
    """One failed check: title, message, the failing call with expected and got, the hint."""
    if title is None:
        title = text("report.failed_check", lang).format(
            exercise=ex.id, check=check_name(check, lang), points=_points(check.max_score))
    lines = ["", click.style(title, fg="red", bold=True), "  " + text_line(check_message(check, lang))]
    example = check.counterexample or {}
    if check.status == FAILED and example.get("input") is not None:
        facts = check.facts
        if facts.get("failing_cases", 0) > 1:
            key = "report.failing_cases" if facts.get("shrunk") else "report.failing_fixed"
            lines.append("  " + text(key, lang).format(
                failing=facts["failing_cases"], total=facts["total_cases"]))
        lines += _values(example, facts, lang)
    if hint(check, lang):
        lines.append("  " + click.style(text("report.hint", lang).format(hint=hint(check, lang)),
                                        fg="cyan"))
    return lines


def _values(example: dict, facts: dict, lang: str) -> list[str]:
    """The call, then expected and got: entry by entry, side by side, for small arrays."""
    from .sidebyside import entries

    labels = {k: text(f"report.{k}", lang) for k in ("input", "expected", "got", "index")}
    width = max(_width(labels[k]) for k in ("input", "expected", "got")) + 1
    call = format_call(example.get('function'), example.get('input'), lang)
    lines = [f"    {_pad(labels['input'] + ':', width)} {text_line(call)}"]
    if tiny_note(call, lang):
        lines.append(f"    {tiny_note(call, lang)}")
    table = entries(example.get("expected"), example.get("actual"), facts)
    if table is None or isinstance(example.get("expected"), (tuple, list, dict)):
        for key, label in (("expected", "expected"), ("actual", "got")):
            if example.get(key) is not None:
                lines.append(f"    {_pad(labels[label] + ':', width)} {text_line(format_value(example[key], lang))}")
    if table is None:
        return lines
    table = [(text_line(index), expected, text_line(got), differs) for index, expected, got, differs in table]
    widths = [max(_width(labels[head]), *(_width(str(row[i])) for row in table))
              for i, head in enumerate(("index", "expected", "got"))]
    heads = [_pad(labels["index"], widths[0]), _pad(labels["expected"], widths[1]), labels["got"]]
    lines.append("      " + "  ".join(click.style(h, dim=True) for h in heads))
    for index, expected, got, differs in table:
        shown = _pad(got, widths[2])
        lines.append(f"      {_pad(index, widths[0])}  {_pad(expected, widths[1])}  "
                     + (click.style(shown, fg="red", bold=True) + "  ✗" if differs else shown).rstrip())
    return lines
