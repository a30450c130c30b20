"""HTML for a notebook: the same facts and sentences as the terminal report, as rich output.

Used by grader.check() in Jupyter (`CheckReport._repr_html_`). Formats only: every sentence comes
from the message catalogue, every status and score from the result. Every string goes through
`untrusted.html`, since any of them may hold student text.
"""

from __future__ import annotations

from typing import Any

from ..messages import format_call, format_value, text
from ..result import FAILED, INSTRUCTOR, PASSED, SubmissionResult
from .sidebyside import entries
from .untrusted import html as escape
from .words import (FILE_WIDE, check_message, check_name, exercise_message, file_problems, hint,
                    printed_lines)

#: the lines of printed output shown in the notebook (the first and the last ones)
MAX_SHOWN_OUTPUT_LINES = 40

_BADGE = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#cf222e", "timeout": "#9a6700",
          "not_attempted": "#6e7781", "instructor": "#0969da"}
_BOX = "font-family: system-ui, sans-serif; font-size: 13px; line-height: 1.45; max-width: 60em"
_CELL = "padding: 2px 10px; text-align: left; border: none"
_MONO = "font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px"


def _points(value: float) -> str:
    return f"{value:g}"


def _badge(status: str, lang: str) -> str:
    colour = _BADGE.get(status, "#6e7781")
    return (f'<span style="background:{colour}; color:white; border-radius:3px; padding:0 6px">'
            f"{escape(text(f'status.{status}', lang))}</span>")


def _values(example: dict[str, Any], facts: dict[str, Any], lang: str) -> str:
    call = format_call(example.get("function"), example.get("input"), lang)
    parts = [f'<div style="{_MONO}"><b>{escape(text("report.input", lang))}:</b> {escape(call)}</div>']
    table = entries(example.get("expected"), example.get("actual"), facts)
    if table is None or isinstance(example.get("expected"), (tuple, list, dict)):
        for key, label in (("expected", "report.expected"), ("actual", "report.got")):
            if example.get(key) is not None:
                parts.append(f'<div style="{_MONO}"><b>{escape(text(label, lang))}:</b> '
                             f"{escape(format_value(example[key], lang))}</div>")
    if table is None:
        return "".join(parts)
    head = "".join(f'<th style="{_CELL}">{escape(text(k, lang))}</th>'
                   for k in ("report.index", "report.expected", "report.got"))
    rows = []
    for index, expected, got, differs in table:
        style = _CELL + ("; color:#cf222e; font-weight:bold" if differs else "")
        rows.append(f'<tr><td style="{_CELL}">{escape(index)}</td><td style="{_CELL}">{escape(expected)}</td>'
                    f'<td style="{style}">{escape(got)}{" ✗" if differs else ""}</td></tr>')
    parts.append(f'<table style="{_MONO}; border-collapse: collapse; margin: 4px 0">'
                 f"<tr>{head}</tr>{''.join(rows)}</table>")
    return "".join(parts)


def render_html(result: SubmissionResult | None, lang: str, notes: list[str], checked: list[str]) -> str:
    out = [f'<div class="grader-report" style="{_BOX}">']
    if result is not None:
        title = text("jupyter.title", lang).format(functions=", ".join(checked))
        out.append(f'<div style="font-weight:bold; font-size:14px">{escape(title)}</div>')
        rows = "".join(
            f'<tr><td style="{_CELL}; {_MONO}">{escape(ex.id)}</td>'
            f'<td style="{_CELL}">{escape(ex.title.get(lang) or ex.title.get("en", ""))}</td>'
            f'<td style="{_CELL}">{_badge(ex.status, lang)}</td>'
            f'<td style="{_CELL}">{_points(ex.score)}/{_points(ex.max_score)}</td></tr>'
            for ex in result.exercises)
        head = "".join(f'<th style="{_CELL}">{escape(text(k, lang)) if k else ""}</th>'
                       for k in ("report.exercise", "", "report.status", "report.points"))
        out.append(f'<table style="border-collapse: collapse; margin: 6px 0"><tr>{head}</tr>{rows}</table>')
        score = text("report.score", lang).format(score=_points(result.score), max_score=_points(result.max_score))
        out.append(f"<div><b>{escape(score)}</b></div>")
        for problem in file_problems(result, lang):  # once, not once per exercise
            out.append(f'<div style="margin-top:8px; color:#cf222e"><b>✗ '
                       f'{escape(text("report.file_problem", lang))}</b> {escape(problem.message)} '
                       f"{escape(problem.not_graded(lang))}</div>")
        for ex in result.exercises:
            if ex.status not in (PASSED, "not_attempted") and ex.code and ex.code not in FILE_WIDE:
                out.append(f'<div style="margin-top:8px; color:#cf222e"><b>✗ {escape(ex.id)}</b> '
                           f"{escape(exercise_message(ex, lang))}</div>")
            for check in ex.checks:
                if check.status == PASSED:
                    continue
                if check.status == INSTRUCTOR:  # a student pack cannot judge it: not a failure
                    out.append(f'<div style="margin-top:8px; color:#0969da"><b>◦ {escape(ex.id)} · '
                               f'{escape(check_name(check, lang))}</b> '
                               f"{escape(check_message(check, lang))}</div>")
                    continue
                title = text("report.failed_check", lang).format(
                    exercise=ex.id, check=check_name(check, lang), points=_points(check.max_score))
                block = [f'<summary style="color:#cf222e; font-weight:bold; cursor:pointer">{escape(title)}</summary>',
                         f'<div style="margin:2px 0 2px 1em">{escape(check_message(check, lang))}</div>']
                example = check.counterexample or {}
                if check.status == FAILED and example.get("input") is not None:
                    facts = check.facts
                    if facts.get("failing_cases", 0) > 1:
                        key = "report.failing_cases" if facts.get("shrunk") else "report.failing_fixed"
                        counted = text(key, lang).format(failing=facts["failing_cases"],
                                                         total=facts["total_cases"])
                        block.append(f'<div style="margin-left:1em; color:#57606a">{escape(counted)}</div>')
                    block.append(f'<div style="margin-left:1em">{_values(example, facts, lang)}</div>')
                if hint(check, lang):
                    block.append(f'<div style="margin:4px 0 0 1em; padding:4px 8px; border-left:3px solid #0969da">'
                                 f'{escape(text("report.hint", lang).format(hint=hint(check, lang)))}</div>')
                out.append(f'<details open style="margin-top:8px">{"".join(block)}</details>')
        printed = printed_lines(result.stdout, lang, MAX_SHOWN_OUTPUT_LINES)
        if printed:
            shown = "\n".join(line for line, _ in printed)
            out.append(f"<div style='margin-top:8px'>{escape(text('report.stdout', lang))}</div>"
                       f'<pre style="{_MONO}; margin:2px 0 0 1em">{escape(shown)}</pre>')
        if result.exercises and result.all_passed:
            passed = escape(text("report.all_passed", lang))
            out.append(f'<div style="margin-top:8px; color:#1a7f37"><b>{passed}</b></div>')
    for note in notes:
        out.append(f'<div style="margin-top:6px">ℹ {escape(note)}</div>')
    if result is not None:
        footer = escape(text("jupyter.footer", lang))
        out.append(f'<div style="margin-top:8px; color:#6e7781; font-size:11px">{footer}</div>')
    out.append("</div>")
    return "".join(out)
