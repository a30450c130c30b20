"""`grader check --watch`: check again at every save and show only what changed.

The grading session (specs, reference, plans, expected values, the zygote) stays alive between runs, so
a re-check costs what grading costs, not a fresh start. Files are polled (mtime and size) rather
than watched through inotify: polling also works where inotify does not (WSL on a Windows drive,
network folders, some editors' atomic saves), and a poll every 0.3 s costs nothing measurable.

The first run prints the full report; every later run prints what changed against the last run
that could be graded: checks newly passing, newly failing, or failing differently, exercises
whose status changed, and the score before and after. A version that cannot be imported (a
syntax error while typing) is reported, and the comparison waits for one that imports. File names
and messages are shown through `untrusted.text_line`, like everything in the text report.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from .messages import text
from .report.untrusted import text_line
from .result import INSTRUCTOR, PASSED, CheckResult, ExerciseResult, SubmissionResult

if TYPE_CHECKING:
    from .session import GradingSession

POLL_SECONDS = 0.3
#: exercise-level codes that mean the submission as a whole could not be graded this time
BROKEN = frozenset({"import_error", "import_timeout", "import_crashed", "submission_missing",
                    "submission_empty", "submission_unreadable"})


def watched_files(submission: Path) -> list[Path]:
    if submission.is_dir():
        from .submission import source_files

        return source_files(submission)
    return [submission]


def snapshot(submission: Path) -> dict[str, tuple[int, int]]:
    """(mtime in ns, size) of every watched file, by name; a missing file is simply absent."""
    state = {}
    for path in watched_files(submission):
        try:
            info = path.stat()
        except OSError:
            continue
        state[path.name] = (info.st_mtime_ns, info.st_size)
    return state


def broken(result: SubmissionResult) -> bool:
    return any(ex.code in BROKEN for ex in result.exercises)


def _points(value: float) -> str:
    return f"{value:g}"


def _delta(value: float) -> str:
    return f"+{value:g}" if value >= 0 else f"-{-value:g}"


def _signature(check: CheckResult) -> tuple[Any, ...]:
    """What a student sees of a failure: its message code and the failing call."""
    example = check.counterexample or {}
    from .messages import format_call

    return (check.code, check.mistake, format_call(example.get("function"), example.get("input")))


def diff_lines(before: SubmissionResult, after: SubmissionResult, lang: str) -> list[str]:
    """Only what changed from `before` to `after`, then the score before and after."""
    from .report.text import check_lines, exercise_lines
    from .report.words import check_name

    lines: list[str] = []
    earlier: dict[str, ExerciseResult] = {ex.id: ex for ex in before.exercises}
    for ex in after.exercises:
        prev = earlier.get(ex.id)
        if prev is not None and prev.status != ex.status:
            colour = "green" if ex.status == PASSED else "red" if ex.status in ("failed", "error", "timeout") else None
            lines.append(click.style(text("watch.exercise", lang).format(
                exercise=ex.id, before=text(f"status.{prev.status}", lang),
                after=text(f"status.{ex.status}", lang)), fg=colour, bold=True))
            if not ex.checks and ex.code and ex.status not in (PASSED, "not_attempted"):
                lines += exercise_lines(ex, lang)
        old = {c.name: c for c in (prev.checks if prev else [])}
        for check in ex.checks:
            was = old.get(check.name)
            name = check_name(check, lang)
            if check.status == INSTRUCTOR:  # graded by the instructor only: nothing changes here
                continue
            if check.status == PASSED:
                if was is None or was.status != PASSED:
                    lines.append(click.style(text("watch.now_passing", lang).format(
                        exercise=ex.id, check=name, points=_points(check.score - (was.score if was else 0))),
                        fg="green"))
                continue
            if was is None or was.status == PASSED:
                title = text("watch.now_failing", lang).format(
                    exercise=ex.id, check=name, points=_points(was.score if was else 0))
            elif _signature(was) != _signature(check):
                title = text("watch.still_failing_differently", lang).format(exercise=ex.id, check=name)
            else:
                continue
            lines += check_lines(ex, check, lang, title=title)
    lines.append("")
    if abs(after.score - before.score) > 1e-9 or after.max_score != before.max_score:
        lines.append(click.style(text("watch.score", lang).format(
            before=_points(before.score), after=_points(after.score), max_score=_points(after.max_score),
            delta=_delta(after.score - before.score)), bold=True))
    else:
        lines.append(text("watch.no_change", lang).format(score=_points(after.score),
                                                          max_score=_points(after.max_score)))
    failing = [ex.id for ex in after.exercises if ex.status not in (PASSED, "not_attempted", INSTRUCTOR)]
    if failing:
        lines.append(text("watch.still_failing", lang).format(checks=", ".join(failing)))
    return lines


def broken_lines(result: SubmissionResult, lang: str) -> list[str]:
    from .report.words import exercise_message

    first = next(ex for ex in result.exercises if ex.code in BROKEN)
    return [click.style("✗ " + text_line(exercise_message(first, lang)), fg="red", bold=True),
            text("watch.broken", lang)]


def watch(session: GradingSession, submission: Path, lang: str,
          echo: Callable[[str], None] = click.echo, poll: float = POLL_SECONDS,
          max_runs: int | None = None) -> SubmissionResult:
    """Check, then check again after every change until interrupted; the last run's result."""
    from .report.text import render_text

    def run() -> tuple[SubmissionResult, float]:
        started = time.monotonic()
        return session.grade(submission), time.monotonic() - started

    state = snapshot(submission)
    result, _ = run()
    echo(render_text(result, lang))
    echo("")
    echo(click.style(text("watch.start", lang).format(path=text_line(str(submission))), fg="cyan"))
    baseline = None if broken(result) else result
    runs = 1
    try:
        while max_runs is None or runs < max_runs:
            time.sleep(poll)
            current = snapshot(submission)
            if current == state:
                continue
            while True:  # let the editor finish writing: wait for two equal snapshots
                time.sleep(poll)
                settled = snapshot(submission)
                if settled == current:
                    break
                current = settled
            changed = sorted(name for name in set(current) | set(state) if current.get(name) != state.get(name))
            state = current
            result, seconds = run()
            runs += 1
            echo("")
            echo(click.style(text("watch.rerun", lang).format(
                time=time.strftime("%H:%M:%S"), changed=text_line(", ".join(changed) or submission.name),
                seconds=f"{seconds:.1f}"), fg="cyan"))
            if broken(result):
                echo("\n".join(broken_lines(result, lang)))
            elif baseline is None:
                echo(render_text(result, lang))
                baseline = result
            else:
                echo("\n".join(diff_lines(baseline, result, lang)))
                baseline = result
    except KeyboardInterrupt:
        echo("")
        echo(text("watch.stopped", lang))
    return result
