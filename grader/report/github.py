"""--format github, and what a run under GitHub Actions adds: step summary and annotations.

`render_github` is the JSON that GitHub Classroom's grading reporter
(autograding-grading-reporter) reads from a step output, base64-encoded by the caller:
{version, status pass/fail/error, max_score, tests: [{name, status, score, message, ...}]}.
The reporter sums the tests' `score` against `max_score`, and fails the job on "fail" or "error".

`render_summary` is Markdown for $GITHUB_STEP_SUMMARY; `annotations` are `::error` workflow
commands that point at the line of the student's function. All three are pure functions of a
result (and, for annotations, of where the repository is checked out).
"""

from __future__ import annotations

import os
from typing import Any

from ..messages import text
from .details import check_lines, exercise_lines, points, score_line, test_name, title
from ..result import ERROR, INSTRUCTOR, NOT_ATTEMPTED, PASSED, TIMEOUT, ExerciseResult, SubmissionResult
from .untrusted import annotation_message, annotation_property, json_dumps, markdown_block, markdown_inline
from .words import check_name

FORMAT_VERSION = 1
#: a check only the instructor grades is a test worth 0 of 0 here, its message says why
_STATUS = {PASSED: "pass", ERROR: "error", TIMEOUT: "error", INSTRUCTOR: "pass"}
_ICONS = {"passed": "✅", "failed": "❌", "error": "💥", "timeout": "⏱️", "not_attempted": "➖",
          "instructor": "🎓"}


def source_file(result: SubmissionResult, module: str | None) -> str | None:
    """The path of a submission's module: the submission itself, or a file of its folder."""
    if not module:
        return None
    if result.submission.endswith((".py", ".ipynb")):
        return os.path.normpath(result.submission)
    return os.path.normpath(os.path.join(result.submission, str(module)))


def _location(result: SubmissionResult, exercise: ExerciseResult) -> tuple[str | None, int | None]:
    """Where to point: the student's function, or the line a file failed to import at."""
    location = exercise.location or {}
    module, line = location.get("module"), location.get("line")
    if not module and exercise.code == "import_error":
        module, line = exercise.facts.get("file"), exercise.facts.get("line")
    try:
        number = int(line) if line else None
    except (TypeError, ValueError):
        number = None
    return source_file(result, module), number


def as_dict(result: SubmissionResult, lang: str = "en") -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    for ex in result.exercises:
        filename, line = _location(result, ex)
        common = {"filename": filename or "", "line_no": line or 0,
                  "execution_time": f"{ex.seconds:.2f}s"}
        if not ex.checks:
            tests.append({"name": test_name(ex, None, lang),
                          "status": _STATUS.get(ex.status, "fail"), "score": ex.score,
                          "max_score": ex.max_score,
                          "message": "\n".join(exercise_lines(ex, lang)), "test_code": ex.id,
                          **common})
            continue
        for check in ex.checks:
            tests.append({"name": test_name(ex, check, lang),
                          "status": _STATUS.get(check.status, "fail"), "score": check.score,
                          "max_score": check.max_score,
                          "message": "\n".join(check_lines(check, lang)),
                          "test_code": f"{ex.id}: {check.kind}", **common})
    if result.exercises and all(ex.status == ERROR for ex in result.exercises):
        status = "error"  # nothing could be graded at all (no file, nothing importable)
    else:
        status = "pass" if result.passed else "fail"
    return {"version": FORMAT_VERSION, "status": status, "max_score": result.max_score,
            "tests": tests}


def render_github(result: SubmissionResult, lang: str = "en") -> str:
    return json_dumps(as_dict(result, lang), separators=(",", ":"))


def render_summary(result: SubmissionResult, lang: str = "en") -> str:
    """Markdown for the job's summary page: the score, a table, then each failure."""
    lines = [f"### {markdown_inline(text('report.title', lang).format(submission=result.submission))}", "",
             f"**{score_line(result, lang)}**", "",
             f"| | {text('report.exercise', lang)} | | {text('report.status', lang)} "
             f"| {text('report.points', lang)} |",
             "|---|---|---|---|---|"]
    for ex in result.exercises:
        lines.append(f"| {_ICONS.get(ex.status, '')} | `{ex.id}` | {markdown_inline(title(ex, lang))} "
                     f"| {text(f'status.{ex.status}', lang)} "
                     f"| {points(ex.score)}/{points(ex.max_score)} |")
    for ex in result.exercises:
        if ex.status in (ERROR, TIMEOUT) and not ex.checks:
            lines += ["", f"#### ✗ {ex.id}", "", *map(markdown_inline, exercise_lines(ex, lang))]
        for check in ex.checks:
            if check.status == PASSED:
                continue
            if check.status == INSTRUCTOR:
                lines += ["", f"#### ◦ {ex.id} · {check_name(check, lang)}", "",
                          *map(markdown_inline, check_lines(check, lang))]
                continue
            heading = text("report.failed_check", lang).format(
                exercise=ex.id, check=check_name(check, lang), points=points(check.max_score))
            body = check_lines(check, lang)
            lines += ["", f"#### {heading}", ""]
            if body:
                lines.append(markdown_block("\n".join(body)))
    return "\n".join(lines) + "\n"


def annotations(result: SubmissionResult, lang: str = "en", workspace: str | None = None) -> list[str]:
    """`::error file=…,line=…,title=…::message` for each exercise that did not pass.

    `workspace` is the repository's root ($GITHUB_WORKSPACE): annotation paths are relative to it.
    """
    commands: list[str] = []
    for ex in result.exercises:
        if ex.status in (PASSED, INSTRUCTOR):
            continue
        filename, line = _location(result, ex)
        props: dict[str, str] = {}
        if filename:
            if workspace and os.path.isabs(filename):
                relative = os.path.relpath(filename, workspace)
                filename = relative if not relative.startswith("..") else filename
            props["file"] = filename
            if line:
                props["line"] = str(line)
        props["title"] = (f"{ex.id}: {text(f'status.{ex.status}', lang)} "
                          f"({points(ex.score)}/{points(ex.max_score)})")
        failing = [c for c in ex.checks if c.status not in (PASSED, INSTRUCTOR)]
        message = (check_lines(failing[0], lang) if failing else exercise_lines(ex, lang)) or [ex.id]
        if len(failing) > 1:
            message = message + [text("report.also_failed", lang).format(
                checks=", ".join(check_name(c, lang) for c in failing[1:]))]
        level = "warning" if ex.status == NOT_ATTEMPTED else "error"
        rendered = ",".join(f"{k}={annotation_property(v)}" for k, v in props.items())
        body = annotation_message("\n".join(message))
        if ex.code == "import_error" and any(c.endswith("::" + body) for c in commands):
            continue  # one broken file: one annotation, not one per exercise
        commands.append(f"::{level} {rendered}::{body}")
    return commands
