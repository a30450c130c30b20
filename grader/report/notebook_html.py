"""HTML for a notebook: the same facts and sentences as the terminal report, as rich output.

Used by grader.check() in Jupyter (`CheckReport._repr_html_`). Formats only: every sentence comes
from the message catalogue, every status and score from the result. Every string goes through
`untrusted.html`, since any of them may hold student text.
"""

from __future__ import annotations

from ..messages import text
from ..result import INSTRUCTOR, PASSED, CheckResult, ExerciseResult, SubmissionResult
from .failed_check import points as _points, FailedCheck, failed_check, table_labels, title as failed_title
from .untrusted import html as escape
from .words import FILE_WIDE, check_message, check_name, exercise_message, file_problems, printed_lines

#: the lines of printed output shown in the notebook (the first and the last ones)
MAX_SHOWN_OUTPUT_LINES = 40

_BADGE = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#cf222e", "timeout": "#9a6700",
          "not_attempted": "#6e7781", "instructor": "#0969da"}
_BOX = "font-family: system-ui, sans-serif; font-size: 13px; line-height: 1.45; max-width: 60em"
_CELL = "padding: 2px 10px; text-align: left; border: none"
_MONO = "font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px"


def _badge(status: str, lang: str) -> str:
    colour = _BADGE.get(status, "#6e7781")
    return (f'<span style="background:{colour}; color:white; border-radius:3px; padding:0 6px">'
            f"{escape(text(f'status.{status}', lang))}</span>")


def _values(failed: FailedCheck, lang: str) -> str:
    parts = [f'<div style="{_MONO}"><b>{escape(row.label)}:</b> {escape(row.value)}</div>'
             for row in failed.rows(with_table=True)]
    if not failed.table:
        return "".join(parts)
    head = "".join(f'<th style="{_CELL}">{escape(label)}</th>' for label in table_labels(lang))
    rows = []
    for entry in failed.table:
        style = _CELL + ("; color:#cf222e; font-weight:bold" if entry.differs else "")
        rows.append(f'<tr><td style="{_CELL}">{escape(entry.index)}</td>'
                    f'<td style="{_CELL}">{escape(entry.expected)}</td>'
                    f'<td style="{style}">{escape(entry.got)}{" ✗" if entry.differs else ""}</td></tr>')
    parts.append(f'<table style="{_MONO}; border-collapse: collapse; margin: 4px 0">'
                 f"<tr>{head}</tr>{''.join(rows)}</table>")
    return "".join(parts)


def _failed(ex: ExerciseResult, check: CheckResult, lang: str) -> str:
    """One failed check, open: its title, message, count of failing inputs, values, hint."""
    failed = failed_check(check, lang)
    block = [f'<summary style="color:#cf222e; font-weight:bold; cursor:pointer">'
             f"{escape(failed_title(ex, check, lang))}</summary>",
             f'<div style="margin:2px 0 2px 1em">{escape(failed.message)}</div>']
    if failed.counted:
        block.append(f'<div style="margin-left:1em; color:#57606a">{escape(failed.counted)}</div>')
    if failed.call:
        block.append(f'<div style="margin-left:1em">{_values(failed, lang)}</div>')
    if failed.hint:
        block.append(f'<div style="margin:4px 0 0 1em; padding:4px 8px; border-left:3px solid #0969da">'
                     f"{escape(failed.hint)}</div>")
    for other in failed.others:
        block.append(f'<div style="margin:4px 0 0 1em">{escape(other)}</div>')
    if failed.symptom:
        block.append(f'<div style="margin:4px 0 0 1em; padding:4px 8px; border-left:3px solid #0969da">'
                     f"{escape(failed.symptom)}</div>")
    return f'<details open style="margin-top:8px">{"".join(block)}</details>'


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
                out.append(_failed(ex, check, lang))
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
