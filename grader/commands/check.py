"""`grader check SUBMISSION`: grade one submission and say what is wrong (`--watch`: again at
every save). Exit 0 when every selected exercise passed (or `--fail-under` is reached), 1 when
not, 2 on a usage or spec error.

The command itself only gathers its options into one `CheckRequest` and hands it to the job it
asks for: `watch_job` (re-check at every save) or `check_job` (once, then the report).
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ContextManager, NoReturn

import click

from ..facts import Note
from ..messages import text
from . import EXIT_FAILED, EXIT_PASSED, Settings, fail_usage
from .options import (assignment_option, chosen_assignment, lang_option, sandbox_limits, sandbox_options,
                      submission_argument, time_limit_option)
from .output import FORMATS, emit, output_options

if TYPE_CHECKING:
    from ..session import GradingSession


@dataclass(frozen=True)
class CheckRequest:
    """What `grader check` was asked to do, built once from its options."""

    submission: Path
    exercise_ids: tuple[str, ...]
    chapters: tuple[int, ...]
    output_format: str
    seed: int | None
    shrink: bool
    watch: bool
    time_limit: float | None
    lang: str
    #: --assignment: score that assignment's exercises, out of its total
    assignment_id: str | None = None


@click.command("check")
@submission_argument
@click.option("-e", "--exercise", "exercise_ids", multiple=True, metavar="ID",
              help="Check only this exercise (repeatable).")
@click.option("--chapter", "chapters", type=click.IntRange(min=1), multiple=True, metavar="N",
              help="Check only the exercises of chapter N (repeatable; added to -e's). Default: the "
                   "exercises a starter from `grader init --chapter/-e` lists (--format text), else all.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text",
              show_default=True)
@click.option("--seed", type=int, default=None, help="Seed of the drawn inputs (default: fixed).")
@click.option("--no-shrink", is_flag=True, help="Report the first failing input without shrinking it.")
@click.option("--watch", is_flag=True,
              help="Check again at every save, showing only what changed (Ctrl+C to stop).")
@output_options
@assignment_option
@time_limit_option
@sandbox_options
@lang_option
@click.pass_obj
def check_command(settings: Settings, submission: Path, exercise_ids: tuple[str, ...],
                  chapters: tuple[int, ...], output_format: str, seed: int | None, no_shrink: bool,
                  watch: bool, assignment_id: str | None, time_limit: float | None) -> None:
    """Check SUBMISSION (a .py file, a .ipynb notebook, or a folder of them) and show what is wrong.

    At a terminal, checks after the first are served by a resident grader kept warm in the
    background (same report; `grader resident stop` ends it, GRADER_RESIDENT=0 turns it off).
    """
    request = CheckRequest(submission, exercise_ids, chapters, output_format, seed, not no_shrink,
                           watch, time_limit, settings.lang, assignment_id)
    if request.watch and request.output_format != "text":
        fail_usage(text("watch.text_only", request.lang))
    with open_check_session(settings, request) as session:
        (watch_job if request.watch else check_job)(session, request)


def open_check_session(settings: Settings, request: CheckRequest) -> ContextManager[GradingSession]:
    """The grading session of one check (exit 2 on a spec error or an unknown exercise): a new
    one, closed after the check, or a resident grader's, kept for the next check."""
    from ..engine import Options
    from ..session import open_session
    from ..spec import SpecError

    options = Options(exercises=request.exercise_ids, shrink=request.shrink,
                      time_limit=request.time_limit, limits=sandbox_limits())
    try:
        if settings.sessions is not None:
            return contextlib.nullcontext(settings.sessions.session(settings.exercises, request.seed, options))
        return open_session(settings.exercises, seed=request.seed, options=options, warm_zygote=True)
    except SpecError as exc:
        fail_usage(exc, request.lang)


def check_job(session: GradingSession, request: CheckRequest) -> NoReturn:
    """Grade the exercises in scope once, then report as asked and exit with the verdict."""
    ids, note = scoped(session, request)
    with session.stored_answers(session.select(ids)):
        result = session.grade(request.submission)
    if note is not None:
        result.notes.append(note)
    sys.exit(emit(result, request.output_format, request.lang))


def watch_job(session: GradingSession, request: CheckRequest) -> NoReturn:
    """Grade the exercises in scope at every save until Ctrl+C; exit with the last run's verdict."""
    from ..watch import watch as watch_loop

    scoped(session, request)
    last = watch_loop(session, request.submission, request.lang)
    sys.exit(EXIT_PASSED if last.all_passed else EXIT_FAILED)


def scoped(session: GradingSession, request: CheckRequest) -> tuple[tuple[str, ...], Note | None]:
    """Narrow the session to the request's scope (`scope`): the ids, and the note that says so."""
    assignment = chosen_assignment(session.exercise_set, request.assignment_id, request.lang,
                                   request.exercise_ids, request.chapters)
    if assignment is not None:
        ids = assignment.exercises
        points = assignment.points(session.exercise_set.exercises)
        session.options = dataclasses.replace(session.options, exercises=ids)
        return ids, {"code": "check.scope_assignment", "facts": {
            "id": assignment.id, "title": assignment.title.get(request.lang), "count": len(ids),
            "points": f"{points:g}"}}
    ids, note = scope(session, request.submission, request.exercise_ids, request.chapters, request.lang,
                      starter=request.output_format in STARTER_FORMATS)
    session.options = dataclasses.replace(session.options, exercises=ids)
    return ids, note


#: the formats in which a starter's `# grader: exercises = …` line sets the scope: the student's
#: own terminal. The file is the student's to edit, so what grades (junit, gradescope, github, and
#: json for the instructor's scripts) scores every exercise unless -e/--chapter says otherwise.
STARTER_FORMATS = ("text",)


def scope(session: GradingSession, submission: Path, exercise_ids: tuple[str, ...], chapters: tuple[int, ...],
          lang: str, starter: bool = True) -> tuple[tuple[str, ...], Note | None]:
    """The exercises to score and the note that says so: those of -e/--chapter, else (`starter`)
    those the starter's marker lists (so a chapter's starter is scored out of that chapter's
    points), else every one (no note)."""
    from ..spec import SpecError
    from ..starter import StarterError, select, starter_scope

    started = starter_scope(submission, session.exercise_set) if starter else None
    if not exercise_ids and not chapters:
        if started is None:
            return (), None
        return tuple(started), _scope_note("check.scope_starter", session, started, submission)
    try:
        chosen = [ex.id for ex in select(session.exercise_set, chapters, exercise_ids)]
    except StarterError as exc:
        fail_usage(text(exc.code, lang).format(**exc.facts))
    except SpecError as exc:
        fail_usage(exc, lang)
    if started is None or set(started) == set(chosen):
        return tuple(chosen), None
    note = _scope_note("check.scope_chosen", session, chosen, submission)
    note["facts"]["started"] = len(started)
    return tuple(chosen), note


def _scope_note(code: str, session: GradingSession, ids: list[str], submission: Path) -> Note:
    """A note of the result (every format shows it): how many exercises, how many points, which file."""
    from ..submission.names import label

    points = sum(ex.max_score for ex in session.select(ids))
    return {"code": code, "facts": {"count": len(ids), "points": f"{points:g}", "file": label(submission.name)}}
