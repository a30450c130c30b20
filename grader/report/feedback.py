"""Feedback files for one student: Markdown and HTML, with what the self-check says.

Both formats are built from the same blocks (`feedback_blocks`): the summary table, notes
(notebook code that was not run), every failed check with its input, expected value, what came
back and the hint (the parts of grader.report.failed_check, which every reporter shows), and
what the code printed. Every sentence comes from the message catalogue
through `words`; this module only lays them out. The HTML is one self-contained page: inline
CSS, no script, no network. Everything in the blocks may hold student text (the student's name,
the file name, exception messages, values, printed output): each renderer passes every string
through its format's rule in `untrusted`, Markdown paragraphs through `markdown_inline`, values
and output through `markdown_block`, HTML through `html`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..messages import render, text
from ..result import NOT_ATTEMPTED, PASSED, SubmissionResult
from .adjustments import Adjustments, adjustment_lines, final_line
from .failed_check import points as _points, failed_check, title as failed_title
from .untrusted import html as e, markdown_block, markdown_inline as md
from .words import FILE_WIDE, SAID, exercise_message, file_problems, printed_lines

MAX_STDOUT_LINES = 40


@dataclass
class Failure:
    title: str
    message: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, value) pairs
    hint: str = ""  # the whole sentence, "Hint: …"
    symptom: str = ""  # the whole sentence, "What your values show: …"
    others: tuple[str, ...] = ()  # each other way the check fails


@dataclass
class Feedback:
    title: str
    submission: str
    score: str
    headers: tuple[str, str, str, str]
    rows: list[tuple[str, str, str, str, str]]  # id, title, status word, points, status code
    notes: list[str]
    failures: list[Failure]
    stdout: list[str]
    all_passed: str
    graded_by: str
    #: corrections, lateness and comments (grader.report.adjustments), when there are any
    course: list[str] = field(default_factory=list)


def _cell(ex_id: str, score: float, max_score: float, adjustments: Adjustments | None, lang: str) -> str:
    """An exercise's points; a corrected one's are the correction's, marked."""
    corrected = adjustments.corrected.get(ex_id) if adjustments is not None else None
    if corrected is None:
        return f"{_points(score)}/{_points(max_score)}"
    return f"{_points(corrected.points)}/{_points(max_score)} ✎ {text('feedback.corrected', lang)}"


def feedback_blocks(result: SubmissionResult, lang: str, student: str,
                    adjustments: Adjustments | None = None) -> Feedback:
    rows = [(ex.id, ex.title.get(lang) or ex.title.get("en", ""), text(f"status.{ex.status}", lang),
             _cell(ex.id, ex.score, ex.max_score, adjustments, lang), ex.status) for ex in result.exercises]
    failures = [Failure(title=f"✗ {text('report.file_problem', lang)}",
                        message=f"{problem.message} {problem.not_graded(lang)}")
                for problem in file_problems(result, lang)]  # once, not once per exercise
    for ex in result.exercises:
        if ex.status != PASSED and (ex.status != NOT_ATTEMPTED or ex.code in SAID) and ex.code \
                and ex.code not in FILE_WIDE:
            failures.append(Failure(title=f"✗ {ex.id}", message=exercise_message(ex, lang)))
        for check in ex.checks:
            if check.status == PASSED:
                continue
            failed = failed_check(check, lang)
            message = " ".join(part for part in (failed.message, failed.counted) if part)
            block = Failure(title=failed_title(ex, check, lang), message=message,
                            lines=[(row.label, row.value) for row in failed.rows()], hint=failed.hint,
                            symptom=failed.symptom, others=failed.others)
            failures.append(block)
    stdout = [line for line, _ in printed_lines(result.stdout, lang, MAX_STDOUT_LINES)]
    return Feedback(
        title=text("feedback.title", lang).format(student=student),
        submission=text("feedback.submission", lang).format(submission=result.submission),
        score=final_line(adjustments, lang) if adjustments is not None else
        text("report.score", lang).format(score=_points(result.score), max_score=_points(result.max_score)),
        headers=(text("report.exercise", lang), "", text("report.status", lang), text("report.points", lang)),
        rows=rows,
        notes=[render(n["code"], n["facts"], lang) for n in result.notes],
        failures=failures,
        stdout=stdout,
        all_passed=text("report.all_passed", lang) if result.exercises and result.all_passed else "",
        graded_by=(text("feedback.graded_private", lang).format(
            version=result.grader_version, digest=result.spec_digest[:12],
            fingerprint=result.private_inputs) if result.private_inputs else
            text("feedback.graded", lang).format(
            version=result.grader_version, digest=result.spec_digest[:12], seed=result.seed)),
        course=adjustment_lines(adjustments, lang) if adjustments is not None else [],
    )


def render_markdown(result: SubmissionResult, lang: str = "en", student: str | None = None,
                    adjustments: Adjustments | None = None) -> str:
    fb = feedback_blocks(result, lang, student or result.submission, adjustments)
    out = [f"# {md(fb.title)}", "", md(fb.submission), "", f"**{md(fb.score)}**", ""]
    if fb.course:
        out += [f"- {md(line)}" for line in fb.course] + [""]
    out.append("| " + " | ".join(md(h) for h in fb.headers) + " |")
    out.append("|---|---|---|---:|")
    for ex_id, title, status, points, _ in fb.rows:
        out.append(f"| `{ex_id}` | {md(title)} | {md(status)} | {md(points)} |")
    if fb.notes:
        out += ["", f"## {text('feedback.notes', lang)}", ""] + [f"- {md(n)}" for n in fb.notes]
    if fb.failures:
        out += ["", f"## {text('feedback.details', lang)}"]
        for failure in fb.failures:
            out += ["", f"### {md(failure.title)}", "", md(failure.message)]
            if failure.lines:
                out += ["", markdown_block("\n".join(f"{label}: {value}" for label, value in failure.lines))]
            if failure.hint:
                out += ["", "> " + md(failure.hint)]
            if failure.symptom:
                out += ["", "> " + md(failure.symptom)]
            out += [line for other in failure.others for line in ("", "- " + md(other))]
    if fb.stdout:
        out += ["", f"## {text('feedback.stdout', lang)}", "", markdown_block("\n".join(fb.stdout))]
    if fb.all_passed:
        out += ["", fb.all_passed]
    out += ["", "---", "", f"*{md(fb.graded_by)}*", ""]
    return "\n".join(out)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC",
sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.5}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}h3{font-size:1.05rem;color:#b3261e}
table{border-collapse:collapse;margin:1rem 0}th,td{border-bottom:1px solid #ddd;padding:.3rem .7rem;
text-align:left}td.points{text-align:right;font-variant-numeric:tabular-nums}
.passed{color:#1b7f3b}.failed,.error{color:#b3261e}.timeout{color:#a15c00}.not_attempted,.missing{color:#777}
pre{background:#f5f5f7;padding:.6rem .8rem;overflow-x:auto;white-space:pre-wrap}
.hint{border-left:4px solid #2a7ab0;background:#eef6fb;padding:.4rem .8rem}
.note{border-left:4px solid #a15c00;background:#fdf6ec;padding:.4rem .8rem;margin:.5rem 0}
.score{font-size:1.2rem;font-weight:600}footer{color:#777;font-size:.85rem;margin-top:2rem}
"""


def render_html(result: SubmissionResult, lang: str = "en", student: str | None = None,
                adjustments: Adjustments | None = None) -> str:
    fb = feedback_blocks(result, lang, student or result.submission, adjustments)
    out = ["<!DOCTYPE html>", f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(fb.title)}</title><style>{_CSS}</style></head><body>",
           f"<h1>{e(fb.title)}</h1>", f"<p>{e(fb.submission)}</p>", f'<p class="score">{e(fb.score)}</p>',
           *([f'<ul class="course">{"".join(f"<li>{e(line)}</li>" for line in fb.course)}</ul>'] if fb.course else []),
           "<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in fb.headers) + "</tr></thead><tbody>"]
    for ex_id, title, status, points, code in fb.rows:
        out.append(f"<tr><td><code>{e(ex_id)}</code></td><td>{e(title)}</td>"
                   f'<td class="{e(code)}">{e(status)}</td><td class="points">{e(points)}</td></tr>')
    out.append("</tbody></table>")
    if fb.notes:
        out.append(f"<h2>{e(text('feedback.notes', lang))}</h2>")
        out += [f'<p class="note">{e(n)}</p>' for n in fb.notes]
    if fb.failures:
        out.append(f"<h2>{e(text('feedback.details', lang))}</h2>")
        for failure in fb.failures:
            out += [f"<h3>{e(failure.title)}</h3>", f"<p>{e(failure.message)}</p>"]
            if failure.lines:
                out.append("<pre>" + "\n".join(f"{e(label)}: {e(value)}" for label, value in failure.lines)
                           + "</pre>")
            if failure.hint:
                out.append(f'<p class="hint">{e(failure.hint)}</p>')
            if failure.symptom:
                out.append(f'<p class="hint">{e(failure.symptom)}</p>')
            out += [f"<p>{e(other)}</p>" for other in failure.others]
    if fb.stdout:
        out += [f"<h2>{e(text('feedback.stdout', lang))}</h2>", "<pre>" + e("\n".join(fb.stdout)) + "</pre>"]
    if fb.all_passed:
        out.append(f'<p class="passed score">{e(fb.all_passed)}</p>')
    out += [f"<footer>{e(fb.graded_by)}</footer>", "</body></html>", ""]
    return "\n".join(out)

