"""--format text: a summary table for a person, then what went wrong, one block per failure."""

from __future__ import annotations

import unicodedata

import click

from ..messages import render, text
from ..result import INSTRUCTOR, PASSED, CheckResult, ExerciseResult, SubmissionResult
from .failed_check import points as _points, FailedCheck, failed_check, table_labels, title as failed_title
from .untrusted import text_block, text_line
from .words import (FILE_WIDE, SAID, check_message, check_name, exercise_message, file_problems,
                    printed_lines)

#: the lines of printed output shown (the first and the last ones; the JSON report has it all)
MAX_SHOWN_OUTPUT_LINES = 20

_COLOURS = {"passed": "green", "failed": "red", "error": "red", "timeout": "yellow",
            "not_attempted": "bright_black", "instructor": "cyan"}


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - _width(s))


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
    """One failed check: title, message, the failing call with expected and got, the hint and
    what the values show."""
    failed = failed_check(check, lang)
    heading = failed_title(ex, check, lang) if title is None else text_line(title)
    lines = ["", click.style(heading, fg="red", bold=True), "  " + text_line(failed.message)]
    if failed.counted:
        lines.append("  " + text_line(failed.counted))
    lines += _values(failed, lang)
    if failed.hint:
        lines.append("  " + click.style(text_line(failed.hint), fg="cyan"))
    if failed.symptom:
        lines.append("  " + click.style(text_line(failed.symptom), fg="cyan"))
    lines += ["  " + text_line(other) for other in failed.others]
    return lines


def _values(failed: FailedCheck, lang: str) -> list[str]:
    """The call, then expected and got: entry by entry, side by side, for small arrays."""
    rows = failed.rows(with_table=True)
    if not rows:
        return []
    width = max(_width(text(f"report.{key}", lang)) for key in ("input", "expected", "got")) + 1
    lines = [f"    {_pad(row.label + ':', width)} {text_line(row.value)}" for row in rows]
    if not failed.table:
        return lines
    heads = table_labels(lang)
    table = [(text_line(e.index), text_line(e.expected), text_line(e.got), e.differs) for e in failed.table]
    widths = [max(_width(heads[i]), *(_width(str(row[i])) for row in table)) for i in range(3)]
    shown_heads = [_pad(heads[0], widths[0]), _pad(heads[1], widths[1]), heads[2]]
    lines.append("      " + "  ".join(click.style(h, dim=True) for h in shown_heads))
    for index, expected, got, differs in table:
        shown = _pad(got, widths[2])
        lines.append(f"      {_pad(index, widths[0])}  {_pad(expected, widths[1])}  "
                     + (click.style(shown, fg="red", bold=True) + "  ✗" if differs else shown).rstrip())
    return lines
